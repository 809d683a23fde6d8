"""PostgreSQL from Debian's package: ``initdb`` into a temporary folder, ``pg_ctl`` on a free port.

PostgreSQL refuses to run as root, so as root the server runs as the package's ``postgres``
system user (``runuser``), in a folder that user owns. Authentication is ``trust``, on
127.0.0.1 and a socket inside the folder only: a test server, never a production one.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from .common import HOST, ServiceMissing, ServiceServer, free_port, new_folder

USER = DATABASE = "dynadmin"
MISSING = ("PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH): "
           "apt-get install -y postgresql")


def bin_dir() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                      else 0)
    found = versions[-1] if versions else (Path(w) if (w := shutil.which("initdb")) else None)
    if found is None:
        raise ServiceMissing(MISSING)
    return found.parent


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise ServiceMissing("PostgreSQL cannot run as root, and there is no 'postgres' user "
                             "to run it as (apt-get install -y postgresql creates one)") from None
    return ["runuser", "-u", "postgres", "--"]


def _run(*args: str | Path) -> None:
    result = subprocess.run([*_run_as(), *map(str, args)], capture_output=True, text=True,
                            timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed:\n{result.stdout}{result.stderr}")


def start_postgres(folder: str | Path | None = None, port: int | None = None) -> ServiceServer:
    """A new, empty cluster with database and superuser ``dynadmin``; ``url`` is a
    DATABASE_URL. Stop it with ``.stop()`` (or ``stop_postgres(folder)``)."""
    binaries = bin_dir()
    path, ours = new_folder("postgres", folder)
    if _run_as():
        shutil.chown(path, "postgres", "postgres")
    path.chmod(0o700)
    port = port or free_port()
    data = path / "data"
    _run(binaries / "initdb", "-D", data, "-U", USER, "-A", "trust", "-E", "UTF8",
         "--no-sync", "--locale=C.UTF-8")
    options = (f"-p {port} -c listen_addresses={HOST} -c unix_socket_directories={path} "
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
    _run(binaries / "pg_ctl", "-D", data, "-l", path / "server.log", "-o", options, "-w",
         "-t", "60", "start")
    (path / "port").write_text(str(port))
    try:
        _run(binaries / "createdb", "-h", HOST, "-p", str(port), "-U", USER, DATABASE)
    except Exception:
        stop_postgres(path)
        raise
    return ServiceServer(url=f"postgres://{USER}@{HOST}:{port}/{DATABASE}", port=port,
                         folder=path, _stop=stop_postgres, remove_folder=ours)


def stop_postgres(folder: str | Path) -> None:
    """``pg_ctl stop`` (fast: running sessions are ended) for the cluster in this folder."""
    data = Path(folder) / "data"
    if (data / "postmaster.pid").exists():
        _run(bin_dir() / "pg_ctl", "-D", data, "-m", "fast", "-w", "-t", "60", "stop")
