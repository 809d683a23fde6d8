"""Permissions hold on every path a write or a read can take, not only on the forms.
Each test is a finding reproduced over HTTP against DynamoDB Local."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.data.serialization import dumps_dynamodb_json
from dynadmin.models import AuditEntry
from dynadmin.permissions import sync_permissions
from examples.shop.definitions import Session, User

pytestmark = pytest.mark.django_db

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
SESSION_KEY = {"PK": "USER#u1", "SK": "SESSION#s1"}
ALICE_KEY = {"PK": "USER#u1", "SK": "METADATA"}


def q(key):
    return "?" + urlencode({"pk": key["PK"], "sk": key["SK"]})


def url(name, key=None, **kwargs):
    kwargs = kwargs or {"table": "Application"}
    return reverse(f"dynadmin:{name}", kwargs=kwargs) + (q(key) if key else "")


def put(table, item):
    data.put_item(table, item, condition=AttributeNotExists("PK"))
    return item


def person(client, django_user_model, *codenames, name="someone"):
    """A staff member holding exactly ``codenames`` (dynadmin permissions)."""
    sync_permissions()
    user = django_user_model.objects.create_user(name, password="x", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def hidden_original(response):
    match = re.search(r'name="original" value="([^"]*)"', response.content.decode())
    assert match, "the page has no signed original"
    return unescape(match.group(1))


@pytest.fixture
def a_session(shop_table):
    return put(shop_table, Session.build_item({
        "user_id": "u1", "session_id": "s1", "ip_address": "192.0.2.1",
        "expires": NOW + dt.timedelta(days=2)}))


def raw_post(client, key, item):
    page = client.get(url("edit", key) + "&raw=1")
    assert page.status_code == 200, page.status_code
    return client.post(url("edit", key) + "&raw=1", {
        "original": hidden_original(page), "raw": "1", "item": dumps_dynamodb_json(item)})


# -- 1. change on one entity writes any entity ----------------------------------------------
SESSION_EDITOR = ("view_application_session", "change_application_session", "edit_raw_json")


def test_raw_json_turning_a_session_into_a_user_needs_add_on_user(client, django_user_model,
                                                                  a_session, shop_table):
    editor = person(client, django_user_model, *SESSION_EDITOR)
    as_user = dict(a_session, type="user", email="mallory@example.com")
    response = raw_post(editor, SESSION_KEY, as_user)
    assert response.status_code == 403
    assert data.get_item(shop_table, SESSION_KEY) == a_session


def test_raw_json_moving_a_session_onto_a_user_key_needs_add_and_delete(
        client, django_user_model, a_session, shop_table):
    editor = person(client, django_user_model, *SESSION_EDITOR)
    moved = User.build_item({"user_id": "u9", "email": "mallory@example.com"})
    response = raw_post(editor, SESSION_KEY, moved)
    assert response.status_code == 403
    assert data.get_item(shop_table, SESSION_KEY) == a_session
    assert data.get_item(shop_table, {"PK": "USER#u9", "SK": "METADATA"}) is None


def test_a_key_change_in_the_form_needs_add_and_delete(client, django_user_model, a_session,
                                                       shop_table):
    editor = person(client, django_user_model, "view_application_session",
                    "change_application_session")
    page = editor.get(url("edit", SESSION_KEY))
    fields = {"original": hidden_original(page), "user_id": "u1", "session_id": "s2",
              "ip_address": "192.0.2.1", "expires": (NOW + dt.timedelta(days=2)).strftime(
                  "%Y-%m-%dT%H:%M"), "__extra__": "{}"}
    assert editor.post(url("edit", SESSION_KEY), fields).status_code == 403
    assert data.get_item(shop_table, SESSION_KEY) == a_session
    user = django_user_model.objects.get(username="someone")
    user.user_permissions.add(*Permission.objects.filter(
        codename__in=["add_application_session", "delete_application_session"]))
    assert editor.post(url("edit", SESSION_KEY), fields).status_code == 302
    assert data.get_item(shop_table, SESSION_KEY) is None
    assert data.get_item(shop_table, {"PK": "USER#u1", "SK": "SESSION#s2"}) is not None


def test_the_raw_editor_is_a_permission_of_its_own(client, django_user_model, a_session,
                                                   shop_table):
    editor = person(client, django_user_model, "view_application_session",
                    "change_application_session")
    form = editor.get(url("edit", SESSION_KEY))
    assert form.status_code == 200 and "Edit as DynamoDB JSON" not in form.content.decode()
    assert editor.get(url("edit", SESSION_KEY) + "&raw=1").status_code == 403
    tampered = dict(a_session, ip_address="203.0.113.9")
    response = editor.post(url("edit", SESSION_KEY), {
        "original": hidden_original(form), "raw": "1", "item": dumps_dynamodb_json(tampered)})
    assert response.status_code == 403
    assert data.get_item(shop_table, SESSION_KEY) == a_session


def test_the_admin_group_does_not_get_the_raw_editor():
    from django.contrib.auth.models import Group

    from dynadmin.permissions import ensure_groups

    ensure_groups()
    for name in ("Support", "Admin"):
        codenames = set(Group.objects.get(name=name).permissions.values_list("codename",
                                                                             flat=True))
        assert "edit_raw_json" not in codenames, name


@pytest.fixture
def alice(shop_table):
    return put(shop_table, User.build_item({
        "user_id": "u1", "email": "alice@example.com", "name": "Alice",
        "created_at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC), "version": 3}))


@pytest.mark.parametrize(("attribute", "value"), [
    ("version", Decimal(99)), ("created_at", "1999-01-01T00:00:00+00:00")])
def test_read_only_fields_stay_read_only_in_raw_mode(staff_client, alice, shop_table,
                                                     attribute, value):
    response = raw_post(staff_client, ALICE_KEY, dict(alice, **{attribute: value}))
    assert response.status_code == 400
    assert f"{attribute} cannot be changed" in unescape(response.content.decode())
    assert data.get_item(shop_table, ALICE_KEY) == alice


def test_index_keys_are_recomputed_or_refused_in_raw_mode(staff_client, alice, shop_table):
    wrong = dict(alice, email="bob@example.com", GSI1PK="USER#EMAIL#carol@example.com")
    response = raw_post(staff_client, ALICE_KEY, wrong)
    assert response.status_code == 400
    assert "GSI1PK disagrees with the index key template" in unescape(
        response.content.decode())
    assert data.get_item(shop_table, ALICE_KEY) == alice
    # Left as it was, the index key follows the new email.
    assert raw_post(staff_client, ALICE_KEY, dict(alice, email="bob@example.com")
                    ).status_code == 302
    stored = data.get_item(shop_table, ALICE_KEY)
    assert stored["email"] == "bob@example.com"
    assert stored["GSI1PK"] == "USER#EMAIL#bob@example.com"


def test_a_raw_key_that_does_not_fit_its_template_is_refused(staff_client, alice, shop_table):
    response = raw_post(staff_client, ALICE_KEY, dict(alice, SK="SOMETHING"))
    assert response.status_code == 400
    assert "does not match the User key template" in unescape(response.content.decode())
    assert data.get_item(shop_table, ALICE_KEY) == alice


# -- 2. the extend-TTL permission only extends -----------------------------------------------
SET_TTL = reverse("dynadmin:set_ttl", kwargs={"table": "Application"})


def epoch(moment):
    return Decimal(int(moment.timestamp()))


def support(client, django_user_model):
    from django.contrib.auth.models import Group

    from dynadmin.permissions import ensure_groups

    ensure_groups()
    user = django_user_model.objects.create_user("support", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Support"))
    client.force_login(user)
    return client


def local(moment):
    return moment.strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("post", [
    {"op": "set", "expires_at": local(NOW - dt.timedelta(days=1))},  # deletes it on AWS
    {"op": "set", "expires_at": local(NOW + dt.timedelta(days=1))},  # earlier than it was
    {"op": "set", "expires_at": local(NOW + dt.timedelta(days=99 * 365))},
    {"op": "clear"},
], ids=["yesterday", "shorter", "99-years", "clear"])
def test_support_cannot_shorten_clear_or_set_a_ttl_beyond_the_cap(
        client, django_user_model, a_session, shop_table, post):
    supporter = support(client, django_user_model)
    page = supporter.get(url("item", SESSION_KEY))
    response = supporter.post(SET_TTL, {"original": hidden_original(page), **post})
    assert response.status_code == 403
    assert data.get_item(shop_table, SESSION_KEY) == a_session


def test_support_may_move_an_expiry_later_up_to_the_cap(client, django_user_model, a_session,
                                                        shop_table, settings):
    settings.DYNADMIN_TTL_EXTEND_MAX_DAYS = 20
    supporter = support(client, django_user_model)
    page = supporter.get(url("item", SESSION_KEY))
    html = page.content.decode()
    # Only what the person may do: 1 and 7 days fit under the cap, 30 do not; no clearing.
    assert 'name="extend" value="7"' in html and 'name="extend" value="30"' not in html
    assert "Clear the TTL" not in html and "Set expiry" not in html
    cap = dt.datetime.strptime(re.search(r"up to (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC",
                                         html).group(1), "%Y-%m-%d %H:%M")
    assert abs(cap.replace(tzinfo=dt.UTC) - (NOW + dt.timedelta(days=20))) < dt.timedelta(
        hours=1)
    later = NOW + dt.timedelta(days=10)
    response = supporter.post(SET_TTL, {"original": hidden_original(page), "op": "set",
                                        "expires_at": local(later)})
    assert response.status_code == 302
    assert data.get_item(shop_table, SESSION_KEY)["ttl"] == epoch(later.replace(second=0))
    page = supporter.get(url("item", SESSION_KEY))
    assert supporter.post(SET_TTL, {"original": hidden_original(page), "extend": "30"}
                          ).status_code == 403
    assert data.get_item(shop_table, SESSION_KEY)["ttl"] == epoch(later.replace(second=0))


def test_change_permission_still_sets_and_shortens(staff_client, a_session, shop_table):
    page = staff_client.get(url("item", SESSION_KEY))
    assert "Set expiry" in page.content.decode()
    sooner = NOW + dt.timedelta(hours=3)
    response = staff_client.post(SET_TTL, {"original": hidden_original(page), "op": "set",
                                           "expires_at": local(sooner)})
    assert response.status_code == 302
    assert data.get_item(shop_table, SESSION_KEY)["ttl"] == epoch(sooner.replace(second=0))


# -- 3. the audit log is shown only to those who may view what it concerns ---------------------
PRODUCT_KEY = {"PK": "PRODUCT#p1", "SK": "METADATA"}


def record(table, key, entity, after):
    from dynadmin.editing import audit

    return audit.record(user=None, table=table, key=key, action="update", condition="",
                        before={}, after=after, entity=entity)


@pytest.fixture
def product(shop_table):
    from examples.shop.definitions import Product

    return put(shop_table, Product.build_item({
        "product_id": "p1", "name": "Lamp", "category": "office", "price": Decimal("9.5")}))


def test_recent_actions_show_only_entities_the_person_may_view(client, django_user_model,
                                                               shop_table, product):
    record(shop_table, ALICE_KEY, "Application.User", {"email": "secret@example.com"})
    record(shop_table, PRODUCT_KEY, "Application.Product", {"name": "Lamp"})
    record(shop_table, {"PK": "ODD#1", "SK": "X"}, "", {"note": "unclassified"})
    viewer = person(client, django_user_model, "view_application_product")
    html = viewer.get(reverse("dynadmin:recent_actions")).content.decode()
    assert "PRODUCT#p1" in html
    assert "USER#u1" not in html and "ODD#1" not in html
    nobody = person(type(client)(), django_user_model, name="nobody")
    html = nobody.get(reverse("dynadmin:recent_actions")).content.decode()
    assert "PRODUCT#p1" not in html and "USER#u1" not in html


def test_an_items_history_hides_entries_about_other_entities(client, django_user_model,
                                                             shop_table, product):
    record(shop_table, PRODUCT_KEY, "Application.Product", {"name": "Lamp v2"})
    record(shop_table, PRODUCT_KEY, "", {"name": "written while unclassified"})
    viewer = person(client, django_user_model, "view_application_product")
    html = unescape(viewer.get(url("item", PRODUCT_KEY)).content.decode())
    assert "Lamp v2" in html and "written while unclassified" not in html


# -- 4. no existence or value oracles ---------------------------------------------------------
def page(response, old="", new=""):
    """The page as a person sees it, less what differs between any two answers (CSRF tokens,
    masked anew each time; the footer's call latencies)."""
    html = response.content.decode().replace(old, new) if old else response.content.decode()
    html = re.sub(r"\d+(\.\d+)? ms", "ms", html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def calls_of(response):
    header = response.get("X-Dynadmin-Calls", "")
    return header.split(",") if header else []


def test_a_forbidden_item_answers_as_a_missing_one_without_reading_it(
        client, django_user_model, alice, product, shop_table):
    viewer = person(client, django_user_model, "view_application_product")
    there = viewer.get(url("item", ALICE_KEY))
    missing = viewer.get(url("item", {"PK": "USER#u2", "SK": "METADATA"}))
    assert there.status_code == missing.status_code == 404
    assert page(there, "u1", "u2") == page(missing)
    assert "GetItem" not in calls_of(there)  # the key said User: nothing was read
    assert viewer.get(url("item", PRODUCT_KEY)).status_code == 200


def test_an_item_whose_type_hides_it_answers_as_a_missing_one(client, django_user_model,
                                                              shop_table, product):
    # A Product's key, but a type attribute that makes it a User (legacy or hostile data).
    disguised = put(shop_table, dict(product, PK="PRODUCT#p2", product_id="p2", type="user"))
    viewer = person(client, django_user_model, "view_application_product")
    there = viewer.get(url("item", disguised))
    missing = viewer.get(url("item", {"PK": "PRODUCT#p3", "SK": "METADATA"}))
    assert there.status_code == missing.status_code == 404
    assert page(there, "p2", "p3") == page(missing)


def test_the_edit_page_of_a_forbidden_item_answers_as_a_missing_one(client, django_user_model,
                                                                    shop_table, product):
    disguised = put(shop_table, dict(product, PK="PRODUCT#p2", product_id="p2", type="user"))
    editor = person(client, django_user_model, "view_application_product",
                    "change_application_product")
    there = editor.get(url("edit", disguised))
    missing = editor.get(url("edit", {"PK": "PRODUCT#p3", "SK": "METADATA"}))
    assert there.status_code == missing.status_code == 404
    assert page(there, "p2", "p3") == page(missing)


def results_text(response, token, neutral):
    html = response.content.decode().replace(token, neutral)
    start, end = html.index('<div class="toolbar">'), html.index("Download this page")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:end]))


def test_a_filter_on_a_partition_is_no_oracle_for_hidden_values(client, django_user_model,
                                                                alice, product, shop_table):
    viewer = person(client, django_user_model, "view_application_product")

    def browse(prefix):
        return viewer.get(url("partition") + "?" + urlencode({
            "pk": "USER#u1", "f_attr": "email", "f_op": "begins_with", "f_value": prefix}))

    matching, other = browse("ali"), browse("zzq")
    assert matching.status_code == other.status_code == 200
    assert results_text(matching, "ali", "X") == results_text(other, "zzq", "X")
    assert "alice@example.com" not in matching.content.decode()


def test_ttl_totals_leave_out_items_the_person_may_not_view(client, django_user_model,
                                                            a_session, product, shop_table):
    put(shop_table, Session.build_item({"user_id": "u1", "session_id": "s9",
                                        "expires": None}))  # broken: missing, required
    viewer = person(client, django_user_model, "view_application_product")
    response = viewer.get(url("ttl") + "?" + urlencode({"pk": "USER#u1", "sk": "SESSION#"}))
    assert response.status_code == 200
    inspection = response.context["inspection"]
    assert inspection.items_read == 0 and inspection.broken_count == 0
    assert sum(inspection.bins.values()) == 0
    assert "SESSION#s9" not in response.content.decode()


# -- 5. refused writes are on record; a diff holds only what the person wrote ---------------------
def session_form(client, key=SESSION_KEY, **changes):
    response = client.get(url("edit", key))
    expires = response.context["form"].initial["expires"]
    return {"original": hidden_original(response), "user_id": "u1", "session_id": "s1",
            "ip_address": "192.0.2.1", "expires": expires.strftime("%Y-%m-%dT%H:%M:%S"),
            "__extra__": "{}"} | changes


def test_a_conflicting_save_is_recorded_with_what_was_tried(staff_client, a_session,
                                                            shop_table):
    fields = session_form(staff_client, ip_address="198.51.100.7")
    data.update_item(shop_table, SESSION_KEY, set={"ip_address": "203.0.113.1"},
                     condition=AttributeNotExists("nothing"))
    assert staff_client.post(url("edit", SESSION_KEY), fields).status_code == 409
    entry = AuditEntry.objects.get()
    assert (entry.outcome, entry.username, entry.action) == ("conflict", "admin", "update")
    assert entry.diff == {"ip_address": {"before": '"192.0.2.1"', "after": '"198.51.100.7"'}}


def test_a_refused_create_is_recorded(staff_client, a_session, shop_table):
    response = staff_client.post(url("add", entity="Application.Session"), session_form(
        staff_client) | {"original": ""})
    assert response.status_code == 409
    entry = AuditEntry.objects.get()
    assert (entry.outcome, entry.action, entry.key_text) == ("key_taken", "create",
                                                             "USER#u1 / SESSION#s1")


def test_a_permission_refusal_of_a_write_is_recorded(client, django_user_model, a_session,
                                                     shop_table):
    editor = person(client, django_user_model, *SESSION_EDITOR)
    assert raw_post(editor, SESSION_KEY, dict(a_session, type="user")).status_code == 403
    entry = AuditEntry.objects.get()
    assert (entry.outcome, entry.username, entry.action) == ("denied", "someone", "update")
    assert entry.key_text == "USER#u1 / SESSION#s1" and "may not add User" in entry.detail
    assert data.get_item(shop_table, SESSION_KEY) == a_session


def test_the_diff_of_a_save_holds_only_what_the_person_wrote(staff_client, a_session,
                                                             shop_table):
    fields = session_form(staff_client, ip_address="198.51.100.7")
    # Someone else changes another attribute meanwhile: Session has no Version, so the guard
    # (the changed attribute's old value) lets the save through, rightly.
    data.update_item(shop_table, SESSION_KEY, set={"user_agent": "curl"},
                     condition=AttributeNotExists("nothing"))
    assert staff_client.post(url("edit", SESSION_KEY), fields).status_code == 302
    entry = AuditEntry.objects.get()
    assert entry.outcome == "applied" and set(entry.diff) == {"ip_address"}
    assert data.get_item(shop_table, SESSION_KEY)["user_agent"] == "curl"


def test_the_footer_tells_no_count_of_items_a_person_may_not_view(client, django_user_model,
                                                                  a_session, shop_table):
    """A Users-only person opens the partition holding only a Session: the rows are withheld,
    and the footer must not say "1 item" (nor the capacity the read consumed) either."""
    viewer = person(client, django_user_model, "view_application_user")
    response = viewer.get(url("partition") + "?" + urlencode({"pk": SESSION_KEY["PK"]}))
    footer = re.search(r'<p class="cost">(.*?)</p>', response.content.decode(), re.S).group(1)
    assert "Query" in footer  # the call is still named, with its latency
    assert " item" not in footer and "RCU" not in footer


def test_the_footer_tells_counts_to_whoever_sees_every_item(staff_client, a_session):
    response = staff_client.get(url("partition") + "?" + urlencode({"pk": SESSION_KEY["PK"]}))
    footer = re.search(r'<p class="cost">(.*?)</p>', response.content.decode(), re.S).group(1)
    assert "1 item" in footer and "RCU" in footer
