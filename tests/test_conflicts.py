"""The conflict page: who changed the item, only the fields that differ, by label, and a
choice per field where both people changed it (theirs is never silently overwritten)."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from dynadmin import data
from tests.support.editing import ORDER_KEY, edit_url, form_data

pytestmark = pytest.mark.django_db

RESOLVE = reverse("dynadmin:resolve", kwargs={"table": "Application"})


@pytest.fixture
def two_people(django_user_model):
    people = []
    for name in ("bob", "carol"):
        user = django_user_model.objects.create_superuser(name, f"{name}@example.com", "pw")
        client = Client()
        client.force_login(user)
        people.append(client)
    return people


def conflict_between(bob, carol, bobs_change, carols_change):
    """Both open the edit form; Bob saves first, then Carol meets the conflict page."""
    bobs_form, carols_form = form_data(bob.get(edit_url(ORDER_KEY))), form_data(
        carol.get(edit_url(ORDER_KEY)))
    assert bob.post(edit_url(ORDER_KEY), bobs_form | bobs_change).status_code == 302
    return carol.post(edit_url(ORDER_KEY), carols_form | carols_change)


def tokens(response):
    return dict(re.findall(r'name="(original|theirs|mine|choices)" value="([^"]*)"',
                           response.content.decode()))


def section(html, heading):
    """The text of the page section under ``heading``."""
    start = html.index(f">{heading}</h2>")
    end = html.find("</section>", start)
    return html[start:end]


def test_the_page_names_who_changed_it_and_lists_only_fields_by_label(
        two_people, order, shop_table):
    bob, carol = two_people
    page = conflict_between(bob, carol, {"status": "SHIPPED", "total": "120.00"},
                            {"status": "CANCELLED", "currency": "GBP"})
    html = unescape(page.content.decode())
    text = re.sub(r"<[^>]+>", "", html)
    assert page.status_code == 409
    assert "USER#u1 / ORDER#2024-01-15#456" in html
    assert "Update by bob at" in text  # from the audit log: dynadmin made Bob's change
    both, mine, theirs = (section(html, h) for h in (
        "You both changed", "Only you changed", "Only they changed (kept)"))
    assert "Status" in both and "SHIPPED" in both and "CANCELLED" in both
    assert "Currency" in mine and "GBP" in mine
    assert "Total" in theirs and "120" in theirs
    # Keys, index keys and the version counter are not fields a person decides about.
    for internal in ("GSI2PK", "ORDER#STATUS#", ">version<", ">Version<"):
        assert internal not in html.split("<main", 1)[1].split('name="original"')[0]


def test_mine_is_not_applied_to_a_field_they_changed_unless_chosen(
        two_people, order, shop_table):
    bob, carol = two_people
    page = conflict_between(bob, carol, {"status": "SHIPPED"},
                            {"status": "CANCELLED", "currency": "GBP"})
    assert carol.post(RESOLVE, tokens(page)).status_code == 302  # no choice made
    stored = data.get_item(shop_table, ORDER_KEY)
    assert stored["status"] == "SHIPPED" and stored["GSI2PK"] == "ORDER#STATUS#SHIPPED"
    assert stored["currency"] == "GBP" and stored["version"] == 3


def test_choosing_mine_applies_it_guarded(two_people, order, shop_table):
    bob, carol = two_people
    page = conflict_between(bob, carol, {"status": "SHIPPED"},
                            {"status": "CANCELLED", "currency": "GBP"})
    response = carol.post(RESOLVE, tokens(page) | {"choice-0": "mine"})
    assert response.status_code == 302
    stored = data.get_item(shop_table, ORDER_KEY)
    assert stored["status"] == "CANCELLED" and stored["GSI2PK"] == "ORDER#STATUS#CANCELLED"
    assert stored["currency"] == "GBP" and stored["version"] == 3
    # Guarded again: a second resolve from the same page now meets Carol's own write.
    again = carol.post(RESOLVE, tokens(page) | {"choice-0": "mine"})
    assert again.status_code == 409


def test_altered_choices_are_refused(two_people, order, shop_table):
    bob, carol = two_people
    page = conflict_between(bob, carol, {"status": "SHIPPED"}, {"status": "CANCELLED"})
    posted = tokens(page) | {"choices": "bogus", "choice-0": "mine"}
    assert carol.post(RESOLVE, posted).status_code == 400
    assert data.get_item(shop_table, ORDER_KEY)["status"] == "SHIPPED"
