"""What both servers share: the server handle, the error for a missing package, waiting."""

from __future__ import annotations

import shutil
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

HOST = "127.0.0.1"
START_TIMEOUT = 60.0


class ServiceMissing(RuntimeError):
    """The server's package is not installed here (the message says which one)."""


@dataclass
class ServiceServer:
    """A running server: its URL for the settings, its folder, and how to stop it."""

    url: str
    port: int
    folder: Path
    _stop: Callable[[Path], None] = field(repr=False)
    remove_folder: bool = True

    def stop(self) -> None:
        self._stop(self.folder)
        if self.remove_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def new_folder(kind: str, folder: str | Path | None) -> tuple[Path, bool]:
    """The server's folder, and whether it is ours to delete when the server stops."""
    if folder is not None:
        path = Path(folder).resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path, False
    return Path(tempfile.mkdtemp(prefix=f"dynadmin-{kind}-")), True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def wait_until(ready: Callable[[], bool], what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{what} did not start within {START_TIMEOUT:.0f}s\n{tail}")
        time.sleep(0.1)


def pid_gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1].startswith("Z")  # a zombie is gone too
    except (FileNotFoundError, IndexError):
        return True
