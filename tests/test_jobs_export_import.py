"""Full exports and imports as jobs, over HTTP on DynamoDB Local: an export of a list in
several chunks is the file a paginated boto3 Query gives, downloaded through the job page;
an import's dry run lists every bad line by number and writes nothing, its run creates the
good lines and never overwrites; the new pages answer 403 without their permission and a bad
upload with a message."""

from __future__ import annotations

import csv
import io
import json

import boto3
import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dynadmin import data
from dynadmin.jobs import chunks, engine, exports
from dynadmin.models import Job, JobChunk, JobItem
from dynadmin.permissions import ensure_groups
from dynadmin.sites import site
from examples.shop.definitions import Order

from .support.jobs import run_queued, seed

pytestmark = pytest.mark.django_db

LIST = "/e/Application.Order/"
EXPORT = "/e/Application.Order/jobs/export/"
IMPORT = "/e/Application.Order/jobs/import/"
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
COLUMNS = ["user_id", "order_id", "placed_on", "placed_at", "status", "total", "currency",
           "item_count"]


@pytest.fixture
def export_storage(tmp_path, settings):
    settings.STORAGES = {**settings.STORAGES, "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "media")}}}
    settings.DYNADMIN_EXPORT_STORAGE = "exports"
    settings.DYNADMIN_JOB_PAGE_SIZE = 40
    return storages["exports"]


@pytest.fixture
def support_client(django_user_model):
    client = Client()
    ensure_groups()
    user = django_user_model.objects.create_user("support", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Support"))
    client.force_login(user)
    return client


def pending_orders_by_boto3(table) -> list[str]:
    """Every PENDING order as DynamoDB JSON lines, from a paginated Query of the list's own
    key condition (GSI2, newest first)."""
    client = boto3.client("dynamodb")
    lines = []
    for page in client.get_paginator("query").paginate(
            TableName=table.table_name, IndexName="GSI2",
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues={":pk": {"S": "ORDER#STATUS#PENDING"}}):
        lines += [json.dumps({"Item": item}, ensure_ascii=False, sort_keys=True,
                             separators=(",", ":")) for item in page["Items"]]
    return lines


def start_export(client, fmt: str = "ddb-json") -> Job:
    response = client.post(EXPORT + "?status=PENDING", {"format": fmt})
    assert response.status_code == 302, response.content.decode()[:3000]
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert response["Location"] == f"/jobs/{job.pk}/"
    found = job.parameters["preview"]
    count = str(found["items"]) if found["complete"] else f"more than {found['items']}"
    assert f"Type {count} to start it" in client.get(f"/jobs/{job.pk}/").content.decode()
    assert client.post(f"/jobs/{job.pk}/start/", {"confirmation": count}).status_code == 302
    return job


@pytest.fixture
def left_to_workers(monkeypatch):
    """The reader leaves its pages to the workers, as when it cannot write a part itself."""
    def cannot(*args):
        raise OSError("the storage is away")
    monkeypatch.setattr(engine, "export_page", cannot)


def download_link(client, job: Job) -> str:
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-job-state="done"' in page
    return page.split("data-download", 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]


def downloaded(client, job: Job) -> str:
    response = client.get(download_link(client, job))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def test_an_export_of_a_list_is_the_file_a_full_query_gives(
        shop_table, staff_client, export_storage):
    seed(shop_table, pending=230, shipped=20)
    page = staff_client.get(LIST).content.decode()
    assert 'href="/e/Application.Order/jobs/export/?status=PENDING"' in page
    assert "Export all items this list matches" in page
    job = start_export(staff_client)
    run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert JobChunk.objects.filter(job=job).count() >= 6  # several chunks, several parts
    text = downloaded(staff_client, job)
    assert sorted(text.splitlines()) == sorted(pending_orders_by_boto3(shop_table))
    page = staff_client.get(f"/jobs/{job.pk}/").content.decode()
    assert '<dd data-count="read">230</dd>' in page
    assert '<dd data-count="written">230</dd>' in page
    # The parts are gone: only the one file is left in the job's folder.
    assert export_storage.listdir(f"{exports.DIRECTORY}/{job.pk}")[1] == [
        job.parameters["file_name"].rpartition("/")[2]]


def test_a_csv_export_has_one_heading_and_every_item_once(shop_table, staff_client,
                                                           export_storage):
    seed(shop_table, pending=90, shipped=0)
    job = start_export(staff_client, "csv")
    run_queued()
    rows = list(csv.reader(io.StringIO(downloaded(staff_client, job))))
    assert rows[0][0] == "user_id" and sum(row[0] == "user_id" for row in rows) == 1
    assert sorted(row[1] for row in rows[1:]) == [f"{n:05d}" for n in range(90)]


@pytest.mark.usefixtures("left_to_workers")
def test_a_chunk_taken_over_after_its_part_was_written_leaves_the_file_right(
        shop_table, staff_client, export_storage):
    """A worker wrote chunk 0's part and was killed before marking the chunk done: the
    chunk is taken over, written again whole, and the file holds each item once."""
    seed(shop_table, pending=120, shipped=0)
    job = start_export(staff_client, "jsonl")
    engine.plan(site, job.pk)
    first = JobChunk.objects.get(job=job, number=0)
    JobChunk.objects.filter(pk=first.pk).update(lease_owner=chunks.WORKER,
                                                lease_until=chunks.lease_until())
    first.refresh_from_db()
    assert chunks.export_chunk(engine._context(site, job), first)
    assert export_storage.exists(exports.part_name(job.pk, 0, "jsonl"))
    JobChunk.objects.filter(pk=first.pk).update(lease_until=None)  # its worker is gone
    run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    ids = [json.loads(line)["order_id"] for line in downloaded(staff_client, job).splitlines()]
    assert sorted(ids) == [f"{n:05d}" for n in range(120)]


@pytest.mark.usefixtures("left_to_workers")
def test_only_one_worker_assembles_an_export(shop_table, staff_client, export_storage):
    """Every chunk done: the first worker to take the job's lease assembles it; a second
    one, meanwhile, finds it taken and leaves the job as it is."""
    seed(shop_table, pending=50, shipped=0)
    job = start_export(staff_client, "jsonl")
    engine.plan(site, job.pk)
    for chunk in JobChunk.objects.filter(job=job, state=JobChunk.State.PENDING):
        JobChunk.objects.filter(pk=chunk.pk).update(lease_owner=chunks.WORKER,
                                                    lease_until=chunks.lease_until())
        chunk.refresh_from_db()
        assert chunks.export_chunk(engine._context(site, job), chunk)
        JobChunk.objects.filter(pk=chunk.pk).update(state=JobChunk.State.DONE)
    Job.objects.filter(pk=job.pk).update(planner_lease=chunks.lease_until())  # one holds it
    engine._finish_if_done(site, job)
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING and "file_name" not in job.parameters
    Job.objects.filter(pk=job.pk).update(planner_lease=None)  # its holder was killed
    engine.watch(site, job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and export_storage.exists(job.parameters["file_name"])


def test_support_may_not_export_nor_download(shop_table, staff_client, support_client,
                                             export_storage):
    seed(shop_table, pending=10, shipped=0)
    job = start_export(staff_client)
    run_queued()
    link = download_link(staff_client, job)
    assert link.startswith("/exports/")
    assert "Export all items" not in support_client.get(LIST).content.decode()
    assert "Import items" not in support_client.get(LIST).content.decode()
    for url in (EXPORT + "?status=PENDING", IMPORT, f"/jobs/{job.pk}/",
                f"/jobs/{job.pk}/items.csv", link):
        assert support_client.get(url).status_code == 403, url
    assert support_client.post(EXPORT + "?status=PENDING",
                               {"format": "csv"}).status_code == 403
    assert support_client.post(IMPORT, {"file": SimpleUploadedFile("a.csv", b"x"),
                                        "format": "csv"}).status_code == 403
    assert Job.objects.count() == 1


# -- imports -------------------------------------------------------------------------------
def order_row(n: int, **cells: str) -> list[str]:
    row = {"user_id": "u1", "order_id": f"{n:05d}", "placed_on": "2024-01-15",
           "placed_at": "2024-01-15 09:30", "status": "PENDING", "total": f"{n}.95",
           "currency": "EUR", "item_count": "2"} | cells
    return [row[c] for c in COLUMNS]


def orders_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(client, content: bytes, name: str = "orders.csv", **fields):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content),
                                "format": "csv", "mode": "create", **fields})


def test_an_import_is_checked_first_then_creates_the_good_lines_and_overwrites_nothing(
        shop_table, staff_client, export_storage, monkeypatch):
    monkeypatch.setattr(engine, "IMPORT_CHUNK_LINES", 10)  # several chunks
    existing = Order.build_item({"user_id": "u1", "order_id": "00003",
                                 "placed_on": "2024-01-15", "placed_at": "2024-01-15 08:00",
                                 "status": "PAID", "total": "1", "version": 1})
    boto3.resource("dynamodb").Table(shop_table.table_name).put_item(Item=existing)
    rows = [order_row(n) for n in range(30)]
    rows[7] = order_row(7, total="12,50")         # line 9
    rows[20] = order_row(20, status="LOST")       # line 22
    rows[25] = order_row(25, placed_on="2024-02-30")  # line 27
    page = staff_client.get(LIST).content.decode()
    assert 'href="/e/Application.Order/jobs/import/"' in page

    with data.recording() as calls:
        response = upload(staff_client, orders_csv(rows))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not [c for c in calls if c.operation in WRITES]
    job = Job.objects.get(kind=Job.Kind.IMPORT)
    assert job.parameters["file"].startswith(f"dynadmin-imports/{job.pk}/")
    assert export_storage.exists(job.parameters["file"])
    preview = staff_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "30 lines checked: 27 can be imported, 3 cannot." in preview
    assert [int(n) for n in __import__("re").findall(r'data-line="(\d+)"', preview)] == [
        9, 22, 27]
    assert "Type 27 to import them" in preview
    assert data.get_item(shop_table, {"PK": "USER#u1", "SK": "ORDER#2024-01-15#00000"},
                         consistent=True) is None  # nothing written yet

    wrong = staff_client.post(f"/jobs/{job.pk}/start/", {"confirmation": "30"})
    assert wrong.status_code == 400
    assert staff_client.post(f"/jobs/{job.pk}/start/",
                             {"confirmation": "27"}).status_code == 302
    run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert JobChunk.objects.filter(job=job).count() == 4  # 31 lines, 10 a chunk
    assert not export_storage.exists(job.parameters["file"])  # the upload is not kept
    counts = engine.counts(job)
    assert (counts["written"], counts["unchanged"], counts["refused"]) == (26, 1, 3)
    assert counts["done"] == counts["read"] == 30
    for n in range(30):
        item = data.get_item(shop_table, {"PK": "USER#u1", "SK": f"ORDER#2024-01-15#{n:05d}"},
                             consistent=True)
        if n == 3:
            assert item["status"] == "PAID"  # never overwritten
        else:
            assert (item is None) == (n in (7, 20, 25)), n
    page = staff_client.get(f"/jobs/{job.pk}/").content.decode()
    assert '<dd data-count="written">26</dd>' in page
    listed = page.split("data-line-outcomes", 1)[1]
    assert "line 5: USER#u1" in listed and "exists: an item with this key exists" in listed
    assert "line 9" in listed and "line 22" in listed and "line 27" in listed
    rows_out = list(csv.reader(io.StringIO(b"".join(
        staff_client.get(f"/jobs/{job.pk}/items.csv").streaming_content).decode())))
    by_line = {row[0].split(":")[0]: row for row in rows_out[1:]}
    assert len(by_line) == 30
    assert by_line["line 5"][1] == "unchanged" and "exists" in by_line["line 5"][2]
    assert by_line["line 9"][1] == "refused"
    assert JobItem.objects.filter(job=job, status="written").count() == 26


def test_an_import_taken_over_resumes_after_its_last_recorded_line(
        shop_table, staff_client, export_storage, monkeypatch):
    """A worker recorded lines 2-4 of a chunk, wrote line 5 and was killed: the chunk's next
    worker starts at line 5, whose item it finds written by this job (not "exists")."""
    monkeypatch.setattr(engine, "IMPORT_CHUNK_LINES", 100)
    assert upload(staff_client, orders_csv([order_row(n) for n in range(8)])
                  ).status_code == 302
    job = Job.objects.get()
    staff_client.post(f"/jobs/{job.pk}/start/", {"confirmation": "8"})
    engine.plan(site, job.pk)
    chunk = JobChunk.objects.get(job=job)
    JobChunk.objects.filter(pk=chunk.pk).update(lease_owner=chunks.WORKER,
                                                lease_until=chunks.lease_until())
    chunk.refresh_from_db()
    ctx = engine._context(site, job)
    stop_after = {"n": 4}
    real = chunks._record_line

    def record_then_die(ctx, run, line, unsure):
        if stop_after["n"] == 0:
            raise KeyboardInterrupt  # killed between its write and its record
        stop_after["n"] -= 1
        real(ctx, run, line, unsure)

    monkeypatch.setattr(chunks, "_record_line", record_then_die)
    with pytest.raises(KeyboardInterrupt):
        chunks.import_chunk(ctx, chunk)
    monkeypatch.setattr(chunks, "_record_line", real)
    assert JobItem.objects.filter(job=job).count() == 4
    JobChunk.objects.filter(pk=chunk.pk).update(lease_until=None)
    run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    counts = engine.counts(job)
    assert (counts["written"], counts["done"]) == (8, 8), counts


@pytest.mark.parametrize(("post", "status", "message"), [
    ({}, 400, "This field is required."),
    ({"file": SimpleUploadedFile("orders.csv", b"")}, 400, "The submitted file is empty."),
    ({"file": SimpleUploadedFile("orders.csv", b'{"user_id": "u1"}\n')}, 400,
     "is not a column of Order"),
    ({"file": SimpleUploadedFile("orders.csv", b"\xff\xfe\x00bad\x80\n\x81\x82\n")}, 400,
     "not UTF-8 text"),
    ({"file": SimpleUploadedFile("orders.jsonl", b"\xff\xfe\x00bad\x80\n\x81\x82\n"),
      "format": "jsonl"}, 400, "not UTF-8 text"),
    ({"file": SimpleUploadedFile("orders.csv", b"user_id,order_id\n")}, 400,
     "no line to import"),
    ({"file": SimpleUploadedFile("orders.csv", b"x"), "format": "xml"}, 400,
     "Select a valid choice"),
    ({"file": SimpleUploadedFile("orders.csv", orders_csv([order_row(1)])), "format": "jsonl"},
     400, "No line of this file can be imported (line 1: "),
])
def test_a_bad_upload_is_a_message_and_makes_no_job(shop_table, staff_client, export_storage,
                                                    post, status, message):
    response = staff_client.post(IMPORT, {"format": "csv", "mode": "create", **post})
    assert response.status_code == status, response.content.decode()[:2000]
    body = response.content.decode()
    assert 'role="alert"' in body or "errorlist" in body
    assert message in body.replace("&quot;", '"').replace("&#x27;", "'")
    assert not Job.objects.exists()


def test_a_file_larger_than_the_limit_is_refused(shop_table, staff_client, export_storage,
                                                 settings):
    settings.DYNADMIN_IMPORT_MAX_BYTES = 100
    response = upload(staff_client, orders_csv([order_row(n) for n in range(10)]))
    assert response.status_code == 400
    assert "the largest an import takes is 100" in response.content.decode()
    assert not Job.objects.exists()


def test_a_read_only_table_takes_no_import(shop_table, staff_client, export_storage,
                                           settings):
    settings.DYNADMIN_READ_ONLY_TABLES = ("Application",)
    assert "Import items" not in staff_client.get(LIST).content.decode()
    # Nobody may add items to a read-only table: the page is refused.
    assert upload(staff_client, orders_csv([order_row(1)])).status_code == 403
    assert not Job.objects.exists()


def test_an_export_from_a_partition_keeps_to_its_condition_and_entity(
        shop_table, staff_client, export_storage):
    """User u0's orders from order 00014 on: the partition holds earlier orders too."""
    seed(shop_table, pending=35, shipped=0)
    partition = "/t/Application/q/?pk=USER%23u0&sk_op=%3E%3D&sk=ORDER%232024-01-15%2300014"
    page = staff_client.get(partition).content.decode()
    link = page.split("data-export-job", 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    link = link.replace("&amp;", "&")
    assert link.startswith(EXPORT + "?")
    assert staff_client.post(link, {"format": "jsonl"}).status_code == 302
    job = Job.objects.get()
    staff_client.post(f"/jobs/{job.pk}/start/", {"confirmation": "3"})
    run_queued()
    ids = [json.loads(line)["order_id"] for line in downloaded(staff_client, job).splitlines()]
    assert sorted(ids) == ["00014", "00021", "00028"]


def test_a_key_on_two_lines_has_two_outcomes(shop_table, staff_client, export_storage):
    """Each line has its outcome: the second line naming a key the first created is left
    as it is, and both are counted."""
    rows = [order_row(1), order_row(2), order_row(1, total="9.99")]
    assert upload(staff_client, orders_csv(rows)).status_code == 302
    job = Job.objects.get()
    staff_client.post(f"/jobs/{job.pk}/start/", {"confirmation": "3"})
    run_queued()
    counts = engine.counts(job)
    assert (counts["written"], counts["unchanged"], counts["done"]) == (2, 1, 3)
    item = data.get_item(shop_table, {"PK": "USER#u1", "SK": "ORDER#2024-01-15#00001"},
                         consistent=True)
    assert str(item["total"]) == "1.95"


def test_a_throttled_line_is_written_again_not_failed(shop_table, staff_client,
                                                      export_storage, monkeypatch):
    """DynamoDB throttles the write of line 3 once: the job backs off and writes it again."""
    from dynadmin.data import call_log

    admin = site.get_entity_admin(Order)
    real = type(admin).save_item
    throttled = []

    def save_item(self, request, item, **kwargs):
        if item.get("order_id") == "00001" and not throttled:
            throttled.append(item["order_id"])
            call_log.record(call_log.Call(operation="PutItem", table="Application",
                                          error="Throttled"))
            raise data.Throttled("DynamoDB throttled PutItem")
        return real(self, request, item, **kwargs)

    monkeypatch.setattr(type(admin), "save_item", save_item)
    assert upload(staff_client, orders_csv([order_row(n) for n in range(4)])
                  ).status_code == 302
    job = Job.objects.get()
    staff_client.post(f"/jobs/{job.pk}/start/", {"confirmation": "4"})
    run_queued()
    assert throttled == ["00001"]
    counts = engine.counts(job)
    assert (counts["written"], counts["failed"], counts["done"]) == (4, 0, 4), counts


def test_an_export_of_nothing_is_an_empty_file(shop_table, staff_client, export_storage):
    seed(shop_table, pending=0, shipped=3)
    job = start_export(staff_client, "csv")
    run_queued()
    rows = list(csv.reader(io.StringIO(downloaded(staff_client, job))))
    assert len(rows) == 1 and rows[0][0] == "user_id"  # the heading alone


def test_an_import_may_update_items_unchanged_since_read(shop_table, staff_client,
                                                         export_storage):
    seed(shop_table, pending=0, shipped=0)
    assert upload(staff_client, orders_csv([order_row(n) for n in range(3)])
                  ).status_code == 302
    first = Job.objects.get()
    staff_client.post(f"/jobs/{first.pk}/start/", {"confirmation": "3"})
    run_queued()
    # Only the columns it changes beside the key's: the others stay as stored.
    changes = b"user_id,order_id,placed_on,status\n" + b"".join(
        f"u1,{n:05d},2024-01-15,PAID\n".encode() for n in (0, 1, 9))
    response = upload(staff_client, changes, mode="update")
    assert response.status_code == 302
    job = Job.objects.exclude(pk=first.pk).get()
    assert "Each updates an existing item" in staff_client.get(
        f"/jobs/{job.pk}/").content.decode()
    staff_client.post(f"/jobs/{job.pk}/start/", {"confirmation": "3"})
    run_queued()
    counts = engine.counts(job)
    assert (counts["written"], counts["refused"]) == (2, 1), counts  # no order 00009
    for n, status in ((0, "PAID"), (1, "PAID"), (2, "PENDING")):
        item = data.get_item(shop_table, {"PK": "USER#u1", "SK": f"ORDER#2024-01-15#{n:05d}"},
                             consistent=True)
        assert item["status"] == status


@pytest.mark.usefixtures("left_to_workers")
def test_an_item_deleted_after_the_export_read_it_is_counted_not_exported(
        shop_table, staff_client, export_storage):
    from .support.jobs import order_key

    seed(shop_table, pending=60, shipped=0)
    job = start_export(staff_client, "jsonl")
    engine.plan(site, job.pk)  # the keys are read
    boto3.resource("dynamodb").Table(shop_table.table_name).delete_item(Key=order_key(17))
    run_queued()
    counts = engine.counts(job)
    assert (counts["read"], counts["written"], counts["conflicted"]) == (60, 59, 1), counts
    ids = [json.loads(line)["order_id"] for line in downloaded(staff_client, job).splitlines()]
    assert len(ids) == 59 and "00017" not in ids
    assert JobItem.objects.get(job=job).message.startswith("deleted since the job read it")


def test_an_exports_reader_writes_each_page_it_reads_and_nothing_is_read_twice(
        shop_table, staff_client, export_storage, settings):
    """The reader holds each page's items: it writes them as the page's part at once (a
    worker reading them again made an export read everything twice); one Query per page,
    no BatchGetItem, and no worker needed but for the file's assembly."""
    from dynadmin.data import call_log

    settings.DYNADMIN_JOB_PAGE_SIZE = 40
    seed(shop_table, pending=100, shipped=0)
    job = start_export(staff_client, "jsonl")
    with call_log.recording() as log:
        engine.plan(site, job.pk)
    operations = [call.operation for call in log.calls]
    # whether the index holds whole items: DynamoDB says it once (and it is kept)
    assert operations in (["Query"] * 3, ["DescribeTable"] + ["Query"] * 3)
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert not JobChunk.objects.filter(job=job, state=JobChunk.State.PENDING).exists()
    ids = [json.loads(line)["order_id"] for line in downloaded(staff_client, job).splitlines()]
    assert sorted(ids) == [f"{n:05d}" for n in range(100)]
    assert engine.counts(job)["written"] == 100


@pytest.fixture
def keys_only_list_index(shop_table, settings):
    """The example's table made again with the Order list's index (GSI2) projecting keys
    only, as a table made outside dynadmin may."""
    import uuid

    from django.test import override_settings

    from dynadmin.data.schema import create_table_request

    name = f"test-{uuid.uuid4().hex[:12]}"
    with override_settings(DYNADMIN_TABLE_NAMES={shop_table.name: name}):
        request = create_table_request(shop_table)
    for index in request["GlobalSecondaryIndexes"]:
        if index["IndexName"] == "GSI2":
            index["Projection"] = {"ProjectionType": "KEYS_ONLY"}
    client = boto3.client("dynamodb")
    client.create_table(**request)
    client.get_waiter("table_exists").wait(TableName=name)
    settings.DYNADMIN_TABLE_NAMES = {shop_table.name: name}
    try:
        yield shop_table
    finally:
        client.delete_table(TableName=name)


def test_an_export_over_an_index_projecting_less_still_exports_whole_items(
        keys_only_list_index, staff_client, export_storage):
    """A page of such an index holds each item's keys only: the items are read by their
    keys, never exported in part."""
    seed(keys_only_list_index, pending=50, shipped=0)
    job = start_export(staff_client, "jsonl")
    run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    lines = [json.loads(line) for line in downloaded(staff_client, job).splitlines()]
    assert len(lines) == 50
    assert all(line["status"] == "PENDING" and "total" in line for line in lines)


def test_counting_and_assembling_an_export_never_reads_its_keys(shop_table, staff_client,
                                                                export_storage):
    """A job of 200,000 items holds that many keys in its chunks: the job page's counts and
    the worker that assembles the file ask the database how many there are, never for the
    keys themselves (reading them cost about 70 MB at that size)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seed(shop_table, pending=120, shipped=0)
    job = start_export(staff_client, "jsonl")
    with CaptureQueriesContext(connection) as queries:
        run_queued()
        job.refresh_from_db()
        found = engine.counts(job)
    assert job.state == Job.State.DONE and found["read"] == found["written"] == 120
    table = JobChunk._meta.db_table
    # the keys of all the job's chunks at once: no single chunk named, no LIMIT
    counted = f'ARRAY_LENGTH("{table}"."keys")'
    every_key = [q["sql"] for q in queries
                 if q["sql"].lstrip().upper().startswith("SELECT")
                 and f'"{table}"."keys"' in q["sql"].split(" FROM ")[0].replace(counted, "")
                 and f'"{table}"."job_id" =' in q["sql"]
                 and f'"{table}"."id" =' not in q["sql"] and " LIMIT " not in q["sql"]]
    assert every_key == []
    assert any("ARRAY_LENGTH" in q["sql"].upper() for q in queries)
