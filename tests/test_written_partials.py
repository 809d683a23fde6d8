"""The partials around a list's rows (the pager, a group's table, the form running an action
on selected rows) are written in Python while a project does not override them
(``services/display/partials.py``): every page reads as its templates render it, and a
project's override is what renders."""

import collections
import re
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from dynadmin.services.display import partials

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(monkeypatch):
    """How many times each writer's markup was used (its template not rendered)."""
    used = collections.Counter()
    for name, writer in dict(partials.WRITERS).items():

        def counted(context, writer=writer, name=name):
            text = writer(context)
            if text is not None:
                used[name] += 1
            return text

        monkeypatch.setitem(partials.WRITERS, name, counted)
    return used


def partition(**params):
    return reverse("dynadmin:partition", kwargs={"table": "Application"}) + "?" + urlencode(
        {"pk": "USER#u1", **params})


def cursor_link(response, rel):
    from html import unescape

    return unescape(re.search(rf'rel="{rel}" href="([^"]*)"', response.content.decode())[1])


def test_list_pages_are_written_in_python_and_read_as_their_templates(
        staff_client, orders, order, written, settings):
    # DYNADMIN_CHECK_REUSED (the test settings) renders each template beside its writer and
    # raises when they differ: these pages pass only if every writer writes its template.
    assert settings.DYNADMIN_CHECK_REUSED
    first = staff_client.get(partition(limit=2))
    assert first.status_code == 200
    second = staff_client.get(cursor_link(first, "next"))
    assert second.status_code == 200 and 'rel="prev"' in second.content.decode()
    fragment = staff_client.get(partition(limit=2), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    entity = staff_client.get(reverse("dynadmin:entity", kwargs={"entity": "Application.Order"}))
    assert entity.status_code == 200
    empty = staff_client.get(partition(sk_op="begins_with", sk="NOTHING#"))
    assert "Nothing in this partition matches" in empty.content.decode()
    # the pager twice a page, each group's table inside its actions form (the check's
    # rendering of a template that includes another writes that one again: counts are lower
    # bounds)
    assert written["dynadmin/partials/results.html"] >= 5
    assert written["dynadmin/partials/pager.html"] >= 8
    assert written["dynadmin/partials/group_rows.html"] >= 4
    assert written["dynadmin/partials/rows_table.html"] >= 4
    assert "data-selection-form" in first.content.decode()
    assert written["dynadmin/includes/cost.html"] >= 4  # each whole page (not the fragment)


def test_every_page_s_footer_is_written_with_its_calls_or_none(
        client, staff_client, django_user_model, orders, written):
    from django.contrib.auth.models import Permission

    one = staff_client.get(partition(limit=2)).content.decode()
    assert "This page made 1 DynamoDB call:" in one and " RCU" in one  # all of the details
    none = staff_client.get(reverse("dynadmin:recent_actions")).content.decode()
    assert "This page made no DynamoDB calls." in none
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_application_order"))
    client.force_login(viewer)
    theirs = client.get(partition(limit=2)).content.decode()
    assert "This page made 1 DynamoDB call:" in theirs and " RCU" not in theirs
    assert written["dynadmin/includes/cost.html"] >= 3


def test_a_page_without_actions_and_a_person_who_may_run_none(
        client, django_user_model, orders, written):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_application_order"))
    client.force_login(user)
    page = client.get(partition())
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-selection-form" not in html and 'name="rows"' not in html
    assert written["dynadmin/partials/group_rows.html"] >= 1


def test_a_project_overriding_a_partial_gets_its_override(staff_client, orders, written,
                                                          settings, tmp_path):
    override = tmp_path / "dynadmin" / "partials"
    override.mkdir(parents=True)
    (override / "pager.html").write_text('<nav class="pager">THE PROJECT\'S PAGER</nav>\n')
    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}]
    html = staff_client.get(partition(limit=2)).content.decode()
    assert html.count("THE PROJECT'S PAGER") == 2
    assert written["dynadmin/partials/pager.html"] == 0
    assert written["dynadmin/partials/group_rows.html"] >= 1  # the others still written


def test_a_writer_that_differs_from_its_template_is_caught(staff_client, orders, monkeypatch):
    def wrong(context):
        return '<nav class="pager"></nav>\n'

    monkeypatch.setitem(partials.WRITERS, "dynadmin/partials/pager.html", wrong)
    with pytest.raises(ImproperlyConfigured, match="pager.html differs from its template"):
        staff_client.get(partition(limit=2))


def test_a_writer_declining_its_context_leaves_it_to_the_template(staff_client, orders,
                                                                  monkeypatch):
    monkeypatch.setitem(partials.WRITERS, "dynadmin/partials/pager.html", lambda context: None)
    html = staff_client.get(partition(limit=2)).content.decode()
    assert html.count('<nav class="pager"') == 2


def test_an_item_pages_values_nested_or_not_are_written_in_python(staff_client, shop_table,
                                                                   written):
    import datetime as dt
    from decimal import Decimal

    from dynadmin import data
    from dynadmin.data.conditions import AttributeNotExists
    from examples.shop.definitions import Order

    item = Order.build_item({
        "user_id": "u9", "order_id": "9", "placed_on": "2024-02-01", "status": "PAID",
        "placed_at": dt.datetime(2024, 2, 1, 9, tzinfo=dt.UTC),
        "total": Decimal("12.345"), "currency": "EUR", "version": 1,
        "shipping_address": {"line1": "1 <Main> St", "city": "Ghent"}})
    item["extra_info"] = {"tags": ["a & b", Decimal("1.50")], "flag": True}
    data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    page = staff_client.get(reverse("dynadmin:item", kwargs={"table": "Application"}) + "?"
                            + urlencode({"pk": item["PK"], "sk": item["SK"]}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 &lt;Main&gt; St" in html and "a &amp; b" in html and 'class="raw-json"' in html
    assert written["dynadmin/partials/value.html"] >= 8  # fields, and each nested entry
    assert written["dynadmin/partials/value_inline.html"] >= 6
    # the technical details (keys, stored types: extra_info is an attribute no field
    # declares) and the fields around those values
    assert written["dynadmin/partials/item_keys.html"] == 1
    assert written["dynadmin/partials/item_fields.html"] == 1
    assert "extra_info" in html and "Technical details" in html
