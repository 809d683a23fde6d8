"""What the Dockerfile runs, run directly: gunicorn on the production settings."""

import http.client
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from examples.project.local import free_port

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DYNADMIN_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "examples.project.settings", "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "k3y-for-tests-only-" + "Zq8vN2pL5w" * 4,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0", "DYNADMIN_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"), "PYTHONPATH": str(ROOT),
    })
    env.update(extra)
    return env


def manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stdout


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = production_env(tmp_path)
    env.pop("DJANGO_SECURE_SSL_REDIRECT")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_weak_secret_key_is_refused(tmp_path):
    result = manage(production_env(tmp_path, DJANGO_SECRET_KEY="x" * 60), "check")
    assert result.returncode != 0 and "too short" in result.stderr


def test_gunicorn_serves_the_login_page_and_hashed_static_files(tmp_path):
    env = production_env(tmp_path)
    assert manage(env, "migrate", "--noinput").returncode == 0
    collected = manage(env, "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "examples.project.wsgi", "-c", "python:examples.project.gunicorn_conf"],
        cwd=ROOT, env=env | {"PORT": str(port), "WEB_CONCURRENCY": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        html = _get(f"http://127.0.0.1:{port}/login/", server)
        assert 'name="username"' in html
        css = next(part.split('"')[1] for part in html.split("href=") if ".css" in part)
        assert "dynadmin." in css and css.count(".") >= 2  # hashed by the manifest storage
        assert "site-header" in _get(f"http://127.0.0.1:{port}{css}", server)
        headers = _headers(f"http://127.0.0.1:{port}/login/")
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _scheme_seen(port, server, forwarded_proto):
    """The status and Location of the login page asked over plain HTTP from 127.0.0.1 with
    ``X-Forwarded-Proto`` (SSL redirect on: a 301 means the request was taken as HTTP)."""
    deadline = time.monotonic() + 20
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/login/", headers={
                "X-Forwarded-Proto": forwarded_proto, "Host": "127.0.0.1"})
            response = connection.getresponse()
            return response.status, response.getheader("Location") or ""
        except OSError:
            if server.poll() is not None:
                pytest.fail(server.stdout.read().decode())
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            connection.close()


@pytest.mark.parametrize(("behind_proxy", "status"), [("0", 301), ("1", 200)])
def test_gunicorn_trusts_forwarded_headers_only_behind_a_configured_proxy(
        tmp_path, behind_proxy, status):
    """Without DJANGO_BEHIND_PROXY nobody's X-Forwarded-Proto counts, not even from
    127.0.0.1: a plain-HTTP request is redirected to HTTPS. With it, the configured proxy's
    (FORWARDED_ALLOW_IPS, 127.0.0.1 by default) does."""
    env = production_env(tmp_path, DJANGO_SECURE_SSL_REDIRECT="1",
                         DJANGO_BEHIND_PROXY=behind_proxy)
    assert manage(env, "migrate", "--noinput").returncode == 0
    assert manage(env, "collectstatic", "--noinput").returncode == 0
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "examples.project.wsgi", "-c", "python:examples.project.gunicorn_conf",
         "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env | {"WEB_CONCURRENCY": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        seen, location = _scheme_seen(port, server, "https")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert seen == status, location
    if status == 301:
        assert location.startswith("https://")


def _get(url, server, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            if server.poll() is not None:
                pytest.fail(server.stdout.read().decode())
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _headers(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.headers


def test_hsts_preload_is_opt_in(tmp_path):
    show = ("from django.conf import settings; "
            "print(settings.SECURE_HSTS_SECONDS > 0, settings.SECURE_HSTS_PRELOAD)")
    default = manage(production_env(tmp_path), "shell", "-c", show)
    assert default.stdout.split()[-2:] == ["True", "False"], default.stderr
    opted_in = manage(production_env(tmp_path, DJANGO_HSTS_PRELOAD="1"), "shell", "-c", show)
    assert opted_in.stdout.split()[-2:] == ["True", "True"], opted_in.stderr


def test_an_empty_history_table_setting_turns_the_archive_off(tmp_path):
    """DYNADMIN_HISTORY_TABLE="" in the environment turns the archive off, as the settings
    say (an empty value once fell back to the default table)."""
    show = ("from dynadmin.history.archive import archive_is_on; "
            "print('archive-on', archive_is_on())")
    default = manage(production_env(tmp_path), "shell", "-c", show)
    assert default.stdout.split()[-2:] == ["archive-on", "True"], default.stderr
    off = manage(production_env(tmp_path, DYNADMIN_HISTORY_TABLE=""), "shell", "-c", show)
    assert off.stdout.split()[-2:] == ["archive-on", "False"], off.stderr


def test_two_processes_writing_the_projects_sqlite_file_wait_for_each_other(tmp_path):
    # The server and the jobs' workers write the same file. With SQLite's default deferred
    # transactions, the second of two writers fails at once ("database is locked", seen with
    # two db_workers planning chunks); a transaction that takes the write lock when it begins
    # waits for it instead.
    env = production_env(tmp_path)
    assert manage(env, "migrate", "--no-input").returncode == 0
    script = (
        "import django; django.setup()\n"
        "from django.db import transaction\n"
        "from django.contrib.auth.models import Group\n"
        "import sys, time\n"
        "name = sys.argv[1]\n"
        "for n in range(40):\n"
        "    with transaction.atomic():\n"
        "        Group.objects.filter(name__startswith='x').count()\n"
        "        time.sleep(0.005)\n"
        "        Group.objects.get_or_create(name=f'{name}-{n}')\n"
        "print('done')\n")
    writers = [subprocess.Popen([sys.executable, "-c", script, name], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for name in ("a", "b", "c")]
    outcomes = [writer.communicate(timeout=120) for writer in writers]
    assert all(out.strip() == "done" for out, _ in outcomes), [err[-500:] for _, err in outcomes]
