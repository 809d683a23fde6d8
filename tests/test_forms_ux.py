"""Forms a person can work with: read-only fields as text, key fields saying they move the
item, no internal counters on create, a Cancel link and the first field focused."""

import pytest
from django.urls import reverse

from tests.support.editing import ORDER_KEY, edit_url

pytestmark = pytest.mark.django_db


def test_the_edit_form(staff_client, order):
    response = staff_client.get(edit_url(ORDER_KEY))
    html = response.content.decode()
    form = response.context["form"]
    # The version counter is shown as text, not as a disabled input.
    assert 'name="version"' not in html and 'class="readonly-value"' in html
    assert "Part of the item&#x27;s key (USER#{user_id} / ORDER#{placed_on}#{order_id}): " \
           "changing this moves the item." in html
    assert "changing this moves the item" not in str(form.fields["status"].help_text)
    # Focus starts on the first field that neither moves the item nor is read-only.
    assert form.fields["placed_on"].disabled is False and "user_id" in form.fields
    assert form.fields["status"].widget.attrs.get("autofocus") is True
    assert html.count("autofocus") == 1
    assert 'href="/t/Application/item/?pk=USER%23u1&amp;sk=ORDER%232024-01-15%23456"' \
           ">Cancel</a>" in html.replace('class="button" ', "")


def test_the_create_form_has_no_internal_attributes_and_cancels_to_the_entity(staff_client,
                                                                              shop_table):
    response = staff_client.get(reverse("dynadmin:add", kwargs={"entity": "Application.User"}))
    html = response.content.decode()
    assert "version" not in response.context["form"].fields
    for internal in ('name="GSI1PK"', 'name="type"', 'name="PK"'):
        assert internal not in html
    assert 'href="/e/Application.User/">Cancel</a>' in html.replace('class="button" ', "")
    assert 'autofocus' in html


def _crumbs(html):
    """The breadcrumb as (text, link or None) pairs."""
    import re
    from html import unescape

    trail = re.search(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', html, re.S)
    assert trail, "no breadcrumb"
    return [(unescape(re.sub(r"<[^>]+>", "", item)).strip(),
             unescape(m[1]) if (m := re.search(r'href="([^"]*)"', item)) else None)
            for item in re.findall(r"<li[^>]*>(.*?)</li>", trail.group(1), re.S)]


def test_the_edit_form_names_the_item(staff_client, order):
    from html import unescape

    html = staff_client.get(edit_url(ORDER_KEY)).content.decode()

    assert "<h1>Change Order 456 · 2024-01-15</h1>" in unescape(html)
    assert "<title>Change Order 456 · 2024-01-15 · dynadmin</title>" in unescape(html)
    assert _crumbs(html) == [
        ("Dashboard", "/"), ("Orders", "/e/Application.Order/"),
        ("Order 456 · 2024-01-15",
         unescape("/t/Application/item/?pk=USER%23u1&amp;sk=ORDER%232024-01-15%23456")),
        ("Change", None)]


def test_save_and_continue_editing_comes_back_to_the_form(staff_client, order,
                                                         shop_table):
    from dynadmin import data
    from tests.forms_as_shown import shown_fields

    page = staff_client.get(edit_url(ORDER_KEY))
    assert 'name="_continue"' in page.content.decode()
    fields = shown_fields(page) | {"status": "PAID", "_continue": "1"}

    response = staff_client.post(edit_url(ORDER_KEY), fields, follow=True)

    assert response.redirect_chain[-1][0] == edit_url(ORDER_KEY)
    assert "Saved." in response.content.decode()
    assert response.context["form"].initial["status"] == "PAID"
    assert data.get_item(shop_table, ORDER_KEY, consistent=True)["status"] == "PAID"


def test_create_and_continue_editing_opens_the_new_item(staff_client, shop_table):
    from dynadmin import data

    url = reverse("dynadmin:add", kwargs={"entity": "Application.User"})
    assert 'name="_continue"' in staff_client.get(url).content.decode()

    response = staff_client.post(url, {"user_id": "c0ffee00", "email": "c@example.com",
                                       "tier": "FREE", "__extra__": "{}", "_continue": "1"})

    assert response.status_code == 302
    assert response["Location"] == edit_url({"PK": "USER#c0ffee00", "SK": "METADATA"})
    assert data.get_item(shop_table, {"PK": "USER#c0ffee00", "SK": "METADATA"},
                         consistent=True)["email"] == "c@example.com"


def test_a_list_of_text_is_edited_one_value_per_line(staff_client, order,
                                                     shop_table):
    from dynadmin import data
    from tests.forms_as_shown import shown_fields

    page = staff_client.get(edit_url(ORDER_KEY))
    fields = shown_fields(page)
    assert fields["notes"] == ""  # no notes yet: an empty box, not "JSON"
    assert "JSON" not in str(page.context["form"].fields["notes"].help_text)

    fields["notes"] = "leave at the door\r\nring twice\r\n"
    response = staff_client.post(edit_url(ORDER_KEY), fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert data.get_item(shop_table, ORDER_KEY, consistent=True)["notes"] == [
        "leave at the door", "ring twice"]

    page = staff_client.get(edit_url(ORDER_KEY))
    assert shown_fields(page)["notes"] == "leave at the door\r\nring twice"
    fields = shown_fields(page) | {"notes": "leave at the door\r\nring twice\r\n{not json"}
    response = staff_client.post(edit_url(ORDER_KEY), fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert data.get_item(shop_table, ORDER_KEY, consistent=True)["notes"] == [
        "leave at the door", "ring twice", "{not json"]


def test_a_list_of_other_shapes_stays_json(staff_client, order, shop_table):
    from decimal import Decimal

    from dynadmin import data
    from dynadmin.data.conditions import Equals
    from tests.forms_as_shown import shown_fields

    data.update_item(shop_table, ORDER_KEY, set={"notes": ["x", {"by": "ops"}, Decimal(2)]},
                     condition=Equals("version", 1))
    stored = data.get_item(shop_table, ORDER_KEY, consistent=True)
    page = staff_client.get(edit_url(ORDER_KEY))
    assert page.context["form"].fields["notes"].help_text == "JSON"

    response = staff_client.post(edit_url(ORDER_KEY), shown_fields(page))

    assert response.status_code == 302
    assert data.get_item(shop_table, ORDER_KEY, consistent=True) == stored


def test_every_description_an_input_points_at_is_on_the_page(staff_client, order):  # noqa: F811
    """A screen reader reads an input's help and errors through ``aria-describedby``: each
    id it names must be an element of the page, on the edit form as on a lookup's."""
    import re

    lookup = staff_client.get(reverse("dynadmin:entity_lookup", args=["User", "by_email"]),
                              {"email": "not-an-email"})
    for response in (staff_client.get(edit_url(ORDER_KEY)), lookup):
        html = response.content.decode()
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        described = [name for names in re.findall(r'aria-describedby="([^"]+)"', html)
                     for name in names.split()]
        assert described
        assert [name for name in described if name not in ids] == []


def test_the_edit_form_writes_dates_as_every_page_does(staff_client, order):  # noqa: F811
    """A browser's date picker shows the reader's locale (01/15/2024) where every page
    writes 2024-01-15: the form asks dates as ISO text, and shows the stored one so."""
    import re

    html = staff_client.get(edit_url(ORDER_KEY)).content.decode()
    assert 'type="date"' not in html and 'type="datetime-local"' not in html
    placed_on = re.search(r'<input [^>]*name="placed_on"[^>]*>', html).group(0)
    assert 'value="2024-01-15"' in placed_on and 'placeholder="YYYY-MM-DD"' in placed_on
