"""Journeys in Chromium: follow a table's Activity while a script changes an item and the
archive's consumer archives it; page through a partition's changes."""

from __future__ import annotations

from decimal import Decimal

import boto3
import pytest

from tests.support.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_follow_mode_shows_a_change_made_by_a_script(page, site, shop_names,
                                                       dynamodb_endpoint, archived) -> None:
    from examples.shop.definitions import shop

    archived(shop)  # what the seed made is archived already
    log_in(page, site)
    page.goto(f"{site}/t/Application/activity/?pk=PRODUCT%23journey")
    page.get_by_role("link", name="Follow").click()
    page.get_by_text("Following: new changes appear at the top").wait_for()
    assert page.locator("tr[data-event]").count() == 0

    # The application (a plain boto3 script) makes a product while the page follows.
    table = boto3.resource("dynamodb", endpoint_url=dynamodb_endpoint).Table(
        shop_names["Application"])
    table.put_item(Item={"PK": "PRODUCT#journey", "SK": "METADATA", "type": "Product",
                         "product_id": "journey", "name": "Journey kettle",
                         "category": "KITCHEN", "price": Decimal("19.99"),
                         "version": Decimal(1)})
    archived(shop)  # the consumer beside the server

    row = page.locator('tr[data-event="INSERT"]', has_text="Journey kettle")
    row.wait_for()  # the next poll brings it, within one 5-second interval
    assert "made elsewhere" in row.inner_text()
    assert page.get_by_role("link", name="Stop following").is_visible()


def test_older_and_newer_page_through_a_partitions_changes(page, site, shop_names,
                                                            dynamodb_endpoint, archived,
                                                            settings) -> None:
    from examples.shop.definitions import shop

    settings.DYNADMIN_ACTIVITY_PER_PAGE = 2
    key = {"PK": "PRODUCT#pages", "SK": "METADATA"}
    table = boto3.resource("dynamodb", endpoint_url=dynamodb_endpoint).Table(
        shop_names["Application"])
    table.put_item(Item={**key, "type": "Product", "product_id": "pages", "name": "Pager",
                         "category": "KITCHEN", "price": Decimal("5"), "version": Decimal(1)})
    for version in (2, 3):
        table.update_item(Key=key, UpdateExpression="SET version = :v",
                          ExpressionAttributeValues={":v": version})
    archived(shop)
    log_in(page, site)

    page.goto(f"{site}/t/Application/activity/?pk=PRODUCT%23pages&follow=1")
    assert page.locator("tr[data-event]").count() == 2
    assert page.get_by_role("link", name="Stop following").is_visible()
    page.get_by_role("link", name="Older →").click()  # htmx swaps the results in place
    page.locator('tr[data-event="INSERT"]', has_text="Pager").wait_for()
    # Paging leaves follow mode, and the heading's button says so (swapped out of band).
    assert page.get_by_role("link", name="Follow", exact=True).is_visible()
    assert page.get_by_role("link", name="Stop following").count() == 0
    assert page.locator("tr[data-event]").count() == 1
    assert "cursor=" in page.url and "pk=PRODUCT%23pages" in page.url  # pushed, filter kept
    assert page.get_by_label("Partition key (exact)").input_value() == "PRODUCT#pages"

    page.get_by_role("link", name="← Newer").click()
    page.locator('tr[data-event="MODIFY"]').first.wait_for()
    assert page.locator('tr[data-event="MODIFY"]').count() == 2
    assert page.locator('tr[data-event="INSERT"]').count() == 0


def test_the_filters_form_narrows_by_who_and_says_what_is_wrong(page, site, shop_names,
                                                                dynamodb_endpoint,
                                                                archived) -> None:
    from examples.shop.definitions import shop

    key = {"PK": "PRODUCT#who", "SK": "METADATA"}
    boto3.resource("dynamodb", endpoint_url=dynamodb_endpoint).Table(
        shop_names["Application"]).put_item(Item={
            **key, "type": "Product", "product_id": "who", "name": "Whose kettle",
            "category": "KITCHEN", "price": Decimal("5"), "version": Decimal(1)})
    archived(shop)
    log_in(page, site)

    page.goto(f"{site}/t/Application/activity/?pk=PRODUCT%23who")
    page.get_by_label("Made").select_option("elsewhere")
    page.get_by_role("button", name="Show").click()
    page.locator('tr[data-origin="elsewhere"]', has_text="Whose kettle").wait_for()
    assert "who=elsewhere" in page.url

    page.get_by_label("Made").select_option("dynadmin")
    page.get_by_role("button", name="Show").click()
    page.get_by_text("No changes match these filters.").wait_for()
    assert page.locator("tr[data-event]").count() == 0

    page.goto(f"{site}/t/Application/activity/?since=last+week")
    assert page.get_by_text("last week is not a date (YYYY-MM-DD)").is_visible()
    assert page.get_by_text("Nothing was read: correct the filters above.").is_visible()
