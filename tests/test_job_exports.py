"""Full exports: parts written by any worker, joined into the file a full paginated Query
gives, on local files and on S3 (moto's server), and downloaded through a signed link that
expires, by people who may export."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import textwrap
import urllib.request
from decimal import Decimal
from pathlib import Path
from unittest import mock

import boto3
import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import storages

from dynadmin import data
from dynadmin.data.serialization import deserialize_item, loads_dynamodb_json, same_value
from dynadmin.jobs import exports
from dynadmin.models import AuditEntry
from dynadmin.views.downloads import download_url
from examples.project import local
from examples.shop.definitions import Order, Session, User, shop

from .conftest import BACKEND

PARTITION = "USER#u1"
ORDERS = 3000
BUCKET = "dynadmin-exports-test"
#: why the CSV and DynamoDB JSON files are compared with DynamoDB Local's answers only
MOTO_NUMBERS = ("moto answers a number as it was written (9.9E+125, 1E-7), not in DynamoDB's "
                "own spelling, which the export writes")
#: bytes of one S3 multipart part in these tests (moto is told to accept parts this small)
S3_PART_BYTES = 64 * 1024

ORDER_COLUMNS = ["user_id", "order_id", "placed_on", "placed_at", "status", "total",
                 "currency", "item_count", "shipping_address", "notes", "version",
                 "PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "type",
                 exports.OTHER_ATTRIBUTES]


# -- the items: every DynamoDB type, exact numbers, awkward text -----------------------------
def _order(n: int) -> dict:
    item = Order.build_item({
        "user_id": "u1", "order_id": f"{n:05d}",
        "placed_on": (dt.date(2024, 1, 1) + dt.timedelta(days=n % 300)).isoformat(),
        "placed_at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n),
        "status": ("PENDING", "PAID", "SHIPPED")[n % 3],
        "total": Decimal(f"{n}.10") if n % 2 else Decimal("12345678901234567890123456789012.34"),
        "currency": "EUR", "item_count": n % 7, "version": 1,
        "shipping_address": {"name": f"Zoë, \"the\" buyer\n{n}", "city": "Zürich ☃"},
        "notes": ["=1+1", "line one\nline two", "plain"]})
    if n % 5 == 0:  # undeclared attributes of every kind: the CSV's last column
        item |= {
            "blob": bytes([n % 256, 0, 255]) * 3,
            "labels": {"red", "=blue", f"n{n}"},
            "weights": {Decimal("1.5"), Decimal("0.0000001"),
                        Decimal("98765432109876543210987654321098765.4")},
            "blobs": {b"\x00\x01", b"\xff"},
            "flag": n % 2 == 0, "nothing": None,
            "deep": {"a": [Decimal("540.1"), {"b": {"x", "y"}}, None], "c": b"\x10"},
            "tiny": Decimal("1E-130"),
            "huge": Decimal("9.9999999999999999999999999999999999999E+125"),
        }
    return item


def _other_items() -> list[dict]:
    """Items of the partition that are not orders: another entity's, and one no entity
    claims (still exported, by their attributes)."""
    return [
        User.build_item({"user_id": "u1", "email": "u1@example.com", "name": "=Ursula",
                         "tags": {"vip"}, "version": 1}),
        Session.build_item({"user_id": "u1", "session_id": "s1",
                            "expires": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)}),
        {"PK": PARTITION, "SK": "ZZZ#unclassified", "raw": b"\x00", "count": Decimal("42")},
    ]


@pytest.fixture(scope="module")
def partition_names(dynamodb_endpoint, archive_table):
    """The partition in one read-only table shared by this module's tests (loading a few
    thousand items takes seconds on DynamoDB Local), with what a full paginated boto3 Query of
    it returns."""
    from django.test import override_settings

    from tests.conftest import physical_table

    with physical_table(shop) as names, override_settings(DYNADMIN_TABLE_NAMES=names):
        data.load_items_unconditionally(shop, [_order(n) for n in range(ORDERS)]
                                        + _other_items())
        yield names, _wire_query()


@pytest.fixture
def wire(partition_names, settings):
    """The partition's items as DynamoDB returns them; dynadmin reads the same table."""
    names, items = partition_names
    settings.DYNADMIN_TABLE_NAMES = names
    assert len(items) == ORDERS + len(_other_items())
    return items


def _wire_query() -> list[dict]:
    """Every item of the partition as DynamoDB returns it: a full paginated boto3 Query."""
    client = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"],
                          region_name="us-east-1")
    pages = client.get_paginator("query").paginate(
        TableName=shop.table_name, KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": PARTITION}})
    return [item for page in pages for item in page["Items"]]


def _export(storage, job_id, fmt, entity=Order, *, page_size=700, rewrite=()):
    """Run an export the way the job engine does: one part per Query page, written through
    dynadmin's data layer; the parts named in ``rewrite`` written a second time (a chunk
    taken over by another worker), then the parts joined."""
    parts, start, number = [], None, 0
    while True:
        page = data.query(shop.primary, PARTITION, limit=page_size, start_key=start)
        number += 1
        result = exports.write_part(storage, job_id, number, fmt, shop, entity, page.items)
        assert result.count == len(page.items)
        if number in rewrite:
            result = exports.write_part(storage, job_id, number, fmt, shop, entity,
                                        page.items)
        parts.append(result.name)
        start = page.last_evaluated_key
        if start is None:
            break
    assert len(parts) > 3
    name = exports.assemble(storage, job_id, fmt, parts, shop, entity,
                            f"orders.{exports.FORMATS[fmt].extension}")
    assert not any(storage.exists(part) for part in parts)
    with storage.open(name, "rb") as exported:
        return name, exported.read().decode()


# -- what the file must hold, from the wire (never through the code under test) -------------
def _wire_json(value: dict) -> dict:
    (kind, body), = value.items()
    if kind == "B":
        return {"B": base64.b64encode(body).decode()}
    if kind == "BS":
        return {"BS": sorted(base64.b64encode(b).decode() for b in body)}
    if kind in ("SS", "NS"):
        return {kind: sorted(body)}
    if kind == "L":
        return {"L": [_wire_json(v) for v in body]}
    if kind == "M":
        return {"M": {k: _wire_json(v) for k, v in body.items()}}
    return value


def _compact_wire(attributes: dict) -> str:
    return json.dumps({k: _wire_json(v) for k, v in attributes.items()}, ensure_ascii=False,
                      sort_keys=True, separators=(",", ":"))


def _plain(value: dict):
    """A wire value as plain JSON parses back (numbers as Decimal)."""
    (kind, body), = value.items()
    if kind == "N":
        return Decimal(body)
    if kind == "NS":
        return sorted(Decimal(n) for n in body)
    if kind == "B":
        return base64.b64encode(body).decode()
    if kind == "BS":
        return sorted(base64.b64encode(b).decode() for b in body)
    if kind == "SS":
        return sorted(body)
    if kind == "L":
        return [_plain(v) for v in body]
    if kind == "M":
        return {k: _plain(v) for k, v in body.items()}
    if kind == "NULL":
        return None
    return body


def _loads_plain(text: str):
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


def _check_lines(fmt: str, text: str, wire: list[dict]) -> None:
    lines = text.split("\n")
    assert lines.pop() == ""  # every line ends with a line break
    if fmt == "ddb-json":
        expected = ['{"Item":' + _compact_wire(item) + "}" for item in wire]
        assert sorted(lines) == sorted(expected)
    else:
        assert len(lines) == len(wire)
        by_key = {(i["PK"]["S"], i["SK"]["S"]): i for i in wire}
        for line in lines:
            item = _loads_plain(line)
            assert item == {k: _plain(v) for k, v in by_key.pop((item["PK"], item["SK"])).items()}
        assert not by_key


def _check_csv(text: str, wire: list[dict]) -> None:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ORDER_COLUMNS
    assert len(rows) == len(wire) + 1
    by_key = {(i["PK"]["S"], i["SK"]["S"]): i for i in wire}
    pk, sk = ORDER_COLUMNS.index("PK"), ORDER_COLUMNS.index("SK")
    for row in rows[1:]:
        item = dict(by_key.pop((row[pk], row[sk])))
        for heading, cell in zip(ORDER_COLUMNS[:-1], row[:-1], strict=True):
            attribute = heading  # the shop's fields are stored under their own names
            value = item.pop(attribute, None)
            if value is None:
                assert cell == ""
            elif "S" in value:
                guarded = value["S"].startswith(("=", "+", "-", "@"))
                assert cell == ("'" if guarded else "") + value["S"]
            elif "N" in value:
                assert cell == value["N"]  # every digit, as DynamoDB holds it
            else:
                assert _loads_plain(cell) == _plain(value)
        other = row[-1]
        if item:  # the rest, as DynamoDB JSON in the DynamoDB JSON export's own spelling
            assert other == _compact_wire(item)
            assert same_value(loads_dynamodb_json(other), deserialize_item(item))
        else:
            assert other == ""
    assert not by_key


# -- local files -------------------------------------------------------------------------
@pytest.fixture
def file_storage(tmp_path, settings):
    settings.STORAGES = {**settings.STORAGES, "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "media")}}}
    settings.DYNADMIN_EXPORT_STORAGE = "exports"
    return storages["exports"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "ddb-json"])
def test_an_export_in_parts_holds_what_a_full_query_returns(wire, file_storage, fmt):
    if BACKEND == "moto" and fmt != "jsonl":
        pytest.skip(MOTO_NUMBERS)
    name, text = _export(file_storage, "job-1", fmt)
    assert name == f"dynadmin-exports/job-1/orders.{exports.FORMATS[fmt].extension}"
    if fmt == "csv":
        _check_csv(text, wire)
    else:
        _check_lines(fmt, text, wire)


@pytest.mark.parametrize("fmt", ["csv", "ddb-json"])
def test_a_part_written_twice_is_in_the_file_once(wire, file_storage, fmt):
    if BACKEND == "moto" and fmt != "jsonl":
        pytest.skip(MOTO_NUMBERS)
    _, text = _export(file_storage, "job-2", fmt, rewrite={2, 3})
    if fmt == "csv":
        _check_csv(text, wire)
    else:
        _check_lines(fmt, text, wire)


def test_a_part_cut_short_is_not_left_behind(file_storage):
    """A chunk whose items fail midway (DynamoDB unreachable, the worker stopping) leaves no
    half part that an assembly could take for a whole one."""
    items = [_order(n) for n in range(2000)]

    def failing():
        yield from items[:1500]
        raise ConnectionError("DynamoDB stopped answering")

    exports.write_part(file_storage, "job-3", 1, "jsonl", shop, Order, items[:10])
    with pytest.raises(ConnectionError):
        exports.write_part(file_storage, "job-3", 1, "jsonl", shop, Order, failing())
    assert not file_storage.exists(exports.part_name("job-3", 1, "jsonl"))
    with pytest.raises(exports.ExportPartMissing):
        exports.assemble(file_storage, "job-3", "jsonl", [exports.part_name("job-3", 1, "jsonl")],
                         shop, Order, "orders.jsonl")


def test_a_csv_of_the_whole_partition_without_an_entity_keeps_every_attribute(
        wire, file_storage):
    _, text = _export(file_storage, "job-4", "csv", entity=None)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "type",
                       exports.OTHER_ATTRIBUTES]
    by_key = {(i["PK"]["S"], i["SK"]["S"]): i for i in wire}
    assert len(rows) - 1 == len(by_key)
    for row in rows[1:]:
        item = by_key[(row[0], row[1])]
        rest = {k: v for k, v in item.items() if k not in rows[0]}
        assert same_value(loads_dynamodb_json(row[-1]), deserialize_item(rest))


def test_assembling_again_after_the_parts_were_deleted_keeps_the_file(wire, file_storage):
    page = data.query(shop.primary, PARTITION, limit=50)
    part = exports.write_part(file_storage, "job-5", 1, "jsonl", shop, Order, page.items)
    name = exports.assemble(file_storage, "job-5", "jsonl", [part.name], shop, Order, "o.jsonl")
    again = exports.assemble(file_storage, "job-5", "jsonl", [part.name], shop, Order,
                             "o.jsonl")
    assert again == name
    with file_storage.open(name, "rb") as exported:
        assert exported.read().count(b"\n") == 50


# -- S3 (moto's server) ------------------------------------------------------------------
@pytest.fixture(scope="module")
def s3_endpoint():
    saved = os.environ.get("S3_UPLOAD_PART_MIN_SIZE")
    os.environ["S3_UPLOAD_PART_MIN_SIZE"] = str(S3_PART_BYTES)
    try:
        # a free port: with xdist, each worker that runs these tests starts its own
        server = local.start_moto(port=None)
    finally:
        if saved is None:
            os.environ.pop("S3_UPLOAD_PART_MIN_SIZE")
        else:
            os.environ["S3_UPLOAD_PART_MIN_SIZE"] = saved
    _s3(server.endpoint).create_bucket(Bucket=BUCKET)
    yield server.endpoint
    server.stop()


def _s3(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local")


@pytest.fixture
def s3_storage(s3_endpoint, settings):
    settings.STORAGES = {**settings.STORAGES, "exports": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": BUCKET, "endpoint_url": s3_endpoint,
                    "access_key": "local", "secret_key": "local", "region_name": "us-east-1",
                    "addressing_style": "path", "querystring_auth": True}}}
    settings.DYNADMIN_EXPORT_STORAGE = "exports"
    settings.AWS_S3_FILE_BUFFER_SIZE = S3_PART_BYTES
    return storages["exports"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "ddb-json"])
def test_an_export_to_s3_is_a_multipart_upload_of_what_a_query_returns(
        wire, s3_storage, s3_endpoint, fmt):
    if BACKEND == "moto" and fmt != "jsonl":
        pytest.skip(MOTO_NUMBERS)
    name, text = _export(s3_storage, f"job-s3-{fmt}", fmt, rewrite={2})
    if fmt == "csv":
        _check_csv(text, wire)
    else:
        _check_lines(fmt, text, wire)
    head = _s3(s3_endpoint).head_object(Bucket=BUCKET, Key=name)
    # A multipart upload's ETag ends in its number of parts: sent as written, never whole.
    assert head["ContentLength"] > 1024 * 1024
    assert int(head["ETag"].strip('"').rpartition("-")[2]) > 2
    listed = _s3(s3_endpoint).list_objects_v2(Bucket=BUCKET,
                                              Prefix=f"dynadmin-exports/job-s3-{fmt}/")
    assert [o["Key"] for o in listed["Contents"]] == [name]  # the parts are gone


# -- memory --------------------------------------------------------------------------------
MEMORY_SCRIPT = textwrap.dedent("""
    import os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    django.setup()
    from decimal import Decimal
    from django.core.files.storage import FileSystemStorage
    from dynadmin.jobs import exports
    from examples.shop.definitions import Order, shop

    fmt, folder, total, per_part = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    storage = FileSystemStorage(location=folder)
    filler = "x" * 4500

    def items(first, count):
        for n in range(first, first + count):
            yield {"PK": "USER#u1", "SK": f"ORDER#2024-01-01#{n:06d}", "user_id": "u1",
                   "order_id": f"{n:06d}", "total": Decimal(f"{n}.25"), "note": filler,
                   "tags": {"a", "b"}, "type": "order"}

    def export(job, total, per_part):
        parts = [exports.write_part(storage, job, number, fmt, shop, Order,
                                    items(number * per_part, per_part)).name
                 for number in range(total // per_part)]
        return exports.assemble(storage, job, fmt, parts, shop, Order, "all." + fmt)

    def peak_kb():
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))

    export("warm-up", 100, 100)  # imports, codecs and caches: not the export's size
    before = peak_kb()
    name = export("big", total, per_part)
    print(peak_kb() - before, os.path.getsize(storage.path(name)))
""")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "ddb-json"])
def test_exporting_50000_items_grows_memory_by_less_than_50_mb(tmp_path, fmt):
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, fmt, str(tmp_path), "50000", "25000"],
        cwd=root, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    growth_kb, size = map(int, run.stdout.split())
    assert size > 200 * 1024 * 1024  # four times the bound: holding it would show
    assert growth_kb < 50 * 1024, f"peak memory grew by {growth_kb // 1024} MB"


# -- the download link ---------------------------------------------------------------------
def _export_permission():
    permission, _ = Permission.objects.get_or_create(
        codename="export_all", content_type=ContentType.objects.get_for_model(AuditEntry),
        defaults={"name": "Export everything a query matches"})
    return permission


@pytest.fixture
def exported(file_storage):
    part = exports.write_part(file_storage, "job-dl", 1, "csv", shop, Order,
                              [_order(1), _order(2)])
    return exports.assemble(file_storage, "job-dl", "csv", [part.name], shop, Order,
                            "Application-Order.csv")


def _person(client, django_user_model, *, may_export):
    user = django_user_model.objects.create_user("support", password="x", is_staff=True)
    if may_export:
        user.user_permissions.add(_export_permission())
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_link_downloads_the_export_for_a_person_who_may_export(
        client, django_user_model, file_storage, exported):
    _person(client, django_user_model, may_export=True)
    response = client.get(download_url(exported))
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)
    with file_storage.open(exported, "rb") as stored:
        assert body == stored.read()
    assert body.startswith(b"user_id,order_id,")
    assert 'attachment; filename="Application-Order.csv"' in response["Content-Disposition"]


@pytest.mark.django_db
def test_the_link_refuses_a_person_without_the_export_permission(
        client, django_user_model, file_storage, exported):
    _person(client, django_user_model, may_export=False)
    response = client.get(download_url(exported))
    assert response.status_code == 403
    assert b"permission to export" in response.content
    assert b"user_id" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("alter", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
    lambda token: "x" + token,  # the signed name
    lambda token: token[: len(token) // 2],  # cut short
])
def test_an_altered_link_says_so(client, django_user_model, file_storage, exported, alter):
    _person(client, django_user_model, may_export=True)
    url = download_url(exported)
    token = url.rstrip("/").rpartition("/")[2]
    response = client.get(url.replace(token, alter(token)))
    assert response.status_code == 403
    assert b"This link was altered" in response.content


@pytest.mark.django_db
def test_an_expired_link_says_so(client, django_user_model, file_storage, exported, settings):
    _person(client, django_user_model, may_export=True)
    settings.DYNADMIN_EXPORT_LINK_SECONDS = 3600
    import time

    made = time.time() - 3601
    with mock.patch("django.core.signing.time.time", return_value=made):
        url = download_url(exported)
    response = client.get(url)
    assert response.status_code == 410
    assert b"This link to an export has expired" in response.content
    assert b"links are valid for 1 hour." in response.content


@pytest.mark.django_db
def test_a_link_to_a_deleted_export_says_so(client, django_user_model, file_storage,
                                            exported):
    _person(client, django_user_model, may_export=True)
    url = download_url(exported)
    file_storage.delete(exported)
    response = client.get(url)
    assert response.status_code == 404
    assert b"has been deleted" in response.content


@pytest.mark.django_db
def test_the_link_to_an_export_on_s3_sends_to_a_short_lived_signed_address(
        client, django_user_model, s3_storage):
    part = exports.write_part(s3_storage, "job-dl-s3", 1, "jsonl", shop, Order, [_order(1)])
    name = exports.assemble(s3_storage, "job-dl-s3", "jsonl", [part.name], shop, Order,
                            "orders.jsonl")
    _person(client, django_user_model, may_export=True)
    response = client.get(download_url(name))
    assert response.status_code == 302
    location = response["Location"]
    assert "Signature" in location and "Expires=" in location
    with urllib.request.urlopen(location) as fetched:  # noqa: S310 - moto on 127.0.0.1
        assert fetched.read() == s3_storage.open(name, "rb").read()
        assert "orders.jsonl" in fetched.headers["Content-Disposition"]


# -- the same spelling as the page's download ------------------------------------------------
@pytest.mark.django_db
def test_a_pages_download_and_a_full_export_spell_every_value_alike(staff_client, shop_table,
                                                                   file_storage):
    from django.urls import reverse

    data.load_items_unconditionally(shop_table, [_order(n) for n in range(10)]
                                    + _other_items())
    page = staff_client.get(reverse("dynadmin:partition", kwargs={"table": "Application"}),
                            {"pk": PARTITION, "format": "csv"})
    assert page.status_code == 200
    downloaded = list(csv.DictReader(io.StringIO(page.content.decode())))
    items = data.query(shop.primary, PARTITION, limit=100).items
    part = exports.write_part(file_storage, "job-page", 1, "csv", shop, Order, items)
    name = exports.assemble(file_storage, "job-page", "csv", [part.name], shop, Order, "o.csv")
    with file_storage.open(name, "rb") as exported:
        rows = {(r["PK"], r["SK"]): r for r in csv.DictReader(io.StringIO(
            exported.read().decode()))}
    assert len(rows) == len(downloaded) == 13
    compared = 0
    for row in downloaded:
        full = rows[(row["PK"], row["SK"])]
        for column in ORDER_COLUMNS[:-1]:
            if row.get(column):
                assert full[column] == row[column], column
                compared += 1
    assert compared > 150


def test_a_key_only_field_is_read_from_the_keys(file_storage):
    from tests.helpdesk_urls import Ticket, helpdesk

    ticket = Ticket.build_item({"org": "=acme", "ticket_id": "T-1", "subject": "Printer",
                                "status": "OPEN"})
    assert "org" not in ticket
    part = exports.write_part(file_storage, "job-keys", 1, "csv", helpdesk, Ticket, [ticket])
    name = exports.assemble(file_storage, "job-keys", "csv", [part.name], helpdesk, Ticket,
                            "tickets.csv")
    with file_storage.open(name, "rb") as exported:
        (row,) = csv.DictReader(io.StringIO(exported.read().decode()))
    assert row["org"] == "'=acme"  # a formula guarded, as everywhere a value is a cell
    assert (row["ticket_id"], row["status"], row["PK"]) == ("T-1", "OPEN", "ORG#=acme")
    assert row[exports.OTHER_ATTRIBUTES] == ""


def test_the_engines_calls_number_parts_by_chunk_and_name_the_file(file_storage):
    from types import SimpleNamespace

    job = SimpleNamespace(id=7, parameters={"format": "ddb-json"})
    parts = [exports.run_chunk(job, SimpleNamespace(number=n), [_order(n)], shop, Order)
             for n in (1, 2)]
    assert [p.name for p in parts] == ["dynadmin-exports/7/part-000001.ddb.json",
                                       "dynadmin-exports/7/part-000002.ddb.json"]
    name = exports.finish(job, [p.name for p in parts], shop, Order)
    assert name == "dynadmin-exports/7/Application-Order.ddb.json"
    with file_storage.open(name, "rb") as exported:
        lines = exported.read().decode().splitlines()
    assert [json.loads(line)["Item"]["order_id"] for line in lines] == [{"S": "00001"},
                                                                        {"S": "00002"}]


def test_an_export_of_nothing_is_a_csv_heading(file_storage):
    name = exports.assemble(file_storage, "job-empty", "csv", [], shop, Order, "none.csv")
    with file_storage.open(name, "rb") as exported:
        assert exported.read().decode() == ",".join(ORDER_COLUMNS) + "\r\n"


# -- a worker killed mid-chunk --------------------------------------------------------------
KILLED_SCRIPT = textwrap.dedent("""
    import os, sys, time
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    django.setup()
    from django.core.files.storage import FileSystemStorage
    from dynadmin.jobs import exports
    from examples.shop.definitions import Order, shop

    kind, where, stop_after = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if kind == "file":
        storage = FileSystemStorage(location=where)
    else:
        from django.conf import settings
        from storages.backends.s3 import S3Storage
        settings.AWS_S3_FILE_BUFFER_SIZE = int(sys.argv[5])
        storage = S3Storage(bucket_name=sys.argv[4], endpoint_url=where, access_key="local",
                            secret_key="local", region_name="us-east-1",
                            addressing_style="path")

    def items():
        for n in range(stop_after * 2):
            if n == stop_after:
                print("stopping", flush=True)
                time.sleep(3600)  # killed here, halfway through its chunk
            yield {"PK": "USER#u1", "SK": f"ORDER#{n:06d}", "note": "x" * 500}

    exports.write_part(storage, "job-killed", 1, "jsonl", shop, Order, items())
""")


def _killed_midway(kind, where, *extra):
    """A worker writing part 1, killed (SIGKILL) halfway through its items."""
    root = Path(__file__).resolve().parent.parent
    worker = subprocess.Popen(
        [sys.executable, "-c", KILLED_SCRIPT, kind, where, "2000", *extra],
        cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout.readline() == "stopping\n"
    finally:
        worker.kill()  # SIGKILL: no cleanup, no close of the file or the upload
        worker.wait()
    return [{"PK": "USER#u1", "SK": f"ORDER#{n:06d}", "note": "x" * 500}
            for n in range(4000)]


def _taken_over(storage, items):
    """Another worker takes the chunk over: part 1 written again, whole, and joined."""
    part = exports.write_part(storage, "job-killed", 1, "jsonl", shop, Order, items)
    name = exports.assemble(storage, "job-killed", "jsonl", [part.name], shop, Order,
                            "killed.jsonl")
    with storage.open(name, "rb") as exported:
        lines = exported.read().decode().splitlines()
    assert sorted(json.loads(line)["SK"] for line in lines) == [i["SK"] for i in items]


def test_a_chunk_whose_worker_was_killed_is_written_again_whole(file_storage):
    items = _killed_midway("file", file_storage.location)
    half = exports.part_name("job-killed", 1, "jsonl")
    assert 0 < file_storage.size(half)  # what the killed worker left: some lines
    _taken_over(file_storage, items)


def test_a_chunk_killed_on_its_way_to_s3_leaves_no_object(s3_storage, s3_endpoint):
    items = _killed_midway("s3", s3_endpoint, BUCKET, str(S3_PART_BYTES))
    # Parts were uploaded, but the multipart upload was never completed: nothing to take
    # for a whole part (an S3 lifecycle rule aborts such uploads).
    uploads = _s3(s3_endpoint).list_multipart_uploads(Bucket=BUCKET,
                                                      Prefix="dynadmin-exports/job-killed/")
    assert uploads.get("Uploads")
    assert not s3_storage.exists(exports.part_name("job-killed", 1, "jsonl"))
    _taken_over(s3_storage, items)
