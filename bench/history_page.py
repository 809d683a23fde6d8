"""What History costs the item page: the order page served in this process with the archive
of changes on and off, and the archive's Query sent raw, in turns, against a DynamoDB Local
of its own.

    python bench/history_page.py [--requests 300] [--changes 30]

The target: the page with History takes at most the page without it plus one Query's
latency (its Query goes out together with the related sections' reads). Wall time per
request, p50 over ``--requests`` turns; each side runs in the same thread, in turns, so a
busy machine slows all three alike. The results go to ``bench/results/history-page.md``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import djangoenv  # noqa: E402
from bench.paths import REPO_ROOT  # noqa: E402
from examples.project import local  # noqa: E402

PASSWORD = "history-bench-password-1"  # noqa: S105 - a throwaway user in a throwaway database
RESULTS = REPO_ROOT / "bench" / "results" / "history-page.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python bench/history_page.py",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="turns measured (300)")
    parser.add_argument("--changes", type=int, default=30,
                        help="changes archived for the order (30)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    var = tempfile.mkdtemp(prefix="dynadmin-history-bench-")
    env = djangoenv.production_env("history-bench-application") | {
        "DYNADMIN_VAR_DIR": var, "DJANGO_STATIC_ROOT": str(Path(var) / "static")}
    server = local.start(in_memory=True)
    try:
        djangoenv.setup(env | {"AWS_ENDPOINT_URL_DYNAMODB": server.endpoint})
        client, url, raw, request = _prepare(server.endpoint, args.changes)
        for _ in range(20):
            _turn(client, url, raw, request)
        on, off, query = [], [], []
        for _ in range(args.requests):
            a, b, c = _turn(client, url, raw, request)
            on.append(a)
            off.append(b)
            query.append(c)
    finally:
        server.stop()
    p50 = {name: statistics.median(values) for name, values in
           (("on", on), ("off", off), ("query", query))}
    verdict = "met" if p50["on"] <= p50["off"] + p50["query"] else "MISSED"
    text = "\n".join([
        "# History on the item page",
        "",
        f"The order page (its line items and customer as related sections) with "
        f"{args.changes} archived changes, {args.requests} turns, wall time p50:",
        "",
        "| | p50 (ms) |",
        "|---|---:|",
        f"| item page, History on (one archive Query beside the related reads) | "
        f"{p50['on']:.2f} |",
        f"| item page, archive off (`DYNADMIN_HISTORY_TABLE = \"\"`) | {p50['off']:.2f} |",
        f"| the archive Query, sent raw | {p50['query']:.2f} |",
        "",
        f"Target: with ≤ without + one Query ({p50['off'] + p50['query']:.2f} ms): "
        f"**{verdict}** (difference {p50['on'] - p50['off']:+.2f} ms).",
        ""])
    print(text)
    if not args.no_write:
        RESULTS.write_text(text)
    return 0


def _turn(client: Any, url: str, raw: Any, request: dict[str, Any]
          ) -> tuple[float, float, float]:
    from django.test import override_settings

    started = time.perf_counter()
    answer = client.get(url)
    on = time.perf_counter()
    with override_settings(DYNADMIN_HISTORY_TABLE=""):
        off_answer = client.get(url)
    off = time.perf_counter()
    raw.query(**request)
    ended = time.perf_counter()
    if answer.status_code != 200 or off_answer.status_code != 200:
        raise SystemExit(f"the item page answered {answer.status_code}/"
                         f"{off_answer.status_code}")
    return 1000 * (on - started), 1000 * (off - on), 1000 * (ended - off)


def _prepare(endpoint: str, changes: int) -> tuple[Any, str, Any, dict[str, Any]]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from dynadmin import data
    from dynadmin.data.schema import create_table, ensure_table
    from dynadmin.history.archive import archive, item_partition
    from dynadmin.history.consumer import follow_once
    from dynadmin.services.url_keys import item_url
    from dynadmin.views.changes import ITEM_PAGE_ROWS
    from examples.shop.definitions import Order, OrderItem, User, shop

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    create_table(shop)
    ensure_table(archive)
    user = User.build_item({"user_id": "b1", "email": "bench@example.com", "name": "Bench"})
    order = Order.build_item({
        "user_id": "b1", "order_id": "900", "placed_on": "2026-01-15",
        "placed_at": "2026-01-15T09:00:00+00:00", "status": "PENDING",
        "total": Decimal("99.95"), "currency": "EUR", "version": 1})
    lines = [OrderItem.build_item({"order_id": "900", "product_id": f"P{n}", "quantity": 1,
                                   "unit_price": Decimal("9.99"), "product_name": "Kettle"})
             for n in range(5)]
    data.load_items_unconditionally(shop, [user, order, *lines])
    key = shop.key_of(order)
    application = local.client(endpoint)
    for number in range(2, changes + 1):
        application.update_item(TableName=shop.table_name, Key={
            "PK": {"S": key["PK"]}, "SK": {"S": key["SK"]}},
            UpdateExpression="SET version = :v", ExpressionAttributeValues={
                ":v": {"N": str(number)}})
    follow_once(shop)
    get_user_model().objects.create_superuser("bench", "b@example.com", PASSWORD)
    client = Client(HTTP_HOST="127.0.0.1")
    if not client.login(username="bench", password=PASSWORD):
        raise SystemExit("could not log in")
    url = item_url(shop, key)
    request = {"TableName": archive.table_name, "KeyConditionExpression": "PK = :pk",
               "ExpressionAttributeValues": {":pk": {"S": item_partition(shop.table_name,
                                                                          key)}},
               # the Query the page makes: its rows, and one more that says there is more
               "ScanIndexForward": False, "Limit": ITEM_PAGE_ROWS + 1}
    return client, url, application, request


if __name__ == "__main__":
    sys.exit(main())
