"""Scopes over HTTP on DynamoDB Local: a support person limited to one tenant (org = acme)
walks every path to the other tenant's (globex) items of the hidden-tenant fixture
(``tests/scopes_urls.py``). What they get: no globex value anywhere, the same answer for a
forbidden item and a missing one, and no call at all where the key shows the tenant."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists

pytestmark = pytest.mark.django_db

GLOBEX_WORDS = ("globex", "Globex", "G-secret", "T-9")
#: what only reading globex's items could tell (a page may echo the address typed in)
GLOBEX_DATA = ("G-secret", "Globex Corp")


def _ticket(org: str, ticket_id: str, status: str = "OPEN", subject: str = "") -> dict:
    from tests.scopes_urls import Ticket

    return Ticket.build_item({"org": org, "ticket_id": ticket_id, "status": status,
                              "subject": subject or f"{org} {ticket_id}"})


@pytest.fixture
def tenancy_table(dynamodb_endpoint, settings):
    from tests.conftest import physical_table
    from tests.scopes_urls import Org, tenancy

    settings.ROOT_URLCONF = "tests.scopes_urls"
    with physical_table(tenancy) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        for item in (Org.build_item({"org": "acme", "name": "Acme Corp"}),
                     Org.build_item({"org": "globex", "name": "Globex Corp"}),
                     _ticket("acme", "T-1", "OPEN", "Printer on fire"),
                     _ticket("acme", "T-2", "CLOSED", "Coffee machine"),
                     _ticket("globex", "T-9", "OPEN", "G-secret merger plans")):
            data.put_item(tenancy, item, condition=AttributeNotExists("PK"))
        yield tenancy


def _person(django_user_model, name: str, *actions: str, scope: str | None = "acme",
            via_group: bool = True):
    """A staff member holding ``actions`` on both entities, limited by ``scope``."""
    from django.contrib.auth.models import Group, Permission
    from django.test import Client

    from dynadmin.codenames import permission_codename
    from dynadmin.models import ScopeAssignment
    from dynadmin.permissions import sync_permissions
    from tests.scopes_urls import Device, Note, Org, Site, Ticket, tenants

    sync_permissions(admin_site=tenants)
    user = django_user_model.objects.create_user(name, password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=[
        permission_codename(a, e) for a in actions
        for e in (Org, Ticket, Site, Note, Device)]))
    if scope is not None:
        assignment, _ = ScopeAssignment.objects.get_or_create(name=scope)
        if via_group:
            group, _ = Group.objects.get_or_create(name=f"{scope} support")
            user.groups.add(group)
            assignment.groups.add(group)
        else:
            assignment.users.add(user)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def support(django_user_model):
    """Support for acme: may view, change and delete tickets and orgs, of acme only."""
    return _person(django_user_model, "acme-support", "view", "change", "delete", "add")


def _url(name: str, key: dict[str, Any] | None = None, **extra: str) -> str:
    query = {"pk": key["PK"], "sk": key["SK"]} if key else {}
    return (reverse(f"tenants:{name}", kwargs={"table": "Tenancy"}, current_app="tenants")
            + "?" + urlencode(query | extra))


def _text(response) -> str:
    return unescape(response.content.decode())


def _calls(response) -> str:
    return response.get("X-Dynadmin-Calls", "")


def _same(forbidden, missing, *spellings: tuple[str, str]) -> None:
    """Forbidden and missing answer alike: status, calls, and the body once CSRF tokens and
    the address typed in (which the page echoes) are set aside."""
    def plain(response, typed: str) -> str:
        text = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]*"', "",
                      _text(response))
        text = re.sub(r"[\d,]+(\.\d+)? ?(ms|s)\b", "(time)", text)  # latencies
        text = re.sub(r"\d\d:\d\d:\d\d", "(clock)", text)  # when the page was made
        if typed:
            text = text.replace(quote(typed), "TYPED").replace(typed, "TYPED")
        return text

    assert forbidden.status_code == missing.status_code
    assert _calls(forbidden) == _calls(missing)
    for (typed_forbidden, typed_missing) in spellings or (("", ""),):
        assert plain(forbidden, typed_forbidden) == plain(missing, typed_missing)


def _no_globex(response, words: tuple[str, ...] = GLOBEX_WORDS) -> None:
    text = _text(response)
    assert not [w for w in words if w in text], text[:3000]


def _item_reads(response) -> list[str]:
    """The calls that read or wrote items (a table's description is no item's)."""
    return [c for c in _calls(response).split(",") if c and c != "DescribeTable"]


GLOBEX_T9 = {"PK": "ORG#globex", "SK": "TICKET#T-9"}
GLOBEX_MISSING = {"PK": "ORG#globex", "SK": "TICKET#T-404"}
ACME_T1 = {"PK": "ORG#acme", "SK": "TICKET#T-1"}


# -- the scope and the person's reach ------------------------------------------------------
def test_a_scoped_person_reaches_the_tenant_of_their_scope_and_no_other(
        support, tenancy_table):
    from tests.scopes_urls import Ticket, tenants

    acme, globex = _ticket("acme", "T-1"), _ticket("globex", "T-9")
    request = type("R", (), {"user": support.user})()
    admin = tenants.get_entity_admin(Ticket)

    assert admin.has_view_permission(request, acme)
    assert not admin.has_view_permission(request, globex)
    assert not admin.has_change_permission(request, globex)
    assert not admin.has_delete_permission(request, globex)
    assert admin.has_view_permission(request)  # the entity itself stays theirs


def test_no_assigned_scope_and_superusers_reach_every_tenant(django_user_model, tenancy_table):
    from tests.scopes_urls import Ticket, tenants

    plain = _person(django_user_model, "plain", "view", scope=None)
    boss = django_user_model.objects.create_superuser("boss", "b@example.com", "pw")
    admin = tenants.get_entity_admin(Ticket)
    for user in (plain.user, boss):
        request = type("R", (), {"user": user})()
        assert admin.has_view_permission(request, _ticket("globex", "T-9"))


def test_scopes_on_one_field_add_their_values_up(django_user_model, tenancy_table):
    from dynadmin.models import ScopeAssignment
    from tests.scopes_urls import Ticket, tenants

    both = _person(django_user_model, "both", "view", scope="acme", via_group=False)
    ScopeAssignment.objects.create(name="globex").users.add(both.user)
    request = type("R", (), {"user": both.user})()
    admin = tenants.get_entity_admin(Ticket)
    assert admin.has_view_permission(request, _ticket("globex", "T-9"))
    assert admin.has_view_permission(request, _ticket("acme", "T-1"))
    assert not admin.has_view_permission(request, _ticket("initech", "T-5"))


def test_a_scope_assigned_but_declared_nowhere_reaches_nothing(django_user_model,
                                                               tenancy_table):
    from tests.scopes_urls import Ticket, tenants

    lost = _person(django_user_model, "lost", "view", scope="no such scope")
    request = type("R", (), {"user": lost.user})()
    assert not tenants.get_entity_admin(Ticket).has_view_permission(
        request, _ticket("acme", "T-1"))


def test_a_host_hook_overridden_without_super_still_keeps_the_scope(support, tenancy_table):
    from tests.scopes_urls import Ticket, TicketAdmin, tenants

    class Lenient(TicketAdmin):
        def has_view_permission(self, request, item=None):
            return True

    lenient = Lenient(Ticket, tenants)
    request = type("R", (), {"user": support.user})()
    assert not lenient.has_view_permission(request, _ticket("globex", "T-9"))
    assert lenient.has_view_permission(request, _ticket("acme", "T-1"))


def test_an_allowed_callable_computes_the_values_per_request(django_user_model,
                                                             tenancy_table):
    from dynadmin.scopes import Scope
    from tests.scopes_urls import Ticket, tenants

    scope = tenants.add_scope(Scope("mine", "org", allowed=lambda r: [r.user.username]))
    try:
        mine = _person(django_user_model, "globex", "view", scope="mine")
        request = type("R", (), {"user": mine.user})()
        admin = tenants.get_entity_admin(Ticket)
        assert admin.has_view_permission(request, _ticket("globex", "T-9"))
        assert not admin.has_view_permission(request, _ticket("acme", "T-1"))
    finally:
        tenants._scopes.pop(scope.name)


# -- pages whose address shows the tenant: no call, answered as missing --------------------
@pytest.mark.parametrize("page", ["item", "edit", "delete", "set_ttl", "item_changes",
                                  "item_changes_json", "resolve"])
def test_a_globex_item_answers_as_a_missing_one_without_a_call(support, tenancy_table, page):
    forbidden = support.get(_url(page, GLOBEX_T9))
    missing = support.get(_url(page, GLOBEX_MISSING))

    assert _item_reads(forbidden) == []
    _no_globex(forbidden, GLOBEX_DATA)
    _same(forbidden, missing, ("T-9", "T-404"))


def test_the_acme_items_stay_open_to_acme_support(support, tenancy_table):
    opened = support.get(_url("item", ACME_T1))
    assert opened.status_code == 200
    assert "Printer on fire" in _text(opened) and _calls(opened).startswith("GetItem")
    _no_globex(opened)


def test_a_globex_partition_answers_as_an_empty_one_without_a_call(support, tenancy_table):
    forbidden = support.get(_url("partition", pk="ORG#globex"))
    missing = support.get(_url("partition", pk="ORG#globex-none"))

    assert forbidden.status_code == 200 and _item_reads(forbidden) == []
    _no_globex(forbidden, GLOBEX_DATA)
    _same(forbidden, missing, ("ORG#globex", "ORG#globex-none"))


def test_a_globex_status_listing_answers_as_an_empty_one_without_a_call(support,
                                                                        tenancy_table):
    listing = reverse("tenants:listing", args=["Tenancy.Ticket", "by_status"],
                      current_app="tenants")
    forbidden = support.get(listing, {"org": "globex", "status": "OPEN"}, follow=True)
    missing = support.get(listing, {"org": "globez", "status": "OPEN"}, follow=True)

    _no_globex(forbidden, GLOBEX_DATA)
    assert _item_reads(forbidden) == []
    _same(forbidden, missing, ("globex", "globez"))


def test_a_gsi_partition_of_globex_is_fenced_too(support, tenancy_table):
    forbidden = support.get(_url("partition", pk="ORG#globex#STATUS#OPEN", index="GSI1"))
    assert _item_reads(forbidden) == []
    _no_globex(forbidden, GLOBEX_DATA)


# -- where the key does not show the tenant: read, then dropped, and said so ---------------
def test_a_lookup_by_ticket_id_drops_the_globex_ticket_and_says_items_may_be_left_out(
        support, tenancy_table):
    lookup = reverse("tenants:entity_lookup", args=["Tenancy.Ticket", "by_id"],
                     current_app="tenants")
    forbidden = support.get(lookup, {"ticket_id": "T-9"})
    missing = support.get(lookup, {"ticket_id": "T-8"})

    assert forbidden.status_code == 200
    assert "G-secret" not in _text(forbidden) and "globex" not in _text(forbidden)
    # the index's key cannot tell whose it is: read, dropped, and the page says so
    assert _calls(forbidden) == _calls(missing) == "Query"
    assert forbidden.status_code == missing.status_code
    assert "left out" in _text(forbidden)
    found = support.get(lookup, {"ticket_id": "T-1"}, follow=True)
    assert "Printer on fire" in _text(found)


def test_the_global_box_finds_no_globex_value(support, tenancy_table):
    box = reverse("tenants:lookup", current_app="tenants")
    for text in ("T-9", "ORG#globex", "globex"):
        answer = support.get(box, {"q": text}, follow=True)
        assert answer.status_code in (200, 404)
        _no_globex(answer, GLOBEX_DATA)
    # a ticket id: the index cannot tell whose, so it is read and dropped: "Nothing found",
    # as for a missing one; a key that shows the tenant is never sent
    forbidden = support.get(box, {"q": "T-9"})
    missing = support.get(box, {"q": "T-8"})
    _same(forbidden, missing, ("T-9", "T-8"))
    found = support.get(box, {"q": "T-1"}, follow=True)
    assert "Printer on fire" in _text(found)
    typed_key = support.get(box, {"q": "ORG#globex"}, follow=True)
    assert _item_reads(typed_key) == []


def test_an_org_s_tickets_section_shows_acme_s_tickets_only(support, tenancy_table):
    page = support.get(_url("item", {"PK": "ORG#acme", "SK": "PROFILE"}))
    assert page.status_code == 200
    assert "Printer on fire" in _text(page)
    _no_globex(page)


# -- history: changes to globex items are not told -----------------------------------------
def test_recent_actions_and_the_item_history_tell_nothing_of_globex(support, staff_client,
                                                                    tenancy_table):
    from tests.support.editing import form_data

    staff_client.force_login(staff_client.user)
    for key, subject in ((GLOBEX_T9, "G-secret changed"), (ACME_T1, "Printer fixed")):
        edit = staff_client.get(_url("edit", key))
        fields = form_data(edit)
        fields["subject"] = subject
        assert staff_client.post(_url("edit", key), fields).status_code == 302

    recent = support.get(reverse("tenants:recent_actions", current_app="tenants"))
    assert recent.status_code == 200
    assert "Printer fixed" in _text(recent) or "T-1" in _text(recent)
    _no_globex(recent)
    activity = support.get(_url("activity"))
    _no_globex(activity)


# -- writes outside the scope: refused, nothing written ------------------------------------
def test_a_globex_item_cannot_be_edited_deleted_or_created(support, tenancy_table):
    from tests.scopes_urls import tenancy

    before = data.get_item(tenancy, GLOBEX_T9, consistent=True)
    edited = support.post(_url("edit", GLOBEX_T9), {"subject": "hacked", "status": "OPEN",
                                                     "ticket_id": "T-9", "org": "globex"})
    deleted = support.post(_url("delete", GLOBEX_T9), {})
    missing_delete = support.post(_url("delete", GLOBEX_MISSING), {})
    missing_edit = support.post(_url("edit", GLOBEX_MISSING), {
        "subject": "hacked", "status": "OPEN", "ticket_id": "T-404", "org": "globex"})
    assert edited.status_code == missing_edit.status_code
    assert _calls(edited) == _calls(missing_edit) == ""
    assert deleted.status_code == missing_delete.status_code
    add = reverse("tenants:add", args=["Tenancy.Ticket"], current_app="tenants")
    created = support.post(add, {"org": "globex", "ticket_id": "T-77", "status": "OPEN",
                                 "subject": "planted"})
    assert created.status_code in (200, 403)
    assert data.get_item(tenancy, GLOBEX_T9, consistent=True) == before
    assert data.get_item(tenancy, {"PK": "ORG#globex", "SK": "TICKET#T-77"},
                         consistent=True) is None
    # and acme's stay writable
    made = support.post(add, {"org": "acme", "ticket_id": "T-78", "status": "OPEN",
                              "subject": "fine"})
    assert made.status_code == 302, _text(made)[:2000]


def test_an_acme_ticket_cannot_be_moved_into_globex(support, tenancy_table):
    from tests.scopes_urls import tenancy
    from tests.support.editing import form_data

    fields = form_data(support.get(_url("edit", ACME_T1)))
    fields["org"] = "globex"
    moved = support.post(_url("edit", ACME_T1), fields)
    assert moved.status_code in (200, 403), _text(moved)[:2000]
    assert data.get_item(tenancy, {"PK": "ORG#globex", "SK": "TICKET#T-1"},
                         consistent=True) is None
    assert data.get_item(tenancy, ACME_T1, consistent=True) is not None


# -- system checks -------------------------------------------------------------------------
def test_a_scope_on_a_field_no_key_holds_is_an_error():
    from dynadmin.checks import check_definitions
    from dynadmin.scopes import Scope
    from dynadmin.sites import AdminSite
    from tests.scopes_urls import Org, OrgAdmin

    site = AdminSite(name="checked", scopes=[Scope("by colour", "colour", ["red"])])
    site.register(Org, OrgAdmin)
    assert "dynadmin.E019" in [m.id for m in check_definitions(site=site)]


def test_an_index_without_the_scoped_field_in_its_partition_key_is_warned_with_its_cost():
    from dynadmin.checks import check_definitions
    from tests.scopes_urls import tenants

    warnings = [m for m in check_definitions(site=tenants) if m.id == "dynadmin.W004"]
    assert [w.msg.split(" ")[0] for w in warnings] == [
        "Tenancy.Ticket.by_id", "Tenancy.Note.keys", "Tenancy.Device.keys"]
    assert "reading its rows and dropping" in warnings[0].msg
    assert "costs the reads of every tenant's rows" in warnings[0].hint


def test_the_scoped_site_passes_its_other_checks():
    from dynadmin.checks import check_definitions
    from tests.scopes_urls import tenants

    assert [m.id for m in check_definitions(site=tenants) if m.level >= 40] == []


# -- exports and jobs ----------------------------------------------------------------------
def _bulk(client) -> Any:
    from django.contrib.auth.models import Permission

    client.user.user_permissions.add(*Permission.objects.filter(
        codename__in=["export_all", "run_bulk_jobs"]))
    return client


def test_an_export_of_a_globex_partition_reads_nothing_and_tells_nothing(support,
                                                                         tenancy_table):
    from dynadmin.models import Job

    _bulk(support)
    new = reverse("tenants:new_export", args=["Tenancy.Ticket"], current_app="tenants")
    asked = support.post(new + "?" + urlencode({"pk": "ORG#globex"}), {"format": "csv"})
    missing = support.post(new + "?" + urlencode({"pk": "ORG#globez"}), {"format": "csv"})
    assert asked.status_code == missing.status_code
    assert _item_reads(asked) == []
    for job in Job.objects.all():
        page = support.get(reverse("tenants:job", args=[job.pk], current_app="tenants"))
        _no_globex(page, GLOBEX_DATA)
        assert "Type 0" in _text(page) or "no item" in _text(page).lower() or (
            "0 items" in _text(page)), _text(page)[:3000]


def test_another_person_s_job_answers_a_scoped_person_as_a_missing_one(
        support, staff_client, tenancy_table):
    from dynadmin.models import Job

    _bulk(support)
    new = reverse("tenants:new_export", args=["Tenancy.Ticket"], current_app="tenants")
    made = staff_client.post(new + "?" + urlencode({"pk": "ORG#globex"}), {"format": "csv"})
    assert made.status_code == 302, _text(made)[:2000]
    theirs = Job.objects.get()
    job_url = reverse("tenants:job", args=[theirs.pk], current_app="tenants")
    none_url = reverse("tenants:job", args=[theirs.pk + 100], current_app="tenants")

    _same(support.get(job_url), support.get(none_url))
    items = reverse("tenants:job_items", args=[theirs.pk], current_app="tenants")
    assert support.get(items).status_code == 404
    listed = support.get(reverse("tenants:jobs", current_app="tenants"))
    assert job_url not in _text(listed)
    _no_globex(listed)


@pytest.fixture
def shop_scope():
    """A scope on the example shop's customers, declared on the default site."""
    import dynadmin
    from dynadmin.scopes import Scope

    scope = dynadmin.site.add_scope(Scope("customer u1", "user_id", ["u1"]))
    yield scope
    dynadmin.site._scopes.pop(scope.name)


def test_a_job_s_worker_reads_as_its_creator_s_scopes(shop_table, staff_client, shop_scope,
                                                      django_user_model):
    """A job made over u2's orders by someone later scoped to u1: its reader sends no
    Query for u2's partition, and nothing of u2's is deleted."""
    from django.contrib.auth.models import Permission

    from dynadmin.models import Job, JobItem, ScopeAssignment
    from tests.support.jobs import run_queued

    orders = [_shop_order("u2", n) for n in range(3)]
    for item in orders:
        data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    creator = django_user_model.objects.create_user("later-scoped", password="x",
                                                    is_staff=True)
    creator.user_permissions.set(Permission.objects.filter(content_type__app_label="dynadmin"))
    staff_client.force_login(creator)
    made = staff_client.post("/e/Application.Order/jobs/new/?pk=USER%23u2",
                             {"what": "delete"})
    assert made.status_code == 302, _text(made)[:2000]
    job = Job.objects.get()
    assert staff_client.post(f"/jobs/{job.pk}/start/",
                             {"confirmation": "3"}).status_code == 302
    ScopeAssignment.objects.create(name=shop_scope.name).users.add(creator)

    with data.recording() as log:
        run_queued()
    assert "Query" not in log.operations
    assert not JobItem.objects.filter(job=job, status="written").exists()
    for item in orders:
        assert data.get_item(shop_table, {"PK": item["PK"], "SK": item["SK"]}) == item


def _shop_order(user_id: str, n: int) -> dict:
    from examples.shop.definitions import Order

    return Order.build_item({"user_id": user_id, "order_id": f"{n:04d}",
                             "placed_on": "2024-01-15", "status": "PENDING", "total": "10",
                             "placed_at": "2024-01-15T10:00:00+00:00"})


# -- a list across tenants offers only the person's --------------------------------------
def test_the_region_tabs_offer_only_the_person_s_regions(django_user_model, tenancy_table):
    from tests.scopes_urls import Site

    for region, site_id in (("eu", "paris"), ("us", "boston")):
        data.put_item(tenancy_table, Site.build_item({"region": region, "site_id": site_id}),
                      condition=AttributeNotExists("PK"))
    europe = _person(django_user_model, "eu-support", "view", scope="europe")
    home = reverse("tenants:entity", args=["Tenancy.Site"], current_app="tenants")

    page = europe.get(home)
    html = _text(page)
    assert page.status_code == 200, html[:2000]
    tabs = re.findall(r'<nav class="tabs"[^>]*>(.*?)</nav>', html, re.S)[0]
    assert ">eu<" in tabs and ">us<" not in tabs and ">apac<" not in tabs
    assert "paris" in html and "boston" not in html

    asked_us = _text(europe.get(home, {"region": "us"}))
    assert "boston" not in asked_us and "paris" in asked_us  # back on a tab of theirs

    everyone = _person(django_user_model, "all-support", "view", scope=None)
    tabs = re.findall(r'<nav class="tabs"[^>]*>(.*?)</nav>', _text(everyone.get(home)),
                      re.S)[0]
    assert ">us<" in tabs and ">apac<" in tabs


def test_a_filter_on_a_scoped_field_offers_only_the_person_s_values(django_user_model,
                                                                   tenancy_table):
    from tests.scopes_urls import Device

    for device_id, region in (("d-1", "eu"), ("d-2", "us")):
        data.put_item(tenancy_table, Device.build_item({"device_id": device_id,
                                                        "region": region}),
                      condition=AttributeNotExists("PK"))
    europe = _person(django_user_model, "eu-devices", "view", scope="europe")
    home = reverse("tenants:entity", args=["Tenancy.Device"], current_app="tenants")

    everyone = _person(django_user_model, "all-devices", "view", scope=None)

    def menu_of(person: Any) -> str:
        page = _text(person.get(home, {"f_attr": "region"}))
        return re.search(r'<select[^>]*id="l-f-value".*?</select>', page, re.S).group(0)

    # The filter's fields and markup are built once and kept: never one person's for another.
    assert ">eu<" in menu_of(everyone) and ">us<" in menu_of(everyone)
    page = _text(europe.get(home, {"f_attr": "region"}))
    menu = re.search(r'<select[^>]*id="l-f-value".*?</select>', page, re.S).group(0)
    assert ">eu<" in menu and ">us<" not in menu and ">apac<" not in menu
    assert "d-1" in page and "d-2" not in page  # read, and the other region's dropped
    assert "left out" in page
    assert ">us<" in menu_of(everyone) and ">us<" not in menu_of(europe)


def test_an_entity_admin_s_scope_holds_for_its_entity_alone(django_user_model,
                                                           tenancy_table):
    from tests.scopes_urls import Org, Ticket, tenants

    profiles = _person(django_user_model, "acme-profiles", "view", scope="acme profile")
    request = type("R", (), {"user": profiles.user})()
    assert not tenants.get_entity_admin(Org).has_view_permission(
        request, Org.build_item({"org": "globex", "name": "Globex Corp"}))
    assert tenants.get_entity_admin(Ticket).has_view_permission(
        request, _ticket("globex", "T-9"))


def test_health_s_verify_a_sample_reads_no_globex_partition(support, tenancy_table):
    forbidden = support.get(_url("health", verify="ORG#globex"))
    missing = support.get(_url("health", verify="ORG#globez"))
    assert forbidden.status_code == 200, _text(forbidden)[:2000]
    acme = support.get(_url("health", verify="ORG#acme"))
    # the acme sample's one Query more is the partition's: globex's was never sent
    assert _calls(acme).count("Query") == _calls(forbidden).count("Query") + 1
    _no_globex(forbidden, GLOBEX_DATA)
    _same(forbidden, missing, ("ORG#globex", "ORG#globez"))


def test_a_partition_s_history_filter_reads_nothing_of_globex(support, staff_client,
                                                              tenancy_table, archived):
    from tests.support.editing import form_data

    for key, subject in ((GLOBEX_T9, "G-secret changed"), (ACME_T1, "Printer fixed")):
        fields = form_data(staff_client.get(_url("edit", key)))
        fields["subject"] = subject
        assert staff_client.post(_url("edit", key), fields).status_code == 302
    archived(tenancy_table)

    acme = support.get(_url("activity", pk="ORG#acme"))
    assert "Printer fixed" in _text(acme), _text(acme)[:3000]
    forbidden = support.get(_url("activity", pk="ORG#globex"))
    missing = support.get(_url("activity", pk="ORG#globez"))
    _no_globex(forbidden, GLOBEX_DATA)
    # acme's partition costs one Query more than globex's, which was never sent
    assert _calls(acme).count("Query") == _calls(forbidden).count("Query") + 1
    _same(forbidden, missing, ("ORG#globex", "ORG#globez"))
    everything = support.get(_url("activity"))  # the table's changes: globex's dropped
    assert "Printer fixed" in _text(everything)
    _no_globex(everything, GLOBEX_DATA)
    recent = support.get(reverse("tenants:recent_actions", current_app="tenants"))
    _no_globex(recent, GLOBEX_DATA)


# -- what an IAM policy can say of a scope ------------------------------------------------
def test_the_leading_keys_of_a_scope_are_its_tenants_partitions():
    from dynadmin.scopes import LeadingKeys, Scope, leading_keys
    from tests.helpdesk_urls import helpdesk

    # tickets and orgs: ORG#{org}
    assert leading_keys(Scope("acme", "org", ["acme", "initech"]), helpdesk) == LeadingKeys(
        values=("ORG#acme", "ORG#initech"), prefixes=())


def test_an_unscoped_entity_s_partitions_are_let_through_by_their_fixed_beginning():
    from dynadmin.scopes import LeadingKeys, Scope, leading_keys
    from examples.shop.definitions import shop

    # users, orders and sessions: USER#{user_id}; order items, products and invitations
    # carry no user_id: their partitions are let through by their fixed beginnings
    assert leading_keys(Scope("u1", "user_id", ["u1"]), shop) == LeadingKeys(
        values=("USER#u1",), prefixes=("ORDER#", "PRODUCT#", "INVITE#"))


def test_a_field_held_outside_a_partition_key_has_no_leading_keys():
    from dynadmin.scopes import Scope, leading_keys
    from tests.scopes_urls import tenancy

    # notes hold org, devices region, outside their keys
    assert leading_keys(Scope("acme", "org", ["acme"]), tenancy) is None
    assert leading_keys(Scope("eu", "region", ["eu"]), tenancy) is None


def test_a_scope_that_partition_keys_cannot_express_has_no_leading_keys():
    from dynadmin.scopes import Scope, leading_keys
    from tests.helpdesk_urls import telemetry

    # a field stored outside the partition key cannot be said with leading keys
    assert leading_keys(Scope("x", "celsius", ["1"]), telemetry) is None
    # an unscoped entity's bare {device} partition key would let any partition through
    assert leading_keys(Scope("acme", "org", ["acme"]), telemetry) is None


def test_a_callable_scope_s_leading_keys_are_computed_for_the_request(django_user_model):
    from dynadmin.scopes import Scope, leading_keys
    from tests.helpdesk_urls import helpdesk

    request = type("R", (), {"user": type("U", (), {"username": "globex"})()})()
    keys = leading_keys(Scope("mine", "org", allowed=lambda r: [r.user.username]), helpdesk,
                        request)
    assert keys is not None and keys.values == ("ORG#globex",)


# -- where only the attributes tell: read, then judged; written, then checked --------------
def test_a_note_of_globex_answers_as_missing_after_one_read(support, tenancy_table):
    from tests.scopes_urls import Note

    for org, note_id, text in (("acme", "N-1", "acme note"), ("globex", "N-2", "G-secret")):
        data.put_item(tenancy_table, Note.build_item({"org": org, "note_id": note_id,
                                                      "text": text}),
                      condition=AttributeNotExists("PK"))
    forbidden = support.get(_url("item", {"PK": "NOTE#N-2", "SK": "NOTE"}))
    missing = support.get(_url("item", {"PK": "NOTE#N-3", "SK": "NOTE"}))
    _no_globex(forbidden, GLOBEX_DATA)
    assert _calls(forbidden).startswith("GetItem")  # the key cannot tell: read, then refused
    _same(forbidden, missing, ("N-2", "N-3"))
    assert "acme note" in _text(support.get(_url("item", {"PK": "NOTE#N-1", "SK": "NOTE"})))


def test_no_write_takes_an_item_out_of_the_person_s_reach(support, tenancy_table):
    """The data layer's fence checks what a write sets, whichever path sends it (a job's
    "set field", an import's line, a host's save_item that never calls super())."""
    from dynadmin.data.conditions import AttributeExists
    from tests.scopes_urls import Note, tenants

    note = Note.build_item({"org": "acme", "note_id": "N-1", "text": "acme note"})
    data.put_item(tenancy_table, note, condition=AttributeNotExists("PK"))
    request = type("R", (), {"user": support.user})()
    key = {"PK": "NOTE#N-1", "SK": "NOTE"}
    with data.fenced(tenants.fence(request)):
        with pytest.raises(data.OutsideScope):
            data.update_item(tenancy_table, key, condition=AttributeExists("PK"),
                             set={"org": "globex"})
        with pytest.raises(data.OutsideScope):
            data.put_item(tenancy_table, dict(note, org="globex"),
                          condition=AttributeExists("PK"))
        with pytest.raises(data.OutsideScope):
            data.put_item(tenancy_table, _ticket("globex", "T-50"),
                          condition=AttributeNotExists("PK"))
        data.update_item(tenancy_table, key, condition=AttributeExists("PK"),
                         set={"text": "still acme's"})
    assert data.get_item(tenancy_table, key) == dict(note, text="still acme's")


def test_who_a_scope_limits_is_edited_in_django_s_admin(settings):
    """Where the host installs Django's admin, its autodiscovery finds dynadmin's."""
    import importlib

    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django.contrib.admin"]
    from django.contrib import admin

    from dynadmin.models import ScopeAssignment

    importlib.import_module("dynadmin.admin")
    registered = admin.site._registry[ScopeAssignment]
    assert set(registered.filter_horizontal) == {"groups", "users"}


def test_a_command_run_as_a_scoped_person_keeps_to_their_scope(shop_table, shop_scope,
                                                               django_user_model):
    from io import StringIO

    from django.contrib.auth.models import Permission
    from django.core.management import CommandError, call_command

    from dynadmin.models import Job, ScopeAssignment
    from dynadmin.permissions import sync_permissions
    from tests.support.jobs import run_queued

    orders = [_shop_order("u2", n) for n in range(2)]
    for item in orders:
        data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    sync_permissions()
    boss = django_user_model.objects.create_superuser("boss", "b@example.com", "pw")
    theirs = StringIO()
    call_command("dynadmin_job", "delete", "--entity", "Application.Order", "--pk", "USER#u2",
                 "--dry-run", "--as", "boss", stdout=theirs)
    other_job = Job.objects.get()
    run_queued()  # the boss's dry run reads u2's orders, as the boss may
    scoped = django_user_model.objects.create_user("scoped", password="x", is_staff=True)
    scoped.user_permissions.set(Permission.objects.filter(content_type__app_label="dynadmin"))
    ScopeAssignment.objects.create(name=shop_scope.name).users.add(scoped)

    out = StringIO()
    with data.recording() as log:
        call_command("dynadmin_job", "delete", "--entity", "Application.Order",
                     "--pk", "USER#u2", "--as", "scoped", stdout=out)
        run_queued()
    assert "Job" in out.getvalue() and ": 0 items" in out.getvalue(), out.getvalue()
    assert "Query" not in log.operations
    for item in orders:
        assert data.get_item(shop_table, {"PK": item["PK"], "SK": item["SK"]}) == item
    listed = StringIO()
    call_command("dynadmin_job", "list", "--as", "scoped", stdout=listed)
    assert f"{other_job.pk}\t" not in listed.getvalue()
    with pytest.raises(CommandError, match=f"No job {other_job.pk}"):
        call_command("dynadmin_job", "show", str(other_job.pk), "--as", "scoped")
    assert boss.is_superuser


def test_the_undo_of_a_globex_change_answers_as_a_missing_entry(support, staff_client,
                                                                tenancy_table):
    from dynadmin.models import AuditEntry
    from tests.scopes_urls import tenancy
    from tests.support.editing import form_data

    fields = form_data(staff_client.get(_url("edit", GLOBEX_T9)))
    fields["subject"] = "G-secret changed"
    assert staff_client.post(_url("edit", GLOBEX_T9), fields).status_code == 302
    entry = AuditEntry.objects.get()

    def undo(entry_id: int) -> str:
        return reverse("tenants:undo", kwargs={"table": "Tenancy", "entry_id": entry_id},
                       current_app="tenants")

    for method in (support.get, support.post):
        forbidden, missing = method(undo(entry.pk)), method(undo(entry.pk + 50))
        assert forbidden.status_code == missing.status_code
        _no_globex(forbidden, (*GLOBEX_DATA, "T-9"))
        assert _item_reads(forbidden) == _item_reads(missing) == []
    assert data.get_item(tenancy, GLOBEX_T9)["subject"] == "G-secret changed"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_globex_partition_s_download_holds_nothing_and_costs_no_call(support,
                                                                      tenancy_table, fmt):
    forbidden = support.get(_url("partition", pk="ORG#globex", format=fmt))
    missing = support.get(_url("partition", pk="ORG#globez", format=fmt))
    body = b"".join(forbidden.streaming_content) if forbidden.streaming else forbidden.content
    assert b"G-secret" not in body and b"T-9" not in body
    assert _item_reads(forbidden) == _item_reads(missing) == []
    assert forbidden.status_code == missing.status_code
    acme = support.get(_url("partition", pk="ORG#acme", format=fmt))
    acme_body = b"".join(acme.streaming_content) if acme.streaming else acme.content
    assert b"Printer on fire" in acme_body


def test_a_person_no_scope_limits_gets_the_open_fence(django_user_model, rf):
    """Nothing limits them: every request shares one fence that lets every key through at
    once (History checks each change's key against it)."""
    from dynadmin.scopes import OPEN_FENCE
    from dynadmin.sites import site

    request = rf.get("/")
    request.user = django_user_model.objects.create_superuser("root", "r@example.com", "pw")
    assert site.fence(request) is OPEN_FENCE
    assert OPEN_FENCE.policy_keys([]) is None
