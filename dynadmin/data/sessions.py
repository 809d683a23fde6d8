"""boto3 sessions that share botocore's data: parsed once per process, and only what is used.

Every boto3 session gets a botocore loader of its own, which parses and keeps the JSON files
a client is built from: the endpoints of every AWS service in every partition (about 7 MB of
Python objects, for the handful of services dynadmin calls), the service model, the
endpoint rules. dynadmin makes several sessions per process (the read and the write client
of each connection, an assumed role's STS client, one client per scoped person's policy, the
Streams and CloudWatch clients), and each would hold its own copy: about 10 MB resident a
session, a third of a gunicorn worker.

``new_session`` gives every one of them the process's one loader, and that loader keeps of
the endpoints file only the services dynadmin calls; how their endpoints resolve is
unchanged (``tests/test_connections.py`` compares them with boto3's own in every partition).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any

import boto3
import botocore.loaders
import botocore.session

__all__ = ["USED_SERVICES", "new_session"]

#: the endpoint prefixes of the services dynadmin makes clients of: DynamoDB, DynamoDB
#: Streams (the history consumer), STS (connections with a role), CloudWatch (table health)
USED_SERVICES = frozenset({"dynamodb", "streams.dynamodb", "sts", "monitoring"})


class _FileLoader(botocore.loaders.JSONFileLoader):
    """botocore's file loader, except that the endpoints file keeps only ``USED_SERVICES``.

    A service left out still resolves: botocore falls back to its partition's defaults, and
    its endpoint rules (a file of its own, loaded as before) decide the address."""

    def load_file(self, file_path: str) -> Any:
        data = super().load_file(file_path)
        if data is not None and os.path.basename(file_path) == "endpoints":
            return _used_services_only(data)
        return data


def _used_services_only(endpoints: Any) -> Any:
    """The endpoints document with, in each partition, only ``USED_SERVICES``: about 0.1 MB
    of Python objects kept instead of 7 (what was parsed is freed, and the memory reused by
    whatever the process allocates next)."""
    partitions = endpoints.get("partitions") if isinstance(endpoints, dict) else None
    if not isinstance(partitions, list) or not all(
            isinstance(p, dict) and isinstance(p.get("services"), dict) for p in partitions):
        return endpoints  # not the shape this was written for: keep botocore's whole file
    kept = [OrderedDict(
        (key, OrderedDict((name, service) for name, service in value.items()
                          if name in USED_SERVICES) if key == "services" else value)
        for key, value in partition.items()) for partition in partitions]
    return OrderedDict((key, kept if key == "partitions" else value)
                       for key, value in endpoints.items())


_lock = threading.Lock()
_loader: botocore.loaders.Loader | None = None


def _shared_loader(core: botocore.session.Session) -> botocore.loaders.Loader:
    """The process's loader (made on first use with the search path ``core``'s own would
    have had: ``AWS_DATA_PATH``, botocore's and boto3's data)."""
    global _loader
    with _lock:
        if _loader is None:
            own = core.get_component("data_loader")
            _loader = botocore.loaders.Loader(
                extra_search_paths=list(own.search_paths), file_loader=_FileLoader(),
                include_default_search_paths=False)
        return _loader


def new_session(*, profile: str | None = None, region: str | None = None,
                core: botocore.session.Session | None = None) -> boto3.session.Session:
    """A boto3 session like ``boto3.session.Session(profile_name=..., region_name=...)``
    (or around ``core``, a botocore session already set up), reading botocore's data
    through the process's one loader."""
    core = core if core is not None else botocore.session.Session(profile=profile)
    loader = _shared_loader(core)
    core.register_component("data_loader", loader)
    session = boto3.session.Session(botocore_session=core, region_name=region)
    with _lock:
        # Each boto3 session appends boto3's own data folder to its loader's search path:
        # once is enough, or the shared list would grow with every session made.
        paths = loader.search_paths
        paths[:] = list(dict.fromkeys(paths))
    return session
