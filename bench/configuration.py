"""Which session and cache configuration gunicorn runs on: the results say which one ran.

Both are the production settings' own (``examples/project/settings.py``), sessions valid on
every worker and no per-process cache:

- default: SQLite (``DYNADMIN_VAR_DIR``) as the database and the database as the cache;
  sessions ``cached_db`` through that cache.
- ``--shared-state``: PostgreSQL (``DATABASE_URL``) and Redis (``REDIS_URL``), both started on
  free ports of 127.0.0.1 by ``examples.project.services`` (the suite's shared-state leg uses
  the same), stopped with the run; sessions ``cached_db`` through Redis. What several hosts
  behind a load balancer share.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import asdict, dataclass
from typing import Any

from examples.project.services import ServiceMissing, start_postgres, start_redis

from .procs import BenchError

#: gunicorn workers per master (``WEB_CONCURRENCY`` given to each start)
WORKERS = 2


@dataclass(frozen=True)
class Configuration:
    name: str
    database: str
    cache: str
    sessions: str
    workers: int
    threads: int
    #: gunicorn masters measured side by side ("hosts"): 2 with ``--two-hosts``
    hosts: int = 1

    @property
    def shared(self) -> bool:
        return self.name == "postgres+redis"

    def describe(self) -> str:
        return (f"{self.database} + {self.cache} (sessions: {self.sessions}); gunicorn "
                f"{self.workers} workers × {self.threads} threads"
                + (f", {self.hosts} masters" if self.hosts > 1 else ""))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"description": self.describe()}


def start(stack: ExitStack, *, shared_state: bool, hosts: int = 1
          ) -> tuple[Configuration, dict[str, str]]:
    """The configuration, and the environment variables that select it (started servers'
    ``stop`` pushed onto ``stack``)."""
    threads = _gunicorn_threads()
    if not shared_state:
        return Configuration("sqlite", "SQLite", "database cache",
                             "cached_db through the database cache", WORKERS, threads, hosts), {}
    try:
        postgres = start_postgres()
        stack.callback(postgres.stop)
        redis = start_redis()
        stack.callback(redis.stop)
    except ServiceMissing as missing:
        raise BenchError(f"--shared-state: {missing}") from None
    print(f"PostgreSQL on {postgres.url}, Redis on {redis.url}", flush=True)
    return (Configuration("postgres+redis", "PostgreSQL", "Redis", "cached_db through Redis",
                          WORKERS, threads, hosts),
            {"DATABASE_URL": postgres.url, "REDIS_URL": redis.url})


def _gunicorn_threads() -> int:
    """Threads per worker as production's gunicorn config decides them (GUNICORN_THREADS)."""
    from examples.project import gunicorn_conf

    return int(gunicorn_conf.threads)
