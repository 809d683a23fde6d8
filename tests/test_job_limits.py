"""A job's default capacity limits: a share of a provisioned table's units (and of the index
it reads, and of every index a write reaches), fixed caps on an on-demand table; a job made
without limits of its creator's gets them, and its preview's time estimate is the time the
job's token bucket takes to spend what the preview counted."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from django.core.cache import cache

from dynadmin.data.schema import create_table_request
from dynadmin.jobs.throttle import Bucket, default_limits
from dynadmin.models import Job

from .support.jobs import seed

pytestmark = pytest.mark.django_db

NEW = "/e/Application.Order/jobs/new/"


@pytest.fixture
def provisioned(shop_table, settings) -> Any:
    """The shop's table, provisioned: 40 RCU / 20 WCU, its index GSI2 8 RCU / 12 WCU and its
    other indexes 40 / 40."""
    name = f"test-prov-{uuid.uuid4().hex[:10]}"
    request = create_table_request(shop_table) | {
        "TableName": name, "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 40, "WriteCapacityUnits": 20}}
    for gsi in request.get("GlobalSecondaryIndexes", []):
        gsi["ProvisionedThroughput"] = (
            {"ReadCapacityUnits": 8, "WriteCapacityUnits": 12} if gsi["IndexName"] == "GSI2"
            else {"ReadCapacityUnits": 40, "WriteCapacityUnits": 40})
    client = boto3.client("dynamodb")
    client.create_table(**request)
    settings.DYNADMIN_TABLE_NAMES = {**settings.DYNADMIN_TABLE_NAMES, shop_table.name: name}
    yield shop_table
    client.delete_table(TableName=name)


def test_a_provisioned_table_gives_a_share_of_its_units(provisioned, settings):
    # reads: a quarter of the table's 40; writes: of the smallest a write reaches (GSI2's 12)
    assert default_limits(provisioned) == (10.0, 3.0)
    # a job reading GSI2 reads from its 8 units
    assert default_limits(provisioned, "GSI2") == (2.0, 3.0)
    settings.DYNADMIN_JOB_CAPACITY_SHARE = 0.5
    cache.clear()  # DescribeTable's answer is cached; the share is applied to it afresh
    assert default_limits(provisioned) == (20.0, 6.0)


def test_an_on_demand_table_gives_the_fixed_caps(shop_table, settings):
    assert default_limits(shop_table) == (1000.0, 500.0)
    settings.DYNADMIN_JOB_MAX_WCU = 100
    assert default_limits(shop_table) == (1000.0, 100.0)
    settings.DYNADMIN_JOB_MAX_WCU = 0  # no limit of its own
    assert default_limits(shop_table) == (1000.0, None)


def test_a_job_made_without_limits_gets_the_defaults_and_keeps_its_creators(
        provisioned, staff_client):
    seed(provisioned, pending=3)
    made = staff_client.post(NEW + "?status=PENDING", {
        "what": "update", "field": "status", "value": "CANCELLED"})
    assert made.status_code == 302, made.content.decode()[:2000]
    job = Job.objects.get()
    # the list of PENDING orders reads GSI2 (orders by status): a share of its 8 RCU
    assert (job.max_rcu, job.max_wcu) == (2.0, 3.0)
    own = staff_client.post(NEW + "?status=PENDING", {
        "what": "update", "field": "status", "value": "CANCELLED", "max_wcu": "7"})
    assert own.status_code == 302
    assert (Job.objects.latest("id").max_rcu, Job.objects.latest("id").max_wcu) == (2.0, 7.0)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_the_estimate_is_the_time_the_jobs_bucket_takes(provisioned, staff_client):
    seed(provisioned, pending=30)
    made = staff_client.post(NEW + "?status=PENDING", {
        "what": "update", "field": "status", "value": "CANCELLED"})
    assert made.status_code == 302
    job = Job.objects.get()
    found = job.parameters["preview"]
    assert found["items"] == 30 and found["wcu"] == 30.0
    # writes are the slower side: 30 WCU at 3 WCU/s
    assert found["seconds"] == 10.0
    body = staff_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "≈ 10.0 s at the job&#x27;s limit" in body or "≈ 10.0 s at the job's limit" in body

    clock = FakeClock()
    bucket = Bucket(job.max_wcu, clock=clock, sleep=clock.advance)
    for _ in range(found["items"]):
        bucket.wait()
        bucket.spend(1.0)  # each order is one WCU
    bucket.wait()
    assert clock.now == pytest.approx(found["seconds"])
