"""Forms a person can work with: read-only fields as text, key fields saying they move the
item, no internal counters on create, a Cancel link and the first field focused."""

import pytest
from django.urls import reverse

from tests.test_conflicts import order  # noqa: F401
from tests.test_edit import ORDER_KEY, edit_url

pytestmark = pytest.mark.django_db


def test_the_edit_form(staff_client, order):  # noqa: F811
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
