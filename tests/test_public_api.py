"""The public API, ``from dynadmin import ...``: every name there, visible to type checkers
and IDEs, and ``import dynadmin`` cheap enough for a settings or definitions module.

``dynadmin/__init__.py`` hands out the admin side lazily through a module ``__getattr__``,
which type checkers do not run; its ``if TYPE_CHECKING:`` imports are what they read instead.
"""

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import dynadmin

PACKAGE = Path(dynadmin.__file__).resolve().parent


def _imported_for_type_checkers() -> dict[str, str]:
    """Each name the ``if TYPE_CHECKING:`` block imports, with the module it comes from."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in ast.walk(node):
                if isinstance(statement, ast.ImportFrom) and statement.level == 1:
                    for alias in statement.names:
                        names[alias.asname or alias.name] = f"dynadmin.{statement.module}"
    return names


def _names_imported_at_run_time() -> set[str]:
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    return {alias.asname or alias.name for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.level > 0 for alias in node.names}


@pytest.mark.parametrize("name", dynadmin.__all__)
def test_every_public_name_imports(name):
    namespace: dict[str, object] = {}
    exec(f"from dynadmin import {name}", namespace)  # the spelling a definitions module uses
    assert namespace[name] is getattr(dynadmin, name)


@pytest.mark.parametrize("name", dynadmin.__all__)
def test_every_public_name_is_visible_without_running_the_module(name):
    # A name only ``__getattr__`` knows is Any to mypy and unknown to an IDE's completion.
    visible = set(_imported_for_type_checkers()) | _names_imported_at_run_time()
    assert name in visible


def test_type_checkers_see_what_the_module_hands_out_at_run_time():
    lazy = _imported_for_type_checkers()
    assert set(lazy) <= set(dynadmin.__all__)
    for name, module in lazy.items():
        assert getattr(dynadmin, name) is getattr(importlib.import_module(module), name), name


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        dynadmin.NoSuchThing  # noqa: B018


def test_the_package_is_marked_as_typed():
    # PEP 561: without py.typed, type checkers ignore an installed package's annotations.
    assert (PACKAGE / "py.typed").is_file()


def test_importing_dynadmin_imports_neither_django_nor_boto3():
    # A definitions module (and a settings module that imports one) uses dynadmin before
    # Django is configured; importing the admin side then would touch settings and models.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = ("import sys, dynadmin; "
            "print(' '.join(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('django', 'boto3', 'botocore') "
            "or m in ('dynadmin.models', 'dynadmin.options', 'dynadmin.sites'))))")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, cwd=PACKAGE.parent, check=True)
    assert result.stdout.split() == []


def test_definitions_import_from_dynadmin_without_django_configured():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = ("from dynadmin import Entity, Key, Table, fields\n"
            "shop = Table('Shop', pk='PK', sk='SK', type_attribute='type')\n"
            "class User(Entity, table=shop):\n"
            "    keys = Key(pk='USER#{email}', sk='PROFILE')\n"
            "    email = fields.Email(required=True)\n"
            "print(User.keys.pk.format({'email': 'a@b.co'}))\n")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, cwd=PACKAGE.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "USER#a@b.co"
