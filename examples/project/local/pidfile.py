"""Pid files: the only link to a server started in the background once its starter has exited."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from .common import _STOP_TIMEOUT, DEFAULT_DIR, DEFAULT_PORT
from .installer import JAR_NAME
from .server import LocalServer


def pid_file_path(port: int, directory: Path = DEFAULT_DIR) -> Path:
    return Path(directory) / f"dynamodb-local-{port}.pid"


def _write_pid_file(server: LocalServer, directory: Path) -> Path:
    path = pid_file_path(server.port, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{server.pid}\n")
    return path


def read_pid_file(port: int, directory: Path = DEFAULT_DIR) -> int | None:
    """The pid recorded for ``port``, or None if there is no usable pid file."""
    try:
        return int(pid_file_path(port, directory).read_text().strip())
    except (OSError, ValueError):
        return None


def stop_pidfile(port: int = DEFAULT_PORT, directory: Path = DEFAULT_DIR) -> bool:
    """Stop a server started in the background earlier; True if one was running and stopped.

    The pid file is the only link to a server whose starter has exited. The process's command
    line is checked first so that a recycled pid never gets some unrelated process killed.
    """
    path = pid_file_path(port, directory)
    pid = read_pid_file(port, directory)
    if pid is None or not _is_alive(pid) or not _looks_like_ours(pid):
        path.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    if not _wait_for_exit(pid, _STOP_TIMEOUT):
        os.kill(pid, signal.SIGKILL)
        _wait_for_exit(pid, _STOP_TIMEOUT)
    path.unlink(missing_ok=True)
    return True


def _is_alive(pid: int) -> bool:
    try:
        # Reap it if it is our own exited child, or it would linger as a zombie that looks alive.
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _looks_like_ours(pid: int) -> bool:
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.parent.exists():
        return True  # No /proc (macOS): trust the pid file.
    try:
        text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return JAR_NAME in text or "moto.server" in text


def _wait_for_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _is_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
