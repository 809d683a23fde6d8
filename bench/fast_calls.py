"""What one DynamoDB call costs dynadmin in CPU: through boto3, and through the fast path.

    python bench/fast_calls.py [--rows 50] [--calls 500]

Against a DynamoDB Local of its own, on the production settings: a Query of one partition
(``--rows`` items, as the partition page reads it), a GetItem and a conditional PutItem of
one of those items, each made through dynadmin's calling path (``data/calling.py``) with
``DYNADMIN_FAST_CALLS`` on and off, through a plain boto3 client for reference, and, as the
floor of any path, the HTTP exchange alone: the fast path's signed request sent again
through the client's pooled session, its answer read but not parsed. The calls run in turns
(fast, boto3, plain, HTTP, fast...) in one thread, and each is charged the thread CPU it
used (``time.thread_time``): waiting for DynamoDB Local costs none, and a busy machine slows
every path alike.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import dataset, djangoenv  # noqa: E402
from examples.project import local  # noqa: E402

PATHS = ("fast path", "boto3 (dynadmin's client)", "plain boto3 client", "HTTP alone")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python bench/fast_calls.py",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50, help="items the Query reads (50)")
    parser.add_argument("--calls", type=int, default=500, help="calls per path (500)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    var = tempfile.mkdtemp(prefix="dynadmin-fast-calls-")
    env = djangoenv.production_env("fast-calls-application") | {
        "DYNADMIN_VAR_DIR": var, "DJANGO_STATIC_ROOT": str(Path(var) / "static")}
    server = local.start(in_memory=True)
    try:
        djangoenv.setup(env | {"AWS_ENDPOINT_URL_DYNAMODB": server.endpoint})
        calls = _prepare(server.endpoint, args.rows)
        gc.freeze()  # as gunicorn's master does (examples/project/gunicorn_conf.py)
        print(f"thread CPU per call, µs ({args.calls} calls per path, {args.rows}-item Query):")
        print(f"  {'':12} " + " ".join(f"{path:>26}" for path in PATHS))
        for operation, ways in calls.items():
            for way in ways:  # warm every path (connections, caches) before measuring
                for _ in range(30):
                    way()
            spent = _in_turns(ways, args.calls)
            print(f"  {operation:12} " + " ".join(f"{us:26.0f}" for us in spent))
    finally:
        server.stop()
    return 0


def _prepare(endpoint: str, rows: int) -> dict[str, list[Callable[[], object]]]:
    from django.conf import settings

    from dynadmin import data
    from dynadmin.data import calling, fast
    from dynadmin.data.client import get_client
    from dynadmin.data.schema import create_table
    from dynadmin.data.serialization import serialize_item
    from dynadmin.services.partitions.query import PartitionQuery
    from examples.shop.definitions import shop

    with mock.patch.object(shop, "stream_view_type", None):  # as the benchmark's table
        create_table(shop)
    data.load_items_unconditionally(shop, (dataset.order_item(i) for i in range(rows)))
    table = shop.table_name
    query = PartitionQuery.from_params(shop, {"pk": dataset.WHALE_PK, "limit": str(rows)})
    item = serialize_item(dataset.order_item(0))
    key = {name: item[name] for name in ("PK", "SK")}
    requests = {
        "Query": query.request(forward=True, start_key=None),
        "GetItem": {"TableName": table, "Key": key},
        "PutItem": {"TableName": table, "Item": item,
                    "ConditionExpression": "attribute_exists(PK)"},
    }
    plain = local.client(endpoint)

    def through(operation: str, request: dict, fast: bool) -> Callable[[], object]:
        writes = operation == "PutItem"

        def call() -> object:
            settings.DYNADMIN_FAST_CALLS = fast
            return calling.call(operation, table, writes=writes, **request)
        return call

    def plainly(operation: str, request: dict) -> Callable[[], object]:
        method = getattr(plain, calling._snake(operation))
        return lambda: method(**request)

    def http_alone(operation: str, request: dict) -> Callable[[], object]:
        client = get_client(writes=operation == "PutItem")
        route = fast.route_for(client, operation)
        model, _ = route.model(operation)
        body = json.dumps(request).encode()
        # Signed once: DynamoDB Local accepts it for the whole run (AWS, for five minutes).
        signed = route._request(operation, route.where(operation, model, request), body, 1,
                                "bench")
        return lambda: route.http.send(signed).content

    return {operation: [through(operation, request, True), through(operation, request, False),
                        plainly(operation, request), http_alone(operation, request)]
            for operation, request in requests.items()}


def _in_turns(ways: list[Callable[[], object]], count: int) -> list[float]:
    spent = [0.0] * len(ways)
    for _ in range(count):
        for index, way in enumerate(ways):
            started = time.thread_time()
            way()
            spent[index] += time.thread_time() - started
    return [1e6 * total / count for total in spent]

if __name__ == "__main__":
    sys.exit(main())
