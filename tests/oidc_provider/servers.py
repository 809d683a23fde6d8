"""Starting the test provider and dynadmin's ready-made project as its relying party, each a
``runserver`` of its own on a free 127.0.0.1 port with its own SQLite file, for the fixtures
of tests/test_oidc.py. Every wait is bounded; a server that does not come up fails the test
with the end of its log."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parent.parent.parent
PROVIDER_SETTINGS = "tests.oidc_provider.settings"
#: The people at the provider (username: password, groups): support engineers whose group
#: dynadmin maps (one per test that changes them at the provider), and someone whose groups
#: it does not.
PEOPLE = {
    "sam": ("sam-pass-4821", "support-staff"),
    "gil": ("gil-pass-1905", "support-staff"),
    "dana": ("dana-pass-3376", "support-staff"),
    "bea": ("bea-pass-6620", "support-staff,marketing"),
    "olly": ("olly-pass-7314", "marketing"),
}
GROUP_MAP = "support-staff=Support"
START_TIMEOUT = 90


@dataclass
class Provider:
    url: str
    issuer: str
    client_id: str
    client_secret: str
    database: Path

    def set_active(self, username: str, active: bool) -> None:
        """Disable (or enable) an account at the provider, as its administrators would."""
        _manage(["shell", "-c",
                 "from django.contrib.auth.models import User; "
                 f"User.objects.filter(username={username!r}).update(is_active={active!r})"],
                self.env())

    def set_groups(self, username: str, *groups: str) -> None:
        """Change a person's groups at the provider."""
        _manage(["shell", "-c",
                 "from django.contrib.auth.models import Group, User; "
                 f"User.objects.get(username={username!r}).groups.set("
                 f"Group.objects.get_or_create(name=n)[0] for n in {list(groups)!r})"],
                self.env())

    def env(self) -> dict[str, str]:
        return {**os.environ, "DJANGO_SETTINGS_MODULE": PROVIDER_SETTINGS,
                "OIDC_PROVIDER_DATABASE": str(self.database),
                "OIDC_PROVIDER_KEY_FILE": str(self.database.parent / "provider-key.pem"),
                "OIDC_PROVIDER_ISSUER": self.issuer}


#: Ports for the two servers, outside Linux's ephemeral range (32768-60999): a port the OS
#: hands out as free there may be taken as the source port of an outgoing connection
#: (to DynamoDB, to the other server) before runserver binds it. DYNADMIN_OIDC_TEST_PORTS
#: ("low-high") moves the range.
PORTS = range(*(int(n) + i for i, n in enumerate(
    os.environ.get("DYNADMIN_OIDC_TEST_PORTS", "18200-18299").split("-"))))
_handed_out: set[int] = set()


def free_port() -> int:
    """A port of ``PORTS`` nobody listens on (this process never hands one out twice; each
    xdist worker starts at its own random place), else one from the OS."""
    start = secrets.randbelow(len(PORTS))
    for offset in range(len(PORTS)):
        port = PORTS[(start + offset) % len(PORTS)]
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, "-m", "django", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    if result.returncode:
        raise RuntimeError(f"django-admin {args[0]} failed:\n{result.stdout}\n{result.stderr}")


@contextmanager
def _runserver(port: int, env: dict[str, str], log: Path, ready_url: str
               ) -> Iterator[None]:
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server on :{port} exited:\n{log.read_text()[-3000:]}")
            try:
                if requests.get(ready_url, timeout=5).status_code < 500:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server on :{port} did not answer within "
                                   f"{START_TIMEOUT} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


@contextmanager
def provider(tmp: Path, rp_url: str) -> Iterator[Provider]:
    """django-oauth-toolkit with OIDC on a free port: a fresh RS256 key, a confidential
    client for ``rp_url``'s callback, and the people above."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp / "provider-key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    found = Provider(url=url, issuer=f"{url}/o", client_id="dynadmin-" + secrets.token_hex(4),
                     client_secret=secrets.token_urlsafe(32), database=tmp / "provider.sqlite3")
    env = found.env()
    _manage(["migrate", "--noinput", "-v", "0"], env)
    # Each value joined to its option: a random secret may begin with "-", which argparse
    # would take for an option of its own.
    _manage(["oidc_provider_setup", f"--client-id={found.client_id}",
             f"--client-secret={found.client_secret}",
             f"--redirect-uri={rp_url}/oidc/callback/",
             f"--post-logout-redirect-uri={rp_url}/login/?signed_out=1",
             *(f"--person={name}:{password}:{groups}"
               for name, (password, groups) in PEOPLE.items())], env)
    with _runserver(port, env, tmp / "provider.log",
                    f"{found.issuer}/.well-known/openid-configuration"):
        yield found


@contextmanager
def relying_party(tmp: Path, port: int, found: Provider, table_names: dict[str, str],
                  refresh_seconds: int) -> Iterator[str]:
    """dynadmin's ready-made project switched to OIDC by its environment variables, over the
    tables ``table_names`` of the session's DynamoDB, with the standard groups."""
    env = {**os.environ,
           "DJANGO_SETTINGS_MODULE": "tests.settings",
           "DJANGO_DEBUG": "1",  # runserver serves the static files
           "DYNADMIN_TEST_DATABASE": str(tmp / "relying-party.sqlite3"),
           "DYNADMIN_TABLE_NAMES": ",".join(f"{k}={v}" for k, v in table_names.items()),
           "DYNADMIN_OIDC_ISSUER": found.issuer,
           "DYNADMIN_OIDC_CLIENT_ID": found.client_id,
           "DYNADMIN_OIDC_CLIENT_SECRET": found.client_secret,
           "DYNADMIN_OIDC_GROUP_MAP": GROUP_MAP,
           "DYNADMIN_OIDC_REFRESH_SECONDS": str(refresh_seconds)}
    _manage(["migrate", "--noinput", "-v", "0"], env)
    _manage(["dynadmin_groups"], env)
    url = f"http://127.0.0.1:{port}"
    with _runserver(port, env, tmp / "relying-party.log", f"{url}/login/?signed_out=1"):
        yield url
