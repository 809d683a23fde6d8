"""Who made each archived change: a write made through dynadmin is credited to its audit entry
by something exact (the Version it went between, the write marker it set), else by both of
its images in stream order; a script's change that looks the same is "made elsewhere", and a
TTL deletion is DynamoDB's. Changes are made over HTTP and with boto3 on DynamoDB Local,
archived by the consumer and read back from the archive, as the pages do."""

from __future__ import annotations

import datetime as dt
import re
import sys
import types
import uuid
from collections.abc import Iterator
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.urls import path, reverse

import dynadmin
from dynadmin import Entity, Key, Table, data, fields
from dynadmin.checks import check_definitions
from dynadmin.data.serialization import same_value
from dynadmin.editing import audit, writes
from dynadmin.editing.raw import check_raw_item
from dynadmin.editing.validation import ItemInvalid
from dynadmin.history.consumer import archive_records, follow_once
from dynadmin.history.reading import ArchivedChange, item_history
from dynadmin.models import AuditEntry
from dynadmin.services.changes.attribution import attribute, audit_entries_for
from dynadmin.sites import AdminSite
from examples.shop.definitions import OrderItem

from .conftest import physical_table
from .support.changes import KEY, app, order
from .support.editing import edit_url, form_data, q

pytestmark = pytest.mark.django_db


# -- a design whose entity has no Version, but a write marker -----------------------------
ledger = Table("Ledger", pk="PK", sk="SK", type_attribute="type")


class Note(Entity, table=ledger, label="Note {note_id}"):
    keys = Key(pk="NOTE#{note_id}", sk="NOTE")

    note_id = fields.String(required=True)
    text = fields.String()
    written_by = fields.WriteMarker(attribute="dynadmin_write")


notes = AdminSite(name="notes")
notes.register(Note)


@pytest.fixture
def ledger_table(dynamodb_endpoint: str, settings) -> Iterator[Table]:  # noqa: ANN001
    """The Ledger's table, served by a site of its own under /notes/ (the project's at /)."""
    urlconf = types.ModuleType(f"tests_attribution_urls_{uuid.uuid4().hex[:8]}")
    urlconf.urlpatterns = [path("notes/", notes.urls), path("", dynadmin.site.urls)]
    sys.modules[urlconf.__name__] = urlconf
    settings.ROOT_URLCONF = urlconf.__name__
    with physical_table(ledger) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        yield ledger
    del sys.modules[urlconf.__name__]


def note_url(note_id: str, view: str = "edit") -> str:
    return reverse(f"dynadmin:{view}", kwargs={"table": "Ledger"}, current_app="notes") + q(
        {"PK": f"NOTE#{note_id}", "SK": "NOTE"})


def note(note_id: str, **values: Any) -> dict[str, Any]:
    return {"PK": f"NOTE#{note_id}", "SK": "NOTE", "type": "note", "note_id": note_id,
            "text": "draft", **values}


# -- reading back, labelling ------------------------------------------------------------------
def archived(table: Table, *keys: dict[str, Any]) -> list[ArchivedChange]:
    """The consumer's pass, then each item's changes read back from the archive, newest
    first, as an item's History reads them."""
    follow_once(table)
    changes: list[ArchivedChange] = []
    for key in keys:
        changes += item_history(table, key, count=50).changes
    return changes


def credited(table: Table, changes: list[ArchivedChange], key: dict[str, Any] | None = None
             ) -> list[str]:
    """Each change's label, newest first: the user whose dynadmin write made it, "ttl" or
    "elsewhere". The same whatever order the records are given in."""
    entries = audit_entries_for(table, key, changes)
    labels = []
    for given in (changes, changes[::-1], sorted(changes, key=lambda c: c.event_name)):
        made = attribute(table, given, entries)
        labels.append([made[c.sequence_number].username if c.sequence_number in made
                       else "ttl" if c.is_ttl_deletion else "elsewhere" for c in changes])
    assert labels[0] == labels[1] == labels[2], labels
    return labels[0]


def events(changes: list[ArchivedChange]) -> list[str]:
    return [c.event_name for c in changes]


def edit(client: Any, url: str, **changes: str) -> None:
    response = client.post(url, form_data(client.get(url)) | changes)
    assert response.status_code == 302, response.content.decode()[:2000]


def same_item(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    return a is not None and b is not None and a.keys() == b.keys() and all(
        same_value(a[n], b[n]) for n in a)


# -- the probe: two identical images within the minute -----------------------------------
def test_with_a_version_an_admin_and_a_script_writing_the_same_image_are_both_labelled_right(
        history, shop_table, staff_client, dynamodb_endpoint) -> None:
    application = app(dynamodb_endpoint, shop_table)
    # Admin first: the admin marks order 456 paid; a script that ignores the version then
    # ships it and puts back the image it read, version and all.
    application.put_item(Item=order())
    edit(staff_client, edit_url(KEY), status="PAID")
    paid = application.get_item(Key=KEY)["Item"]
    application.update_item(Key=KEY, UpdateExpression="SET #s = :s",
                            ExpressionAttributeNames={"#s": "status"},
                            ExpressionAttributeValues={":s": "SHIPPED"})
    application.put_item(Item=paid)
    # Script first: a script writes order 789 as the admin will (paid, version 2), then puts
    # back the order as it was at version 1; the admin then marks it paid.
    other = {"PK": "USER#u1", "SK": "ORDER#2024-01-16#789"}
    placed = {"order_id": "789", "placed_on": "2024-01-16"}
    application.put_item(Item=order(**placed, total=Decimal("1.00"), version=2))
    application.put_item(Item=order(**placed, status="PAID", version=2))
    application.put_item(Item=order(**placed, version=1))
    edit(staff_client, edit_url(other), status="PAID")
    assert same_item(data.get_item(shop_table, other), order(**placed, status="PAID", version=2))

    first = archived(shop_table, KEY)
    assert events(first) == ["MODIFY", "MODIFY", "MODIFY", "INSERT"]
    assert first[0].new_image == first[2].new_image  # the script's image is the admin's
    assert credited(shop_table, first, KEY) == ["elsewhere", "elsewhere", "admin", "elsewhere"]
    second = archived(shop_table, other)
    assert second[0].new_image == second[2].new_image
    assert credited(shop_table, second, other) == [
        "admin", "elsewhere", "elsewhere", "elsewhere"]


def test_with_a_write_marker_an_admin_and_a_script_writing_the_same_image_are_both_right(
        history, ledger_table, staff_client, dynamodb_endpoint) -> None:
    application = app(dynamodb_endpoint, ledger_table)
    # Admin first: the admin writes "final"; a script changes the note and puts back the
    # image it read, the admin's marker with it.
    application.put_item(Item=note("n1"))
    edit(staff_client, note_url("n1"), text="final")
    written = application.get_item(Key={"PK": "NOTE#n1", "SK": "NOTE"})["Item"]
    assert len(written["dynadmin_write"]) == 32
    application.put_item(Item={**written, "text": "draft"})
    application.put_item(Item=written)
    # Script first: a script writes "final", then "draft" again; the admin then writes
    # "final", the same image but for its marker.
    application.put_item(Item=note("n2"))
    application.put_item(Item=note("n2", text="final"))
    application.put_item(Item=note("n2"))
    edit(staff_client, note_url("n2"), text="final")

    first = archived(ledger_table, {"PK": "NOTE#n1", "SK": "NOTE"})
    assert first[0].new_image == first[2].new_image
    assert credited(ledger_table, first) == ["elsewhere", "elsewhere", "admin", "elsewhere"]
    second = archived(ledger_table, {"PK": "NOTE#n2", "SK": "NOTE"})
    assert credited(ledger_table, second) == ["admin", "elsewhere", "elsewhere", "elsewhere"]


def test_without_either_an_admin_then_a_script_writing_the_same_image_are_both_right(
        history, shop_table, staff_client, dynamodb_endpoint) -> None:
    """An order line has no Version: the admin's change is told by both its images and by
    coming first in the stream, though the script's change has the very same images."""
    application = app(dynamodb_endpoint, shop_table)
    line_key = {"PK": "ORDER#456", "SK": "ITEM#p1"}
    line = OrderItem.build_item({"order_id": "456", "product_id": "p1", "quantity": 1,
                                 "unit_price": Decimal("24.50"), "currency": "EUR",
                                 "product_name": "Kettle"})
    application.put_item(Item=line)
    edit(staff_client, edit_url(line_key), quantity="2")
    two = application.get_item(Key=line_key)["Item"]
    application.put_item(Item=line)
    application.put_item(Item=two)

    changes = archived(shop_table, line_key)
    assert events(changes) == ["MODIFY", "MODIFY", "MODIFY", "INSERT"]
    assert (changes[0].old_image, changes[0].new_image) == (
        changes[2].old_image, changes[2].new_image)
    assert credited(shop_table, changes, line_key) == [
        "elsewhere", "elsewhere", "admin", "elsewhere"]


# -- TTL, moves, deletes --------------------------------------------------------------------
def test_a_ttl_deletion_is_dynamodbs_even_beside_a_delete_whose_outcome_is_unknown(
        history, shop_table, staff_client, dynamodb_endpoint) -> None:
    """A delete through dynadmin timed out (its outcome unknown) while DynamoDB's TTL
    deleted the item: the deletion is TTL's, by its service identity."""
    app(dynamodb_endpoint, shop_table).put_item(Item=order())
    follow_once(shop_table)
    stored = data.get_item(shop_table, KEY)
    audit.record(user=staff_client.user, table=shop_table, key=KEY, action="delete",
                 condition="attribute_exists(PK) AND version = 1", before=stored, after=None,
                 entity="Application.Order", outcome=AuditEntry.Outcome.UNKNOWN)
    inserted = item_history(shop_table, KEY, count=5).changes[0]
    expired = data.StreamRecord(
        event_id="ttl", event_name="REMOVE", when=dt.datetime.now(dt.UTC),
        sequence_number=str(int(inserted.sequence_number) + 1), shard_id=inserted.shard_id,
        keys=KEY, old_image=stored, identity_type="Service",
        principal="dynamodb.amazonaws.com")
    assert archive_records(shop_table.table_name, [expired]).archived == 1

    changes = item_history(shop_table, KEY, count=5).changes
    assert events(changes) == ["REMOVE", "INSERT"]
    assert changes[0].is_ttl_deletion
    assert credited(shop_table, changes, KEY) == ["ttl", "elsewhere"]


def test_a_key_move_credits_both_its_changes_to_its_one_entry(
        history, shop_table, staff_client, dynamodb_endpoint) -> None:
    """The admin moves order 456 to another day; a script then puts the order back at its
    old key and deletes it, and deletes and puts it again at its new one: the same four
    images, only the admin's two are the move's."""
    application = app(dynamodb_endpoint, shop_table)
    application.put_item(Item=order())
    moved_key = {"PK": "USER#u1", "SK": "ORDER#2024-02-01#456"}
    edit(staff_client, edit_url(KEY), placed_on="2024-02-01")
    moved = application.get_item(Key=moved_key)["Item"]
    application.put_item(Item=order())
    application.delete_item(Key=KEY)
    application.delete_item(Key=moved_key)
    application.put_item(Item=moved)

    left = archived(shop_table, KEY)
    reached = archived(shop_table, moved_key)
    assert events(left) == ["REMOVE", "INSERT", "REMOVE", "INSERT"]
    assert events(reached) == ["INSERT", "REMOVE", "INSERT"]
    labels = credited(shop_table, left + reached)
    assert labels == ["elsewhere", "elsewhere", "admin", "elsewhere",
                      "elsewhere", "elsewhere", "admin"]
    entry = AuditEntry.objects.get(action="move")
    made = attribute(shop_table, left + reached, audit_entries_for(shop_table, None,
                                                                   left + reached))
    assert made[left[2].sequence_number] == entry == made[reached[2].sequence_number]


def test_a_delete_is_credited_and_the_same_deletion_by_a_script_is_not(
        history, shop_table, staff_client, dynamodb_endpoint) -> None:
    application = app(dynamodb_endpoint, shop_table)
    application.put_item(Item=order())
    url = reverse("dynadmin:delete", kwargs={"table": "Application"}) + q(KEY)
    token = re.search(r'name="original" value="([^"]*)"',
                      staff_client.get(url).content.decode()).group(1)
    assert staff_client.post(url, {"original": unescape(token)}).status_code == 302
    application.put_item(Item=order())
    application.delete_item(Key=KEY)

    changes = archived(shop_table, KEY)
    assert events(changes) == ["REMOVE", "INSERT", "REMOVE", "INSERT"]
    assert changes[0].old_image == changes[2].old_image
    assert credited(shop_table, changes, KEY) == ["elsewhere", "elsewhere", "admin", "elsewhere"]


# -- the write marker: set by every write dynadmin makes, never by a person ---------------
def marker_of(table: Table, note_id: str) -> str:
    stored = data.get_item(table, {"PK": f"NOTE#{note_id}", "SK": "NOTE"})
    assert stored is not None
    return str(stored["dynadmin_write"])


def test_every_write_sets_a_fresh_marker_that_no_form_shows_and_its_entry_holds(
        ledger_table, staff_client) -> None:
    add_url = reverse("dynadmin:add", kwargs={"entity": "Ledger.Note"}, current_app="notes")
    form = staff_client.get(add_url)
    assert form.status_code == 200
    assert "written_by" not in form.context["form"].fields
    assert "dynadmin_write" not in form.content.decode()
    assert staff_client.post(add_url, {"note_id": "n1", "text": "draft",
                                       "__extra__": "{}"}).status_code == 302
    markers = [marker_of(ledger_table, "n1")]
    assert "written_by" not in staff_client.get(note_url("n1")).context["form"].fields
    edit(staff_client, note_url("n1"), text="final")
    markers.append(marker_of(ledger_table, "n1"))
    # A key move: the item reached holds a marker of its own.
    edit(staff_client, note_url("n1"), note_id="n2")
    markers.append(marker_of(ledger_table, "n2"))
    undo = reverse("dynadmin:undo", kwargs={"table": "Ledger", "entry_id": AuditEntry.objects
                                            .latest("id").pk}, current_app="notes")
    assert staff_client.post(undo).status_code == 302
    markers.append(marker_of(ledger_table, "n1"))

    assert len(set(markers)) == 4 and all(re.fullmatch(r"[0-9a-f]{32}", m) for m in markers)
    entries = list(AuditEntry.objects.order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "move", "undo"]
    assert [audit_after(e)["dynadmin_write"] for e in entries] == markers


def audit_after(entry: AuditEntry) -> dict[str, Any]:
    from dynadmin.data.serialization import loads_dynamodb_json

    return loads_dynamodb_json(entry.after)


def test_a_raw_edit_may_not_change_the_marker() -> None:
    original = note("n1", dynadmin_write="a" * 32)
    with pytest.raises(ItemInvalid, match="dynadmin_write cannot be changed"):
        check_raw_item(ledger, original, {**original, "dynadmin_write": "b" * 32})
    assert check_raw_item(ledger, original, {**original, "text": "x"})["text"] == "x"


def test_a_conflict_never_asks_about_the_marker(ledger_table) -> None:
    from dynadmin.editing.conflicts import differences

    original = note("n1", dynadmin_write="a" * 32)
    theirs = {**original, "text": "theirs", "dynadmin_write": "b" * 32}
    mine = {**original, "text": "mine", "dynadmin_write": "c" * 32}
    assert [d.attribute for d in differences(ledger, original, theirs, mine)] == ["text"]


def test_each_write_stores_a_fresh_marker_and_its_result_holds_it(ledger_table) -> None:
    from django.contrib.auth.models import AnonymousUser

    created = writes.create(ledger, note("n1"), user=AnonymousUser())
    saved = writes.save(ledger, created.after, {**created.after, "text": "final"},
                        user=AnonymousUser())
    assert saved.after is not None and created.after is not None
    assert saved.after["dynadmin_write"] != created.after["dynadmin_write"]
    assert data.get_item(ledger, {"PK": "NOTE#n1", "SK": "NOTE"}) == saved.after


# -- the declaration ------------------------------------------------------------------------
def check_ids(entity: type[Entity]) -> list[str]:
    site = AdminSite(name="checked")
    site.register(entity)
    return sorted({message.id for message in check_definitions(site=site)})


def test_the_marker_declared_twice_or_over_another_attribute_is_refused() -> None:
    table = Table("Checked", type_attribute="type", ttl_attribute="ttl")

    class Twice(Entity, table=table):
        keys = Key(pk="TWICE#{twice_id}", sk="A")
        twice_id = fields.String()
        one = fields.WriteMarker()
        two = fields.WriteMarker()

    class OnTheType(Entity, table=table):
        keys = Key(pk="TYPE#{type_id}", sk="B")
        type_id = fields.String()
        written = fields.WriteMarker(attribute="type")

    class OnAField(Entity, table=table):
        keys = Key(pk="FIELD#{field_id}", sk="C")
        field_id = fields.String()
        text = fields.String()
        written = fields.WriteMarker(attribute="text")

    class OnTheKey(Entity, table=table):
        keys = Key(pk="KEY#{key_id}", sk="D")
        key_id = fields.String()
        written = fields.WriteMarker(attribute="SK")

    class BesideAVersion(Entity, table=table):
        keys = Key(pk="VERSIONED#{versioned_id}", sk="E")
        versioned_id = fields.String()
        version = fields.Version()
        written = fields.WriteMarker()

    class Fine(Entity, table=table):
        keys = Key(pk="FINE#{fine_id}", sk="F")
        fine_id = fields.String()
        written = fields.WriteMarker(attribute="dynadmin_write")

    assert check_ids(Twice) == ["dynadmin.E017"]
    assert check_ids(OnTheType) == check_ids(OnAField) == check_ids(OnTheKey) == [
        "dynadmin.E018"]
    assert check_ids(BesideAVersion) == ["dynadmin.W003"]
    assert check_ids(Fine) == []
