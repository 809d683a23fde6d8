"""Throwaway PostgreSQL and Redis servers, the way :mod:`examples.project.local` runs DynamoDB
Local: the Debian packages' binaries (``apt-get install postgresql redis-server``), started on a
free port of 127.0.0.1 with their data in a temporary folder, stopped by the process id they
wrote there. They back the suite's shared-state leg (``make test-shared-state``) and can be
run by hand to try the production settings' DATABASE_URL and REDIS_URL::

    python -m examples.project.services start {postgres,redis} [--dir DIR] [--port N]
    python -m examples.project.services stop {postgres,redis} --dir DIR

Standard library only; it imports neither Django nor dynadmin.
"""

from .common import ServiceMissing, ServiceServer
from .postgres import start_postgres, stop_postgres
from .redis import start_redis, stop_redis

__all__ = ["ServiceMissing", "ServiceServer", "start_postgres", "start_redis", "stop_postgres",
           "stop_redis"]
