"""A job's own capacity limit: a token bucket fed by what each call consumed.

DynamoDB says afterwards what a call cost (``ReturnConsumedCapacity``), never before, so the
bucket lets a call go while it holds any capacity and is charged what the call consumed: a
job then keeps to its rate on average, and one large item never blocks it for good.

A job whose creator sets no limit gets ``default_limits``: a share of what the table is
provisioned with (``DYNADMIN_JOB_CAPACITY_SHARE``), so the application using the table keeps
the rest; on an on-demand table, which has no provisioned figure to share, fixed caps
(``DYNADMIN_JOB_MAX_RCU`` / ``DYNADMIN_JOB_MAX_WCU``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .. import conf
from ..data import DataError
from ..services.tables.status import billing_mode
from ..services.tables.summaries import described_table

if TYPE_CHECKING:
    from ..definitions import Table

__all__ = ["Backoff", "Bucket", "default_limits", "limits"]


def _units(throughput: Mapping[str, Any] | None, name: str) -> float | None:
    value = (throughput or {}).get(name)
    return float(value) if value else None


def default_limits(table: Table, index: str | None = None
                   ) -> tuple[float | None, float | None]:
    """(max_rcu, max_wcu) for a job over ``table`` reading ``index`` (None: the table):
    on a provisioned table, the share of its provisioned units (reads: of the table's and of
    the index read, whichever is smaller; writes: of the table's and of every index's, since
    a write to the table is written to its indexes too and a throttled index throttles the
    table); otherwise, or when DescribeTable cannot be read, the fixed caps. DescribeTable
    comes from the cache the dashboard and the health page share."""
    caps = _caps()
    try:
        description, _ = described_table(table)
    except DataError:
        return caps
    if billing_mode(description) != "PROVISIONED":
        return caps
    share = float(conf.get("JOB_CAPACITY_SHARE"))
    gsis = {gsi.get("IndexName"): gsi.get("ProvisionedThroughput")
            for gsi in description.get("GlobalSecondaryIndexes") or []}
    table_units = description.get("ProvisionedThroughput")
    reads = [_units(table_units, "ReadCapacityUnits")]
    if index in gsis:
        reads.append(_units(gsis[index], "ReadCapacityUnits"))
    writes = [_units(table_units, "WriteCapacityUnits")]
    writes += [_units(units, "WriteCapacityUnits") for units in gsis.values()]
    return _share(reads, share, caps[0]), _share(writes, share, caps[1])


def _share(units: list[float | None], share: float, cap: float | None) -> float | None:
    known = [u for u in units if u]
    if not known:
        return cap
    # at least one unit a second: a job limited to nothing would never end
    return max(1.0, round(min(known) * share, 1))


def _caps() -> tuple[float | None, float | None]:
    rcu, wcu = conf.get("JOB_MAX_RCU"), conf.get("JOB_MAX_WCU")
    return (float(rcu) if rcu else None), (float(wcu) if wcu else None)


def limits(table: Table, source: Mapping[str, Any] | None, *, max_rcu: float | None,
           max_wcu: float | None) -> dict[str, float | None]:
    """A new job's limits: its creator's where set, else ``default_limits`` for the index its
    source reads (DescribeTable read only when one of the two is missing)."""
    if max_rcu is not None and max_wcu is not None:
        return {"max_rcu": max_rcu, "max_wcu": max_wcu}
    index = ((source or {}).get("params") or {}).get("index") or None
    rcu, wcu = default_limits(table, index)
    return {"max_rcu": max_rcu if max_rcu is not None else rcu,
            "max_wcu": max_wcu if max_wcu is not None else wcu}


class Bucket:
    """``rate`` units per second (None: no limit), at most one second's worth saved up.

    A new bucket starts with nothing saved: each chunk of a job gets a bucket of its own, and
    a second's worth given to each would let a job of many short chunks run far above its
    rate (a chunk of 100 one-WCU items at 100 WCU/s would go through at once)."""

    def __init__(self, rate: float | None, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = rate if rate and rate > 0 else None
        self.clock, self.sleep = clock, sleep
        self.tokens = 0.0
        self.checked = clock()

    def _refill(self) -> None:
        now = self.clock()
        if self.rate is not None:
            self.tokens = min(self.rate, self.tokens + (now - self.checked) * self.rate)
        self.checked = now

    def wait(self) -> None:
        """Before a call: wait until the bucket is no longer in debt."""
        if self.rate is None:
            return
        self._refill()
        if self.tokens < 0:
            self.sleep(-self.tokens / self.rate)
            self._refill()

    def spend(self, units: float | None) -> None:
        """After a call: charge what it consumed."""
        if self.rate is None or not units:
            return
        self._refill()
        self.tokens -= units


class Backoff:
    """How long to wait after DynamoDB throttled a job: doubling from ``first`` up to
    ``most`` seconds, back to ``first`` once a call goes through."""

    def __init__(self, first: float = 0.1, most: float = 20.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.first, self.most, self.sleep = first, most, sleep
        self.delay = first

    def throttled(self) -> None:
        self.sleep(self.delay)
        self.delay = min(self.most, self.delay * 2)

    def succeeded(self) -> None:
        self.delay = self.first
