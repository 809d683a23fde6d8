"""Management commands that need Django's database say so in one line when it is not ready
(before ``migrate``, or with a database cache's table missing), never with a traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: every command of dynadmin and of the ready-made project that reads or writes the database
#: (dynadmin_verify, dynadmin_import and dynamodb_local do not)
COMMANDS = [
    ["dynadmin_health"],
    ["dynadmin_changes", "--table", "Application", "--pk", "USER#1"],
    ["dynadmin_groups"],
    ["dynadmin_demo"],
    ["dynadmin_job", "list", "--as", "admin"],
]


def project_env(tmp_path: Path, endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DYNADMIN_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "examples.project.settings", "DJANGO_DEBUG": "1",
                "DYNADMIN_VAR_DIR": str(tmp_path / "var"), "PYTHONPATH": str(ROOT),
                "AWS_ENDPOINT_URL_DYNAMODB": endpoint})
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_before_migrate_a_command_says_so_in_one_line(tmp_path, dynamodb_endpoint, command):
    result = manage(project_env(tmp_path, dynamodb_endpoint), *command)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"CommandError: {command[0]} needs the database, which ")
    assert "manage.py migrate" in line


def test_a_missing_cache_table_after_migrate_is_one_line(tmp_path, dynamodb_endpoint):
    env = project_env(tmp_path, dynamodb_endpoint)
    assert manage(env, "migrate", "--noinput", "--verbosity", "0").returncode == 0
    with sqlite3.connect(tmp_path / "var" / "dynadmin.sqlite3") as db:
        db.execute("DROP TABLE dynadmin_cache")
    result = manage(env, "dynadmin_health")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "no such table: dynadmin_cache" in line and "createcachetable" in line
