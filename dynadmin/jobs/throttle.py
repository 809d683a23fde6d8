"""A job's own capacity limit: a token bucket fed by what each call consumed.

DynamoDB says afterwards what a call cost (``ReturnConsumedCapacity``), never before, so the
bucket lets a call go while it holds any capacity and is charged what the call consumed: a
job then keeps to its rate on average, and one large item never blocks it for good.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Backoff", "Bucket"]


class Bucket:
    """``rate`` units per second (None: no limit), at most one second's worth saved up."""

    def __init__(self, rate: float | None, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = rate if rate and rate > 0 else None
        self.clock, self.sleep = clock, sleep
        self.tokens = self.rate or 0.0
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
