"""TTL: broken values named, expired items badged or hidden, bounded inspection, guarded changes."""

import datetime as dt
import re
import time
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from dynadmin import data, fields
from dynadmin.data.conditions import AttributeExists, AttributeNotExists
from dynadmin.definitions import Entity, Key, Table
from dynadmin.models import AuditEntry
from dynadmin.services.ttl import Bar, bar_chart_svg, classify_ttl
from examples.shop import seed
from examples.shop.definitions import Session, User
from tests.conftest import BACKEND
from tests.support.results import named_rows

pytestmark = pytest.mark.django_db

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
ALICE_PK = f"USER#{seed.ALICE['user_id']}"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def epoch(moment):
    return Decimal(int(moment.timestamp()))


def session(user_id, session_id, expires=None, **raw):
    item = Session.build_item({"user_id": user_id, "session_id": session_id,
                               "ip_address": "192.0.2.1", "expires": expires})
    item.update(raw)
    return item


def put(table, item):
    data.put_item(table, item, condition=AttributeNotExists("PK"))
    return item


def ttl_url(**params):
    return reverse("dynadmin:ttl", kwargs={"table": "Application"}) + "?" + urlencode(params)


def browse_url(**params):
    return reverse("dynadmin:partition", kwargs={"table": "Application"}) + "?" + urlencode(
        params)


def item_url(item):
    return reverse("dynadmin:item", kwargs={"table": "Application"}) + "?" + urlencode(
        {"pk": item["PK"], "sk": item["SK"]})


SET_TTL = reverse("dynadmin:set_ttl", kwargs={"table": "Application"})


def token(page):
    match = re.search(r'name="original" value="([^"]*)"', page.content.decode())
    assert match, "the page has no TTL form"
    return unescape(match.group(1))


def badges(response):
    """The TTL kinds badged on a page, by row key."""
    found = {}
    for _url, _name, key, rest in named_rows(response.content.decode()):
        badge = re.search(r'<span class="badge \w+" title="[^"]*" data-ttl="(\w+)"', rest)
        if badge:
            found[key] = badge.group(1)
    return found


def svg(response):
    html = response.content.decode()
    return html[html.index("<svg"):html.index("</svg>") + 6]


@pytest.fixture
def seeded(shop_table):
    """The example seed's alice partition and broken invitations (BROKEN_TTL_KEYS)."""
    wanted = {(pk, sk) for pk, sk, _ in seed.BROKEN_TTL_KEYS}
    items = [i for i in seed.generate(users=10, orders=20, seed=7)
             if i["PK"] == ALICE_PK or (i["PK"], i["SK"]) in wanted]
    data.load_items_unconditionally(shop_table, items)
    return shop_table


def support_client(client, django_user_model, *, extend=True):
    from dynadmin.permissions import ensure_groups

    ensure_groups()
    user = django_user_model.objects.create_user("support", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Support"))
    if not extend:
        user.groups.clear()
        user.user_permissions.add(Permission.objects.get(
            codename="view_application_session"))
    client.force_login(user)
    return client


# -- what a value means -------------------------------------------------------------------
@pytest.mark.parametrize(("value", "required", "kind", "text"), [
    (epoch(NOW + dt.timedelta(days=3, minutes=5)), True, "ok", "expires in 3 days"),
    (epoch(NOW - dt.timedelta(hours=2, minutes=5)), True, "expired",
     "expired 2 hours ago — awaiting deletion"),
    (epoch(NOW + dt.timedelta(days=3)) * 1000, True, "millis", "milliseconds instead of seconds"),
    ("2025-01-01", True, "not_number", "DynamoDB ignores it: the item never expires"),
    ({"1700000000"}, False, "not_number", "String Set"),
    (True, False, "not_number", "a Boolean"),
    (epoch(NOW - dt.timedelta(days=6 * 366)), True, "ancient", "DynamoDB never deletes it"),
    (Decimal(-10**15), True, "ancient", "DynamoDB never deletes it"),
    (None, True, "missing", "never expires"),
    (None, False, "none", "does not expire"),
    (Decimal(10**20), False, "far_future", "after the year 3000"),
])
def test_every_kind_of_ttl_is_named(value, required, kind, text):
    state = classify_ttl(value, required=required, now=NOW)
    assert state.kind == kind
    assert text in f"{state.label} {state.explanation}"
    assert state.badge == {"ok": "ok", "expired": "warn", "none": "muted"}.get(kind, "bad")


def test_milliseconds_name_the_date_they_probably_meant():
    meant = NOW + dt.timedelta(days=3)
    state = classify_ttl(epoch(meant) * 1000, required=True, now=NOW)
    assert state.meant == meant.replace(second=meant.second)
    assert meant.strftime("%Y-%m-%d %H:%M UTC") in state.explanation


# -- the TTL page ---------------------------------------------------------------------------
def test_the_inspection_names_every_seeded_broken_ttl(staff_client, seeded):
    response = staff_client.get(ttl_url(pk=ALICE_PK, sk="SESSION#", pages=3))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    operations = response["X-Dynadmin-Calls"].split(",")
    assert "Scan" not in operations
    assert [op for op in operations if op != "DescribeTimeToLive"] == ["Query"]
    found = dict(re.findall(r'<tr data-ttl="(\w+)"><td class="key[^"]*"><a href="[^"]*">([^<]*)<',
                            html))
    assert found == {"millis": f"{ALICE_PK} / SESSION#ttl-milliseconds",
                     "ancient": f"{ALICE_PK} / SESSION#ttl-too-old",
                     "missing": f"{ALICE_PK} / SESSION#ttl-missing"}
    assert "milliseconds instead of seconds" in html and "DynamoDB never deletes it" in html
    assert "the whole partition" in html
    for pk, expected in (("INVITE#ttl-string", "not_number"), ("INVITE#ttl-milliseconds",
                                                               "millis")):
        page = staff_client.get(ttl_url(pk=pk, sk=""))
        assert f'<tr data-ttl="{expected}">' in page.content.decode()


def test_the_inspection_reads_at_most_the_pages_asked_for(staff_client, shop_table):
    data.load_items_unconditionally(shop_table, [
        session("u2", f"s{n:02d}", NOW + dt.timedelta(hours=n + 1)) for n in range(30)])
    response = staff_client.get(ttl_url(pk="USER#u2", sk="SESSION#", limit=5, pages=3))
    html = unescape(response.content.decode())
    queries = [op for op in response["X-Dynadmin-Calls"].split(",") if op == "Query"]
    assert len(queries) == 3
    assert set(response["X-Dynadmin-Calls"].split(",")) == {"DescribeTimeToLive", "Query"}
    assert "Read 15 items in 3 pages" in html and "goes on beyond 3 pages" in html
    assert "up to 3 pages × 5 items" in html  # the estimate, said before and after
    if BACKEND == "dynamodb-local":  # moto reports no consumed capacity
        assert re.search(r"Consumed: [\d.]+ RCU", html)
    chart = svg(response)
    assert "<script" not in chart and " style=" not in chart and "<title" in chart
    assert "Next 24 hours: 15;" in chart
    # Read to the end: it stops there, however many pages were allowed.
    whole = staff_client.get(ttl_url(pk="USER#u2", sk="SESSION#", limit=5, pages=20))
    assert 6 <= whole["X-Dynadmin-Calls"].count("Query") <= 7
    assert "the whole partition" in whole.content.decode()
    assert "Next 24 hours: 24;" in svg(whole) and "1–7 days: 6;" in svg(whole)


@pytest.mark.parametrize("params", [
    {"pk": "USER#u1", "pages": "21"}, {"pk": "USER#u1", "pages": "0"},
    {"pk": "USER#u1", "pages": "many"}, {"pk": "USER#u1", "index": "GSI9"},
    {"pk": "USER#u1", "limit": "5000"},
])
def test_bad_inspection_input_is_a_400_with_the_message(staff_client, shop_table, params):
    with data.recording() as log:
        response = staff_client.get(ttl_url(**params))
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert "Query" not in log.operations


def test_the_form_defaults_to_the_first_entity_whose_ttl_is_required(staff_client, shop_table):
    response = staff_client.get(ttl_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'placeholder="USER#{user_id}"' in html and 'value="SESSION#"' in html
    assert "Cost before running: up to 5 pages × 100 items" in html
    assert "Query" not in response["X-Dynadmin-Calls"]


def test_the_ttl_setting_is_shown_never_an_error(staff_client, shop_table):
    response = staff_client.get(ttl_url())
    html = response.content.decode()
    status = re.search(r'data-ttl-status="([^"]*)"', html).group(1)
    if BACKEND == "dynamodb-local":
        assert status == "ENABLED" and "as the definitions expect" in html
    else:
        assert status in ("ENABLED", "ENABLING", "DISABLED", "not supported by this endpoint")
    for entity, policy in (("Session", "required"), ("Invitation", "required"),
                           ("User", "none")):
        assert re.search(rf"<td[^>]*>{entity}</td><td[^>]*>{policy}</td>", html)


def test_a_missing_table_shows_the_problem_not_a_crash(staff_client, shop_table, settings):
    settings.DYNADMIN_TABLE_NAMES = {"Application": "nope-not-here"}
    response = staff_client.get(ttl_url())
    assert response.status_code == 200
    assert "could not be read" in response.content.decode()


def test_the_dashboard_links_to_the_ttl_page(staff_client, shop_table):
    html = staff_client.get(reverse("dynadmin:dashboard")).content.decode()
    assert f'href="{reverse("dynadmin:ttl", kwargs={"table": "Application"})}"' in html


def test_the_chart_escapes_its_labels():
    chart = str(bar_chart_svg([Bar('<script>alert("x")</script>', 3, "bad"), Bar("ok", 0, "ok")],
                              title="<b>TTLs</b>"))
    assert "<script" not in chart and "&lt;script&gt;" in chart
    assert "<title id=\"ttl-chart-title\">&lt;b&gt;TTLs&lt;/b&gt;</title>" in chart
    assert 'role="img"' in chart and " style=" not in chart


# -- browsing -------------------------------------------------------------------------------
def test_browse_rows_badge_broken_and_expired_ttls(staff_client, seeded):
    put(seeded, session(seed.ALICE["user_id"], "expired-one", NOW - dt.timedelta(hours=2)))
    response = staff_client.get(browse_url(pk=ALICE_PK, sk_op="begins_with", sk="SESSION#"))
    html = unescape(response.content.decode())
    found = badges(response)
    assert found[f"{ALICE_PK} / SESSION#ttl-milliseconds"] == "millis"
    assert found[f"{ALICE_PK} / SESSION#ttl-too-old"] == "ancient"
    assert found[f"{ALICE_PK} / SESSION#ttl-missing"] == "missing"
    assert found[f"{ALICE_PK} / SESSION#expired-one"] == "expired"
    assert "expired 2 hours ago — awaiting deletion" in html
    string = staff_client.get(browse_url(pk="INVITE#ttl-string"))
    assert badges(string) == {"INVITE#ttl-string / METADATA": "not_number"}
    assert "DynamoDB ignores it" in unescape(string.content.decode())


def test_hide_expired_is_a_filter_on_the_page_read(staff_client, shop_table):
    put(shop_table, User.build_item({"user_id": "u1", "email": "a@example.com"}))
    put(shop_table, session("u1", "ahead", NOW + dt.timedelta(days=3)))
    put(shop_table, session("u1", "gone", NOW - dt.timedelta(hours=2)))
    put(shop_table, session("u1", "text", None, ttl="2025-01-01"))
    plain = staff_client.get(browse_url(pk="USER#u1"))
    box = re.search(r'name="hide_expired" value="(\d+)"', plain.content.decode())
    shown_at = time.time()
    assert abs(int(box.group(1)) - shown_at) < 120  # the moment the form was shown
    assert "USER#u1 / SESSION#gone" in badges(plain)
    # The user's page lists their sessions with the same badges.
    user_page = staff_client.get(item_url({"PK": "USER#u1", "SK": "METADATA"}))
    assert "USER#u1 / SESSION#gone" in badges(user_page)
    now = int(NOW.timestamp())
    response = staff_client.get(browse_url(pk="USER#u1", hide_expired=now))
    html = unescape(response.content.decode())
    assert response["X-Dynadmin-Calls"] == "Query"
    assert "SESSION#gone" not in html
    assert "SESSION#ahead" in html and "METADATA" in html
    assert "SESSION#text" in html  # DynamoDB never expires a String TTL: not hidden
    assert "Read 4 items, 3 matched" in html and "filter on the page read" in html
    # With an attribute filter too, both apply (AND).
    both = staff_client.get(browse_url(pk="USER#u1", hide_expired=now, f_attr="session_id",
                                       f_op="begins_with", f_value="g"))
    assert "Read 4 items, 0 matched" in unescape(both.content.decode())
    assert "session_id begins with" in unescape(both.content.decode())
    assert "SESSION#gone" in unescape(staff_client.get(browse_url(
        pk="USER#u1", f_attr="session_id", f_op="begins_with", f_value="g")).content.decode())


def test_hide_expired_keeps_ttls_older_than_five_years_which_dynamodb_never_deletes(
        staff_client, shop_table):
    years = dt.timedelta(days=365)
    put(shop_table, session("u1", "ancient", NOW - 6 * years))  # never deleted
    put(shop_table, session("u1", "old", NOW - 4 * years))  # deleted any time now
    put(shop_table, session("u1", "recent", NOW - dt.timedelta(hours=2)))
    put(shop_table, session("u1", "ahead", NOW + dt.timedelta(days=3)))

    response = staff_client.get(browse_url(pk="USER#u1", hide_expired=int(NOW.timestamp())))

    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "SESSION#ancient" in html and "SESSION#ahead" in html
    assert "SESSION#old" not in html and "SESSION#recent" not in html
    assert "Read 4 items, 2 matched" in html


def test_paging_with_hide_expired_keeps_the_moment(staff_client, shop_table):
    data.load_items_unconditionally(shop_table, [
        session("u1", f"s{n:02d}", NOW + dt.timedelta(days=1 if n % 2 else -1))
        for n in range(12)])
    first = staff_client.get(browse_url(pk="USER#u1", limit=4, hide_expired="1"))
    next_url = unescape(re.search(r'rel="next" href="([^"]*)"',
                                  first.content.decode()).group(1))
    moment = parse_qs(urlsplit(next_url).query)["hide_expired"][0]
    now = time.time()
    assert moment.isdigit() and abs(int(moment) - now) < 120
    shown = []
    while next_url:
        page = staff_client.get(next_url)
        assert page.status_code == 200
        assert parse_qs(urlsplit(next_url).query)["hide_expired"] == [moment]
        shown += re.findall(r"SESSION#s(\d\d)", page.content.decode())
        match = re.search(r'rel="next" href="([^"]*)"', page.content.decode())
        next_url = unescape(match.group(1)) if match else None
    assert shown and all(int(n) % 2 for n in shown)
    # A cursor belongs to its moment: with another one it is refused, not silently rescoped.
    cursor = parse_qs(urlsplit(unescape(re.search(
        r'rel="next" href="([^"]*)"', first.content.decode()).group(1))).query)["cursor"][0]
    other = staff_client.get(browse_url(pk="USER#u1", limit=4, hide_expired=int(moment) + 1,
                                        cursor=cursor))
    assert other.status_code == 400


# -- changing a TTL -------------------------------------------------------------------------
def test_support_may_extend_a_ttl_but_not_edit(client, django_user_model, shop_table):
    expires = NOW + dt.timedelta(days=2)
    item = put(shop_table, session("u1", "s1", expires))
    support = support_client(client, django_user_model)
    page = support.get(item_url(item))
    html = page.content.decode()
    assert 'name="extend" value="7"' in html and "Edit</a>" not in html
    assert "Clear the TTL" not in html  # required: never offered
    response = support.post(SET_TTL, {"original": token(page), "extend": "7"})
    assert response.status_code == 302
    stored = data.get_item(shop_table, {"PK": "USER#u1", "SK": "SESSION#s1"})
    assert stored["ttl"] == epoch(expires + dt.timedelta(days=7))
    entry = AuditEntry.objects.get()
    assert entry.action == "ttl" and entry.username == "support"
    assert f"ttl = {epoch(expires)}" in entry.condition  # guarded by what was read
    assert set(entry.diff) == {"ttl"}
    edit = reverse("dynadmin:edit", kwargs={"table": "Application"}) + item_url(item)[
        item_url(item).index("?"):]
    assert support.get(edit).status_code == 403


def test_without_either_permission_it_is_a_403_and_nothing_is_written(
        client, django_user_model, shop_table, staff_client):
    item = put(shop_table, session("u1", "s1", NOW + dt.timedelta(days=2)))
    original = token(staff_client.get(item_url(item)))
    viewer = support_client(client, django_user_model, extend=False)
    page = viewer.get(item_url(item))
    assert page.status_code == 200 and 'name="extend"' not in page.content.decode()
    response = viewer.post(SET_TTL, {"original": original, "extend": "30"})
    assert response.status_code == 403
    assert data.get_item(shop_table, {"PK": "USER#u1", "SK": "SESSION#s1"}) == item
    assert list(AuditEntry.objects.values_list("outcome", flat=True)) == ["denied"]
    assert viewer.get(SET_TTL).status_code in (403, 405)


def test_a_ttl_changed_meanwhile_is_a_conflict(client, django_user_model, shop_table):
    item = put(shop_table, session("u1", "s1", NOW + dt.timedelta(days=2)))
    support = support_client(client, django_user_model)
    original = token(support.get(item_url(item)))
    theirs = epoch(NOW + dt.timedelta(days=9))
    data.update_item(shop_table, {"PK": "USER#u1", "SK": "SESSION#s1"}, set={"ttl": theirs},
                     condition=AttributeExists("PK"))
    response = support.post(SET_TTL, {"original": original, "extend": "1"})
    assert response.status_code == 409
    assert "Someone else changed Session" in response.content.decode()
    assert data.get_item(shop_table, {"PK": "USER#u1", "SK": "SESSION#s1"})["ttl"] == theirs
    assert list(AuditEntry.objects.values_list("outcome", flat=True)) == ["conflict"]


def test_clearing_a_required_ttl_is_refused(staff_client, shop_table):
    item = put(shop_table, session("u1", "s1", NOW + dt.timedelta(days=2)))
    response = staff_client.post(SET_TTL, {"original": token(staff_client.get(item_url(item))),
                                           "op": "clear"})
    assert response.status_code == 400
    assert "required" in response.content.decode()
    assert data.get_item(shop_table, {"PK": "USER#u1", "SK": "SESSION#s1"}) == item
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("sk", ["ttl-too-old", "ttl-milliseconds", "ttl-missing"])
def test_an_expired_or_broken_ttl_is_extended_from_now(staff_client, seeded, sk):
    key = {"PK": ALICE_PK, "SK": f"SESSION#{sk}"}
    page = staff_client.get(item_url(key))
    assert "Extend from now by" in page.content.decode()
    assert staff_client.post(SET_TTL, {"original": token(page), "extend": "1"}
                             ).status_code == 302
    stored = data.get_item(seeded, key)["ttl"]
    a_day_from_now = time.time() + 86400
    assert abs(int(stored) - a_day_from_now) < 120  # extended from the moment of the request


def test_set_to_a_moment_and_refuse_impossible_ones(staff_client, shop_table):
    item = put(shop_table, session("u1", "s1", NOW - dt.timedelta(hours=1)))
    original = token(staff_client.get(item_url(item)))
    key = {"PK": "USER#u1", "SK": "SESSION#s1"}
    for bad in ("2300-01-01T00:00", "1990-01-01T00:00", "soon"):
        response = staff_client.post(SET_TTL, {"original": original, "op": "set",
                                               "expires_at": bad})
        assert response.status_code == 400
        assert data.get_item(shop_table, key) == item
    response = staff_client.post(SET_TTL, {"original": original, "op": "set",
                                           "expires_at": "2030-01-31T09:30"})
    assert response.status_code == 302
    assert data.get_item(shop_table, key)["ttl"] == epoch(
        dt.datetime(2030, 1, 31, 9, 30, tzinfo=dt.UTC))
    assert AuditEntry.objects.get().action == "ttl"


def test_a_tampered_original_is_a_400(staff_client, shop_table):
    item = put(shop_table, session("u1", "s1", NOW + dt.timedelta(days=2)))
    original = token(staff_client.get(item_url(item)))
    response = staff_client.post(SET_TTL, {"original": original[:-3] + "abc", "extend": "1"})
    assert response.status_code == 400
    assert data.get_item(shop_table, {"PK": "USER#u1", "SK": "SESSION#s1"}) == item


# A versioned entity with a TTL, on a table of its own: the guard is then the version.
promo = Table("Promo", ttl_attribute="expires_at", type_attribute="type")


class Voucher(Entity, table=promo, ttl="optional"):
    keys = Key(pk="VOUCHER#{code}", sk="METADATA")
    code = fields.String(required=True)
    expires = fields.TTL(attribute="expires_at")
    version = fields.Version()


@pytest.fixture
def voucher_table(dynamodb_endpoint, settings):
    from dynadmin.sites import site
    from tests.conftest import physical_table

    with physical_table(promo) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        site.register(Voucher)
        try:
            yield promo
        finally:
            site.unregister(Voucher)


def test_a_versioned_item_is_guarded_by_its_version_and_may_be_cleared(staff_client,
                                                                        voucher_table):
    expires = NOW + dt.timedelta(days=1)
    item = put(voucher_table, Voucher.build_item({"code": "X1", "expires": expires,
                                                  "version": 4}))
    url = reverse("dynadmin:item", kwargs={"table": "Promo"}) + "?" + urlencode(
        {"pk": item["PK"], "sk": item["SK"]})
    set_ttl = reverse("dynadmin:set_ttl", kwargs={"table": "Promo"})
    page = staff_client.get(url)
    assert staff_client.post(set_ttl, {"original": token(page), "extend": "30"}
                             ).status_code == 302
    stored = data.get_item(voucher_table, {"PK": "VOUCHER#X1", "SK": "METADATA"})
    assert stored["expires_at"] == epoch(expires + dt.timedelta(days=30))
    assert stored["version"] == 5
    entry = AuditEntry.objects.get()
    assert entry.action == "ttl" and "version = 4" in entry.condition
    cleared = staff_client.post(set_ttl, {"original": token(staff_client.get(url)),
                                          "op": "clear"})
    assert cleared.status_code == 302
    stored = data.get_item(voucher_table, {"PK": "VOUCHER#X1", "SK": "METADATA"})
    assert "expires_at" not in stored and stored["version"] == 6
