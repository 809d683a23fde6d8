"""Every process the benchmark starts, and how each is stopped.

Everything listens on 127.0.0.1 only. Callers push each started process's ``stop`` onto an
``ExitStack``, so that a finished run, an exception or Ctrl-C all stop them in reverse order.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from examples.project import local

from .paths import BENCH_DIR, PEER_DIR, REPO_ROOT, TMP_DIR

HOST = "127.0.0.1"
#: dynamodb-admin, pinned so that results compare across runs (the newest when written)
PEER_PACKAGE = "dynamodb-admin"
PEER_VERSION = "5.3.3"
PEER_SCRIPT = PEER_DIR / "node_modules" / PEER_PACKAGE / "dist" / "dynamodb-admin.js"
_STOP_TIMEOUT = 15.0


class BenchError(RuntimeError):
    """Something the benchmark needs is missing or failed; the message says what to do."""


def stop_on_sigterm() -> None:
    """Turn SIGTERM into KeyboardInterrupt, so ``finally`` blocks stop what was started."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)


# -- DynamoDB Local ------------------------------------------------------------------------
def start_dynamodb(db_path: Path, port: int | None = None) -> local.LocalServer:
    """DynamoDB Local on 127.0.0.1 keeping its tables in ``db_path`` (``-dbPath``)."""
    db_path.mkdir(parents=True, exist_ok=True)
    return local.start(port or local.free_port(), in_memory=False, db_path=db_path,
                       timeout=120)


# -- gunicorn ------------------------------------------------------------------------------
@dataclass
class Server:
    """A process answering HTTP on ``port``; ``startup_s`` is spawn → first 200."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    startup_s: float
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        """SIGTERM (gunicorn stops its workers gracefully), then SIGKILL the whole group."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            # The process was started in its own session, so its group holds only its children.
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=_STOP_TIMEOUT)


def start_gunicorn(env: dict[str, str], *, workers: int = 2, timeout: float = 60) -> Server:
    """gunicorn exactly as production runs it (``examples.project.gunicorn_conf``), bound to
    127.0.0.1.

    The config binds 0.0.0.0; ``--bind`` on the command line overrides it.
    """
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        raise BenchError(f"gunicorn is not installed next to {sys.executable}: run make install")
    port = local.free_port()
    command = [str(gunicorn), "examples.project.wsgi",
               "-c", "python:examples.project.gunicorn_conf", "--bind", f"{HOST}:{port}"]
    server_env = env | {"PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    return _spawn("gunicorn", command, server_env, port, "/login/", timeout)


# -- the peer: dynamodb-admin ---------------------------------------------------------------
def install_peer() -> Path:
    """dynamodb-admin into the ignored ``bench/.peer`` (npm, once; pinned version)."""
    if PEER_SCRIPT.exists():
        return PEER_SCRIPT
    npm = shutil.which("npm")
    if npm is None:
        raise BenchError("npm is not installed: it installs the peer, dynamodb-admin")
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    spec = f"{PEER_PACKAGE}@{PEER_VERSION}"
    print(f"installing {spec} into {PEER_DIR.relative_to(REPO_ROOT)} ...", flush=True)
    result = subprocess.run(
        [npm, "install", "--prefix", str(PEER_DIR), spec, "--no-fund", "--no-audit"],
        capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0 or not PEER_SCRIPT.exists():
        raise BenchError(f"npm install {spec} failed:\n{result.stderr[-2000:]}")
    return PEER_SCRIPT


def start_peer(endpoint: str, name: str = "dynamodb-admin", timeout: float = 60) -> Server:
    """dynamodb-admin on a free port of 127.0.0.1, pointed at ``endpoint``."""
    node = shutil.which("node")
    if node is None:
        raise BenchError("node is not installed: it runs the peer, dynamodb-admin")
    script = install_peer()
    port = local.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {"DYNAMO_ENDPOINT": endpoint, "AWS_REGION": local.REGION,
            "AWS_ACCESS_KEY_ID": local.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": local.SECRET_KEY}
    command = [node, str(script), "--host", HOST, "--port", str(port),
               "--dynamo-endpoint", endpoint]
    # Ready when it serves a static file: its other pages call DescribeTable on every table,
    # which DynamoDB Local answers by counting the items (about 3 s at a million).
    return _spawn(name, command, env, port, "/assets/css/dark-theme.css", timeout)


# -- shared --------------------------------------------------------------------------------
def _spawn(name: str, command: list[str], env: dict[str, str], port: int, ready_path: str,
           timeout: float) -> Server:
    TMP_DIR.mkdir(parents=True, exist_ok=True)
    log_path = TMP_DIR / f"{name}-{port}.log"
    started = time.perf_counter()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = Server(name, process, port, 0.0, log_path)
    try:
        _wait_for_200(server, ready_path, timeout)
    except BaseException:
        server.stop()
        raise
    server.startup_s = time.perf_counter() - started
    return server


def _wait_for_200(server: Server, path: str, timeout: float) -> None:
    """Poll ``path`` every 20 ms until it answers 200 (bounded by ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise BenchError(f"{server.name} exited with code {server.process.returncode}; "
                             f"see {server.log_path}:\n{_tail(server.log_path)}")
        if _status(server.port, path) == 200:
            return
        if time.monotonic() > deadline:
            raise BenchError(f"{server.name} did not answer 200 on {path} within {timeout:g} s;"
                             f" see {server.log_path}")
        time.sleep(0.02)


def _status(port: int, path: str) -> int | None:
    connection = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        connection.close()


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def worker_pids(master: int) -> list[int]:
    """The children of a gunicorn master (its workers), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the ppid follows it.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == master:
            children.append(int(entry.name))
    return sorted(children)


def rss_mb(pid: int) -> float | None:
    """Resident memory of ``pid`` in MB (VmRSS from /proc/<pid>/status)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


__all__ = ["BENCH_DIR", "PEER_VERSION", "BenchError", "Server", "rss_mb", "start_dynamodb",
           "start_gunicorn", "start_peer", "stop_on_sigterm", "worker_pids"]
