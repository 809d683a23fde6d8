"""The reference pages stay complete: every setting, system check ID, management command and
public name the code has is documented in docs/reference/, so a new one without an entry fails
here.

The names are read from the code itself (``dynadmin.conf.DEFAULTS``, the ``id=`` of every
check in the package, the modules under ``management/commands/``, ``dynadmin.__all__`` and
the field types), not from a list kept beside the docs. Plain file reads: the Sphinx build
itself is ``make docs``.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import dynadmin
from dynadmin import conf, fields
from dynadmin.data import Connection

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference"


def _page(name: str) -> str:
    return (REFERENCE / name).read_text(encoding="utf-8")


def _headings(name: str) -> set[str]:
    """The entries of a reference page: its third-level headings."""
    return {m.group(1).strip() for m in re.finditer(r"^### (.+)$", _page(name), re.M)}


def _check_ids() -> set[str]:
    ids: set[str] = set()
    for path in (ROOT / "dynadmin").rglob("*.py"):
        ids |= set(re.findall(r"""\bid=["'](dynadmin\.[EW]\d{3})["']""", path.read_text()))
    return ids


def _commands() -> set[str]:
    return {path.stem for package in ("dynadmin", "examples")
            for path in (ROOT / package).rglob("management/commands/*.py")
            if not path.stem.startswith("_")}


def test_the_code_has_what_these_tests_look_for():
    # A pattern that silently stopped matching would make every test below pass vacuously.
    assert len(conf.DEFAULTS) > 20
    assert {"dynadmin.E001", "dynadmin.E107", "dynadmin.W102"} <= _check_ids()
    assert {"dynadmin_import", "dynadmin_verify", "seed_shop"} <= _commands()


@pytest.mark.parametrize("name", sorted(conf.DEFAULTS))
def test_every_setting_has_an_entry(name):
    assert f"DYNADMIN_{name}" in _headings("settings.md"), (
        f"DYNADMIN_{name} (dynadmin/conf.py) has no '### DYNADMIN_{name}' entry in "
        "docs/reference/settings.md")


@pytest.mark.parametrize("option", sorted(f.name for f in dataclasses.fields(Connection)
                                          if f.name != "name"))
def test_every_connection_option_is_described(option):
    assert re.search(rf"^`{option}`$", _page("settings.md"), re.M), (
        f"DYNADMIN_CONNECTIONS option {option!r} is not described in "
        "docs/reference/settings.md")


@pytest.mark.parametrize("check_id", sorted(_check_ids()))
def test_every_check_id_has_an_entry(check_id):
    assert check_id in _headings("checks.md"), (
        f"{check_id} has no '### {check_id}' entry in docs/reference/checks.md")


@pytest.mark.parametrize("command", sorted(_commands()))
def test_every_command_has_an_entry(command):
    assert command in _headings("commands.md"), (
        f"manage.py {command} has no '### {command}' entry in docs/reference/commands.md")


def _api_entries() -> set[str]:
    """The names docs/reference/api.rst documents (autodoc directives and ``py:data``)."""
    return set(re.findall(r"^\.\. (?:auto\w+|py:data):: ([\w.]+)$", _page("api.rst"), re.M))


@pytest.mark.parametrize("name", sorted(set(dynadmin.__all__) - {"fields"}))
def test_every_public_name_is_in_the_api_reference(name):
    assert f"dynadmin.{name}" in _api_entries(), (
        f"dynadmin.{name} (dynadmin.__all__) is not documented in docs/reference/api.rst")


@pytest.mark.parametrize("name", sorted(
    name for name in fields.__all__
    if isinstance(getattr(fields, name), type) and issubclass(getattr(fields, name), fields.Field)
    and getattr(fields, name) is not fields.SetField))
def test_every_field_type_is_in_the_api_reference(name):
    assert f"dynadmin.fields.{name}" in _api_entries(), (
        f"fields.{name} is not documented in docs/reference/api.rst")


def test_no_entry_outlives_its_code():
    """An entry for a setting, check or command the code no longer has misleads a reader."""
    settings = {h for h in _headings("settings.md") if h.startswith("DYNADMIN_")}
    assert settings == {f"DYNADMIN_{name}" for name in conf.DEFAULTS}
    assert _headings("checks.md") == _check_ids()
    assert _headings("commands.md") == _commands()


def test_the_readmes_consumer_policy_allows_every_call_the_consumer_makes():
    """The IAM policy the README gives the archive's consumer: valid JSON, and every DynamoDB
    operation the consumer's modules call is in it (a call it lacks fails only on AWS)."""
    import json

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Every change, kept"):]
    policy = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    allowed = {action for statement in policy["Statement"] for action in statement["Action"]}
    consumer = "".join((ROOT / "dynadmin" / path).read_text() for path in (
        "history/consumer.py", "history/__init__.py", "data/streams/reading.py",
        "data/writes.py"))
    used = {"DescribeTable", "DescribeStream", "GetShardIterator", "GetRecords", "PutItem",
            "UpdateItem", "Query"}
    assert {f"dynamodb:{op}" for op in used} <= allowed
    # every Streams call the reading module makes is one of those
    assert set(re.findall(r'"(DescribeStream|GetShardIterator|GetRecords|ListStreams)"',
                          consumer)) <= used
    assert "--function-response-types ReportBatchItemFailures" in section
