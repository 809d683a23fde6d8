"""No state that lives in one process: the production settings under gunicorn, over HTTP.

Real parts only: PostgreSQL (Django's database) and Redis (the cache), both the Debian
packages' servers started on free ports by ``examples.project.services``; DynamoDB Local; and
gunicorn masters with 2 workers each, run exactly as the Dockerfile runs them. Two masters on
two ports sharing PostgreSQL + Redis are "two hosts" behind a load balancer.

Which worker served a request is read from gunicorn's access log (its pid), and every check
keeps sending requests until each worker has served some, so "every worker" is proven, not
hoped for. A per-process cache fails these tests: the session a worker cached survives a
logout served by the other, and each worker counts its own failures.

``make test-shared-state`` runs them; other legs skip them (marker ``shared_state``). Without
the packages they skip, except in CI (CI=true or DYNADMIN_REQUIRE_SHARED_STATE=1): a failure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from examples.project.local import free_port
from examples.project.services import ServiceMissing, start_postgres, start_redis

from .conftest import physical_table

pytestmark = pytest.mark.shared_state

ROOT = Path(__file__).resolve().parent.parent
USERS = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy")
LIMIT = 5  # the production default, DYNADMIN_LOGIN_MAX_FAILURES
ENOUGH = 3  # requests each worker must have served before a check counts
MAX_REQUESTS = 300  # per check: far more than two workers ever need to both take some
PROBE = re.compile(r"<(\d+)> \S*[?&]probe=([0-9a-f]{32})\S* (\d{3})")


def password(user: str) -> str:
    return f"{user}-Right-Horse-Battery"


def _required() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("DYNADMIN_REQUIRE_SHARED_STATE") == "1"


@pytest.fixture(scope="module")
def postgres_and_redis():
    try:
        postgres = start_postgres()
    except ServiceMissing as missing:
        (pytest.fail if _required() else pytest.skip)(str(missing))
    try:
        redis = start_redis()
    except ServiceMissing as missing:
        postgres.stop()
        (pytest.fail if _required() else pytest.skip)(str(missing))
    try:
        yield postgres.url, redis.url
    finally:
        redis.stop()
        postgres.stop()


@pytest.fixture(scope="module")
def environment(postgres_and_redis, dynamodb_endpoint, tmp_path_factory):
    """The production settings on PostgreSQL + Redis, migrated, with static files and users."""
    from examples.shop.definitions import shop

    database_url, redis_url = postgres_and_redis
    folder = tmp_path_factory.mktemp("shared-state")
    with physical_table(shop) as names:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DYNADMIN_"))}
        env.update({
            "DJANGO_SETTINGS_MODULE": "examples.project.settings", "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "k3y-for-shared-state-tests-" + "Hq4sW9xB2m" * 4,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "DYNADMIN_VAR_DIR": str(folder / "var"), "DJANGO_STATIC_ROOT": str(folder / "static"),
            "DYNADMIN_TABLE_NAMES": ",".join(f"{k}={v}" for k, v in names.items()),
            "PYTHONPATH": str(ROOT), "WEB_CONCURRENCY": "2",
        })
        _manage(env, "migrate", "--noinput")
        _manage(env, "collectstatic", "--noinput")
        _manage(env, "shell", "-c", "from django.contrib.auth.models import User\n"
                f"for name in {USERS!r}:\n"
                "    User.objects.create_superuser(name, name + '@example.com', "
                "name + '-Right-Horse-Battery')")
        yield env


def _manage(env, *args):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@dataclass
class Host:
    """One gunicorn master (2 workers) on its own port: one "host" behind a load balancer."""

    url: str
    process: subprocess.Popen
    log: Path
    workers: set[str] = field(default_factory=set)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def served(self, probes: list[str]) -> dict[str, str]:
        """probe id -> pid of the worker that served it, once the access log has them all."""
        deadline = time.monotonic() + 30
        while True:
            found = {probe: pid for pid, probe, _ in PROBE.findall(self.text())}
            if all(probe in found for probe in probes):
                return {probe: found[probe] for probe in probes}
            assert time.monotonic() < deadline, f"access log lacks probes:\n{self.text()[-3000:]}"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def start_host(environment, tmp_path_factory):
    hosts: list[Host] = []

    def start(**extra: str) -> Host:
        port = free_port()
        log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        env = {**environment, "PORT": str(port), **extra}
        env = {k: v for k, v in env.items() if v is not None}
        _manage(env, "migrate", "--noinput")  # as the Dockerfile does before each start
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(gunicorn), "examples.project.wsgi", "-c",
                 "python:examples.project.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
                 "--access-logformat", "%(p)s %(U)s?%(q)s %(s)s"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        host = Host(f"http://127.0.0.1:{port}", process, log)
        hosts.append(host)
        deadline = time.monotonic() + 60
        while len(host.workers) < 2 or not _answers(host):
            assert process.poll() is None, host.text()
            assert time.monotonic() < deadline, host.text()
            host.workers = set(re.findall(r"Booting worker with pid: (\d+)", host.text()))
            time.sleep(0.2)
        return host

    yield start
    for host in hosts:
        host.process.terminate()
        host.process.wait(timeout=30)


def _answers(host: Host) -> bool:
    try:
        return requests.get(host.url + "/login/", timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


@pytest.fixture(scope="module")
def host_a(start_host):
    return start_host()


@pytest.fixture(scope="module")
def host_b(start_host):
    return start_host()


@pytest.fixture(scope="module")
def host_on_database_cache(start_host):
    """The no-extra-server default: no REDIS_URL, so the database is the cache."""
    return start_host(REDIS_URL=None)


@pytest.fixture(params=["redis", "database"])
def host(request):
    return request.getfixturevalue("host_a" if request.param == "redis"
                                   else "host_on_database_cache")


# -- a browser, and requests spread over every worker ------------------------------------

class Browser:
    """Cookies as a browser keeps them: per 127.0.0.1, whatever the port (so per "site")."""

    def __init__(self) -> None:
        self.session = requests.Session()

    def login(self, host: Host, user: str, secret: str | None = None) -> requests.Response:
        self.session.get(host.url + "/login/", timeout=30)
        return self.session.post(host.url + "/login/", timeout=60, allow_redirects=False, data={
            "username": user, "password": secret or password(user),
            "csrfmiddlewaretoken": self.session.cookies["csrftoken"]})

    def logout(self, host: Host) -> None:
        token = self.session.cookies["csrftoken"]
        response = self.session.post(host.url + "/logout/", timeout=30, allow_redirects=False,
                                     data={"csrfmiddlewaretoken": token})
        assert response.status_code == 302, response.status_code
        assert "sessionid" not in self.session.cookies

    @property
    def sessionid(self) -> str:
        return self.session.cookies["sessionid"]


def on_every_worker(host: Host, send, path: str = "/", at_least: int = 8):
    """Send ``send(url)`` (8 at a time) until each of the host's workers served ENOUGH and
    ``at_least`` were sent; returns (worker pid, response) for every request sent."""
    answers: list[tuple[str, requests.Response]] = []
    with ThreadPoolExecutor(8) as pool:
        while True:
            probes = [uuid.uuid4().hex for _ in range(8)]
            responses = list(pool.map(lambda p: send(f"{host.url}{path}?probe={p}"), probes))
            served = host.served(probes)
            answers += [(served[p], r) for p, r in zip(probes, responses, strict=True)]
            counts = {pid: sum(1 for served_by, _ in answers if served_by == pid)
                      for pid in host.workers}
            if min(counts.values()) >= ENOUGH and len(answers) >= at_least:
                return answers
            assert len(answers) < MAX_REQUESTS, f"one worker took every request: {counts}"


def with_cookie(sessionid: str):
    return lambda url: requests.get(url, cookies={"sessionid": sessionid}, timeout=30,
                                    allow_redirects=False)


def login_attempt(user: str, secret: str):
    """A sign-in from a fresh browser; the form is fetched first (any worker), and the probe
    marks the POST, whose worker is the one that counts."""
    def send(url: str) -> requests.Response:
        browser = Browser()
        browser.session.get(url.split("?")[0], timeout=30)
        return browser.session.post(url, timeout=60, allow_redirects=False, data={
            "username": user, "password": secret,
            "csrfmiddlewaretoken": browser.session.cookies["csrftoken"]})
    return send


def statuses(answers) -> set[int]:
    return {response.status_code for _, response in answers}


def all_sent_to_login(answers) -> bool:
    return all(r.status_code == 302 and "/login/" in r.headers["Location"] for _, r in answers)


# -- the proofs --------------------------------------------------------------------------

def test_logout_ends_the_session_on_every_worker(host):
    browser = Browser()
    assert browser.login(host, "alice").status_code == 302
    old_cookie = browser.sessionid
    # Both workers have read (and, with a per-process cache, kept) the session.
    assert statuses(on_every_worker(host, with_cookie(old_cookie))) == {200}
    browser.logout(host)
    after = on_every_worker(host, with_cookie(old_cookie), at_least=20)
    assert len(after) >= 20 and all_sent_to_login(after)


def test_the_throttle_counts_failures_across_workers(host):
    for _ in range(LIMIT):
        assert Browser().login(host, "bob", "wrong").status_code == 200
    # Every worker refuses bob now, even his right password; with per-process counting at
    # least one worker would have seen fewer than LIMIT failures and let him in.
    refused = on_every_worker(host, login_attempt("bob", password("bob")), "/login/")
    assert statuses(refused) == {429}
    # Spellings the login treats as bob's share his counter.
    assert Browser().login(host, "ＢＯＢ", password("bob")).status_code == 429
    # Another person, from the same address, signs in on every worker.
    welcomed = on_every_worker(host, login_attempt("carol", password("carol")), "/login/")
    assert statuses(welcomed) == {302}


def test_two_hosts_agree_on_sessions(host_a, host_b):
    browser = Browser()
    assert browser.login(host_a, "dave").status_code == 302
    old_cookie = browser.sessionid
    assert statuses(on_every_worker(host_a, with_cookie(old_cookie))) == {200}
    assert statuses(on_every_worker(host_b, with_cookie(old_cookie))) == {200}
    browser.logout(host_b)
    assert all_sent_to_login(on_every_worker(host_a, with_cookie(old_cookie)))
    assert all_sent_to_login(on_every_worker(host_b, with_cookie(old_cookie)))


def test_a_person_taken_off_staff_is_refused_by_every_worker_of_every_host(
        host_a, host_b, environment):
    """Each worker keeps the signed-in person in Redis (``dynadmin.people``): a change made
    in another process (here ``manage.py shell``, as Django's admin on any host would) holds
    at the very next request on every worker of both hosts."""
    browser = Browser()
    assert browser.login(host_a, "grace").status_code == 302
    cookie = browser.sessionid
    for where in (host_a, host_b):  # every worker has read, and kept, grace
        assert statuses(on_every_worker(where, with_cookie(cookie))) == {200}
    _manage(environment, "shell", "-c", "from django.contrib.auth.models import User\n"
            "grace = User.objects.get(username='grace')\n"
            "grace.is_staff = grace.is_superuser = False\n"
            "grace.save()")
    for where in (host_a, host_b):
        assert statuses(on_every_worker(where, with_cookie(cookie))) == {403}


def test_two_hosts_agree_on_the_throttle(host_a, host_b):
    for n in range(LIMIT):
        where = host_a if n % 2 else host_b
        assert Browser().login(where, "erin", "wrong").status_code == 200
    for where in (host_a, host_b):
        refused = on_every_worker(where, login_attempt("erin", password("erin")), "/login/")
        assert statuses(refused) == {429}
        assert Browser().login(where, "frank").status_code == 302


def test_no_host_warns_about_a_per_process_cache(host_a, host_on_database_cache):
    for host in (host_a, host_on_database_cache):
        assert "dynadmin.W102" not in host.text()


def test_gunicorn_warns_about_a_per_process_cache(start_host):
    # The test settings keep a LocMem cache (one process per test worker): under gunicorn's
    # two workers the master reports W102 in its own log before serving anything.
    host = start_host(DJANGO_SETTINGS_MODULE="tests.settings", DATABASE_URL=None)
    assert "dynadmin.W102" in host.text()
