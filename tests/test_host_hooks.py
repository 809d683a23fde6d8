"""A host project's EntityAdmin hooks, as ModelAdmin's, over HTTP on DynamoDB Local (see
``tests/hooks_urls.py``): every write goes through ``save_item``/``delete_item`` (a side
effect after it, an attribute added before it, a refusal with a message) on edit, create,
action, TTL change, undo and conflict resolution; and an item ``has_view_permission(request,
item)`` hides is withheld, and answered as missing, on every path: lists (partitions of the
table and of an index, the entity's list), lookups and the lookup box, related items,
exports, History and Recent actions, Activity and an item's changes (with their JSON),
actions, undo and conflicts. ``get_actions`` and ``has_add_permission`` are asked wherever an
action or a create is offered or made."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.models import AuditEntry
from examples.shop.definitions import Order, Session
from tests import hooks_urls
from tests.support.editing import ORDER_KEY, edit_url, form_data, q

pytestmark = pytest.mark.django_db

SESSION_KEY = {"PK": "USER#u1", "SK": "SESSION#s1"}


@pytest.fixture(autouse=True)
def _host_site(settings):
    from dynadmin.services import links

    settings.ROOT_URLCONF = "tests.hooks_urls"
    links._reverse.cache_clear()
    hooks_urls.WRITTEN.clear()
    yield
    links._reverse.cache_clear()


def order(order_id="456", user_id="u1"):
    return Order.build_item({
        "user_id": user_id, "order_id": order_id, "placed_on": "2024-01-15",
        "placed_at": dt.datetime(2024, 1, 15, 9, tzinfo=dt.UTC), "status": "PENDING",
        "total": Decimal("99.95"), "version": 1})


@pytest.fixture
def an_order(shop_table):
    item = order()
    data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    return item


def token(response, name="original"):
    return unescape(re.search(rf'name="{name}" value="([^"]*)"',
                              response.content.decode()).group(1))


def person(name, django_user_model):
    user = django_user_model.objects.create_superuser(name, f"{name}@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_an_edit_and_a_create_go_through_save_item(staff_client, an_order, shop_table):
    fields = form_data(staff_client.get(edit_url(ORDER_KEY))) | {"status": "PAID"}
    assert staff_client.post(edit_url(ORDER_KEY), fields).status_code == 302
    stored = data.get_item(shop_table, ORDER_KEY)
    assert stored["status"] == "PAID" and stored["touched_by"] == "admin"
    assert hooks_urls.WRITTEN == [("save_item", "update", ORDER_KEY["SK"], "admin")]
    # The audit entry records the item as the hook wrote it.
    assert '"touched_by"' in AuditEntry.objects.latest("id").after

    add = reverse("dynadmin:add", kwargs={"entity": "Application.User"})
    assert staff_client.post(add, {"user_id": "u9", "email": "a@example.com",
                                   "__extra__": "{}"}).status_code == 302
    created = data.get_item(shop_table, {"PK": "USER#u9", "SK": "METADATA"})
    assert created["touched_by"] == "admin"
    assert hooks_urls.WRITTEN[-1] == ("save_item", "create", "METADATA", "admin")


def test_a_refusal_by_save_item_writes_nothing_and_says_why(staff_client, an_order,
                                                            shop_table):
    fields = form_data(staff_client.get(edit_url(ORDER_KEY))) | {"status": "CANCELLED"}
    response = staff_client.post(edit_url(ORDER_KEY), fields)
    assert response.status_code == 400
    assert "Orders are never cancelled here." in unescape(response.content.decode())
    # Said on the form, which keeps what was typed.
    assert response.context["form"].data["status"] == "CANCELLED"
    add = reverse("dynadmin:add", kwargs={"entity": "Application.User"})
    response = staff_client.post(add, {"user_id": "u9", "email": "a@blocked.example",
                                       "__extra__": "{}"})
    assert response.status_code == 400
    assert "That mail domain is blocked." in unescape(response.content.decode())
    assert response.context["form"].data["email"] == "a@blocked.example"
    assert data.get_item(shop_table, {"PK": "USER#u9", "SK": "METADATA"}) is None
    assert data.get_item(shop_table, ORDER_KEY) == an_order
    assert hooks_urls.WRITTEN == []


def run_on_every_row(client, action, pk="USER#u1"):
    """Post ``action`` over every row of partition ``pk``, as its page offers it."""
    url = reverse("dynadmin:partition", kwargs={"table": "Application"}) + "?" + urlencode(
        {"pk": pk})
    html = client.get(url).content.decode()
    rows = re.findall(r'<input type="checkbox" data-row="(\d+)"', html)
    selection = unescape(re.search(r'name="selection" value="([^"]*)"', html).group(1))
    return client.post(reverse("dynadmin:action", kwargs={"table": "Application"}),
                       {"action": action, "rows": ",".join(rows), "selection": selection})


def test_an_action_goes_through_save_item(staff_client, an_order, shop_table):
    response = run_on_every_row(staff_client, "Order.mark_shipped")
    assert response.status_code == 200 and ">done<" in response.content.decode()
    stored = data.get_item(shop_table, ORDER_KEY)
    assert stored["status"] == "SHIPPED" and stored["touched_by"] == "admin"
    assert hooks_urls.WRITTEN == [("save_item", "action", ORDER_KEY["SK"], "admin")]


def test_a_ttl_change_goes_through_save_item(staff_client, shop_table):
    expires = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=1)
    data.put_item(shop_table, Session.build_item({
        "user_id": "u1", "session_id": "s1", "ip_address": "192.0.2.1",
        "expires": expires}), condition=AttributeNotExists("PK"))
    page = staff_client.get(reverse("dynadmin:item", kwargs={"table": "Application"})
                            + q(SESSION_KEY))
    response = staff_client.post(reverse("dynadmin:set_ttl", kwargs={"table": "Application"}),
                                 {"original": token(page), "extend": "7"})
    assert response.status_code == 302
    assert data.get_item(shop_table, SESSION_KEY)["touched_by"] == "admin"
    assert hooks_urls.WRITTEN == [("save_item", "ttl", SESSION_KEY["SK"], "admin")]


def test_a_conflict_resolution_goes_through_save_item(django_user_model, an_order,
                                                      shop_table):
    bob, carol = (person(name, django_user_model) for name in ("bob", "carol"))
    bobs_form = form_data(bob.get(edit_url(ORDER_KEY)))
    carols_form = form_data(carol.get(edit_url(ORDER_KEY)))
    assert bob.post(edit_url(ORDER_KEY), bobs_form | {"status": "SHIPPED"}).status_code == 302
    page = carol.post(edit_url(ORDER_KEY), carols_form | {"currency": "GBP"})
    assert page.status_code == 409
    tokens = dict(re.findall(r'name="(original|theirs|mine|choices)" value="([^"]*)"',
                             page.content.decode()))
    assert carol.post(reverse("dynadmin:resolve", kwargs={"table": "Application"}),
                      {k: unescape(v) for k, v in tokens.items()}).status_code == 302
    stored = data.get_item(shop_table, ORDER_KEY)
    assert stored["currency"] == "GBP" and stored["touched_by"] == "carol"
    assert [w[3] for w in hooks_urls.WRITTEN] == ["bob", "carol"]


def undo_url(entry):
    return reverse("dynadmin:undo", kwargs={"table": "Application", "entry_id": entry.pk})


def test_a_delete_and_undos_go_through_the_hooks(staff_client, an_order, shop_table):
    url = reverse("dynadmin:delete", kwargs={"table": "Application"}) + q(ORDER_KEY)
    assert staff_client.post(url, {"original": token(staff_client.get(url))}
                             ).status_code == 302
    assert hooks_urls.WRITTEN == [("delete_item", "delete", ORDER_KEY["SK"], "admin")]
    # Undoing the delete creates the item again through save_item...
    assert staff_client.post(undo_url(AuditEntry.objects.get(action="delete"))
                             ).status_code == 302
    restored = data.get_item(shop_table, ORDER_KEY)
    assert restored["touched_by"] == "admin" and restored["version"] == 2
    assert hooks_urls.WRITTEN[-1] == ("save_item", "undo", ORDER_KEY["SK"], "admin")
    # ... undoing an edit writes the item back through it...
    fields = form_data(staff_client.get(edit_url(ORDER_KEY))) | {"status": "PAID"}
    assert staff_client.post(edit_url(ORDER_KEY), fields).status_code == 302
    assert staff_client.post(undo_url(AuditEntry.objects.latest("id"))).status_code == 302
    assert data.get_item(shop_table, ORDER_KEY)["status"] == "PENDING"
    assert hooks_urls.WRITTEN[-1] == ("save_item", "undo", ORDER_KEY["SK"], "admin")
    # ... and undoing a create deletes through delete_item.
    add = reverse("dynadmin:add", kwargs={"entity": "Application.User"})
    assert staff_client.post(add, {"user_id": "u9", "email": "a@example.com",
                                   "__extra__": "{}"}).status_code == 302
    assert staff_client.post(undo_url(AuditEntry.objects.latest("id"))).status_code == 302
    assert data.get_item(shop_table, {"PK": "USER#u9", "SK": "METADATA"}) is None
    assert hooks_urls.WRITTEN[-1] == ("delete_item", "undo", "METADATA", "admin")


def test_an_action_refused_by_save_item_is_that_rows_outcome(staff_client, an_order,
                                                              shop_table):
    data.put_item(shop_table, order("457"), condition=AttributeNotExists("PK"))
    response = run_on_every_row(staff_client, "Order.cancel")
    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert page.count(">refused<") == 2 and "Orders are never cancelled here." in page
    assert data.get_item(shop_table, ORDER_KEY) == an_order
    assert hooks_urls.WRITTEN == []


# -- has_view_permission(request, item) --------------------------------------------------
HIDDEN_KEY = {"PK": hooks_urls.HIDDEN_PK, "SK": "ORDER#2024-01-15#999"}


@pytest.fixture
def hidden_order(shop_table, staff_client):
    """An order the host's has_view_permission withholds (its partition), with an audited
    edit, beside a visible one."""
    from dynadmin.editing import writes

    data.put_item(shop_table, order(), condition=AttributeNotExists("PK"))
    item = order("999", user_id="hidden") | {"total": Decimal("77.77")}
    data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    writes.save(shop_table, item, item | {"status": "PAID"}, user=staff_client.user,
                entity_label="Application.Order")
    return data.get_item(shop_table, HIDDEN_KEY)


def shows_hidden(response):
    html = unescape(response.content.decode())
    return "77.77" in html or HIDDEN_KEY["SK"] in html or q(HIDDEN_KEY)[1:] in html


def test_an_item_not_viewable_answers_as_missing(staff_client, hidden_order):
    for name in ("item", "edit", "delete"):
        response = staff_client.get(reverse(f"dynadmin:{name}",
                                            kwargs={"table": "Application"}) + q(HIDDEN_KEY))
        assert response.status_code == 404, name
        assert "77.77" not in response.content.decode(), name
    assert staff_client.get(reverse("dynadmin:item", kwargs={"table": "Application"})
                            + q(ORDER_KEY)).status_code == 200


def test_rows_and_exports_withhold_items_not_viewable(staff_client, hidden_order):
    url = reverse("dynadmin:partition", kwargs={"table": "Application"})
    page = staff_client.get(url, {"pk": hooks_urls.HIDDEN_PK})
    assert page.status_code == 200 and not shows_hidden(page)
    for fmt in ("json", "csv"):
        export = staff_client.get(url, {"pk": hooks_urls.HIDDEN_PK, "format": fmt})
        assert export.status_code == 200 and not shows_hidden(export), fmt
    assert "ORDER#2024-01-15#456" in staff_client.get(url, {"pk": "USER#u1"}
                                                      ).content.decode()


def test_lookups_find_no_item_not_viewable(staff_client, hidden_order):
    by_id = reverse("dynadmin:entity_lookup", args=["Application.Order", "by_id"])
    response = staff_client.get(by_id, {"order_id": "999"})
    assert response.status_code != 302 and not shows_hidden(response)
    assert staff_client.get(by_id, {"order_id": "456"}).status_code == 302
    box = staff_client.get(reverse("dynadmin:lookup"), {"q": "ORD-999"})
    assert box.status_code == 200 and not shows_hidden(box)
    assert "Nothing found for “ORD-999”" in unescape(box.content.decode())


def test_history_and_undo_withhold_entries_of_items_not_viewable(staff_client,
                                                                 hidden_order, shop_table):
    entry = AuditEntry.objects.get(action="update")
    missing = staff_client.get(reverse("dynadmin:item", kwargs={"table": "Application"})
                               + q(HIDDEN_KEY))
    assert missing.status_code == 404 and "PENDING" not in missing.content.decode()
    assert f"/undo/{entry.pk}/" not in missing.content.decode()
    recent = staff_client.get(reverse("dynadmin:recent_actions"))
    assert recent.status_code == 200 and not shows_hidden(recent)
    assert f"/undo/{entry.pk}/" not in recent.content.decode()
    undo = reverse("dynadmin:undo", kwargs={"table": "Application", "entry_id": entry.pk})
    assert staff_client.post(undo).status_code == 404
    assert data.get_item(shop_table, HIDDEN_KEY)["status"] == "PAID"


def test_an_item_not_changeable_is_neither_edited_nor_changed_by_an_action(
        staff_client, shop_table):
    data.put_item(shop_table, order() | {"locked": True}, condition=AttributeNotExists("PK"))
    data.put_item(shop_table, order("457"), condition=AttributeNotExists("PK"))
    assert staff_client.get(edit_url(ORDER_KEY)).status_code == 404
    response = run_on_every_row(staff_client, "Order.mark_shipped")
    page = unescape(response.content.decode())
    assert page.count(">refused<") == 1 and page.count(">done<") == 1
    assert data.get_item(shop_table, ORDER_KEY)["status"] == "PENDING"
    assert [w[2] for w in hooks_urls.WRITTEN] == ["ORDER#2024-01-15#457"]


def test_a_resolution_onto_an_item_locked_meanwhile_is_refused(django_user_model, an_order,
                                                               shop_table):
    carol = person("carol", django_user_model)
    form = form_data(carol.get(edit_url(ORDER_KEY)))
    # Someone locks the order after Carol opened the form.
    data.put_item(shop_table, an_order | {"locked": True, "version": 2},
                  condition=AttributeNotExists("PK") | AttributeNotExists("locked"))
    page = carol.post(edit_url(ORDER_KEY), form | {"currency": "GBP"})
    assert page.status_code == 409
    tokens = dict(re.findall(r'name="(original|theirs|mine|choices)" value="([^"]*)"',
                             page.content.decode()))
    response = carol.post(reverse("dynadmin:resolve", kwargs={"table": "Application"}),
                          {k: unescape(v) for k, v in tokens.items()})
    assert response.status_code == 403
    assert "currency" not in data.get_item(shop_table, ORDER_KEY)
    assert hooks_urls.WRITTEN == []


def test_a_relation_withholds_the_related_item_not_viewable(staff_client, hidden_order,
                                                            shop_table):
    from examples.shop.definitions import OrderItem

    line = OrderItem.build_item({"order_id": "999", "product_id": "B0TOASTER", "quantity": 1,
                                 "unit_price": Decimal("9.99"), "product_name": "Toaster"})
    data.put_item(shop_table, line, condition=AttributeNotExists("PK"))
    page = staff_client.get(reverse("dynadmin:item", kwargs={"table": "Application"})
                            + q(shop_table.key_of(line)))
    assert page.status_code == 200 and "Toaster" in page.content.decode()
    assert not shows_hidden(page)


def test_activity_and_item_changes_withhold_changes_of_items_not_viewable(staff_client,
                                                                          hidden_order,
                                                                          shop_table,
                                                                          archived):
    archived(shop_table)
    activity = staff_client.get(reverse("dynadmin:activity", kwargs={"table": "Application"}))
    html = unescape(activity.content.decode())
    assert activity.status_code == 200 and "USER#u1 / ORDER#2024-01-15#456" in html
    assert not shows_hidden(activity)
    changes = staff_client.get(reverse("dynadmin:item_changes",
                                       kwargs={"table": "Application"}) + q(HIDDEN_KEY))
    assert "77.77" not in changes.content.decode()


def test_the_ttl_inspection_withholds_items_not_viewable(staff_client, shop_table):
    for user_id in ("u1", "hidden"):
        data.put_item(shop_table, Session.build_item({
            "user_id": user_id, "session_id": f"s-{user_id}", "ip_address": "192.0.2.1",
            "expires": None}), condition=AttributeNotExists("PK"))
    url = reverse("dynadmin:ttl", kwargs={"table": "Application"}) + "?"
    for pk, shown in (("USER#u1", True), (hooks_urls.HIDDEN_PK, False)):
        response = staff_client.get(url + urlencode({"pk": pk, "sk": "SESSION#"}))
        html = unescape(response.content.decode())
        assert response.status_code == 200
        assert (f"{pk} / SESSION#s-" in html) is shown, pk


def test_save_item_called_as_a_host_would_audits_a_create_as_a_create(rf, staff_client,
                                                                      shop_table):
    from dynadmin.sites import site as default_site
    from examples.shop.definitions import User

    request = rf.post("/")
    request.user = staff_client.user
    result = default_site.get_entity_admin(User).save_item(request, User.build_item({
        "user_id": "u8", "email": "u8@example.com"}), original=None)
    assert result.action == "create"
    assert AuditEntry.objects.get().action == "create"


# -- Recent actions are paged over the entries this person may see -------------------------
def audit_entry(n, pk="USER#u1"):
    """An applied update of order ``n`` in partition ``pk``, as the audit log keeps it."""
    import json

    key = {"PK": {"S": pk}, "SK": {"S": f"ORDER#2024-01-15#{n}"}}
    after = key | {"status": {"S": "SHIPPED"}}
    return AuditEntry.objects.create(
        username="bob", table="Application", table_name="t", entity="Application.Order",
        key=json.dumps(key), key_text=f"{pk} / ORDER#2024-01-15#{n}", action="update",
        after=json.dumps(after), diff={"status": {"before": '"PENDING"', "after": '"SHIPPED"'}})


def test_recent_actions_fill_each_page_with_entries_the_person_may_see(staff_client,
                                                                       shop_table):
    url = reverse("dynadmin:recent_actions")
    for n in range(60):
        audit_entry(n)
    for n in range(30):  # the newest entries concern items the host withholds
        audit_entry(900 + n, pk=hooks_urls.HIDDEN_PK)
    first = staff_client.get(url)
    html = unescape(first.content.decode())
    assert [e.key_text for e in first.context["entries"]] == [
        f"USER#u1 / ORDER#2024-01-15#{n}" for n in range(59, 9, -1)]
    # No number tells that entries were withheld.
    assert "of 90" not in html and "of 2" not in html and "of 60" not in html
    second = staff_client.get(url, {"before": first.context["page"].older_than})
    assert [e.key_text for e in second.context["entries"]] == [
        f"USER#u1 / ORDER#2024-01-15#{n}" for n in range(9, -1, -1)]
    assert "Older →" not in second.content.decode()


def test_an_items_history_shows_its_entries_the_person_may_see_past_withheld_ones(
        staff_client, an_order):
    audit_entry(456)  # an older entry of the visible order
    for _ in range(55):
        # Newer entries whose image the host withholds (written while the item had the key
        # of the hidden partition, say).
        hidden = audit_entry(456)
        hidden.after = hidden.after.replace("USER#u1", hooks_urls.HIDDEN_PK)
        hidden.save()
    page = staff_client.get(reverse("dynadmin:item", kwargs={"table": "Application"})
                            + q(ORDER_KEY))
    assert page.status_code == 200
    assert len(page.context["history"].rows) == 1


# -- related items ---------------------------------------------------------------------------
def related_section(response, label):
    html = response.content.decode()
    return re.search(rf'<section class="section related" aria-label="{label}">.*?</section>',
                     html, re.S).group(0)


def line_item(order_id, product_id):
    from examples.shop.definitions import OrderItem

    return OrderItem.build_item({"order_id": order_id, "product_id": product_id,
                                 "quantity": 1, "unit_price": Decimal("9.99"),
                                 "product_name": "Toaster"})


def test_a_related_item_not_viewable_answers_as_a_missing_one(staff_client, shop_table):
    from examples.shop.definitions import Product

    data.put_item(shop_table, Product.build_item({
        "product_id": "B0SECRET", "name": "Secret gadget", "price": Decimal("1"),
        "category": "toys"}) | {"withheld": True}, condition=AttributeNotExists("PK"))
    sections = []
    for product_id in ("B0SECRET", "B0GONE"):
        line = line_item("456", product_id)
        data.put_item(shop_table, line, condition=AttributeNotExists("PK"))
        page = staff_client.get(reverse("dynadmin:item", kwargs={"table": "Application"})
                                + q(shop_table.key_of(line)))
        assert page.status_code == 200 and "Secret gadget" not in page.content.decode()
        sections.append(related_section(page, "Product").replace(product_id, "…"))
    assert "(not found)" in sections[1]
    assert sections[0] == sections[1]


def test_a_related_list_says_no_more_for_rows_it_withheld(staff_client, shop_table):
    from examples.shop.definitions import Product

    product = Product.build_item({"product_id": "B0TOASTER", "name": "Toaster",
                                  "price": Decimal("9.99"), "category": "kitchen"})
    data.put_item(shop_table, product, condition=AttributeNotExists("PK"))
    for n in range(12):
        data.put_item(shop_table, line_item(f"{n:03}", "B0TOASTER") | {"withheld": n > 0},
                      condition=AttributeNotExists("PK"))
    page = staff_client.get(reverse("dynadmin:item", kwargs={"table": "Application"})
                            + q(shop_table.key_of(product)))
    section = related_section(page, "Order items")
    # The section reads 10 of the 12 lines, all withheld: the page must not tell that more
    # lines follow than it shows (the same words as for a partition with none).
    assert "See all" not in section and "Browse this partition" in section


# -- get_actions(request) ----------------------------------------------------------------
def action_menu(response):
    return re.findall(r'<option value="(Order\.[a-z_]+)"', response.content.decode())


def test_get_actions_decides_the_menus_and_the_run(staff_client, django_user_model,
                                                   an_order, shop_table):
    partition = reverse("dynadmin:partition", kwargs={"table": "Application"})
    orders = reverse("dynadmin:entity", kwargs={"entity": "Application.Order"})
    for url in (partition + "?pk=USER%23u1", orders):
        menu = action_menu(staff_client.get(url))
        assert menu == ["Order.mark_shipped", "Order.cancel", "Order.mark_paid"], url
    # An action the host adds runs as a declared one does, through save_item.
    response = run_on_every_row(staff_client, "Order.mark_paid")
    assert response.status_code == 200 and ">done<" in response.content.decode()
    assert data.get_item(shop_table, ORDER_KEY)["status"] == "PAID"
    assert hooks_urls.WRITTEN == [("save_item", "action", ORDER_KEY["SK"], "admin")]
    # One it takes away for a person is neither offered to her nor run when she posts it.
    carol = person("carol", django_user_model)
    for url in (partition + "?pk=USER%23u1", orders):
        assert "Order.mark_shipped" not in action_menu(carol.get(url)), url
    assert run_on_every_row(carol, "Order.mark_shipped").status_code == 403
    assert data.get_item(shop_table, ORDER_KEY)["status"] == "PAID"
    assert len(hooks_urls.WRITTEN) == 1


# -- has_add_permission(request) -----------------------------------------------------------
def test_has_add_permission_decides_every_create(staff_client, django_user_model, an_order,
                                                 shop_table):
    users = reverse("dynadmin:entity", kwargs={"entity": "Application.User"})
    add = reverse("dynadmin:add", kwargs={"entity": "Application.User"})
    assert f'href="{add}"' in staff_client.get(users).content.decode()
    dave = person("dave", django_user_model)
    assert f'href="{add}"' not in dave.get(users).content.decode()
    assert dave.get(add).status_code == 403
    assert dave.post(add, {"user_id": "u9", "email": "a@example.com",
                           "__extra__": "{}"}).status_code == 403
    assert data.get_item(shop_table, {"PK": "USER#u9", "SK": "METADATA"}) is None
    # A key move creates an item at the new key: refused too, and the order stays put.
    fields = form_data(dave.get(edit_url(ORDER_KEY))) | {"placed_on": "2024-02-01"}
    assert dave.post(edit_url(ORDER_KEY), fields).status_code == 403
    assert data.get_item(shop_table, ORDER_KEY) == an_order
    # Undoing a delete creates the item again: not offered to dave, and refused if posted.
    url = reverse("dynadmin:delete", kwargs={"table": "Application"}) + q(ORDER_KEY)
    assert dave.post(url, {"original": token(dave.get(url))}).status_code == 302
    entry = AuditEntry.objects.get(action="delete")
    missing = dave.get(reverse("dynadmin:item", kwargs={"table": "Application"})
                       + q(ORDER_KEY))
    assert undo_url(entry) not in missing.content.decode()
    assert undo_url(entry) in staff_client.get(
        reverse("dynadmin:item", kwargs={"table": "Application"}) + q(ORDER_KEY)
    ).content.decode()
    assert dave.post(undo_url(entry)).status_code == 403
    assert data.get_item(shop_table, ORDER_KEY) is None
    assert [w[:2] for w in hooks_urls.WRITTEN] == [("delete_item", "delete")]


# -- the host's two hooks on every other path ----------------------------------------------
def test_a_partition_in_another_case_is_not_suggested_for_items_withheld(
        staff_client, dynamodb_endpoint, settings, monkeypatch):
    """Only a key with no literal text (a device name) is probed in another case: the
    helpdesk site's readings, their admin given the host's hooks."""
    from dynadmin.options import EntityAdmin
    from dynadmin.services import links
    from tests.conftest import physical_table
    from tests.helpdesk_urls import Reading, desk, telemetry

    monkeypatch.setitem(desk._registry, Reading, type(
        "HostReadingAdmin", (hooks_urls.HostHooks, EntityAdmin), {})(Reading, desk))
    settings.ROOT_URLCONF = "tests.helpdesk_urls"
    links._reverse.cache_clear()
    with physical_table(telemetry) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        for device, withheld in (("sensor-7", True), ("sensor-8", False)):
            data.put_item(telemetry, Reading.build_item({
                "device": device, "taken_at": "2024-01-15T09:00"}) | {"withheld": withheld},
                condition=AttributeNotExists("PK"))
        url = reverse("helpdesk:partition", kwargs={"table": "Telemetry"},
                      current_app="helpdesk")
        hint = "another case holds items"
        assert hint in staff_client.get(url, {"pk": "SENSOR-8"}).content.decode()
        # The suggestion would tell that an item the person may not see is there.
        assert hint not in staff_client.get(url, {"pk": "SENSOR-7"}).content.decode()
        # Nor is it left out where the partition asked holds only items withheld: as an
        # empty one, it names the other case.
        for device, withheld in (("sensor-9", True), ("SENSOR-9", False)):
            data.put_item(telemetry, Reading.build_item({
                "device": device, "taken_at": "2024-01-15T09:00"}) | {"withheld": withheld},
                condition=AttributeNotExists("PK"))
        assert hint in staff_client.get(url, {"pk": "sensor-9"}).content.decode()


def test_an_index_partition_and_the_order_list_withhold_the_hidden_order(staff_client,
                                                                         hidden_order):
    """The status index's partition of pending orders holds the hidden order beside a
    visible one: a partition of the index, not of the hidden user."""
    visible = ORDER_KEY["SK"]
    url = reverse("dynadmin:partition", kwargs={"table": "Application"})
    paid = {"pk": "ORDER#STATUS#PENDING", "index": "GSI2"}
    page = staff_client.get(url, paid)
    link = q({"PK": "USER#u1", "SK": visible})[1:]
    assert page.status_code == 200 and link in unescape(page.content.decode())
    assert not shows_hidden(page)
    # Only the visible row is selectable for an action, and only it is exported.
    assert re.findall(r'<input type="checkbox" data-row="(\d+)"',
                      page.content.decode()) == ["1"]
    for fmt in ("json", "csv"):
        export = staff_client.get(url, paid | {"format": fmt})
        assert visible in export.content.decode() and not shows_hidden(export), fmt
    orders = reverse("dynadmin:entity", kwargs={"entity": "Application.Order"})
    listed = staff_client.get(orders, {"status": "PENDING"})
    assert listed.status_code == 200 and link in unescape(listed.content.decode())
    assert not shows_hidden(listed)


def test_the_json_of_an_items_changes_withholds_a_hidden_item(staff_client, hidden_order):
    url = reverse("dynadmin:item_changes_json", kwargs={"table": "Application"})
    response = staff_client.get(url + q(HIDDEN_KEY))
    assert "77.77" not in response.content.decode()
    assert staff_client.get(url + q(ORDER_KEY)).status_code == 200


def test_a_conflict_with_a_version_withheld_meanwhile_shows_none_of_it(django_user_model,
                                                                      an_order, shop_table):
    carol = person("carol", django_user_model)
    form = form_data(carol.get(edit_url(ORDER_KEY)))
    # Someone withholds the order from view after Carol opened the form.
    data.put_item(shop_table, an_order | {"withheld": True, "total": Decimal("66.66"),
                                          "version": 2},
                  condition=AttributeNotExists("PK") | AttributeNotExists("withheld"))
    page = carol.post(edit_url(ORDER_KEY), form | {"currency": "GBP"})
    assert page.status_code == 409 and "66.66" not in page.content.decode()
    assert 'name="theirs"' not in page.content.decode()
    assert "currency" not in data.get_item(shop_table, ORDER_KEY)
    assert hooks_urls.WRITTEN == []


def resolve_with(client, page, **choices):
    """Post the conflict page's form, a field's "use mine" chosen where ``choices`` says."""
    html = page.content.decode()
    fields = {k: unescape(v) for k, v in re.findall(
        r'name="(original|theirs|mine|choices)" value="([^"]*)"', html)}
    for name in re.findall(r'<input type="radio" name="([^"]+)" value="mine"', html):
        fields[name] = choices.get("pick", "theirs")
    return client.post(reverse("dynadmin:resolve", kwargs={"table": "Application"}), fields)


def test_use_mine_and_recreating_a_deleted_item_go_through_save_item(
        django_user_model, an_order, shop_table):
    bob, carol = (person(name, django_user_model) for name in ("bob", "carol"))
    carols_form = form_data(carol.get(edit_url(ORDER_KEY)))
    bobs_form = form_data(bob.get(edit_url(ORDER_KEY)))
    assert bob.post(edit_url(ORDER_KEY), bobs_form | {"status": "SHIPPED"}).status_code == 302
    page = carol.post(edit_url(ORDER_KEY), carols_form | {"status": "PAID"})
    assert page.status_code == 409 and "use mine" in page.content.decode()
    assert resolve_with(carol, page, pick="mine").status_code == 302
    stored = data.get_item(shop_table, ORDER_KEY)
    assert stored["status"] == "PAID" and stored["touched_by"] == "carol"
    assert hooks_urls.WRITTEN[-1] == ("save_item", "update", ORDER_KEY["SK"], "carol")
    # The order is deleted while Carol edits it again: re-created with her version.
    carols_form = form_data(carol.get(edit_url(ORDER_KEY)))
    delete = reverse("dynadmin:delete", kwargs={"table": "Application"}) + q(ORDER_KEY)
    assert bob.post(delete, {"original": token(bob.get(delete))}).status_code == 302
    page = carol.post(edit_url(ORDER_KEY), carols_form | {"currency": "GBP"})
    assert page.status_code == 409 and "Re-create it with my version" in page.content.decode()
    assert resolve_with(carol, page).status_code == 302
    stored = data.get_item(shop_table, ORDER_KEY)
    assert stored["currency"] == "GBP" and stored["touched_by"] == "carol"
    assert hooks_urls.WRITTEN[-1][0::3] == ("save_item", "carol")


def test_recent_actions_name_no_person_whose_entries_are_all_withheld(staff_client,
                                                                      shop_table):
    audit_entry(1)
    AuditEntry.objects.filter(pk=audit_entry(2, pk=hooks_urls.HIDDEN_PK).pk).update(
        username="mallory")
    url = reverse("dynadmin:recent_actions")
    assert "mallory" not in staff_client.get(url).content.decode()
    # Typed, the name filters as a chosen one does: to the entries this person may see.
    assert staff_client.get(url, {"person": "bob"}).context["entries"][0].username == "bob"
    assert staff_client.get(url, {"person": "mallory"}).context["entries"] == []


def test_a_relation_to_an_entity_not_viewable_is_neither_a_section_nor_a_link(
        django_user_model, shop_table):
    from django.contrib.auth.models import Permission

    from dynadmin.codenames import permission_codename
    from dynadmin.permissions import sync_permissions
    from examples.shop.definitions import OrderItem, Product

    sync_permissions()
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(
        codename=permission_codename("view", OrderItem)))
    client = Client()
    client.force_login(clerk)
    data.put_item(shop_table, Product.build_item({
        "product_id": "B0TOASTER", "name": "Toaster", "price": Decimal("9.99"),
        "category": "kitchen"}), condition=AttributeNotExists("PK"))
    line = line_item("456", "B0TOASTER")
    data.put_item(shop_table, line, condition=AttributeNotExists("PK"))
    for url in (reverse("dynadmin:item", kwargs={"table": "Application"})
                + q(shop_table.key_of(line)),
                reverse("dynadmin:partition", kwargs={"table": "Application"})
                + "?pk=ORDER%23456"):
        html = client.get(url).content.decode()
        assert "B0TOASTER" in html, url  # the line is shown, its product id too
        assert "pk=PRODUCT%23B0TOASTER" not in html, url
        assert 'aria-label="Product"' not in html and 'aria-label="Order"' not in html, url


def test_activity_tells_no_count_of_the_records_read_under_a_per_item_hook(staff_client,
                                                                          hidden_order,
                                                                          shop_table,
                                                                          archived):
    """Changes read beside changes shown would count the changes withheld."""
    archived(shop_table)
    activity = staff_client.get(reverse("dynadmin:activity", kwargs={"table": "Application"}))
    html = activity.content.decode()
    assert activity.status_code == 200 and "Showing the newest" in html
    assert "changes read in" not in html and "data-records-read" not in html


def test_a_page_of_entries_reads_a_bounded_number_of_the_log_and_skips_none():
    """A log nearly all withheld: the page stops looking after ``EXAMINED_PER_ROW`` entries
    per row, shows what it found, and Older goes on from the last entry examined, so no
    entry the person may see is skipped; Newer leads back."""
    from dynadmin.services.changes.audit_entries import EXAMINED_PER_ROW, visible_page

    for n in range(3):
        audit_entry(n)
    for n in range(3 * EXAMINED_PER_ROW):
        audit_entry(100 + n, pk=hooks_urls.HIDDEN_PK)
    examined = []

    def may_see(entry):
        examined.append(entry)
        return hooks_urls.HIDDEN_PK not in entry.key_text

    page = visible_page(AuditEntry.objects.all(), may_see, size=2)
    assert page.entries == [] and page.has_next and not page.has_previous
    assert len(examined) == 3 * EXAMINED_PER_ROW
    examined.clear()
    older = visible_page(AuditEntry.objects.all(), may_see, size=2, before=page.older_than)
    assert [e.key_text for e in older.entries] == [
        "USER#u1 / ORDER#2024-01-15#2", "USER#u1 / ORDER#2024-01-15#1"]
    assert older.has_next and older.has_previous
    last = visible_page(AuditEntry.objects.all(), may_see, size=2, before=older.older_than)
    assert [e.key_text for e in last.entries] == ["USER#u1 / ORDER#2024-01-15#0"]
    assert not last.has_next
    back = visible_page(AuditEntry.objects.all(), may_see, size=2, after=last.newer_than)
    assert [e.key_text for e in back.entries] == [e.key_text for e in older.entries]
    assert back.has_previous


def test_the_lookup_box_finds_no_user_not_viewable_by_email(staff_client, shop_table):
    from examples.shop.definitions import User

    for user_id in ("hidden", "u1"):
        data.put_item(shop_table, User.build_item({
            "user_id": user_id, "email": f"{user_id}@example.com"}),
            condition=AttributeNotExists("PK"))
    box = reverse("dynadmin:lookup")
    assert staff_client.get(box, {"q": "u1@example.com"}).status_code == 302
    response = staff_client.get(box, {"q": "hidden@example.com"})
    assert response.status_code == 200 and "USER#hidden" not in response.content.decode()
    assert "Nothing found for “hidden@example.com”" in unescape(response.content.decode())


def test_lists_say_that_items_may_be_left_out_under_a_per_item_hook(staff_client,
                                                                   hidden_order,
                                                                   archive_table):
    """Always, and without a number: as for a person who may not view some entities."""
    notice = "you may not view are left out"
    for url in (reverse("dynadmin:partition", kwargs={"table": "Application"})
                + "?pk=USER%23u1",
                reverse("dynadmin:entity", kwargs={"entity": "Application.Order"}),
                reverse("dynadmin:activity", kwargs={"table": "Application"})):
        assert notice in staff_client.get(url).content.decode(), url
