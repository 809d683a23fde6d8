"""Several calls of one request at once: the global box's lookups, an item page's related
sections and its History. Each runs in a copy of the request's context, so the request's call
log records it and its budget bounds it; each failure is kept apart, so one failing call hides
no other result. A single call runs in the request's own thread. The log lists a thread's
calls where its work belongs (in the order of the calls given; after the block's own), not
in the order they were answered, so a page's list of calls is the same each time."""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from contextlib import contextmanager
from functools import partial
from typing import TypeVar, cast

from django.conf import settings
from django.db import connections
from django.utils import timezone, translation

from . import call_log
from .errors import DataError

__all__ = ["MAX_WORKERS", "PARALLEL_THREADS", "ahead", "alongside", "in_parallel"]

#: threads one request may use at once (each holds one of the client's pooled connections)
MAX_WORKERS = 8

T = TypeVar("T")


#: threads ``in_parallel`` keeps for all the process's requests at once
PARALLEL_THREADS = 32

_in_worker = threading.local()


def _mark_worker() -> None:
    _in_worker.parallel = True


def _parallel_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=PARALLEL_THREADS,
                              thread_name_prefix="dynadmin-parallel", initializer=_mark_worker)


#: The threads ``in_parallel`` runs its calls in, kept for the process's life: started per
#: call, each thread cost about 0.2 ms of the request's own thread before its read could go
#: out (an item page's related sections waited for two). Started as needed, up to
#: ``PARALLEL_THREADS``; a call already running in one of them that reads in parallel again
#: gets threads of its own, so no call ever waits for a thread its caller holds.
_PARALLEL = _parallel_pool()


def in_parallel(calls: Sequence[Callable[[], T]]) -> list[T | DataError]:
    """Each call's result, in order, or the DataError it raised. The request's call log
    lists their calls in the order of ``calls``, whichever answered first. At most
    ``MAX_WORKERS`` of them run at once, as many as the client keeps connections for a
    caller: more at once would open connections the client then throws away."""
    if len(calls) <= 1:
        return [_outcome(call) for call in calls]
    log = call_log.current_log()
    parts = [call_log.apart() for _ in calls]
    # Each call in a copy of the caller's context, made here, in the caller's thread.
    runs = [partial(contextvars.copy_context().run, call_log.run_in, part,
                    partial(_in_thread, _as_caller(call)))
            for part, call in zip(parts, calls, strict=True)]
    results: list[T | DataError | None] = [None] * len(calls)
    failures: dict[int, BaseException] = {}
    order, taking = iter(range(len(runs))), threading.Lock()

    def runner() -> None:
        # one of at most MAX_WORKERS, each taking the next call until none is left
        while True:
            with taking:
                index = next(order, None)
            if index is None:
                return
            try:
                results[index] = runs[index]()
            except BaseException as exc:  # noqa: BLE001 - raised in the caller, below
                failures[index] = exc

    width = min(MAX_WORKERS, len(calls))
    nested = getattr(_in_worker, "parallel", False)
    pool = ThreadPoolExecutor(max_workers=width) if nested else _PARALLEL
    try:
        # every call ends before any result is looked at (one may raise: the others are
        # the request's still, and its log's)
        futures_wait([pool.submit(runner) for _ in range(width)])
    finally:
        if nested:
            pool.shutdown()
    for part in parts:
        call_log.merge(log, part)
    if failures:
        raise failures[min(failures)]
    return cast("list[T | DataError]", results)  # every call ran: none is left None


def _alongside_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="dynadmin-read")


#: The threads ``alongside`` runs its calls in, kept for the process's life: starting a
#: thread per request would cost about what the call it runs saves.
_ALONGSIDE = _alongside_pool()


def _fresh_pools() -> None:
    """In a forked process (a server's worker forked from a master that had served, a task
    worker's fork): the threads of the pools stayed in the parent, and a pool that believes
    it has idle ones would start none, so each is made anew."""
    global _PARALLEL, _ALONGSIDE
    _PARALLEL, _ALONGSIDE = _parallel_pool(), _alongside_pool()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_pools)


@contextmanager
def alongside(call: Callable[[], T]) -> Iterator[Future[T | DataError]]:
    """Run ``call`` in another thread while the block runs (the block's own reads go out at
    the same time): its result, or the DataError it raised, is the future's. The call is
    waited for before the block is left, even when the block raises."""
    log, part = call_log.current_log(), call_log.apart()
    future = _ALONGSIDE.submit(contextvars.copy_context().run, call_log.run_in, part,
                               partial(_in_thread, _as_caller(call)))
    try:
        yield future
    finally:
        futures_wait([future])
        # its calls follow the block's in the request's log, whichever went out first
        call_log.merge(log, part)


def ahead(call: Callable[[], T]) -> Future[T | DataError]:
    """Start ``call`` in another thread now, for a result wanted later (the next page of a
    read while this one is handled): its result, or the DataError it raised, is the
    future's. Whoever starts it waits for it, even when it no longer needs it."""
    return _ALONGSIDE.submit(contextvars.copy_context().run, _in_thread, call)


def _as_caller(call: Callable[[], T]) -> Callable[[], T]:
    """``call`` as the calling thread would make it: in its language and time zone, which
    Django keeps per thread (a copied context does not carry them into another), so that
    what a thread puts into words reads as the page does."""
    language = translation.get_language()
    zone = timezone.get_current_timezone()

    def run() -> T:
        with translation.override(language), timezone.override(zone):
            return call()
    return run


def _in_thread(call: Callable[[], T]) -> T | DataError:
    """``_outcome`` in a thread of a pool, which outlives the request: a database connection
    the call opened there is closed after it (Django closes a request's own when the
    request ends; one left open in a kept thread would outlive the server's idle limit)."""
    try:
        return _outcome(call)
    finally:
        if settings.configured:
            for connection in connections.all(initialized_only=True):
                connection.close()


def _outcome(call: Callable[[], T]) -> T | DataError:
    try:
        return call()
    except DataError as exc:
        return exc
