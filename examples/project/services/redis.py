"""Redis from Debian's package: ``redis-server`` on a free port, nothing saved to disk."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

from .common import HOST, ServiceMissing, ServiceServer, free_port, new_folder, pid_gone, wait_until

MISSING = "Redis is not installed (no redis-server on PATH): apt-get install -y redis-server"


def start_redis(folder: str | Path | None = None, port: int | None = None) -> ServiceServer:
    """A new, empty Redis (no snapshots, no append-only file); ``url`` is a REDIS_URL. Stop it
    with ``.stop()`` (or ``stop_redis(folder)``)."""
    server = shutil.which("redis-server")
    if server is None:
        raise ServiceMissing(MISSING)
    path, ours = new_folder("redis", folder)
    port = port or free_port()
    log = path / "redis.log"
    subprocess.run([server, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly",
                    "no", "--dir", str(path), "--daemonize", "yes", "--pidfile",
                    str(path / "redis.pid"), "--logfile", str(log)], check=True, timeout=30)
    wait_until(lambda: _pong(port), f"Redis on port {port}", log)
    return ServiceServer(url=f"redis://{HOST}:{port}/0", port=port, folder=path,
                         _stop=stop_redis, remove_folder=ours)


def stop_redis(folder: str | Path) -> None:
    """End the Redis whose process id is in this folder (SIGTERM: it exits without saving)."""
    pidfile = Path(folder) / "redis.pid"
    if not pidfile.exists():
        return
    pid = int(pidfile.read_text().strip())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    wait_until(lambda: pid_gone(pid), f"Redis (pid {pid}) to stop")


def _pong(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False
