"""dynadmin as a user gets it: the wheel, pip-installed into a fresh `startproject` host.

Once per session: build the repository's wheel, install it with pip into a new virtualenv,
run ``django-admin startproject host``, copy the tiny ``tickets`` app (tests/host/tickets/)
next to it and make only the edits the tutorial (docs/tutorial/index.md) lists:
``"dynadmin"`` and ``"tickets"`` in INSTALLED_APPS, ``import dynadmin`` and
``path("dynamodb/", dynadmin.site.urls)`` in the URLconf. No middleware, context processor,
LOGIN_URL or TEMPLATES edit. Then ``check``, ``migrate``, ``createsuperuser``, DynamoDB Local
through the project's own launcher, a Helpdesk table written with plain boto3, and
``runserver``; the tests speak HTTP to it on 127.0.0.1. Nothing is mocked.

Run with ``make test-host`` (marker ``host``; the other legs exclude it). Installing pulls
Django, boto3 and django-htmx from the package index: when it cannot be reached the leg skips,
except in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import html
import http.cookiejar
import importlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest

pytestmark = pytest.mark.host

# The ready-made project's DynamoDB Local launcher (`python -m <it> {install,start,...}`).
LAUNCHER_MODULE = os.environ.get("DYNADMIN_LAUNCHER_MODULE", "examples.project.local")

REPO = Path(__file__).resolve().parents[2]
TICKETS_APP = Path(__file__).resolve().parent / "tickets"
MOUNT = "/dynamodb/"
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")

# What pip prints when the package index cannot be reached (as opposed to a real failure).
NETWORK_ERRORS = (
    "NewConnectionError", "Failed to establish a new connection", "Max retries exceeded",
    "Temporary failure in name resolution", "Name or service not known",
    "Network is unreachable", "ConnectTimeoutError", "ReadTimeoutError", "ProxyError",
    "Connection refused", "No route to host", "(from versions: none)",
)

# Environment the host's processes must not inherit from this pytest process.
_NOT_INHERITED = ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV",
                  "PYTHONSTARTUP")
_NOT_INHERITED_PREFIXES = ("AWS_", "DJANGO_", "DYNADMIN_")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in _NOT_INHERITED and not k.startswith(_NOT_INHERITED_PREFIXES)}
    env.update(extra)
    return env


def run(command: list[str | Path], *, env: dict[str, str] | None = None, cwd: Path | None = None,
        timeout: float = 180, what: str = "", uses_index: bool = False,
        ) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure, fail the test with its output.

    ``uses_index``: a pip command; if it failed because the package index cannot be reached,
    skip instead (never in CI).
    """
    command = [str(part) for part in command]
    try:
        result = subprocess.run(command, env=env if env is not None else clean_env(), cwd=cwd,
                                capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"{what or command} did not finish in {timeout:g} s:\n"
                    f"{tail(error.stdout)}\n{tail(error.stderr)}")
    if result.returncode != 0:
        output = f"{result.stdout}\n{result.stderr}"
        message = (f"{what or ' '.join(command)} failed (exit {result.returncode}):\n"
                   f"{tail(output, 40)}")
        evidence = [line.strip() for line in output.splitlines()
                    if any(marker in line for marker in NETWORK_ERRORS)]
        if uses_index and evidence and not IN_CI:
            pytest.skip(f"the package index cannot be reached, so the wheel cannot be built "
                        f"and installed into a fresh venv: {what} says {evidence[-1]!r}")
        pytest.fail(message)
    return result


def tail(text: str | bytes | None, lines: int = 25) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "\n".join((text or "").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the wheel, the venv, the host -----------------------------------------------------------


@dataclass
class Host:
    root: Path  # the startproject folder, holding manage.py
    python: Path  # the fresh venv's interpreter
    wheel: Path
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    def manage(self, *args: str, env: dict[str, str] | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return run([self.python, "manage.py", *args], env=env or clean_env(), cwd=self.root,
                   timeout=timeout, what=f"manage.py {' '.join(args)}")

    @property
    def site_packages(self) -> Path:
        return Path(run([self.python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                                            "['purelib'])"]).stdout.strip())


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's wheel, built the way a release would be."""
    out = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
         REPO, "-w", out], timeout=300, what="pip wheel <repository>", uses_index=True)
    (built,) = out.glob("dynadmin-*.whl")
    return built


@pytest.fixture(scope="session")
def venv_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv with the same Python and nothing but the wheel and its dependencies."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    run([sys.executable, "-m", "venv", venv], what="python -m venv")
    python = venv / "bin" / "python"
    run([python, "-m", "pip", "install", "--disable-pip-version-check", wheel], timeout=600,
        what="pip install <wheel>", uses_index=True)
    return python


def _add_to_installed_apps(settings: str) -> str:
    block = re.search(r"^INSTALLED_APPS = \[\n(?P<apps>.*?)^\]", settings, re.M | re.S)
    assert block, "startproject's settings.py has no INSTALLED_APPS list"
    insert = block.start("apps") + len(block.group("apps"))
    return settings[:insert] + '    "dynadmin",\n    "tickets",\n' + settings[insert:]


def _mount_dynadmin(urls: str) -> str:
    imports = "from django.urls import path\n"
    assert imports in urls, "startproject's urls.py does not import path"
    urls = urls.replace(imports, imports + "\nimport dynadmin\n", 1)
    patterns = re.search(r"^urlpatterns = \[\n.*?^\]", urls, re.M | re.S)
    assert patterns, "startproject's urls.py has no urlpatterns list"
    end = patterns.end() - 1
    return urls[:end] + f'    path("{MOUNT.strip("/")}/", dynadmin.site.urls),\n' + urls[end:]


@pytest.fixture(scope="session")
def host(venv_python: Path, wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Host:
    """`django-admin startproject host`, the tickets app beside it, and the tutorial's edits."""
    root = tmp_path_factory.mktemp("project") / "host"
    root.mkdir()
    run([venv_python.parent / "django-admin", "startproject", "host", root],
        what="django-admin startproject")
    shutil.copytree(TICKETS_APP, root / "tickets",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    settings = root / "host" / "settings.py"
    settings.write_text(_add_to_installed_apps(settings.read_text()))
    urls = root / "host" / "urls.py"
    urls.write_text(_mount_dynadmin(urls.read_text()))
    return Host(root=root, python=venv_python, wheel=wheel)


@pytest.fixture(scope="session")
def migrated_host(host: Host) -> Host:
    host.manage("migrate", "--noinput")
    host.manage("createsuperuser", "--noinput", "--username", "admin",
                "--email", "a@example.com",
                env=clean_env(DJANGO_SUPERUSER_PASSWORD=host.password))
    return host


# --- DynamoDB Local and the Helpdesk table -----------------------------------------------------

TICKETS = [
    {"PK": "TICKET#1", "SK": "META", "type": "ticket", "ticket_id": "1",
     "subject": "Printer on fire", "status": "OPEN", "opened_at": "2025-01-15T09:30:00+00:00",
     "version": 1},
    {"PK": "TICKET#1", "SK": "COMMENT#2025-01-15T09:35:00+00:00#c1", "type": "comment",
     "ticket_id": "1", "created": "2025-01-15T09:35:00+00:00", "comment_id": "c1",
     "author": "ana", "body": "Have you tried turning it off and on again"},
    {"PK": "TICKET#1", "SK": "COMMENT#2025-01-15T09:41:00+00:00#c2", "type": "comment",
     "ticket_id": "1", "created": "2025-01-15T09:41:00+00:00", "comment_id": "c2",
     "author": "ben", "body": "Extinguisher applied, toner reordered"},
    {"PK": "TICKET#2", "SK": "META", "type": "ticket", "ticket_id": "2",
     "subject": "Cannot log in to the wiki", "status": "PENDING",
     "opened_at": "2025-01-16T08:00:00+00:00", "version": 1},
]
AWS_ENV = {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


@pytest.fixture(scope="session")
def dynamodb() -> Iterator[str]:
    """DynamoDB Local, in memory, started by the project's launcher; the Helpdesk table in it."""
    launcher = importlib.import_module(LAUNCHER_MODULE)
    server = launcher.start(in_memory=True)
    try:
        client = boto3.client(
            "dynamodb", endpoint_url=server.endpoint, region_name=AWS_ENV["AWS_REGION"],
            aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"])
        client.create_table(
            TableName="Helpdesk", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                                  {"AttributeName": "SK", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                       {"AttributeName": "SK", "KeyType": "RANGE"}])
        client.get_waiter("table_exists").wait(
            TableName="Helpdesk", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        for item in TICKETS:
            client.put_item(TableName="Helpdesk", Item={
                name: {"N": str(value)} if isinstance(value, int) else {"S": value}
                for name, value in item.items()})
        yield server.endpoint
    finally:
        server.stop()


# --- the running host --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def base_url(migrated_host: Host, dynamodb: str,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`manage.py runserver` (DEBUG is on in a startproject, so it serves static files)."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("runserver") / "runserver.log"
    env = clean_env(AWS_ENDPOINT_URL_DYNAMODB=dynamodb, **AWS_ENV)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(migrated_host.python), "manage.py", "runserver", f"127.0.0.1:{port}",
             "--noreload"],
            cwd=migrated_host.root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _answers(url):
            if process.poll() is not None:
                pytest.fail(f"runserver exited with {process.returncode}:\n"
                            f"{tail(log_path.read_text(), 40)}")
            if time.monotonic() > deadline:
                pytest.fail(f"runserver did not answer within 60 s:\n"
                            f"{tail(log_path.read_text(), 40)}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/", timeout=2):  # noqa: S310 - 127.0.0.1 only
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer (404 included) means it is up
    except OSError:
        return False


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None  # a 3xx is an answer to look at, not to follow


class Browser:
    """A cookie-keeping HTTP client on the standard library that never follows redirects."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects())

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def request(self, path: str, data: dict[str, str] | None = None) -> Response:
        assert path.startswith("/"), path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)
        try:
            with self.opener.open(request, timeout=30) as answer:
                return Response(answer.status, _headers(answer.headers), answer.read())
        except urllib.error.HTTPError as answer:
            return Response(answer.code, _headers(answer.headers), answer.read())

    get = request

    def post(self, path: str, data: dict[str, str]) -> Response:
        return self.request(path, data)


def _headers(message) -> dict[str, str]:  # noqa: ANN001
    return {name.lower(): value for name, value in message.items()}


@dataclass
class SignedIn:
    browser: Browser
    login_page: Response
    login_answer: Response


@pytest.fixture(scope="session")
def signed_in(base_url: str, migrated_host: Host) -> SignedIn:
    browser = Browser(base_url)
    page = browser.get(f"{MOUNT}login/?next={MOUNT}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert page.status == 200 and token, (page.status, page.text[:2000])
    answer = browser.post(f"{MOUNT}login/", {
        "csrfmiddlewaretoken": html.unescape(token.group(1)), "username": "admin",
        "password": migrated_host.password, "next": MOUNT})
    return SignedIn(browser, page, answer)


def local_links(page: str) -> list[str]:
    """Every same-site path a page links to, posts to or fetches (static files excepted)."""
    found = re.findall(r'\b(?:href|action|src|hx-get|hx-post)="([^"]*)"', page)
    paths = []
    for raw in map(html.unescape, found):
        parts = urllib.parse.urlsplit(raw)
        if parts.scheme or parts.netloc or not parts.path or not parts.path.startswith("/"):
            continue  # fragments (#content), relative "?page=" links, other sites
        paths.append(parts.path)
    return [p for p in paths if not p.startswith("/static/")]


# --- the tests -----------------------------------------------------------------------------------


def test_the_wheel_carries_the_templates_and_static_files_inside_the_package(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    assert "dynadmin/templates/dynadmin/base.html" in names
    assert "dynadmin/templates/dynadmin/dashboard.html" in names
    for static in ("dynadmin.css", "htmx.min.js", "dynadmin.js"):
        assert f"dynadmin/static/dynadmin/{static}" in names
    assert "dynadmin/migrations/0001_initial.py" in names
    strays = [n for n in names if n.split("/")[0] in ("examples", "tests", "bench", "templates",
                                                      "static")]
    assert not strays, strays


def test_the_wheel_tells_type_checkers_to_read_its_annotations(wheel: Path):
    # PEP 561: without py.typed, mypy and pyright treat the installed package as untyped.
    assert "dynadmin/py.typed" in zipfile.ZipFile(wheel).namelist()


def test_every_template_in_the_wheel_is_namespaced_under_dynadmin(wheel: Path):
    templates = [n for n in zipfile.ZipFile(wheel).namelist()
                 if n.startswith("dynadmin/templates/")]
    outside = [n for n in templates if not n.startswith("dynadmin/templates/dynadmin/")]
    # Anything outside templates/dynadmin/ (404.html, registration/login.html...) would take
    # the place of the host's own templates of the same name.
    assert not outside, outside


def test_the_fresh_venv_holds_only_the_app_and_its_runtime_dependencies(venv_python: Path):
    installed = run([venv_python, "-m", "pip", "list", "--format=json",
                     "--disable-pip-version-check"]).stdout
    names = {entry["name"].lower().replace("_", "-") for entry in json.loads(installed)}
    assert {"dynadmin", "django", "boto3", "django-htmx"} <= names, names
    # The ready-made project's needs are an extra, not forced on a host.
    assert not names & {"whitenoise", "dj-database-url", "gunicorn"}, names


def test_the_host_passes_the_system_checks(host: Host):
    result = host.manage("check", "--fail-level", "WARNING")
    assert "no issues" in result.stdout + result.stderr, result.stdout + result.stderr


def test_dynadmin_templates_do_not_take_the_place_of_the_hosts(host: Host):
    """Names a host resolves for itself must not come from dynadmin's package."""
    names = ["400.html", "403.html", "404.html", "500.html", "registration/login.html",
             "registration/logged_out.html", "base.html", "errors/standalone.html"]
    code = (
        "import json\n"
        "from django.template import TemplateDoesNotExist\n"
        "from django.template.loader import get_template\n"
        "found = {}\n"
        f"for name in {names!r}:\n"
        "    try:\n"
        "        found[name] = str(get_template(name).origin.name)\n"
        "    except TemplateDoesNotExist:\n"
        "        found[name] = None\n"
        "print(json.dumps(found))\n"
    )
    found = json.loads(host.manage("shell", "-c", code).stdout.strip().splitlines()[-1])
    package = str(host.site_packages / "dynadmin") + os.sep
    shadowing = {name: origin for name, origin in found.items()
                 if origin and origin.startswith(package)}
    assert not shadowing, shadowing


def test_dynamodb_local_holds_the_helpdesk_table(dynamodb: str):
    client = boto3.client("dynamodb", endpoint_url=dynamodb, region_name="us-east-1",
                          aws_access_key_id="local", aws_secret_access_key="local")
    answer = client.query(TableName="Helpdesk", KeyConditionExpression="PK = :pk",
                          ExpressionAttributeValues={":pk": {"S": "TICKET#1"}})
    assert answer["Count"] == 3


def test_the_dashboard_sends_strangers_to_the_sites_own_login(base_url: str):
    answer = Browser(base_url).get(MOUNT)
    assert answer.status == 302, (answer.status, answer.text[:2000])
    location = urllib.parse.urlsplit(answer.header("Location"))
    assert location.path == f"{MOUNT}login/", answer.header("Location")
    assert urllib.parse.parse_qs(location.query) == {"next": [MOUNT]}


def test_the_login_page_loads_dynadmins_stylesheet_and_htmx_from_the_hosts_static_url(
        signed_in: SignedIn):
    page = signed_in.login_page.text
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    css = [href for href in stylesheets if href.endswith("/dynadmin.css")]
    htmx = [src for src in scripts if src.endswith("/htmx.min.js")]
    assert css == ["/static/dynadmin/dynadmin.css"], stylesheets
    assert htmx == ["/static/dynadmin/htmx.min.js"], scripts
    browser = signed_in.browser
    for url, source, kind in ((css[0], REPO / "static/dynadmin/dynadmin.css", "text/css"),
                              (htmx[0], REPO / "static/dynadmin/htmx.min.js", "javascript")):
        answer = browser.get(url)
        assert answer.status == 200, (url, answer.status)
        assert kind in answer.header("Content-Type"), (url, answer.header("Content-Type"))
        assert answer.body == source.read_bytes(), url


def test_posting_the_login_form_signs_in(signed_in: SignedIn):
    answer = signed_in.login_answer
    assert answer.status == 302, (answer.status, answer.text[:2000])
    assert answer.header("Location") == MOUNT
    assert signed_in.browser.cookie("sessionid")


def test_the_dashboard_lists_the_helpdesk_table_and_links_only_under_the_mount_point(
        signed_in: SignedIn):
    answer = signed_in.browser.get(MOUNT)
    assert answer.status == 200, (answer.status, answer.text[:2000])
    assert "Helpdesk" in answer.text
    assert f'href="{MOUNT}t/Helpdesk/q/"' in answer.text, "no Browse link to the table"
    links = local_links(answer.text)
    assert links, "the dashboard links nowhere"
    elsewhere = [link for link in links if not link.startswith(MOUNT)]
    assert not elsewhere, elsewhere


def test_a_partition_page_shows_the_tickets_items(signed_in: SignedIn):
    answer = signed_in.browser.get(f"{MOUNT}t/Helpdesk/q/?pk=TICKET%231")
    assert answer.status == 200, (answer.status, answer.text[:2000])
    page = answer.text
    for text in ("Printer on fire", "Have you tried turning it off and on again",
                 "Extinguisher applied, toner reordered"):
        assert text in page, text
    assert "Cannot log in to the wiki" not in page  # another partition
    elsewhere = [link for link in local_links(page) if not link.startswith(MOUNT)]
    assert not elsewhere, elsewhere


def test_the_hosts_own_pages_are_not_dynadmins(base_url: str):
    answer = Browser(base_url).get("/nope/")
    assert answer.status == 404
    for markup in ("dynadmin.css", 'class="site-header"', "· dynadmin"):
        assert markup not in answer.text, markup
