"""Importing items from a file: every line checked like the create form, bad lines reported
by number, a dry run that never calls DynamoDB, and writes that never overwrite."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.data.serialization import dumps_dynamodb_json
from dynadmin.jobs import imports
from dynadmin.options import EntityAdmin
from dynadmin.plain_json import dumps_plain_json
from dynadmin.sites import site
from examples.shop.definitions import Order, Product, Session, User

pytestmark = pytest.mark.django_db

ORDER_COLUMNS = ["user_id", "order_id", "placed_on", "placed_at", "status", "total",
                 "currency", "item_count", "shipping_address", "notes"]

# Each kind of bad line: the cells it changes, and a word its message must hold.
BAD = [
    ({"total": "12,50"}, "Total: "),                       # a bad number
    ({"placed_on": "2024-02-30"}, "Placed on: "),          # a bad date
    ({"status": ""}, "Status: This field is required"),    # a required field missing
    # a year the key template cannot spell (ORDER#{placed_at:%Y-...} needs four digits)
    ({"placed_at": "0005-01-01 00:00"}, "does not fit ORDER#{placed_at"),
    ({"status": "LOST"}, "Status: Select a valid choice"),  # an unknown Choice
    ({"order_id": "x" * 1100}, "SK is longer than DynamoDB allows"),  # a too-long key
    ({"item_count": "1.5"}, "Item count: "),
    ({"shipping_address": "{not json"}, "Shipping address: not valid JSON"),
    ({"currency": "YEN"}, "Currency: Select a valid choice"),
]


def good_row(n: int) -> dict[str, str]:
    return {"user_id": "u1", "order_id": f"{n:05}", "placed_on": "2024-01-15",
            "placed_at": "2024-01-15 09:30", "status": "PENDING", "total": f"{n}.95",
            "currency": "EUR", "item_count": "2",
            "shipping_address": '{"city": "Lyon"}',
            # a quoted cell spanning lines: later lines are numbered from where records start
            "notes": "fragile\ngift" if n % 250 == 0 else ""}


def order_file(rows: int, bad_every: int) -> tuple[bytes, dict[int, str]]:
    """A CSV of ``rows`` orders of u1; every ``bad_every``-th row bad, of the kinds above in
    turn (one row with a cell too many among them). Returns the file and the expected bad
    line numbers with a word of each one's message."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ORDER_COLUMNS)
    bad: dict[int, str] = {}
    line = 2
    for n in range(rows):
        row = good_row(n)
        extra: list[str] = []
        if n % bad_every == bad_every - 1:
            kind = len(bad) % (len(BAD) + 1)
            if kind == len(BAD):
                extra, word = ["surplus"], "11 cells, but the header names 10 columns"
            else:
                row |= BAD[kind][0]
                word = BAD[kind][1]
            bad[line] = word
        start = out.tell()
        writer.writerow([row[c] for c in ORDER_COLUMNS] + extra)
        line += out.getvalue()[start:].count("\n")
    return out.getvalue().encode(), bad


def orders_of_u1(table) -> list[dict]:
    items, start = [], None
    while True:
        page = data.query(table.primary, "USER#u1", consistent=True, limit=1000,
                          **({"start_key": start} if start else {}))
        items += page.items
        start = page.last_evaluated_key
        if not start:
            return items


def imported(table, entity, file: bytes, fmt: str = "csv", *, mode: str = "create",
             **options) -> dict[int, imports.LineOutcome]:
    lines = imports.read_lines(entity, io.BytesIO(file), fmt, mode=mode)
    return {o.number: o for o in imports.import_lines(table, entity, lines, mode=mode,
                                                        **options)}


def counts(outcomes) -> dict[str, int]:
    found: dict[str, int] = {}
    for outcome in outcomes.values():
        found[outcome.outcome] = found.get(outcome.outcome, 0) + 1
    return found


def check_large_import(table, django_user_model, rows: int, bad_every: int, expected_bad: int
                       ) -> None:
    user = django_user_model.objects.create_user("loader")
    file, bad = order_file(rows, bad_every)
    assert len(bad) == expected_bad
    with data.recording() as calls:
        report = imports.dry_run(Order, io.BytesIO(file), "csv")
    assert len(calls) == 0  # not one DynamoDB call
    assert report.file_error == ""
    assert (report.lines, report.valid, report.bad) == (rows, rows - expected_bad, expected_bad)
    assert report.bad_lines == sorted(bad)
    messages = dict(report.messages)
    for number, word in bad.items():
        assert word in messages[number], (number, messages[number])
    assert orders_of_u1(table) == []

    outcomes = imported(table, Order, file, user=user)
    assert counts(outcomes) == {"created": rows - expected_bad, "invalid": expected_bad}
    assert sorted(n for n, o in outcomes.items() if o.outcome == "invalid") == sorted(bad)
    stored = orders_of_u1(table)
    assert len(stored) == rows - expected_bad
    assert {i["version"] for i in stored} == {1}
    assert next(i for i in stored if i["order_id"] == "00250")["notes"] == ["fragile", "gift"]

    # Again, with another total: the existing item is an outcome, never overwritten.
    again = "\n".join([",".join(ORDER_COLUMNS),
                       "u1,00003,2024-01-15,2024-01-15 09:30,PAID,1.00,EUR,2,,"]).encode()
    before = data.get_item(table, Order.key({"user_id": "u1", "placed_on": "2024-01-15",
                                             "order_id": "00003"}))
    outcome = imported(table, Order, again, user=user)[2]
    assert (outcome.outcome, outcome.key) == ("exists", table.key_of(before))
    assert data.get_item(table, table.key_of(before), consistent=True) == before


def test_a_thousand_line_csv_with_bad_lines(shop_table, django_user_model):
    check_large_import(shop_table, django_user_model, rows=1000, bad_every=27,
                       expected_bad=37)


@pytest.mark.slow
def test_a_ten_thousand_line_csv_with_37_bad_lines(shop_table, django_user_model):
    check_large_import(shop_table, django_user_model, rows=10_000, bad_every=270,
                       expected_bad=37)


def test_a_value_holding_the_key_templates_separator_is_refused():
    # User's name is spelt into NAME#{name:lower}#{user_id}: a "#" in it could not be read back.
    file = b"user_id,email,name\nu1,a@example.com,Bob#1\nu2,b@example.com,Bob\n"
    report = imports.dry_run(User, io.BytesIO(file), "csv")
    assert report.bad_lines == [2] and report.valid == 1
    assert "Name: 'bob#1' contains '#'" in report.messages[0][1]


def test_an_unknown_column_is_the_files_error_and_nothing_is_read(shop_table):
    file = b"user_id,email,nickname,Email\nu1,a@example.com,Bobby,x\n"
    with data.recording() as calls:
        report = imports.dry_run(User, io.BytesIO(file), "csv")
    assert "'nickname' is not a column of User" in report.file_error
    assert report.lines == 0 and len(calls) == 0
    with pytest.raises(imports.ImportFileError, match="'nickname'"):
        list(imports.read_lines(User, io.BytesIO(file), "csv"))
    # The same field twice (by name and by label) is refused too.
    report = imports.dry_run(User, io.BytesIO(b"email,E-mail,Email\n"), "csv")
    assert "'E-mail' is not a column" in report.file_error
    report = imports.dry_run(User, io.BytesIO(b"user_id,email,Email\n"), "csv")
    assert "'Email' and 'email' are the same column" in report.file_error


def test_malformed_lines_and_files_are_messages_not_tracebacks():
    file = (b"user_id,email\n"
            b"u1,a@example.com\n"
            b"u2,\xff\xfeb@example.com\n"       # not UTF-8
            b'"u3"x,c@example.com\n'              # broken quoting
            b"\n"                                 # blank: skipped
            b"u4,d@example.com,,\n"               # more cells than columns
            b",,\n"                               # only separators: blank
            b"u5,e@example.com\n")
    report = imports.dry_run(User, io.BytesIO(file), "csv")
    assert report.file_error == ""
    assert report.valid == 2 and report.bad_lines == [3, 4, 6]
    messages = dict(report.messages)
    assert "not UTF-8 text (byte 0xff" in messages[3]
    assert "not readable as CSV" in messages[4]
    assert "4 cells, but the header names 2 columns" in messages[6]
    assert imports.dry_run(User, io.BytesIO(b""), "csv").file_error.startswith(
        "The file is empty")
    assert "not UTF-8" in imports.dry_run(User, io.BytesIO("user_id".encode("utf-16")),
                                          "csv").file_error
    jsonl = b'{"user_id": "u1", "email": "a@example.com"}\n[1, 2]\n{"user_id": \n\n{"Item": 3}\n'
    report = imports.dry_run(User, io.BytesIO(jsonl), "jsonl")
    messages = dict(report.messages)
    assert report.valid == 1 and report.bad_lines == [2, 3, 5]
    assert "not a JSON object" in messages[2] and "not valid JSON" in messages[3]


def test_a_cell_protected_from_spreadsheets_reads_as_its_value():
    # An export puts an apostrophe before a leading "-" or "=" so that no spreadsheet runs it
    # as a formula; free text keeps it (it may be the value).
    file = (b"user_id,order_id,placed_on,placed_at,status,total,notes\n"
            b"u1,'=1,2024-01-15,2024-01-15 09:00,PAID,'-5,'-fragile\n")
    [line] = imports.read_lines(Order, io.BytesIO(file), "csv")
    assert line.errors == []
    assert (line.item["order_id"], line.item["total"], line.item["notes"]) == (
        "'=1", Decimal("-5"), ["'-fragile"])


def test_a_line_longer_than_any_item_is_refused_without_reading_it_whole(monkeypatch):
    monkeypatch.setattr(imports, "MAX_LINE_BYTES", 100_000)
    file = (b'{"user_id": "u1", "email": "a@example.com"}\n'
            + b'{"user_id": "u2", "name": "' + b"x" * 300_000 + b'"}\n'
            + b'{"user_id": "u3", "email": "c@example.com"}\n')
    report = imports.dry_run(User, io.BytesIO(file), "jsonl")
    assert (report.valid, report.bad_lines) == (2, [2])
    assert "longer than 100,000 bytes" in report.messages[0][1]


ROUND_TRIP = [
    Product.build_item({"product_id": "p1", "name": "Lamp", "category": "office",
                        "price": Decimal("-19.90"), "in_stock": True,
                        "weights_kg": {Decimal("1.5"), Decimal("2")},
                        "thumbnail": b"\x00\xffPNG", "discontinued": True}),
    User.build_item({"user_id": "u1", "email": "ann@example.com", "name": "Ann",
                     "tier": "PRO", "marketing_opt_in": False,
                     "created_at": dt.datetime(2024, 1, 15, 9, 30, 5, 123456, tzinfo=dt.UTC),
                     "tags": {"vip", "early"}, "preferences": {"theme": "dark", "n": [1, 2]}}),
    Order.build_item({"user_id": "u1", "order_id": "9", "placed_on": "2024-01-15",
                      "placed_at": dt.datetime(2024, 1, 15, 9, tzinfo=dt.UTC),
                      "status": "PAID", "total": Decimal("10.00"), "currency": "GBP",
                      "item_count": 3, "notes": ["one", "two"],
                      "shipping_address": {"city": "Leeds", "postcode": "LS1"}}),
    Session.build_item({"user_id": "u1", "session_id": "s1", "ip_address": "10.0.0.1",
                        "expires": dt.datetime.now(dt.UTC).replace(microsecond=0)
                        + dt.timedelta(days=1)}),
]


@pytest.mark.parametrize("spelling", ["plain", "dynamodb"])
def test_json_lines_round_trip_every_field_type(shop_table, django_user_model, spelling):
    user = django_user_model.objects.create_user("loader")
    for item in ROUND_TRIP:
        entity = shop_table.classify(item)
        stored = {**item, "odd": {b"\x01"}} if spelling == "dynamodb" else {**item, "odd": "x"}
        line = (dumps_plain_json(stored, indent=None) if spelling == "plain" else
                json.dumps({"Item": json.loads(dumps_dynamodb_json(stored, indent=None))}))
        file = f"{line}\n".encode()
        [read] = imports.read_lines(entity, io.BytesIO(file), "jsonl")
        assert read.errors == [] and read.item == stored
        assert imported(shop_table, entity, file, "jsonl", user=user)[1].outcome == "created"
        written = data.get_item(shop_table, shop_table.key_of(item), consistent=True)
        version = entity._meta.version_field
        expected = {**stored, version.attribute: 1} if version else stored
        assert written == expected


def order_csv(*rows: str, columns: str = "user_id,order_id,placed_on") -> bytes:
    return "\n".join([columns, *rows]).encode()


def test_update_changes_only_the_files_columns(shop_table, order, django_user_model):
    user = django_user_model.objects.create_user("loader")
    file = order_csv("u1,456,2024-01-15,SHIPPED,", "u1,457,2024-01-15,PAID,",
                     columns="user_id,order_id,placed_on,status,notes")
    outcomes = imported(shop_table, Order, file, mode="update", user=user)
    assert outcomes[2].outcome == "updated"
    assert outcomes[3].outcome == "invalid" and "no Order has this key" in outcomes[3].message
    after = data.get_item(shop_table, shop_table.key_of(order), consistent=True)
    changed = {n for n in after if after.get(n) != order.get(n)} | (set(order) - set(after))
    # status and the index key it is spelt into; the version and nothing else
    assert changed == {"status", "GSI2PK", "version"}
    assert after["status"] == "SHIPPED" and after["version"] == 2
    # The same file again: nothing to write.
    again = imported(shop_table, Order, file, mode="update", user=user)
    assert again[2].outcome == "unchanged"


def test_update_refuses_an_item_changed_since_the_file_was_written(shop_table, order,
                                                                    django_user_model):
    user = django_user_model.objects.create_user("loader")
    data.update_item(shop_table, shop_table.key_of(order), set={"version": 2},
                     condition=AttributeNotExists("nothing"))
    file = order_csv("u1,456,2024-01-15,SHIPPED,1",
                     columns="user_id,order_id,placed_on,status,version")
    outcome = imported(shop_table, Order, file, mode="update", user=user)[2]
    assert outcome.outcome == "conflict" and "changed since the file was written" in (
        outcome.message)
    after = data.get_item(shop_table, shop_table.key_of(order), consistent=True)
    assert after["status"] == "PENDING"


class MeddlingAdmin(EntityAdmin):
    """Someone else edits the item between the import's read and its write (the permission
    check runs in between), and order 2 may not be touched at all."""

    def has_view_permission(self, request, item=None):
        return True

    def has_add_permission(self, request):
        return request.user.username != "nobody"

    def has_change_permission(self, request, item=None):
        if item is not None and item.get("order_id") == "456":
            data.update_item(self.opts.table, self.opts.table.key_of(item),
                             set={"total": Decimal("1.00"), "version": 2},
                             condition=AttributeNotExists("nothing"))
        return item is None or item.get("order_id") != "2"


def test_an_item_changed_between_read_and_write_is_a_conflict(shop_table, order,
                                                              django_user_model):
    user = django_user_model.objects.create_user("loader")
    admin = MeddlingAdmin(Order, site)
    file = order_csv("u1,456,2024-01-15,SHIPPED", columns="user_id,order_id,placed_on,status")
    lines = imports.read_lines(admin, io.BytesIO(file), "csv", mode="update",
                               request=SimpleNamespace(user=user))
    [outcome] = imports.import_lines(shop_table, Order, lines, mode="update", admin=admin,
                                     request=SimpleNamespace(user=user))
    assert outcome.outcome == "conflict"
    after = data.get_item(shop_table, shop_table.key_of(order), consistent=True)
    assert (after["status"], after["total"]) == ("PENDING", Decimal("1.00"))


def test_a_permission_refused_per_item_is_an_outcome_not_a_write(shop_table, orders,
                                                                 django_user_model):
    admin = MeddlingAdmin(Order, site)
    user = django_user_model.objects.create_user("loader")
    request = SimpleNamespace(user=user)
    file = order_csv("u1,1,2024-01-15,SHIPPED", "u1,2,2024-01-15,SHIPPED",
                     columns="user_id,order_id,placed_on,status")
    lines = imports.read_lines(admin, io.BytesIO(file), "csv", mode="update", request=request)
    outcomes = {o.number: o.outcome for o in imports.import_lines(
        shop_table, Order, lines, mode="update", admin=admin, request=request)}
    assert outcomes == {2: "updated", 3: "refused"}
    statuses = {i["order_id"]: i["status"] for i in orders_of_u1(shop_table)}
    assert statuses["1"] == "SHIPPED" and statuses["2"] == "PENDING"

    nobody = SimpleNamespace(user=django_user_model.objects.create_user("nobody"))
    file = order_csv("u1,77,2024-01-15,2024-01-15 09:00,PAID,5",
                     columns="user_id,order_id,placed_on,placed_at,status,total")
    lines = imports.read_lines(admin, io.BytesIO(file), "csv", request=nobody)
    [outcome] = imports.import_lines(shop_table, Order, lines, admin=admin, request=nobody)
    assert outcome.outcome == "refused"
    assert "77" not in {i["order_id"] for i in orders_of_u1(shop_table)}


def test_chunks_read_every_line_once_whatever_spans_their_boundaries(shop_table):
    file, _ = order_file(600, bad_every=1000)
    total = imports.count_lines(io.BytesIO(file))
    bounds = [2, 250, 251, 252, 500, total + 1]  # 250 and 500 start records spanning lines
    seen = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        seen += [line.number for line in
                 imports.read_range(Order, io.BytesIO(file), "csv", start, end)]
    assert seen == [line.number for line in imports.read_lines(Order, io.BytesIO(file), "csv")]
    assert len(seen) == 600


def test_the_job_adapter_imports_its_chunk_from_storage(shop_table, django_user_model,
                                                        tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    file, bad = order_file(10, bad_every=5)
    name = storage.save("orders.csv", ContentFile(file))
    user = django_user_model.objects.create_superuser("boss", password="x")
    job = SimpleNamespace(parameters={"file": name, "format": "csv", "mode": "create"},
                          created_by=user)
    admin = site.get_entity_admin(Order)
    first = list(imports.run_chunk(job, SimpleNamespace(first_line=1, last_line=6),
                                   admin=admin, storage=storage))
    chunk = SimpleNamespace(first_line=6, last_line=None)
    rest = list(imports.run_chunk(job, chunk, admin=admin, storage=storage))
    # A worker taking the chunk over resumes after the last line checkpointed; a line
    # written again would find its item there, never overwrite it.
    again = list(imports.run_chunk(job, chunk, admin=admin, storage=storage, resume_after=7))
    assert [(o.number, o.outcome) for o in again][:1] == [(8, "exists")]
    # The first line's quoted cell spans lines 2 and 3.
    assert [o.number for o in first + rest] == [2, *range(4, 13)]
    assert [o.number for o in first + rest if o.outcome == "invalid"] == sorted(bad)
    assert counts({o.number: o for o in first + rest}) == {"created": 8, "invalid": 2}


EXAMPLES = int(os.environ.get("DYNADMIN_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
USER_COLUMNS = ["user_id", "email", "name", "tier", "created_at", "marketing_opt_in", "tags",
                "preferences", "Other attributes"]


@FUZZ
@example(cells=["", "", "", "", "", "", "", "\r", "\n"])
@given(st.lists(st.text(), min_size=len(USER_COLUMNS), max_size=len(USER_COLUMNS) + 1))
def test_any_text_in_any_cell_is_a_line_error_at_worst(cells):
    # Written as a spreadsheet writes CSV: a cell holding a line break (CR or LF) is quoted.
    # (With lineterminator "\n" Python's writer leaves a lone CR unquoted: a line break in the
    # middle of the record, which makes two bad lines of it, not one.)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(USER_COLUMNS)
    writer.writerow(cells)
    for fmt, file in (("csv", out.getvalue().encode("utf-8", "surrogatepass")),
                      ("jsonl", json.dumps(dict(zip(USER_COLUMNS, cells, strict=False)))
                       .encode())):
        for mode in imports.MODES:
            report = imports.dry_run(User, io.BytesIO(file), fmt, mode=mode)
            assert report.file_error == ""
            assert report.lines <= 1 and report.valid + report.bad == report.lines


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(imports.FORMATS))
def test_any_bytes_are_a_report_never_a_traceback(raw, fmt):
    report = imports.dry_run(Order, io.BytesIO(b"user_id,order_id,placed_on\n" + raw
                                               if fmt == "csv" else raw), fmt)
    assert report.valid + report.bad == report.lines


class CountingFile(io.BytesIO):
    """A file that remembers how far it has been read."""

    def read(self, size=-1):
        block = super().read(size)
        self.furthest = max(getattr(self, "furthest", 0), self.tell())
        return block


def test_the_file_is_read_as_a_stream_never_whole():
    file, _ = order_file(5000, bad_every=1000)
    stream = CountingFile(file)
    lines = imports.read_lines(Order, stream, "csv")
    first = next(lines)
    assert first.number == 2 and first.errors == []
    assert stream.furthest < len(file) / 4


def test_update_reads_the_items_in_batches_of_a_hundred(shop_table, django_user_model):
    user = django_user_model.objects.create_user("loader")
    file, _ = order_file(150, bad_every=1000)
    assert counts(imported(shop_table, Order, file, user=user)) == {"created": 150}
    update = order_csv(*(f"u1,{n:05},2024-01-15,SHIPPED" for n in range(150)),
                       columns="user_id,order_id,placed_on,status")
    with data.recording() as calls:
        outcomes = imported(shop_table, Order, update, mode="update", user=user)
    assert counts(outcomes) == {"updated": 150}
    assert calls.operations.count("BatchGetItem") == 2
    assert calls.operations.count("UpdateItem") == 150
    assert {i["status"] for i in orders_of_u1(shop_table)} == {"SHIPPED"}
