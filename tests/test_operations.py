"""The data layer against a real backend: reads, paging, conditional writes, transactions."""

import datetime as dt
import os
import signal
import time
from decimal import Decimal

import pytest

from dynadmin import data
from dynadmin.data import SortCondition
from dynadmin.data.conditions import AttributeNotExists, Equals
from examples.shop.definitions import Order, User

pytestmark = pytest.mark.django_db


def user(n, **extra):
    return User.build_item({"user_id": f"u{n:03d}", "email": f"user{n}@example.com", **extra})


def order(user_id, n, status="PENDING"):
    return Order.build_item({
        "user_id": user_id, "order_id": f"{n:05d}", "placed_on": dt.date(2024, 1, 1 + n % 28),
        "placed_at": dt.datetime(2024, 1, 1 + n % 28, tzinfo=dt.UTC),
        "status": status, "total": Decimal("10.05") * n,
    })


def create(table, item):
    data.put_item(table, item, condition=AttributeNotExists("PK"))


class TestGetAndQuery:
    def test_get_item_round_trips_exact_types(self, shop_table):
        item = user(1, preferences={"n": Decimal("0.1234567890123456789012345678901234567")},
                    tags={"a", "b"})
        create(shop_table, item)
        assert data.get_item(shop_table, shop_table.key_of(item)) == item

    def test_get_item_of_a_missing_key_is_none(self, shop_table):
        assert data.get_item(shop_table, {"PK": "USER#none", "SK": "METADATA"}) is None

    def test_query_with_begins_with_newest_first(self, shop_table):
        create(shop_table, user(1))
        for n in range(1, 6):
            create(shop_table, order("u001", n))
        page = data.query(shop_table.primary, "USER#u001",
                          SortCondition("begins_with", "ORDER#"), forward=False, limit=10)
        assert [i["order_id"] for i in page.items] == ["00005", "00004", "00003", "00002",
                                                        "00001"]
        assert page.last_evaluated_key is None

    def test_query_on_a_gsi(self, shop_table):
        create(shop_table, user(7))
        page = data.query(shop_table.index("GSI1"), "USER#EMAIL#user7@example.com")
        assert [i["user_id"] for i in page.items] == ["u007"]

    def test_paging_by_start_key_visits_each_item_once(self, shop_table):
        data.load_items_unconditionally(shop_table, [order("u001", n) for n in range(1, 124)])
        seen, start = [], None
        while True:
            page = data.query(shop_table.primary, "USER#u001", limit=50, start_key=start)
            seen += [i["SK"] for i in page.items]
            start = page.last_evaluated_key
            if start is None:
                break
        assert len(seen) == len(set(seen)) == 123
        assert seen == sorted(seen)

    def test_a_filter_applies_to_the_page_read_and_never_loops(self, shop_table):
        items = [order("u001", n, "SHIPPED" if n % 5 == 0 else "PENDING") for n in range(1, 51)]
        data.load_items_unconditionally(shop_table, items)
        with data.recording() as log:
            page = data.query(shop_table.primary, "USER#u001", limit=20,
                              filter=Equals("status", "SHIPPED"))
        assert log.operations == ["Query"]
        assert page.scanned_count == 20
        assert page.count == len(page.items) == 4

    def test_every_call_is_recorded_with_its_latency(self, shop_table):
        with data.recording() as log:
            data.get_item(shop_table, {"PK": "USER#x", "SK": "METADATA"})
            data.query(shop_table.primary, "USER#x")
        assert log.operations == ["GetItem", "Query"]
        assert all(c.latency_ms > 0 for c in log)


class TestConditionalWrites:
    def test_a_create_never_overwrites(self, shop_table):
        create(shop_table, user(1, name="first"))
        with pytest.raises(data.WriteConflict) as caught:
            create(shop_table, user(1, name="second"))
        assert caught.value.current["name"] == "first"
        assert data.get_item(shop_table, {"PK": "USER#u001", "SK": "METADATA"})["name"] == "first"

    def test_update_guarded_by_version_returns_the_new_item(self, shop_table):
        create(shop_table, user(1, version=1))
        key = {"PK": "USER#u001", "SK": "METADATA"}
        new = data.update_item(shop_table, key, set={"name": "Alice", "version": 2},
                               condition=Equals("version", 1))
        assert new["name"] == "Alice" and new["version"] == 2

    def test_a_stale_update_is_a_conflict_carrying_their_version(self, shop_table):
        create(shop_table, user(1, version=1, name="theirs"))
        key = {"PK": "USER#u001", "SK": "METADATA"}
        data.update_item(shop_table, key, set={"version": 2}, condition=Equals("version", 1))
        with pytest.raises(data.WriteConflict) as caught:
            data.update_item(shop_table, key, set={"name": "mine", "version": 2},
                             condition=Equals("version", 1))
        assert caught.value.current["version"] == 2
        assert data.get_item(shop_table, key)["name"] == "theirs"

    def test_delete_of_a_changed_item_is_refused(self, shop_table):
        create(shop_table, user(1, version=3))
        key = {"PK": "USER#u001", "SK": "METADATA"}
        with pytest.raises(data.WriteConflict):
            data.delete_item(shop_table, key, condition=Equals("version", 2))
        assert data.get_item(shop_table, key) is not None

    def test_writes_require_a_condition(self, shop_table):
        with pytest.raises(TypeError):
            data.put_item(shop_table, user(1))  # type: ignore[call-arg]
        with pytest.raises(TypeError):
            data.put_item(shop_table, user(1), condition="attribute_not_exists(PK)")

    def test_attribute_names_are_always_placeholders(self, shop_table):
        # "status", "name" and "ttl" are DynamoDB reserved words.
        create(shop_table, user(1, name="x"))
        key = {"PK": "USER#u001", "SK": "METADATA"}
        data.update_item(shop_table, key, set={"status": "ok", "ttl": 1, "a.b": "dot"},
                         condition=Equals("name", "x"))
        assert data.get_item(shop_table, key)["a.b"] == "dot"


class TestTransactions:
    def test_a_move_is_all_or_nothing(self, shop_table):
        old, taken = user(1, version=1), user(2)
        create(shop_table, old)
        create(shop_table, taken)
        moved = dict(old, PK="USER#u002")
        with pytest.raises(data.TransactionConflict) as caught:
            data.transact_write([
                data.Delete(shop_table, shop_table.key_of(old), Equals("version", 1)),
                data.Put(shop_table, moved, AttributeNotExists("PK")),
            ])
        assert caught.value.reasons[0] is None
        assert caught.value.reasons[1] == "ConditionalCheckFailed"
        assert data.get_item(shop_table, shop_table.key_of(old)) == old

    def test_a_move_to_a_free_key(self, shop_table):
        old = user(1, version=1)
        create(shop_table, old)
        moved = dict(old, PK="USER#u009")
        data.transact_write([
            data.Delete(shop_table, shop_table.key_of(old), Equals("version", 1)),
            data.Put(shop_table, moved, AttributeNotExists("PK")),
        ])
        assert data.get_item(shop_table, shop_table.key_of(old)) is None
        assert data.get_item(shop_table, shop_table.key_of(moved)) == moved


class TestErrors:
    def test_a_missing_table_is_table_not_found(self, shop_table, settings):
        settings.DYNADMIN_TABLE_NAMES = {"Application": "does-not-exist"}
        with pytest.raises(data.TableNotFound):
            data.get_item(shop_table, {"PK": "a", "SK": "b"})

    def test_a_wrong_key_type_is_an_invalid_request(self, shop_table):
        with pytest.raises(data.InvalidRequest):
            data.get_item(shop_table, {"PK": Decimal(1), "SK": "b"})


def test_calls_made_in_other_threads_are_listed_where_their_work_belongs(shop_table):
    """A page's list of calls is the same each time: the reads a page sends together are
    listed in the order they were asked for, and the one sent beside a block after the
    block's own, whichever was answered first."""
    import time

    from dynadmin.data.parallel import alongside, in_parallel

    def slow_then(key: str):  # noqa: ANN202
        def read():  # noqa: ANN202
            time.sleep(0.05)  # answered last, listed first
            return data.get_item(shop_table, {"PK": key, "SK": "METADATA"})
        return read

    with data.recording() as log:
        in_parallel([slow_then("USER#a"), lambda: data.query(shop_table.primary, "USER#b")])
        with alongside(lambda: data.query(shop_table.primary, "USER#c")):
            time.sleep(0.05)  # the block's own call goes out after the one beside it
            data.get_item(shop_table, {"PK": "USER#d", "SK": "METADATA"})
    assert log.operations == ["GetItem", "Query", "GetItem", "Query"]


def test_a_read_beside_the_page_works_in_the_pages_language_and_time_zone():
    """History's changes are put in the entity's words in the thread that read them: it
    must speak the request's language and time zone, not the process's defaults."""
    from django.utils import timezone, translation

    from dynadmin.data.parallel import alongside, in_parallel

    with translation.override("de"), timezone.override("Europe/Berlin"):
        with alongside(lambda: (translation.get_language(),
                                timezone.get_current_timezone_name())) as asked:
            pass
        asked_together = in_parallel([translation.get_language,
                                      timezone.get_current_timezone_name])
    assert asked.result() == ("de", "Europe/Berlin")
    assert asked_together == ["de", "Europe/Berlin"]


@pytest.mark.django_db(transaction=True)
def test_reads_together_use_kept_threads_and_none_waits_for_its_callers_thread():
    """The threads of reads sent together are kept for later requests (started per call,
    they cost the request's own thread before its first read went out); a call that reads
    in parallel again, inside one of them, gets threads of its own rather than wait for one
    its caller holds; a database connection a call opened in a kept thread is closed after
    the call."""
    import threading

    from django.contrib.auth import get_user_model
    from django.db import connection

    from dynadmin.data.parallel import PARALLEL_THREADS, in_parallel

    def names() -> list[str]:
        return in_parallel([lambda: threading.current_thread().name] * 2)

    used = {name for _ in range(50) for name in names()}
    assert all(name.startswith("dynadmin-parallel") for name in used)
    assert len(used) <= PARALLEL_THREADS  # a hundred calls, in the same few threads

    # every kept thread busy with a call that reads in parallel again: none waits
    nested = in_parallel([names] * PARALLEL_THREADS)
    assert len(nested) == PARALLEL_THREADS and all(len(pair) == 2 for pair in nested)

    def count_people() -> tuple[int, bool]:
        return get_user_model().objects.count(), connection.connection is not None

    def open_after_the_call() -> bool:
        return connection.connection is not None

    counted = in_parallel([count_people] * 2)
    assert [opened for _, opened in counted] == [True, True]
    assert in_parallel([open_after_the_call] * PARALLEL_THREADS) == [False] * PARALLEL_THREADS


def test_one_caller_reads_at_most_max_workers_at_once_and_gets_every_result_in_order():
    """The kept threads are shared by every request; one caller still runs no more calls at
    once than the client keeps connections for it (with 32 at once, the history consumer's
    transactions opened connections the client then threw away)."""
    import threading

    from dynadmin.data.parallel import MAX_WORKERS, in_parallel

    running = peak = 0
    lock = threading.Lock()

    def call(number: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.03)
        with lock:
            running -= 1
        return number

    count = MAX_WORKERS * 3
    assert in_parallel([lambda n=n: call(n) for n in range(count)]) == list(range(count))
    assert 1 < peak <= MAX_WORKERS

    def fails(message: str) -> int:
        raise ValueError(message)

    done: list[int] = []
    with pytest.raises(ValueError, match="first"):
        in_parallel([lambda: done.append(1) or 1, lambda: fails("first"),
                     lambda: fails("second"), lambda: done.append(4) or 4])
    assert sorted(done) == [1, 4], "a call raising stops none of the others"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a platform without fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_reads_together_still_run_in_a_process_forked_after_some_ran():
    """The kept threads stay in the parent of a fork (a server's master that served, a task
    worker forking per task); the child's pools start threads of their own, rather than
    wait for ever on threads it does not have."""
    from dynadmin.data.parallel import alongside, in_parallel

    assert in_parallel([lambda: 1, lambda: 2]) == [1, 2]
    with alongside(lambda: 3) as beside:
        pass
    assert beside.result() == 3
    child = os.fork()
    if child == 0:  # the child: exit 0 when both pools work, else 1
        code = 1
        try:
            with alongside(lambda: 3) as beside:
                pass
            code = 0 if in_parallel([lambda: 1, lambda: 2]) == [1, 2] and (
                beside.result(timeout=10) == 3) else 1
        finally:
            os._exit(code)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    pytest.fail("the forked process's parallel reads never ran")
