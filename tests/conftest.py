"""Shared fixtures: a real DynamoDB backend for the session, a fresh table for each test.

The backend is DynamoDB Local, started in memory by the project's own launcher
(``examples.project.local``); ``DYNADMIN_TEST_BACKEND=moto`` runs the same suite against
moto's server.
Nothing here mocks boto3: every test talks HTTP to a real endpoint on 127.0.0.1.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from examples.project import local

BACKEND = os.environ.get("DYNADMIN_TEST_BACKEND", "dynamodb-local")

# Hypothesis's per-example deadline is a timed assertion: a loaded machine fails it by
# chance (412 ms once, 0.05 ms on the retry). Properties are checked, never speed.
hypothesis_settings.register_profile("dynadmin", deadline=None)
hypothesis_settings.load_profile("dynadmin")


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """Start the backend once per test session (and per xdist worker)."""
    if BACKEND == "moto":
        server = local.start_moto()
    elif BACKEND == "dynamodb-local":
        server = local.start(in_memory=True)
    else:
        raise pytest.UsageError(f"DYNADMIN_TEST_BACKEND={BACKEND!r}: use dynamodb-local or moto")
    saved = {k: os.environ.get(k) for k in _ENV}
    os.environ.update({
        "AWS_ENDPOINT_URL_DYNAMODB": server.endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    })
    from dynadmin.data import reset_client

    reset_client()
    try:
        yield server.endpoint
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_client()


_ENV = ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN", "AWS_PROFILE")


@contextmanager
def physical_table(definition: Any) -> Iterator[dict[str, str]]:
    """Create a fresh physical table for a definition; yields the name mapping to use."""
    from django.test import override_settings

    from dynadmin.data.schema import create_table, delete_table

    names = {definition.name: f"test-{uuid.uuid4().hex[:12]}"}
    with override_settings(DYNADMIN_TABLE_NAMES=names):
        create_table(definition)
    try:
        yield names
    finally:
        with override_settings(DYNADMIN_TABLE_NAMES=names):
            delete_table(definition)


@pytest.fixture(scope="session")
def archive_table(dynamodb_endpoint: str) -> Any:
    """The archive of changes on the session's backend, created once (as ``dynadmin_history
    setup`` does): each test's tables have their own physical names, so their changes are
    kept apart in it."""
    from dynadmin.data.schema import ensure_table
    from dynadmin.history.archive import archive

    ensure_table(archive)
    return archive


@pytest.fixture
def history(dynamodb_endpoint: str, settings) -> Iterator[Any]:  # noqa: ANN001
    """A fresh archive table of the test's own, created by the command (for tests of the
    archive itself: checkpoints, gaps and statuses of no other test)."""
    from io import StringIO

    from django.core.management import call_command

    from dynadmin.data.schema import delete_table
    from dynadmin.history.archive import archive

    settings.DYNADMIN_HISTORY_TABLE = f"test-history-{uuid.uuid4().hex[:12]}"
    out = StringIO()
    call_command("dynadmin_history", "setup", stdout=out)
    assert "Created" in out.getvalue()
    yield archive
    delete_table(archive)


@pytest.fixture
def archived(archive_table: Any) -> Any:
    """``archived(table)``: archive what the table's stream holds now, one pass of the
    consumer, as ``dynadmin_history follow`` has done by the time a person looks."""
    from dynadmin.history.consumer import follow_once

    return follow_once


@pytest.fixture
def shop_table(dynamodb_endpoint: str, settings, archive_table):  # noqa: ANN001, ANN201
    """A fresh, empty physical table for the example's ``Application`` definition (the
    example registers the archive of changes too: it exists, as after ``make run``)."""
    from examples.shop.definitions import shop

    with physical_table(shop) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        yield shop
        settings.DYNADMIN_TABLE_NAMES = names  # a test may have pointed it elsewhere


@pytest.fixture
def staff_client(client, django_user_model):  # noqa: ANN001, ANN201
    """A logged-in superuser (every permission)."""
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache (login throttling, DescribeTable answers)."""
    from django.conf import settings

    if settings.configured:  # test_local.py also runs without Django (-p no:django)
        from django.core.cache import cache

        cache.clear()
    yield


# -- browser journeys (Chromium through Playwright; helpers in tests/support/browser.py) ----
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from tests.support.browser import CHROMIUM, LAUNCH_ARGS, require_browser

    require_browser()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made while a
    # browser is open happen outside of it, so Django's async-safety guard does not apply.
    unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=LAUNCH_ARGS)
            yield browser
            browser.close()
    finally:
        if unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = unsafe


@pytest.fixture(scope="module")
def shop_names(dynamodb_endpoint: str, django_db_blocker, archive_table: Any
               ) -> Iterator[dict[str, str]]:
    """The example design, seeded small (the whale still has several pages of orders), and
    the archive of changes beside it, as after ``make run``."""
    from django.test import override_settings

    from dynadmin import data
    from examples.shop import seed
    from examples.shop.definitions import shop

    with physical_table(shop) as names, override_settings(DYNADMIN_TABLE_NAMES=names):
        data.load_items_unconditionally(shop, seed.generate(users=30, orders=700))
        yield names


@pytest.fixture
def site(live_server, shop_names, settings, django_user_model) -> str:  # noqa: ANN001
    """The live server over the seeded example, with a superuser who signs in by password."""
    from tests.support.browser import PASSWORD

    settings.DYNADMIN_TABLE_NAMES = shop_names
    django_user_model.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    return live_server.url


@pytest.fixture
def page(browser, site) -> Iterator[Any]:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def axe_script() -> Path:
    """axe-core's script, to inject into a page (whose CSP must then be bypassed)."""
    from tests.support.browser import fetch_axe

    return fetch_axe()


# -- items the editing tests share -----------------------------------------------------------
@pytest.fixture
def order(shop_table) -> dict[str, Any]:  # noqa: ANN001
    """The example's order 456 of user u1 (at ``tests.support.editing.ORDER_KEY``): pending,
    in euros, version 1."""
    import datetime as dt
    from decimal import Decimal

    from dynadmin import data
    from dynadmin.data.conditions import AttributeNotExists
    from examples.shop.definitions import Order

    item = Order.build_item({
        "user_id": "u1", "order_id": "456", "placed_on": "2024-01-15",
        "placed_at": dt.datetime(2024, 1, 15, 9, tzinfo=dt.UTC), "status": "PENDING",
        "total": Decimal("99.95"), "currency": "EUR", "version": 1})
    data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    return item


@pytest.fixture
def orders(shop_table) -> list[dict[str, Any]]:  # noqa: ANN001
    """Four orders of user u1 on one day, the last one delivered (the others pending)."""
    from dynadmin import data
    from dynadmin.data.conditions import AttributeNotExists
    from tests.support.partition_orders import order

    items = [order(1), order(2), order(3), order(4, "DELIVERED")]
    for item in items:
        data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    return items
