"""When DynamoDB misbehaves: clear pages, recovery by itself, and writes that are settled.

Every failure here is real HTTP on 127.0.0.1, never a mocked boto3:

- a dedicated DynamoDB Local (data on disk) stopped while a person browses and edits, then
  started again on the same port: the same process and client recover;
- fake peers (tests/fakes.py) that throttle, refuse, or never answer;
- a proxy in front of the real backend that loses a request before it reaches DynamoDB, or
  loses DynamoDB's answer after the write was applied.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.data.schema import create_table
from dynadmin.data.serialization import dumps_dynamodb_json
from dynadmin.definitions import Table
from dynadmin.editing import writes
from dynadmin.models import AuditEntry
from dynadmin.services.partitions.query import partition_url
from dynadmin.services.url_keys import item_url
from examples.project import local
from examples.shop.definitions import Order, shop

from . import fakes
from .conftest import physical_table

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


# -- helpers ------------------------------------------------------------------------------------
@pytest.fixture
def point_at(dynamodb_endpoint: str) -> Iterator[Callable[[str], None]]:
    """Point the application's client at another endpoint (restored afterwards)."""
    saved = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")

    def point(endpoint: str) -> None:
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
        data.reset_client()

    yield point
    if saved is None:
        os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
    else:
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = saved
    data.reset_client()


def order(order_id: str = "456", **values: Any) -> dict[str, Any]:
    item = Order.build_item({
        "user_id": "u1", "order_id": order_id, "placed_on": "2024-01-15",
        "placed_at": dt.datetime(2024, 1, 15, 9, tzinfo=dt.UTC), "status": "PENDING",
        "total": Decimal("99.95"), "version": 1, **values})
    return item


def put(item: dict[str, Any]) -> dict[str, Any]:
    data.put_item(shop, item, condition=AttributeNotExists("PK"))
    return item


def key_of(item: dict[str, Any]) -> dict[str, Any]:
    return shop.key_of(item)


def edit_url(item: dict[str, Any]) -> str:
    return item_url(shop, item).replace("/item/?", "/item/edit/?", 1)


def delete_url(item: dict[str, Any]) -> str:
    return item_url(shop, item).replace("/item/?", "/item/delete/?", 1)


def original_token(response: Any) -> str:
    match = re.search(r'name="original" value="([^"]*)"', response.content.decode())
    assert match, "the form carries the signed original"
    return unescape(match.group(1))


def open_raw_form(client: Any, item: dict[str, Any]) -> str:
    """Open the (raw JSON) edit form as a person would; returns its signed original."""
    response = client.get(edit_url(item) + "&raw=1")
    assert response.status_code == 200
    return original_token(response)


def post_raw(client: Any, item: dict[str, Any], token: str, new_item: dict[str, Any]) -> Any:
    return client.post(edit_url(item), {"original": token, "raw": "1",
                                        "item": dumps_dynamodb_json(new_item)})


def page(response: Any) -> str:
    html = response.content.decode()
    assert "Traceback" not in html and 'File "' not in html
    return html


def assert_error_page(response: Any, status: int, *words: str) -> str:
    html = page(response)
    assert response.status_code == status, html[:2000]
    for word in words:
        assert word in html, f"{word!r} not on the {status} page"
    assert "What happened" in html and "What to do" in html
    return html


def audit_entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.order_by("id"))


# -- a DynamoDB Local that can be stopped and started again ------------------------------------
class Restartable:
    """DynamoDB Local on a fixed port with its data on disk, so it survives a restart."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.port = local.free_port()
        self.server: local.LocalServer | None = None

    @property
    def endpoint(self) -> str:
        return local.endpoint_for(self.port)

    def start(self) -> None:
        deadline = time.monotonic() + 15
        while True:  # the port may linger for a moment after a stop
            try:
                self.server = local.start(self.port, in_memory=False, db_path=self.db_path,
                                          timeout=60)
                return
            except local.LocalBackendError as exc:
                if "already in use" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


@pytest.fixture(scope="module")
def restartable(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
                ) -> Iterator[Restartable]:
    server = Restartable(tmp_path_factory.mktemp("dynamodb-local-data"))
    # Two JVMs start at once when this file runs alone: the session's backend and this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        starting = pool.submit(server.start)
        try:
            request.getfixturevalue("dynamodb_endpoint")
        finally:
            try:
                starting.result(timeout=120)
            except local.LocalBackendError as exc:
                pytest.skip(f"DynamoDB Local cannot run here: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def on_restartable(restartable: Restartable, point_at: Callable[[str], None], settings: Any
                   ) -> Restartable:
    """The application pointed at the restartable DynamoDB Local, with a fresh shop table."""
    if restartable.server is None:  # an earlier test failed while it was stopped
        restartable.start()
    point_at(restartable.endpoint)
    names = {shop.name: f"test-{uuid.uuid4().hex[:12]}"}
    with override_settings(DYNADMIN_TABLE_NAMES=names):
        create_table(shop)
    settings.DYNADMIN_TABLE_NAMES = names
    return restartable


def test_dynamodb_stopping_mid_way_through_browsing_and_editing_then_coming_back(
        staff_client, on_restartable):
    """A person browses and opens an edit form; DynamoDB Local stops; every page says so
    (nothing is saved, nothing audited); it starts again on the same port with its data, and
    the same process and client carry on without a reset."""
    for number in range(3):
        put(order(f"45{number}"))
    item = order("450")
    url = partition_url(shop, "USER#u1") + "&limit=2"
    response = staff_client.get(url)
    assert response.status_code == 200
    assert "ORDER#2024-01-15#450" in page(response)
    next_url = response.context["page"].next_url
    assert next_url
    token = open_raw_form(staff_client, item)
    mine = dict(item, status="PAID")
    client = data.get_client()

    on_restartable.stop()
    html = assert_error_page(staff_client.get(url), 503, "DynamoDB is unreachable",
                             "reconnects by itself", "Query", "Try again")
    assert on_restartable.endpoint in html
    # The "next page" swap shows the message where the results would have gone.
    fragment = staff_client.get(next_url, **HTMX)
    assert fragment.status_code == 200  # htmx swaps only 2xx answers
    assert fragment["X-Dynadmin-Error-Status"] == "503"
    assert fragment["HX-Push-Url"] == "false"
    assert "DynamoDB is unreachable" in page(fragment)
    assert "<html" not in fragment.content.decode()
    assert_error_page(staff_client.get(item_url(shop, item)), 503, "unreachable")
    # The connection is refused: nothing can have reached DynamoDB, no read-back needed.
    html = assert_error_page(post_raw(staff_client, item, token, mine), 503,
                             "Your change was NOT saved", "nothing was written",
                             "could not connect")
    assert "may or may not" not in html
    # The attempt is audited all the same: who tried what, and that nothing was written.
    (refused,) = audit_entries()
    assert (refused.outcome, refused.action, refused.username) == (
        AuditEntry.Outcome.NOT_APPLIED, "update", "admin")
    assert refused.key_text == "USER#u1 / ORDER#2024-01-15#450"
    assert "Nothing was written" in refused.detail and "connect" in refused.detail
    assert '"PAID"' in refused.after

    on_restartable.start()
    response = staff_client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "ORDER#2024-01-15#450" in page(response)
    assert staff_client.get(next_url, **HTMX).status_code == 200
    assert data.get_item(shop, key_of(item), consistent=True) == item
    # The same form saves now.
    response = post_raw(staff_client, item, token, mine)
    assert response.status_code == 302
    assert data.get_item(shop, key_of(item), consistent=True)["status"] == "PAID"
    assert [e.outcome for e in audit_entries()] == [AuditEntry.Outcome.NOT_APPLIED,
                                                    AuditEntry.Outcome.APPLIED]
    assert data.get_client() is client, "the same client recovered: nothing was reset"


# -- fake peers: throttling, refusals, silence ---------------------------------------------------
class TestFakePeers:
    def test_throttling_is_a_503_that_says_to_try_again_shortly(self, staff_client, point_at,
                                                                 settings):
        # botocore's retries beyond the first: one
        settings.DYNADMIN_MAX_ATTEMPTS = settings.DYNADMIN_READ_MAX_ATTEMPTS = 1
        with fakes.throttling_peer() as peer:
            point_at(peer.endpoint)
            response = staff_client.get(partition_url(shop, "USER#u1"))
        assert_error_page(response, 503, "DynamoDB is throttling requests",
                          "Try again in a few seconds", "ProvisionedThroughputExceeded",
                          "Query")
        assert peer.requests == ["Query", "Query"]  # botocore retried it once

    def test_access_denied_is_a_403_naming_the_iam_action(self, staff_client, point_at):
        with fakes.access_denied_peer() as peer:
            point_at(peer.endpoint)
            response = staff_client.get(partition_url(shop, "USER#u1"))
            item_page = staff_client.get(item_url(shop, order()))
        assert_error_page(response, 403, "AWS refused the permission", "dynamodb:Query",
                          "Grant the IAM action")
        assert_error_page(item_page, 403, "dynamodb:GetItem")
        # A refusal is an answer: not retried (the partition page's Query, then the item
        # page's GetItem and, sent beside it, its History's Query of the archive, once each)
        assert peer.requests[0] == "Query" and sorted(peer.requests[1:]) == ["GetItem", "Query"]

    def test_unknown_credentials_are_a_403_about_the_credentials(self, staff_client,
                                                                  point_at):
        with fakes.unrecognized_client_peer() as peer:
            point_at(peer.endpoint)
            response = staff_client.get(item_url(shop, order()))
        assert_error_page(response, 403, "AWS refused the credentials", "renew the credentials",
                          "dynamodb:GetItem")

    def test_a_write_refused_by_aws_is_not_saved_and_says_why(self, point_at):
        item = order()
        with fakes.access_denied_peer() as peer:
            point_at(peer.endpoint)
            with pytest.raises(writes.WriteInterrupted) as caught:
                writes.save(shop, item, dict(item, status="PAID"), user=None)
        assert caught.value.outcome == "not_applied"
        assert caught.value.status == 403
        assert isinstance(caught.value.cause, data.AccessDenied)
        assert peer.requests == ["UpdateItem"]  # refused before anything: no read-back
        assert [(e.outcome, e.action) for e in audit_entries()] == [
            (AuditEntry.Outcome.NOT_APPLIED, "update")]

    @pytest.mark.parametrize(("code", "status", "title"), [
        ("ThrottlingException", 503, "DynamoDB is throttling requests"),
        ("RequestLimitExceeded", 503, "DynamoDB is throttling requests"),
        ("ExpiredTokenException", 403, "AWS refused the credentials"),
        ("ResourceNotFoundException", 404, "Table not found"),
        ("InternalServerError", 503, "DynamoDB failed to answer"),
        ("SomethingNobodyDocumented", 503, "DynamoDB error"),
    ])
    def test_every_error_code_has_its_page(self, staff_client, point_at, settings, code,
                                           status, title):
        # the page, not botocore's retries
        settings.DYNADMIN_MAX_ATTEMPTS = settings.DYNADMIN_READ_MAX_ATTEMPTS = 0
        with fakes.ErrorPeer(code, status=500 if code == "InternalServerError" else 400
                             ) as peer:
            point_at(peer.endpoint)
            response = staff_client.get(item_url(shop, order()))
        assert_error_page(response, status, title, "GetItem")

    def test_an_unknown_error_code_is_a_503_naming_the_code_never_a_500(
            self, staff_client, point_at, settings):
        """A code AWS adds tomorrow is DynamoDB's side, not a bug in dynadmin: the error
        itself carries 503 (so every consumer of it, not only the page, says so)."""
        settings.DYNADMIN_MAX_ATTEMPTS = settings.DYNADMIN_READ_MAX_ATTEMPTS = 0
        with fakes.ErrorPeer("SomethingNewException", "A brand new failure") as peer:
            point_at(peer.endpoint)
            response = staff_client.get(item_url(shop, order()))
            fragment = staff_client.get(partition_url(shop, "USER#u1"), **HTMX)
            with pytest.raises(data.DataError) as caught:
                data.get_item(shop, key_of(order()))
        assert_error_page(response, 503, "SomethingNewException", "A brand new failure",
                          "GetItem")
        assert fragment["X-Dynadmin-Error-Status"] == "503"
        assert "SomethingNewException" in page(fragment)
        assert caught.value.status == 503

    def test_a_peer_slower_than_the_read_timeout_is_a_quick_503(self, staff_client, point_at,
                                                               settings):
        settings.DYNADMIN_READ_TIMEOUT = 1
        # two attempts in all
        settings.DYNADMIN_MAX_ATTEMPTS = settings.DYNADMIN_READ_MAX_ATTEMPTS = 1
        with fakes.SilentPeer() as peer:
            point_at(peer.endpoint)
            response = staff_client.get(partition_url(shop, "USER#u1"))
        # How long it took is the benchmark's business; here: it gave up after its attempts.
        assert_error_page(response, 503, "DynamoDB did not answer in time", "within 1 s",
                          "2 attempts")
        assert peer.requests == ["Query", "Query"]

    def test_a_stalled_dynamodb_holds_a_page_no_longer_than_its_budget(
            self, staff_client, point_at, settings):
        """Retries stop once the page's budget for DynamoDB is spent: a stall holds a server
        thread for a bounded time, not for every retry botocore would make."""
        settings.DYNADMIN_READ_TIMEOUT = 1
        settings.DYNADMIN_MAX_ATTEMPTS = settings.DYNADMIN_READ_MAX_ATTEMPTS = 5  # 6 tries
        settings.DYNADMIN_REQUEST_BUDGET = 2.5
        with fakes.SilentPeer() as peer:
            point_at(peer.endpoint)
            response = staff_client.get(partition_url(shop, "USER#u1"))
        assert_error_page(response, 503, "DynamoDB did not answer in time",
                          "2.5 s for DynamoDB ran out", "Nothing more was sent")
        # Each attempt waits the 1 s read timeout: within 2.5 s at most three are sent, never
        # the six the retry setting alone would allow (on a busy machine the budget may even
        # run out before the first is sent: that is the budget holding too).
        assert len(peer.requests) <= 3 and set(peer.requests) <= {"Query"}

    def test_reads_are_retried_less_than_writes(self, point_at, settings):
        settings.DYNADMIN_MAX_ATTEMPTS, settings.DYNADMIN_READ_MAX_ATTEMPTS = 3, 1
        with fakes.throttling_peer() as peer:
            point_at(peer.endpoint)
            with pytest.raises(data.Throttled):
                data.get_item(shop, {"PK": "USER#u1", "SK": "METADATA"})
            reads = len(peer.requests)
            with pytest.raises(data.DataError):
                data.put_item(shop, order(), condition=AttributeNotExists("PK"))
        assert reads == 2 and len(peer.requests) - reads == 4

    def test_a_write_whose_answer_never_comes_is_unknown_when_the_check_fails_too(
            self, point_at, settings, django_user_model):
        settings.DYNADMIN_READ_TIMEOUT = 1
        # no retry: one second per call
        settings.DYNADMIN_MAX_ATTEMPTS = settings.DYNADMIN_READ_MAX_ATTEMPTS = 0
        user = django_user_model.objects.create_user("editor", is_staff=True)
        item = order()
        with fakes.SilentPeer() as peer:
            point_at(peer.endpoint)
            with pytest.raises(writes.WriteInterrupted) as caught:
                writes.save(shop, item, dict(item, status="PAID"), user=user)
        assert caught.value.outcome == "unknown" and caught.value.status == 503
        assert peer.requests[-1] == "GetItem"  # the read-back was tried
        (entry,) = audit_entries()
        assert entry.outcome == AuditEntry.Outcome.UNKNOWN
        assert entry.username == "editor" and entry.action == "update"
        assert "did not answer" in entry.detail


# -- missing table, missing index ---------------------------------------------------------------
class TestMissingResources:
    def test_a_missing_table_is_a_404(self, staff_client, dynamodb_endpoint, settings):
        settings.DYNADMIN_TABLE_NAMES = {shop.name: "dynadmin-no-such-table"}
        response = staff_client.get(partition_url(shop, "USER#u1"))
        assert_error_page(response, 404, "Table not found", "dynadmin-no-such-table",
                          "DYNADMIN_TABLE_NAMES")
        assert_error_page(staff_client.get(item_url(shop, order())), 404, "Table not found")

    def test_an_index_the_table_lacks_is_a_404_naming_it(self, staff_client, dynamodb_endpoint,
                                                         settings):
        without_gsi1 = Table(shop.name, pk="PK", sk="SK")
        with physical_table(without_gsi1) as names:
            settings.DYNADMIN_TABLE_NAMES = names
            response = staff_client.get(partition_url(shop, "ORDER#456", index="GSI1"))
            html = assert_error_page(response, 404, "Index not found", "GSI1",
                                     "Check the definitions against the table")
            health = reverse("dynadmin:health", kwargs={"table": shop.name})
            assert f'href="{health}"' in html
            # The table itself is fine.
            assert staff_client.get(partition_url(shop, "USER#u1")).status_code == 200


# -- a proxy that loses requests or answers: interrupted writes -------------------------------
@pytest.fixture
def proxy(shop_table: Table, dynamodb_endpoint: str, point_at: Callable[[str], None]
          ) -> Iterator[fakes.DroppingProxy]:
    with fakes.DroppingProxy(dynamodb_endpoint) as running:
        point_at(running.endpoint)
        yield running


class TestInterruptedWrites:
    def test_an_answer_lost_after_the_update_was_applied_is_reported_as_saved(
            self, staff_client, proxy):
        item = put(order())
        token = open_raw_form(staff_client, item)
        proxy.rule("UpdateItem", fakes.DROP_AFTER)
        response = post_raw(staff_client, item, token, dict(item, status="PAID"))
        assert response.status_code == 302
        assert set(proxy.actions("UpdateItem")) == {fakes.DROP_AFTER}
        assert proxy.actions("GetItem")[-1] == fakes.FORWARD  # the read-back
        shown = page(staff_client.get(response["Location"]))
        assert "Saved, despite a hiccup" in shown and "your change is there" in shown
        current = data.get_item(shop, key_of(item), consistent=True)
        assert current["status"] == "PAID" and current["version"] == 2
        (entry,) = audit_entries()
        assert entry.outcome == AuditEntry.Outcome.APPLIED and entry.action == "update"

    def test_a_retry_failing_its_own_guard_is_recognised_as_saved(self, staff_client, proxy):
        item = put(order())
        token = open_raw_form(staff_client, item)
        # Only the first answer is lost: botocore's retry then fails the version guard.
        proxy.rule("UpdateItem", fakes.DROP_AFTER, times=1)
        response = post_raw(staff_client, item, token, dict(item, status="PAID"))
        assert response.status_code == 302, page(response)[:2000]
        assert proxy.actions("UpdateItem") == [fakes.DROP_AFTER, fakes.FORWARD]
        assert "the automatic retry found your change already there" in page(
            staff_client.get(response["Location"]))
        assert data.get_item(shop, key_of(item), consistent=True)["status"] == "PAID"
        assert [e.outcome for e in audit_entries()] == [AuditEntry.Outcome.APPLIED]

    def test_a_request_lost_before_dynamodb_is_not_saved_and_audited_as_not_applied(
            self, staff_client, proxy):
        item = put(order())
        token = open_raw_form(staff_client, item)
        proxy.rule("UpdateItem", fakes.DROP_BEFORE)
        response = post_raw(staff_client, item, token, dict(item, status="PAID"))
        html = assert_error_page(response, 503, "Your change was NOT saved",
                                 "nothing was written", "found nothing changed")
        assert "Open the item" in html
        assert proxy.actions("GetItem")[-1] == fakes.FORWARD  # the read-back
        assert data.get_item(shop, key_of(item), consistent=True) == item
        (entry,) = audit_entries()
        assert entry.outcome == AuditEntry.Outcome.NOT_APPLIED
        assert "found nothing changed" in entry.detail
        assert "Not applied" in page(staff_client.get(reverse("dynadmin:recent_actions")))

    def test_when_the_read_back_fails_too_the_outcome_is_unknown_and_audited(
            self, staff_client, proxy):
        item = put(order())
        token = open_raw_form(staff_client, item)
        proxy.rule("UpdateItem", fakes.DROP_AFTER).rule("GetItem", fakes.DROP_BEFORE)
        response = post_raw(staff_client, item, token, dict(item, status="PAID"))
        html = page(response)
        assert response.status_code == 503
        assert "your change may or may not have been saved" in html
        assert "Open the item to check" in html and "unknown" in html
        proxy.clear()
        # It was in fact applied; the log says "unknown", never "not applied".
        assert data.get_item(shop, key_of(item), consistent=True)["status"] == "PAID"
        (entry,) = audit_entries()
        assert entry.outcome == AuditEntry.Outcome.UNKNOWN
        assert entry.key_text == "USER#u1 / ORDER#2024-01-15#456"
        recent = page(staff_client.get(reverse("dynadmin:recent_actions")))
        assert "Unknown (interrupted)" in recent

    def test_a_third_state_found_by_the_read_back_is_unknown(self, staff_client, proxy,
                                                              dynamodb_endpoint):
        item = put(order())
        token = open_raw_form(staff_client, item)

        def someone_else_edits() -> None:  # straight to DynamoDB, as another tool would
            local.client(dynamodb_endpoint).update_item(
                TableName=shop.table_name, Key={"PK": {"S": item["PK"]}, "SK": {"S": item["SK"]}},
                UpdateExpression="SET #s = :s, #v = :v",
                ExpressionAttributeNames={"#s": "status", "#v": "version"},
                ExpressionAttributeValues={":s": {"S": "CANCELLED"}, ":v": {"N": "2"}})

        proxy.rule("UpdateItem", fakes.DROP_BEFORE, meanwhile=someone_else_edits)
        response = post_raw(staff_client, item, token, dict(item, status="PAID"))
        assert response.status_code == 503
        assert "neither the version you saw nor yours" in page(response)
        (entry,) = audit_entries()
        assert entry.outcome == AuditEntry.Outcome.UNKNOWN

    def test_a_move_whose_answer_is_lost_checks_both_keys(self, staff_client, proxy):
        item = put(order())
        token = open_raw_form(staff_client, item)
        moved = dict(item, SK="ORDER#2024-01-16#456", placed_on="2024-01-16")
        proxy.rule("TransactWriteItems", fakes.DROP_AFTER)
        response = post_raw(staff_client, item, token, moved)
        assert response.status_code == 302, page(response)[:2000]
        assert proxy.actions("GetItem")[-2:] == [fakes.FORWARD, fakes.FORWARD]  # both keys
        assert data.get_item(shop, key_of(item), consistent=True) is None
        assert data.get_item(shop, key_of(moved), consistent=True)["version"] == 2
        (entry,) = audit_entries()
        assert entry.outcome == AuditEntry.Outcome.APPLIED and entry.action == "move"

    def test_a_move_lost_before_dynamodb_is_not_saved(self, staff_client, proxy):
        item = put(order())
        token = open_raw_form(staff_client, item)
        moved = dict(item, SK="ORDER#2024-01-16#456", placed_on="2024-01-16")
        proxy.rule("TransactWriteItems", fakes.DROP_BEFORE)
        response = post_raw(staff_client, item, token, moved)
        assert_error_page(response, 503, "Your change was NOT saved")
        assert data.get_item(shop, key_of(item), consistent=True) == item
        assert data.get_item(shop, key_of(moved), consistent=True) is None
        # Filed under the key the item was read at: where its History is found.
        (entry,) = audit_entries()
        assert (entry.outcome, entry.action) == (AuditEntry.Outcome.NOT_APPLIED, "move")
        assert entry.key_text == "USER#u1 / ORDER#2024-01-15#456"

    def test_a_delete_whose_answer_is_lost_is_reported_as_done(self, staff_client, proxy):
        item = put(order())
        response = staff_client.get(delete_url(item))
        assert response.status_code == 200
        token = original_token(response)
        proxy.rule("DeleteItem", fakes.DROP_AFTER)
        response = staff_client.post(delete_url(item), {"original": token})
        assert response.status_code == 302, page(response)[:2000]
        shown = page(staff_client.get(response["Location"]))
        assert "despite a hiccup" in shown
        assert data.get_item(shop, key_of(item), consistent=True) is None
        assert [(e.action, e.outcome) for e in audit_entries()] == [("delete", "applied")]

    def test_creates_are_settled_the_same_way(self, proxy):
        lost_answer, lost_request = order("1"), order("2")
        proxy.rule("PutItem", fakes.DROP_AFTER)
        result = writes.create(shop, lost_answer, user=None)
        assert result.recovered
        proxy.rule("PutItem", fakes.DROP_BEFORE)
        with pytest.raises(writes.WriteInterrupted) as caught:
            writes.create(shop, lost_request, user=None)
        assert caught.value.outcome == "not_applied"
        proxy.clear()
        assert data.get_item(shop, key_of(lost_answer), consistent=True) == lost_answer
        assert data.get_item(shop, key_of(lost_request), consistent=True) is None
        assert [(e.action, e.outcome) for e in audit_entries()] == [
            ("create", "applied"), ("create", "not_applied")]


class TestEveryAttemptIsAudited:
    """A write refused because DynamoDB did not answer is an attempt like any other: who
    tried what, where, and that nothing was written."""

    @staticmethod
    def _action_form(client: Any) -> dict[str, Any]:
        html = page(client.get(partition_url(shop, "USER#u1")))
        rows = re.findall(r'<input type="checkbox" data-row="(\d+)"', html)
        token = unescape(re.search(r'name="selection" value="([^"]*)"', html).group(1))
        return {"action": "Order.mark_shipped", "rows": ", ".join(rows), "selection": token}

    def test_an_action_stopped_by_an_outage_audits_every_row(self, staff_client, proxy):
        for number in range(3):
            put(order(f"45{number}"))
        form = self._action_form(staff_client)
        proxy.rule("UpdateItem", fakes.DROP_BEFORE)
        response = staff_client.post(reverse("dynadmin:action", kwargs={"table": "Application"}),
                                     form)
        assert response.status_code == 200
        assert unescape(page(response)).count(">not saved<") == 3
        entries = audit_entries()
        assert [(e.action, e.outcome) for e in entries] == [
            ("action", AuditEntry.Outcome.NOT_APPLIED)] * 3
        assert sorted(e.key_text for e in entries) == [
            f"USER#u1 / ORDER#2024-01-15#45{n}" for n in range(3)]
        assert sum("not tried" in e.detail for e in entries) == 2

    def test_a_write_whose_first_read_fails_is_audited(self, staff_client, proxy):
        put(order())
        form = self._action_form(staff_client)
        proxy.rule("BatchGetItem", fakes.DROP_BEFORE)
        response = staff_client.post(reverse("dynadmin:action", kwargs={"table": "Application"}),
                                     form)
        assert response.status_code == 503
        (entry,) = audit_entries()
        assert (entry.action, entry.outcome, entry.username) == (
            "action", AuditEntry.Outcome.NOT_APPLIED, "admin")
        assert "BatchGetItem" in entry.detail or "connect" in entry.detail.lower()
