"""``make run`` as a newcomer sees it, in a copy of the repository on free ports: the demo
login is printed once, no command line with the local credentials is echoed, and one line says
when the background seed has finished, while the server's own log keeps its place."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from examples.project import local

from .conftest import BACKEND

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    BACKEND != "dynamodb-local" or shutil.which("make") is None or shutil.which("git") is None,
    reason="make run starts DynamoDB Local with make")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _running(pid: int | None) -> bool:
    """Whether the process runs (a zombie left for its parent to reap does not)."""
    if pid is None:
        return False
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _copy_of_the_repository(target: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], cwd=REPO, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def test_make_run_says_each_thing_once_and_when_the_seed_is_done(tmp_path):
    _copy_of_the_repository(tmp_path)
    port, ddb_port = _free_port(), _free_port()
    venv = Path(sys.prefix)
    # The server's lines as it prints them (a pipe would hold them in a buffer).
    env = {**os.environ, "DYNADMIN_LOCAL_DIR": str(local.DEFAULT_DIR), "PYTHONUNBUFFERED": "1"}
    for name in ("DJANGO_SETTINGS_MODULE", "AWS_ENDPOINT_URL_DYNAMODB", "DYNADMIN_VAR_DIR",
                 "DYNADMIN_TABLE_NAMES"):
        env.pop(name, None)
    command = ["make", "--no-print-directory", "run", f"PORT={port}", f"DDB_PORT={ddb_port}",
               f"VENV={venv}", "-o", f"{venv}/.installed",
               "SEED_ARGS=--users 30 --orders 700"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            # Django 5.2 says "Starting development server at", 6 "Starting WSGI development …"
            started = any("development server at" in seen for seen in lines)
            if started and any(seen.startswith("==> Seeding") for seen in lines):
                done.set()
        done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    consumer: int | None = None
    worker: int | None = None
    history_log = tmp_path / "var" / "history.log"
    try:
        # A guard against a hang, not a timing: both lines come, however slow the machine.
        done.wait(timeout=600)
        # The history consumer runs beside the server and archives the seed's changes.
        pid_file = tmp_path / "var" / "history.pid"
        consumer = int(pid_file.read_text()) if pid_file.exists() else None
        for _ in range(3000):  # a guard against a hang, not a timing
            if "archived" in (history_log.read_text() if history_log.exists() else ""):
                break
            if consumer is None or not _running(consumer):
                break
            time.sleep(0.2)
        following = consumer is not None and "dynadmin_history follow" in _command_line(
            consumer)
        # The jobs' worker (the Tasks framework's database queue) runs beside them.
        worker_file = tmp_path / "var" / "worker.pid"
        worker = int(worker_file.read_text()) if worker_file.exists() else None
        working = worker is not None and "manage.py db_worker" in _command_line(worker)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        subprocess.run([sys.executable, "-m", "examples.project.local", "stop", "--port",
                        str(ddb_port)], cwd=tmp_path, env=env, capture_output=True)
    output = "\n".join(lines)
    history = history_log.read_text() if history_log.exists() else ""
    assert following, (output, history)
    assert working, output
    assert "Application: " in history and " archived, " in history, history
    # stopped with the server (once it has archived its batch), its pid file gone
    for _ in range(3000):  # a guard against a hang, not a timing
        if not _running(consumer):
            break
        time.sleep(0.1)
    assert not _running(consumer) and not (tmp_path / "var" / "history.pid").exists()
    for _ in range(3000):  # a guard against a hang, not a timing
        if not _running(worker):
            break
        time.sleep(0.1)
    assert not _running(worker) and not (tmp_path / "var" / "worker.pid").exists()
    password = (tmp_path / "var" / "demo-credentials.txt").read_text().split("password: ")[1]
    assert output.count(password.strip()) == 1, output
    assert "AWS_SECRET_ACCESS_KEY" not in output, output
    finished = [line for line in lines if line.startswith("==> Seeding")]
    assert len(finished) == 1 and finished[0].startswith("==> Seeding finished: Seeded "), output
    # The login is among the last lines before the server's own log starts.
    started = next(i for i, line in enumerate(lines) if "Watching for file changes" in line
                   or "Performing system checks" in line)
    shown = next(i for i, line in enumerate(lines) if password.strip() in line)
    assert 0 < started - shown <= 5, output
