"""A generated definitions module, loaded into the ready-made project
against its sample data on DynamoDB Local, browses, looks up and edits like hand-written
definitions, over HTTP.

The shop's design is described as a OneTable schema (``examples/shop/models/
shop.onetable.json``: the same keys and indexes as ``examples/shop/definitions.py``);
``dynadmin_import`` turns it into a module, served as a second site at ``/imported/`` beside
the project's hand-written one at ``/``, both over the seeded table.
"""

from __future__ import annotations

import re
from html import unescape
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.urls import reverse

from dynadmin import data
from examples.shop import seed
from tests.generated_sites import generated_site, mount
from tests.test_edit_validation import form_data

pytestmark = pytest.mark.django_db

MODEL = Path(__file__).resolve().parent.parent / "examples/shop/models/shop.onetable.json"
ALICE = f"USER#{seed.ALICE['user_id']}"
#: which site each request goes to: the generated one, and the hand-written one
SITES = ("imported", "dynadmin")


@pytest.fixture
def seeded_shop(shop_table, settings, tmp_path):
    target = tmp_path / "shop_imported.py"
    call_command("dynadmin_import", "--format", "onetable", str(MODEL), "--table",
                 "Application", "--output", str(target), stderr=StringIO())
    module, site = generated_site(target, "imported")
    mount(settings, site, "imported")
    items = list(seed.generate(users=8, orders=30))
    data.load_items_unconditionally(shop_table, items)
    return module, items


def _url(site: str, name: str, **query: str) -> str:
    return (reverse(f"{site}:{name}", kwargs={"table": "Application"}, current_app=site)
            + "?" + urlencode(query))


def _rows(response) -> dict[str, list[str]]:
    """Entity label → the keys of its rows, as the page groups them."""
    return {g.label: sorted(r.key_text for r in g.rows) for g in response.context["groups"]}


def test_a_user_s_partition_groups_its_items_as_the_hand_written_site_does(
        staff_client, seeded_shop):
    _, items = seeded_shop
    pages = {s: staff_client.get(_url(s, "partition", pk=ALICE, limit="100")) for s in SITES}

    assert {s: p.status_code for s, p in pages.items()} == {s: 200 for s in SITES}
    generated, written = (_rows(pages[s]) for s in SITES)
    assert set(generated) == {"User", "Order", "Session"}
    assert "Unclassified" not in unescape(pages["imported"].content.decode())
    assert generated == written
    stored = [i for i in items if i["PK"] == ALICE]
    assert sum(len(keys) for keys in generated.values()) == len(stored)
    assert pages["imported"]["X-Dynadmin-Calls"] == "Query"


def test_an_order_id_looked_up_on_its_index_opens_the_order(staff_client, seeded_shop):
    order = reverse("imported:entity_lookup", args=["Application.Order", "by_gsi1"],
                    current_app="imported")

    found = staff_client.get(order, {"order_id": seed.KNOWN_ORDER_ID})

    assert found.status_code == 302
    assert found["Location"].startswith(_url("imported", "item", pk=ALICE, sk="ORDER#"))
    assert found["Location"].endswith(f"%23{seed.KNOWN_ORDER_ID}")
    assert found["X-Dynadmin-Calls"] == "Query"
    # the hand-written site's lookup of the same order lands on the same item
    written = staff_client.get(reverse("dynadmin:lookup"), {"q": seed.KNOWN_ORDER_ID})
    assert written["Location"].split("?")[1] == found["Location"].split("?")[1]


def test_an_email_typed_in_the_global_box_finds_the_user(staff_client, seeded_shop):
    box = reverse("imported:lookup", current_app="imported")

    found = staff_client.get(box, {"q": seed.ALICE["email"]})

    assert found.status_code == 302, unescape(found.content.decode())[:2000]
    assert found["Location"] == _url("imported", "item", pk=ALICE, sk="METADATA")
    assert set(found["X-Dynadmin-Calls"].split(",")) == {"Query"}  # one per lookup, no Scan


def test_an_edit_is_a_guarded_write_that_saves_and_a_stale_one_conflicts(
        staff_client, client, django_user_model, seeded_shop):
    module, _ = seeded_shop
    key = {"PK": ALICE, "SK": "METADATA"}
    other = django_user_model.objects.create_superuser("bob", "bob@example.com", "pw")
    client.force_login(other)
    edit = _url("imported", "edit", pk=ALICE, sk="METADATA")
    mine, theirs = form_data(staff_client.get(edit)), form_data(client.get(edit))
    assert mine["name"] == seed.ALICE["name"]

    saved = staff_client.post(edit, mine | {"name": "Alice Pleasance Liddell"})

    assert saved.status_code == 302, unescape(saved.content.decode())[:2000]
    stored = data.get_item(module.application, key, consistent=True)
    assert stored["name"] == "Alice Pleasance Liddell"
    from dynadmin.models import AuditEntry

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.outcome, set(entry.diff)) == ("update", "applied", {"name"})
    assert "name" in entry.condition  # guarded by the value the form was opened with

    stale = client.post(edit, theirs | {"name": "Alice L."})

    assert stale.status_code == 409
    assert "Alice Pleasance Liddell" in unescape(stale.content.decode())
    assert data.get_item(module.application, key, consistent=True)["name"] == (
        "Alice Pleasance Liddell")


def test_a_status_listing_pages_orders_like_the_hand_written_one(staff_client, seeded_shop):
    generated = reverse("imported:entity", args=["Application.Order"], current_app="imported")
    written = reverse("dynadmin:entity", args=["Application.Order"])

    pages = [staff_client.get(generated, {"status": "PENDING"}),
             staff_client.get(written, {"status": "PENDING"})]

    assert [p.status_code for p in pages] == [200, 200]
    keys = [sorted(r.key_text for g in p.context["groups"] for r in g.rows) for p in pages]
    assert keys[0] == keys[1] and keys[0]
    tabs = re.findall(r'<nav class="tabs"[^>]*>(.*?)</nav>', pages[0].content.decode(), re.S)
    assert "CANCELLED" in tabs[0]


def test_the_create_form_starts_with_the_default_the_schema_declares(staff_client, seeded_shop):
    # shop.onetable.json: tier {enum: [FREE, PRO, ENTERPRISE], default: FREE}
    url = reverse("imported:add", kwargs={"entity": "Application.User"}, current_app="imported")
    form = staff_client.get(url).context["form"]
    assert form.initial.get("tier") == "FREE"
