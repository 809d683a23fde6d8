"""Journey in Chromium: a change a script makes appears at the top of the item's History,
with the consumer following the table's stream as ``make run`` has it."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import boto3
import pytest

from dynadmin.history.consumer import follow, follow_once
from tests.support.browser import item_url_of_known_order, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def consumer(shop_names, archive_table) -> Iterator[None]:  # noqa: ANN001
    """``dynadmin_history follow`` beside the server, caught up with the seed first (as
    after ``make run``'s first minute)."""
    from examples.shop.definitions import shop

    follow_once(shop)
    stop = threading.Event()
    thread = threading.Thread(target=follow, args=(shop,),
                              kwargs={"interval": 0.5, "stop": stop}, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)


def test_a_change_made_with_boto3_tops_the_items_history_within_seconds(
        page, site, shop_names, dynamodb_endpoint, consumer) -> None:
    log_in(page, site)
    order_url = item_url_of_known_order(site)
    page.goto(order_url)
    history = page.locator("section", has=page.get_by_role("heading", name="History"))
    assert history.locator("tr[data-event]").count() >= 1  # the seed's INSERT, archived

    note = f"called the customer {uuid.uuid4().hex[:6]}"
    pk, sk = (order_url.split("pk=")[1].split("&")[0].replace("%23", "#"),
              order_url.split("sk=")[1].replace("%23", "#"))
    boto3.resource("dynamodb", endpoint_url=dynamodb_endpoint).Table(
        shop_names["Application"]).update_item(
        Key={"PK": pk, "SK": sk}, UpdateExpression="SET notes = :n",
        ExpressionAttributeValues={":n": [note]})

    # a person reloading: within seconds (10 s after `make run`; a loaded CI machine gets more)
    deadline = time.monotonic() + 20
    while True:
        page.reload()
        top = history.locator("tr[data-event]").first
        if note in top.inner_text() or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)
    assert note in top.inner_text()
    assert top.get_attribute("data-origin") == "elsewhere"
    assert "made elsewhere" in top.inner_text()
    shot(page, "item-history")
