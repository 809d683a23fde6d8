"""Where a page's CPU goes: the partition page served in this process, on the production
settings, against a DynamoDB Local of its own, with the raw boto3 Query alongside.

    python bench/profile_page.py [--rows 50] [--requests 300] [--profile] [--top 30]

Both sides run in one thread, in turns (raw Query, page, raw Query, page...), and each is
charged the thread CPU it used (``time.thread_time``), so a busy machine slows both alike.
The page goes through Django's whole request cycle (middleware, session, user, view,
template) with the test client; only gunicorn is left out (measure 1d of ``run.py`` has
it). ``--profile`` adds cProfile's top entries by own time and by cumulative time, the
figures ``bench/README.md`` quotes.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import dataset, djangoenv  # noqa: E402
from examples.project import local  # noqa: E402

PASSWORD = "profile-only-password-1"  # noqa: S105 - a throwaway user in a throwaway database


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python bench/profile_page.py",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50, help="the page size (default 50)")
    parser.add_argument("--requests", type=int, default=300, help="pages measured (300)")
    parser.add_argument("--profile", action="store_true", help="cProfile's top entries too")
    parser.add_argument("--top", type=int, default=30, help="entries shown (30)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    var = tempfile.mkdtemp(prefix="dynadmin-profile-")
    env = djangoenv.production_env("profile-application") | {
        "DYNADMIN_VAR_DIR": var, "DJANGO_STATIC_ROOT": str(Path(var) / "static")}
    server = local.start(in_memory=True)
    try:
        djangoenv.setup(env | {"AWS_ENDPOINT_URL_DYNAMODB": server.endpoint})
        client, url, raw, request = _prepare(server.endpoint, args.rows)
        gc.freeze()  # as gunicorn's master does (examples/project/gunicorn_conf.py)
        for _ in range(30):
            raw.query(**request)
            client.get(url)
        raw_cpu, page_cpu = _in_turns(client, url, raw, request, args.requests)
        print(f"{args.rows}-row page, {args.requests} requests, thread CPU per request:")
        print(f"  raw boto3 Query    {raw_cpu:7.2f} ms")
        print(f"  dynadmin page      {page_cpu:7.2f} ms")
        print(f"  dynadmin's own     {page_cpu - raw_cpu:7.2f} ms")
        if args.profile:
            _profile(client, url, args.requests, args.top)
    finally:
        server.stop()
    return 0


def _prepare(endpoint: str, rows: int) -> tuple[object, str, object, dict]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from dynadmin import data
    from dynadmin.data.schema import create_table
    from dynadmin.services.partitions.query import PartitionQuery
    from examples.shop.definitions import shop

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    with mock.patch.object(shop, "stream_view_type", None):  # as the benchmark's table
        create_table(shop)
    data.load_items_unconditionally(shop, (dataset.order_item(i) for i in range(rows)))
    get_user_model().objects.create_superuser("profile", "p@example.com", PASSWORD)
    client = Client(HTTP_HOST="127.0.0.1")
    if not client.login(username="profile", password=PASSWORD):
        raise SystemExit("could not log in")
    query = PartitionQuery.from_params(shop, {"pk": dataset.WHALE_PK, "limit": str(rows)})
    url = query.url()
    answer = client.get(url)
    if answer.status_code != 200 or answer.headers.get("X-Dynadmin-Calls") != "Query":
        raise SystemExit(f"the page answered {answer.status_code}")
    return client, url, local.client(endpoint), query.request(forward=True, start_key=None)


def _in_turns(client: object, url: str, raw: object, request: dict, count: int
              ) -> tuple[float, float]:
    raw_cpu = page_cpu = 0.0
    for _ in range(count):
        started = time.thread_time()
        raw.query(**request)
        middle = time.thread_time()
        client.get(url)
        ended = time.thread_time()
        raw_cpu += middle - started
        page_cpu += ended - middle
    return 1000 * raw_cpu / count, 1000 * page_cpu / count


def _profile(client: object, url: str, count: int, top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        client.get(url)
    profiler.disable()
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(order).print_stats(top)
        print(f"\n-- by {order} (cProfile; its own overhead inflates every figure) --")
        print(text.getvalue().split("\n", 4)[-1].replace(os.getcwd(), "."))


if __name__ == "__main__":
    sys.exit(main())
