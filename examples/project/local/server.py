"""Start DynamoDB Local on 127.0.0.1, or moto's server when it cannot start, and wait for it.

DynamoDB Local needs Java; moto's server does not, but it keeps nothing once stopped, so
falling back to it is always announced.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from .common import _STOP_TIMEOUT, DEFAULT_DIR, LocalBackendError, _last_lines
from .endpoint import HOST, _answers, client, endpoint_for, free_port
from .installer import JAR_NAME, LIB_DIR_NAME, install

KIND_DYNAMODB_LOCAL = "dynamodb-local"
KIND_MOTO = "moto"

JAVA_MISSING = (
    "Java is not installed: DynamoDB Local needs Java 17+ (apt-get install openjdk-17-jre-headless)"
)
MOTO_MISSING = "moto's server is not installed: pip install 'moto[server]'"

_POLL_INTERVAL = 0.2


@dataclass
class LocalServer:
    """A running local DynamoDB endpoint; ``process`` is None when this code does not own it."""

    endpoint: str
    process: subprocess.Popen[bytes] | None
    kind: str
    persistent: bool
    log_path: Path | None = None

    @property
    def port(self) -> int:
        port = urlsplit(self.endpoint).port
        if port is None:
            raise ValueError(f"no port in {self.endpoint}")
        return port

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def client(self) -> Any:
        """A boto3 DynamoDB client for this endpoint with the launcher's fixed credentials."""
        return client(self.endpoint)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Stop the process: politely first, then by force if it ignores SIGTERM."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start(
    port: int | None = None,
    *,
    in_memory: bool = True,
    db_path: Path | None = None,
    directory: Path = DEFAULT_DIR,
    timeout: float = 60,
    detach: bool = False,
) -> LocalServer:
    """Install if needed, start DynamoDB Local on 127.0.0.1 and return once it answers.

    ``in_memory`` (the default, for tests) keeps nothing; otherwise tables are stored in
    ``db_path`` (default ``directory/data``). ``detach`` puts the JVM in its own session so
    that it outlives this process and terminal signals do not reach it.
    """
    if in_memory and db_path is not None:
        raise ValueError("db_path is only used when in_memory is False")
    java = shutil.which("java")
    if java is None:
        raise LocalBackendError(JAVA_MISSING)
    directory = Path(directory)
    emulator = install(directory)
    port = _claim_port(port)
    # -sharedDb everywhere: otherwise DynamoDB Local keeps one database per access key and
    # region, and a client configured with another region would not see the tables.
    command = [
        java,
        f"-Djava.library.path={emulator / LIB_DIR_NAME}",
        "-jar",
        str(emulator / JAR_NAME),
        "-port",
        str(port),
        "-sharedDb",
    ]
    if in_memory:
        command.append("-inMemory")
    else:
        data = Path(db_path) if db_path is not None else directory / "data"
        data.mkdir(parents=True, exist_ok=True)
        command += ["-dbPath", str(data.resolve())]
    command.append("-disableTelemetry")
    return _launch(
        command,
        # The flag and the variable both: the flag alone still records "telemetryEnabled".
        env={**os.environ, "DDB_LOCAL_TELEMETRY": "0"},
        kind=KIND_DYNAMODB_LOCAL,
        port=port,
        persistent=not in_memory,
        log_path=directory / "logs" / f"dynamodb-local-{port}.log",
        cwd=directory,
        timeout=timeout,
        detach=detach,
    )


def start_moto(
    port: int | None = None,
    timeout: float = 30,
    *,
    directory: Path = DEFAULT_DIR,
    detach: bool = False,
) -> LocalServer:
    """Start moto's server on 127.0.0.1: no Java needed, but it keeps nothing once stopped."""
    if importlib.util.find_spec("moto") is None:
        raise LocalBackendError(MOTO_MISSING)
    directory = Path(directory)
    port = _claim_port(port)
    command = [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)]
    return _launch(
        command,
        kind=KIND_MOTO,
        port=port,
        persistent=False,
        log_path=directory / "logs" / f"moto-{port}.log",
        cwd=directory,
        timeout=timeout,
        detach=detach,
    )


def start_best(
    port: int | None = None,
    *,
    in_memory: bool = True,
    db_path: Path | None = None,
    allow_fallback: bool = True,
    directory: Path = DEFAULT_DIR,
    timeout: float = 60,
    detach: bool = False,
) -> LocalServer:
    """Start DynamoDB Local, or moto's server (with a loud warning) when it cannot start."""
    if port is not None:
        # A busy port would make the fallback fail the same way, with a more confusing message.
        _claim_port(port)
    try:
        return start(
            port,
            in_memory=in_memory,
            db_path=db_path,
            directory=directory,
            timeout=timeout,
            detach=detach,
        )
    except LocalBackendError as error:
        if not allow_fallback:
            raise
        print(
            f"WARNING: DynamoDB Local could not start ({error}); falling back to moto's "
            "server: NOTHING IS KEPT when it stops",
            file=sys.stderr,
            flush=True,
        )
        return start_moto(port, directory=directory, detach=detach)


def _claim_port(port: int | None) -> int:
    """Pick a free port, or make sure the requested one is free so no stranger answers for us."""
    if port is None:
        return free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        in_use = probe.connect_ex((HOST, port)) == 0
    if in_use:
        raise LocalBackendError(
            f"port {port} is already in use on {HOST}: stop what runs there "
            f"(python -m examples.project.local stop --port {port}) or pick another port"
        )
    return port


def _launch(
    command: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    kind: str,
    port: int,
    persistent: bool,
    log_path: Path,
    cwd: Path,
    timeout: float,
    detach: bool,
) -> LocalServer:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=detach,
        )
    server = LocalServer(
        endpoint=endpoint_for(port),
        process=process,
        kind=kind,
        persistent=persistent,
        log_path=log_path,
    )
    try:
        _wait_until_ready(server, timeout)
    except BaseException:
        # Includes KeyboardInterrupt: never leave a half-started server behind.
        server.stop()
        raise
    return server


def _wait_until_ready(server: LocalServer, timeout: float) -> None:
    process = server.process
    assert process is not None
    dynamodb = client(server.endpoint, timeout=2.0, retries=0)
    deadline = time.monotonic() + timeout
    while True:
        code = process.poll()
        if code is not None:
            raise LocalBackendError(
                f"{server.kind} exited with code {code} before answering at {server.endpoint}"
                f"{_failure_hint(server.log_path)}"
            )
        if _answers(dynamodb):
            return
        if time.monotonic() > deadline:
            raise LocalBackendError(
                f"{server.kind} did not answer at {server.endpoint} within {timeout:g} s"
                f"{_failure_hint(server.log_path)}"
            )
        time.sleep(_POLL_INTERVAL)


def _failure_hint(log_path: Path | None) -> str:
    if log_path is None:
        return ""
    tail = _log_tail(log_path)
    hint = ""
    if "UnsupportedClassVersionError" in tail:
        hint = f"\n{JAVA_MISSING.replace('is not installed', 'is too old')}"
    return f"{hint}\nLast lines of {log_path}:\n{tail}"


def _log_tail(log_path: Path, lines: int = 20) -> str:
    try:
        with open(log_path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 8192))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return _last_lines(text, lines) or "(empty log)"
