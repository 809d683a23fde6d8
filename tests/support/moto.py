"""moto's server as tests start it: on a free port of 127.0.0.1, its output in a log file,
stopped when the block ends; every wait bounded."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def moto_server(directory: Path, **env: str) -> Iterator[str]:
    """moto's server (DynamoDB, STS, S3...) run in ``directory`` with ``env`` added to the
    environment; yields its address."""
    port = free_port()
    log = (directory / "moto.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT, cwd=directory, env={**os.environ, **env})
    try:
        for _ in range(300):
            if server.poll() is not None:
                pytest.fail(f"moto's server exited with {server.returncode}; see {log.name}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"moto's server did not start within 30 s; see {log.name}")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
