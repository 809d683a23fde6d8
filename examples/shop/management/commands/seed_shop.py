"""``manage.py seed_shop``: create the example table and load the demo dataset into it, once.

The dataset's TTLs are relative to the moment it is generated, so loading it again would change
every session and invitation. Instead, a marker item written after everything else records
what was loaded; a second run with the same parameters finds it and does nothing. A run that
dies half-way leaves no marker, so the next one simply loads again.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    OutputWrapper,
)

from dynadmin.data import get_item, load_items_unconditionally, put_item
from dynadmin.data.client import get_client
from dynadmin.data.conditions import AttributeNotExists, Equals
from dynadmin.data.errors import DataError, Unavailable, WriteConflict
from dynadmin.data.schema import ensure_table
from examples.shop import seed
from examples.shop.definitions import shop

# Unclassified on purpose: no entity claims it, so it also shows how the admin renders those.
MARKER_KEY = {shop.pk: "SEED#shop", shop.sk or "SK": "METADATA"}
#: Loading threads: DynamoDB Local keeps up with about this many concurrent batch writers.
THREADS = 4
#: Items per task handed to a thread (a multiple of BatchWriteItem's 25).
CHUNK = 500


class Command(BaseCommand):
    help = (
        "Create the example shop's table if needed and load its demo dataset (users, orders, "
        "products, sessions...). Does nothing when the same dataset is already loaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=seed.DEFAULT_USERS,
                            help=f"number of users (default {seed.DEFAULT_USERS})")
        parser.add_argument("--orders", type=int, default=seed.DEFAULT_ORDERS,
                            help=f"number of orders, the whale's included "
                                 f"(default {seed.DEFAULT_ORDERS})")
        parser.add_argument("--seed", type=int, default=seed.DEFAULT_SEED,
                            help=f"random seed (default {seed.DEFAULT_SEED})")
        parser.add_argument("--force", action="store_true",
                            help="load again even if this dataset is already there")
        parser.add_argument("--no-progress", action="store_true",
                            help="no progress on stderr (a bar on a terminal, else a line "
                                 "every 10 percent)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            seed.check_sizes(options["users"], options["orders"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        try:
            self.seed(
                users=options["users"], orders=options["orders"], seed_value=options["seed"],
                force=options["force"], progress=not options["no_progress"],
            )
        except DataError as error:
            raise CommandError(_explain(error)) from error

    def seed(self, *, users: int, orders: int, seed_value: int, force: bool,
             progress: bool) -> None:
        parameters = {"users": users, "orders": orders, "seed": seed_value,
                      "dataset_version": seed.DATASET_VERSION}
        if ensure_table(shop):
            self.stdout.write(f"Created table {shop.table_name}.")
        marker = get_item(shop, MARKER_KEY, consistent=True)
        if marker is not None and not force:
            if _same(marker, parameters):
                self.stdout.write(
                    f"Already seeded ({int(marker.get('item_count', 0)):,} items, seeded at "
                    f"{marker.get('seeded_at', '?')}); nothing to do. "
                    "Use --force to load again."
                )
                return
            raise CommandError(
                f"{shop.table_name} already holds another dataset ({_describe(marker)}). "
                "Use --force to load this one on top of it (items of the other one stay), "
                "or start from an empty table."
            )

        started = time.perf_counter()
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        if progress:
            self.stderr.write(f"Generating the example dataset ({users:,} users, "
                              f"{orders:,} orders)...", style_func=_plain)
        items = list(seed.generate(users=users, orders=orders, seed=seed_value, now=now))
        counts = seed.entity_counts(items)
        if progress:
            self.stderr.write(f"Loading {len(items):,} items into {shop.table_name} "
                              f"(users first)...", style_func=_plain)
        bar = _ProgressBar(len(items), started, self.stderr if progress else None)
        _load_in_parallel(items, bar.update)
        bar.finish()

        new_marker = {**MARKER_KEY, **parameters, "seeded_at": now.isoformat(),
                      "item_count": len(items)}
        condition = (AttributeNotExists(shop.pk) if marker is None
                     else Equals("seeded_at", marker.get("seeded_at")))
        try:
            put_item(shop, new_marker, condition=condition)
        except WriteConflict as conflict:
            # Another run finished first; with the same dataset that is as good as ours.
            if conflict.current is None or not _same(conflict.current, parameters):
                raise CommandError(
                    "Another seed_shop run changed the dataset marker at the same time: "
                    "run this command again with --force."
                ) from conflict
            self.stderr.write("Another seed_shop run loaded the same dataset meanwhile.")
        self._summary(counts, len(items), time.perf_counter() - started, orders)

    def _summary(self, counts: dict[str, int], total: int, seconds: float, orders: int
                 ) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS(
            f"Seeded {total:,} items into {shop.table_name} in {seconds:.1f} s."))
        for name, count in counts.items():
            write(f"  {name:<12} {count:>7,}")
        whale = seed.expected_whale_orders(orders)
        write("Demo records:")
        write(f"  alice        {seed.ALICE['email']} (user {seed.ALICE['user_id']}, "
              f"{seed.ALICE_ORDER_COUNT} orders)")
        write(f"  the whale    user {seed.WHALE_USER_ID} ({whale:,} orders)")
        write(f"  order        {seed.KNOWN_ORDER_ID} (alice's; look it up by order id)")
        write(f"  broken TTLs  {len(seed.BROKEN_TTL_KEYS)} items, e.g. "
              f"{seed.BROKEN_TTL_KEYS[0][0]} / {seed.BROKEN_TTL_KEYS[0][1]}")


def _load_in_parallel(items: Sequence[dict[str, Any]], on_progress: Callable[[int], None]
                      ) -> None:
    """BatchWriteItem from several threads: the time goes into HTTP round trips, not Python.

    boto3 clients are thread-safe and the process shares one, so the threads only split the
    work. The first failure cancels what has not started and is raised here.
    """
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    written = 0
    with ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="seed") as pool:
        pending: set[Future[int]] = {
            pool.submit(load_items_unconditionally, shop, chunk) for chunk in chunks
        }
        try:
            while pending:
                done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                for future in done:
                    written += future.result()
                on_progress(written)
        except BaseException:
            for future in pending:
                future.cancel()
            raise


class _ProgressBar:
    """``seeding [########------] 31250/65000 items  12.3 s`` on one ``\\r``-updated line on
    a terminal; elsewhere (``make run`` writes to var/seed.log) a plain line every 10 percent,
    so a log shows progress as it happens."""

    WIDTH = 30
    STEP_PERCENT = 10

    def __init__(self, total: int, started: float, stream: OutputWrapper | None) -> None:
        self.total = total
        self.started = started
        self.stream = stream
        self.lines = stream is not None and not stream.isatty()
        self.next_percent = self.STEP_PERCENT

    def update(self, done: int) -> None:
        if self.stream is None:
            return
        if self.lines:
            self._line(done)
            return
        filled = self.WIDTH * done // max(self.total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        elapsed = time.perf_counter() - self.started
        self.stream.write(f"\rseeding [{bar}] {done}/{self.total} items  {elapsed:.1f} s",
                          style_func=_plain, ending="")
        self.stream.flush()

    def _line(self, done: int) -> None:
        percent = 100 * done // max(self.total, 1)
        if percent < self.next_percent:
            return
        self.next_percent = (percent // self.STEP_PERCENT + 1) * self.STEP_PERCENT
        elapsed = time.perf_counter() - self.started
        self.stream.write(f"seeding: {done:,} of {self.total:,} items ({percent}%), "
                          f"{elapsed:.1f} s", style_func=_plain)
        self.stream.flush()

    def finish(self) -> None:
        if self.stream is not None and not self.lines:
            self.stream.write("", style_func=_plain, ending="\n")


def _plain(text: str) -> str:
    return text


def _same(marker: dict[str, Any], parameters: dict[str, Any]) -> bool:
    return all(marker.get(name) == value for name, value in parameters.items())


def _describe(marker: dict[str, Any]) -> str:
    return ", ".join(f"{name}={marker.get(name)}" for name in
                     ("users", "orders", "seed", "dataset_version", "seeded_at"))


def _explain(error: DataError) -> str:
    if isinstance(error, Unavailable):
        endpoint = get_client().meta.endpoint_url
        return (f"Cannot reach DynamoDB at {endpoint}: is DynamoDB Local running? "
                "(make dynamodb)")
    advice = f" {error.advice}" if error.advice else ""
    return f"{error.title}: {error.message.rstrip('.')}.{advice}"
