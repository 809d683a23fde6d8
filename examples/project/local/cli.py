"""The command line (``python -m examples.project.local``, ``manage.py dynamodb_local``).

``start`` leaves the server running in the background with a pid file; ``serve`` runs it in
the foreground until SIGINT or SIGTERM and then stops it in order.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from .common import DEFAULT_DIR, DEFAULT_PORT, LocalBackendError
from .endpoint import endpoint_for, is_listening
from .installer import DYNAMODB_LOCAL_VERSION, install
from .pidfile import _write_pid_file, read_pid_file, stop_pidfile
from .server import KIND_DYNAMODB_LOCAL, LocalServer, _failure_hint, start_best, start_moto

Echo = Callable[[str], None]


def _start_selected(
    port: int,
    *,
    data_dir: Path | None,
    in_memory: bool,
    use_moto: bool,
    allow_fallback: bool,
    directory: Path,
    detach: bool,
) -> LocalServer:
    if use_moto:
        return start_moto(port, directory=directory, detach=detach)
    return start_best(
        port,
        in_memory=in_memory,
        db_path=None if in_memory else (data_dir or Path(directory) / "data"),
        allow_fallback=allow_fallback,
        directory=directory,
        detach=detach,
    )


def describe(server: LocalServer) -> str:
    name = "DynamoDB Local" if server.kind == KIND_DYNAMODB_LOCAL else "moto's server"
    keeps = "data is kept" if server.persistent else "NOTHING IS KEPT when it stops"
    return f"{name} at {server.endpoint} (pid {server.pid}; {keeps})"


def serve_forever(
    port: int = DEFAULT_PORT,
    data_dir: Path | None = None,
    *,
    in_memory: bool = False,
    use_moto: bool = False,
    allow_fallback: bool = True,
    directory: Path = DEFAULT_DIR,
    echo: Echo = print,
) -> None:
    """Run a persistent server in the foreground (``make run``) until SIGINT or SIGTERM.

    The server gets its own session so that Ctrl-C reaches only this process, which then
    stops it in order and removes the pid file.
    """
    directory = Path(directory)
    server = _start_selected(
        port,
        data_dir=data_dir,
        in_memory=in_memory,
        use_moto=use_moto,
        allow_fallback=allow_fallback,
        directory=directory,
        detach=True,
    )
    pid_file = _write_pid_file(server, directory)
    stop_requested = threading.Event()
    restore = _handle_stop_signals(stop_requested)
    try:
        echo(f"Serving {describe(server)}. Press Ctrl-C to stop.")
        process = server.process
        assert process is not None
        while not stop_requested.wait(0.5):
            code = process.poll()
            if code is not None:
                raise LocalBackendError(
                    f"{server.kind} stopped unexpectedly with code {code}"
                    f"{_failure_hint(server.log_path)}"
                )
    finally:
        restore()
        server.stop()
        pid_file.unlink(missing_ok=True)
    echo(f"Stopped {server.kind} at {server.endpoint}.")


def _handle_stop_signals(event: threading.Event) -> Callable[[], None]:
    """Route SIGINT/SIGTERM to ``event``; returns a function that puts the old handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # Signals can only be handled on the main thread.

    def handler(signum: int, frame: FrameType | None) -> None:
        event.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


ACTIONS = ("install", "start", "serve", "stop", "status")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m examples.project.local`` and ``manage.py dynamodb_local``."""
    parser.add_argument(
        "action",
        choices=ACTIONS,
        help="install: fetch DynamoDB Local; start: run it in the background; serve: run it "
        "in the foreground; stop: stop a background one; status: tell whether it answers",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port on 127.0.0.1")
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help=f"folder for the tables (default {DEFAULT_DIR / 'data'})",
    )
    parser.add_argument("--in-memory", action="store_true", help="keep nothing (for tests)")
    parser.add_argument(
        "--moto", action="store_true", help="run moto's server instead (keeps nothing)"
    )
    parser.add_argument(
        "--no-fallback",
        action="store_true",
        help="fail instead of falling back to moto's server when DynamoDB Local cannot start",
    )


def run_command(
    action: str,
    *,
    port: int = DEFAULT_PORT,
    data_dir: Path | None = None,
    in_memory: bool = False,
    use_moto: bool = False,
    allow_fallback: bool = True,
    directory: Path = DEFAULT_DIR,
    echo: Echo = print,
) -> int:
    """Carry out one command-line action and return the exit code (LocalBackendError escapes)."""
    directory = Path(directory)
    endpoint = endpoint_for(port)
    if action == "install":
        echo(f"DynamoDB Local {DYNAMODB_LOCAL_VERSION} is installed in {install(directory)}")
        return 0
    if action == "status":
        if is_listening(endpoint):
            pid = read_pid_file(port, directory)
            echo(f"A DynamoDB endpoint answers at {endpoint}" + (f" (pid {pid})" if pid else ""))
            return 0
        echo(f"Nothing answers at {endpoint}")
        return 3
    if action == "stop":
        if stop_pidfile(port, directory):
            echo(f"Stopped the server at {endpoint}")
            return 0
        if is_listening(endpoint):
            echo(f"Something answers at {endpoint} but was not started from here (no pid file)")
            return 1
        echo(f"Nothing was running at {endpoint}")
        return 0
    options: dict[str, Any] = {
        "data_dir": data_dir,
        "in_memory": in_memory,
        "use_moto": use_moto,
        "allow_fallback": allow_fallback,
        "directory": directory,
    }
    if action == "start":
        if is_listening(endpoint):
            echo(f"A DynamoDB endpoint already answers at {endpoint}; leaving it as it is")
            return 0
        server = _start_selected(port, detach=True, **options)
        _write_pid_file(server, directory)
        echo(
            f"Started {describe(server)}; stop it with: "
            f"python -m examples.project.local stop --port {port}"
        )
        return 0
    if action == "serve":
        serve_forever(port, echo=echo, **options)
        return 0
    raise ValueError(f"unknown action {action!r}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m examples.project.local",
        description="Install, run or stop DynamoDB Local (AWS's emulator) on 127.0.0.1.",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run_command(
            args.action,
            port=args.port,
            data_dir=args.data,
            in_memory=args.in_memory,
            use_moto=args.moto,
            allow_fallback=not args.no_fallback,
        )
    except LocalBackendError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
