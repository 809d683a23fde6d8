"""The DynamoDB calls made while serving one request: what each cost and how long it took.

Pages show this log (it is how a person sees that nothing scanned) and tests assert on it.
A ``contextvars`` variable holds the log so that each request (or thread, or test) sees only
its own calls.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

__all__ = ["Call", "CallLog", "apart", "current_log", "merge", "recording", "run_in"]

T = TypeVar("T")


@dataclass
class Call:
    operation: str
    table: str
    index: str | None = None
    latency_ms: float = 0.0
    consumed_rcu: float | None = None
    consumed_wcu: float | None = None
    count: int | None = None
    scanned_count: int | None = None
    error: str | None = None


@dataclass
class CallLog:
    calls: list[Call] = field(default_factory=list)
    #: ``time.monotonic()`` after which no further request may be sent for this log's work
    #: (the page's budget for DynamoDB, retries included); None: no budget
    deadline: float | None = None
    #: the budget in seconds, for messages
    budget: float | None = None

    def renew(self) -> None:
        """A fresh budget from now: for work made of many independent steps (an action over
        a thousand rows), each step gets the budget, not the whole."""
        if self.budget:
            self.deadline = time.monotonic() + self.budget

    def remaining(self) -> float | None:
        """Seconds left in the budget (None without one; never below 0)."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def __iter__(self) -> Iterator[Call]:
        return iter(self.calls)

    def __len__(self) -> int:
        return len(self.calls)

    @property
    def operations(self) -> list[str]:
        return [c.operation for c in self.calls]

    @property
    def total_rcu(self) -> float:
        return sum(c.consumed_rcu or 0 for c in self.calls)

    @property
    def total_wcu(self) -> float:
        return sum(c.consumed_wcu or 0 for c in self.calls)

    @property
    def total_latency_ms(self) -> float:
        return sum(c.latency_ms for c in self.calls)


_current: contextvars.ContextVar[CallLog | None] = contextvars.ContextVar(
    "dynadmin_call_log", default=None
)


def current_log() -> CallLog | None:
    return _current.get()


def record(call: Call) -> None:
    log = _current.get()
    if log is not None:
        log.calls.append(call)


def apart() -> CallLog | None:
    """A log for calls made in another thread on the current log's behalf, under its
    budget; ``merge`` adds them to it once they are done, so that the log lists them in an
    order that does not depend on which thread answered first. None without a current log."""
    log = _current.get()
    return None if log is None else CallLog(deadline=log.deadline, budget=log.budget)


def merge(log: CallLog | None, part: CallLog | None) -> None:
    if log is not None and part is not None:
        log.calls.extend(part.calls)


def run_in(part: CallLog | None, call: Callable[[], T]) -> T:
    """``call()`` with its calls recorded in ``part`` (from ``apart``)."""
    if part is None:
        return call()
    token = _current.set(part)
    try:
        return call()
    finally:
        _current.reset(token)


@contextmanager
def recording(budget: float | None = None) -> Iterator[CallLog]:
    """Collect the calls made inside the block (nested blocks each get their own log);
    ``budget`` seconds bound the DynamoDB work done in it, retries included."""
    log = CallLog(deadline=time.monotonic() + budget if budget else None, budget=budget)
    token = _current.set(log)
    try:
        yield log
    finally:
        _current.reset(token)
