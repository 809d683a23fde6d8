"""``dynadmin_import`` on model files made to break it: names no Python name or comment can
hold as they are, nesting deeper than a parser recurses, thousands of models. Each answers
with a clear line or imports correctly, never with a traceback, and the work grows linearly."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dynadmin.definitions.keys import KeyTemplate
from dynadmin.importers import import_design, render
from dynadmin.importers.checking import load_generated

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def serious(problems: list) -> list:
    return [p for p in problems if p.is_serious()]


def electrodb_named(name: str) -> dict:
    data = fixture("electrodb_attributes_as_indexes.json")
    data["model"]["entity"] = name
    return data


def toolbox_named(name: str) -> dict:
    data = fixture("toolbox_pokedex.json")
    data["entities"][0]["entityName"] = name
    return data


# -- names --------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt, data", [
    ("electrodb", electrodb_named("bad\x00name")),
    ("toolbox", toolbox_named("bad\x00name")),
    ("electrodb", electrodb_named("two\nlines")),
    ("toolbox", toolbox_named("line\u2028separator")),
    ("onetable", {**fixture("onetable_spec_example.json"), "models": {"Odd\ud800": {
        "pk": {"type": "string", "value": "odd#${id}"}, "id": {"type": "string"}}}}),
])
def test_a_name_holding_a_control_character_is_one_clear_line(tmp_path, fmt, data):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=r"model.json: the entity name '.*' holds '\\.*', a "
                                           "character no name can hold; correct it in the "
                                           "model file.") as raised:
        call_command("dynadmin_import", "--format", fmt, str(path), "--table", "App")
    assert "\n" not in str(raised.value)


def test_through_manage_py_the_refusal_is_one_line_and_a_failing_exit(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(electrodb_named("bad\x00name")))
    result = run_manage_py("dynadmin_import", "--format", "electrodb", str(path))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"CommandError: {path}: the entity name 'bad\\x00name' holds '\\x00', a character no "
        "name can hold; correct it in the model file."]


#: names that are no Python identifier as they stand, yet fine names for DynamoDB
ODD_NAMES = ['it"s', "it's", "back\\slash", "None", "class", "2fast", "x²", "ﬁeld", "field",
             "a-b", "a_b", "Entity", "Key", "fields", "keys", "ünïcødé", "\u202eevil", "__init__"]


def test_odd_onetable_model_and_field_names_import_faithfully():
    data = fixture("onetable_spec_example.json")
    model = {"pk": {"type": "string", "value": "odd#${id}"}, "sk": {"type": "string",
                                                                       "value": "odd#"},
             "id": {"type": "string"}}
    model.update({name: {"type": "string"} for name in ODD_NAMES})
    data["models"] = {name: copy.deepcopy(model) for name in ODD_NAMES}
    for n, name in enumerate(ODD_NAMES):
        data["models"][name]["pk"]["value"] = f"odd{n}#${{id}}"
    module, problems = load_generated(render(import_design("onetable", data, table="App")))
    assert serious(problems) == []
    entities = [a.entity for a in module.site.admins if not a.internal]
    assert sorted(e._meta.type_value for e in entities) == sorted(ODD_NAMES)
    for entity in entities:
        # every odd name is a field of its own, stored under exactly that name
        stored = {f.attribute or n for n, f in entity._meta.fields.items()}
        assert set(ODD_NAMES) <= stored


@pytest.mark.parametrize("fmt, make", [("electrodb", electrodb_named),
                                       ("toolbox", toolbox_named)])
def test_odd_entity_names_import_faithfully(fmt, make):
    for name in ODD_NAMES:
        source = render(import_design(fmt, make(name), table="App"))
        module, problems = load_generated(source)
        assert serious(problems) == [], name
        assert name in {a.entity._meta.type_value for a in module.site.admins}


def test_odd_workbench_attribute_names_import_faithfully():
    data = fixture("workbench_recurring_payments.json")
    facet = data["DataModel"][0]["TableFacets"][0]
    for name in ODD_NAMES:
        facet["TableData"][0][name] = {"S": "x"}
    source = render(import_design("workbench", data))
    module, problems = load_generated(source)
    assert serious(problems) == []
    stored = {f.attribute for f in module.Subscription._meta.fields.values()}
    assert set(ODD_NAMES) <= stored


def test_comments_and_the_docstring_escape_what_is_not_printable():
    data = fixture("onetable_spec_example.json")
    data["version"] = "1\x00\u2028\ud800 \"\"\" \\N"
    data["models"]["Post"]["title"] = {"type": "string", "sparkle\u2029\x07": 1}
    source = render(import_design("onetable", data, table="App"))
    assert all(c.isprintable() for c in source if c != "\n")
    module, problems = load_generated(source)
    assert serious(problems) == []
    assert "# note: ignored on title: sparkle\\u2029\\x07 (not understood)." in source
    source.encode("utf-8")  # a lone surrogate could not be written to the file


# -- nesting ------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["workbench", "onetable", "electrodb", "toolbox"])
@pytest.mark.parametrize("deep", ["[" * 100_000 + "]" * 100_000,
                                  '{"a":' * 100_000 + "1" + "}" * 100_000])
def test_json_nested_deeper_than_any_model_is_one_clear_line(tmp_path, fmt, deep):
    path = tmp_path / "deep.json"
    path.write_text(deep)
    with pytest.raises(CommandError, match="deep.json nests arrays or objects too deeply to "
                                           "read"):
        call_command("dynadmin_import", "--format", fmt, str(path), "--table", "App")


# -- size ---------------------------------------------------------------------------------
def onetable_models(count: int, copies: bool = False) -> dict:
    """A schema of ``count`` small models, each keyed by a label of its own (or, with
    ``copies``, all keyed alike, so that every one looks like every other)."""
    models = {}
    for n in range(count):
        label = "thing" if copies else f"m{n}"
        models[f"M{n}"] = {"pk": {"type": "string", "value": f"{label}#${{id}}"},
                           "sk": {"type": "string", "value": f"{label}#"},
                           "id": {"type": "string"}}
    return {"version": "1", "indexes": {"primary": {"hash": "pk", "sort": "sk"}},
            "models": models}


def test_ten_thousand_models_import_and_pass_the_checks():
    module, problems = load_generated(render(import_design(
        "onetable", onetable_models(10_000), table="App")))
    assert problems == []
    mine = [a.entity for a in module.site.admins if not a.internal]
    assert len(mine) == 10_000
    assert module.M9999._meta.primary_key.pk.format({"id": "x"}) == "m9999#x"


@pytest.mark.parametrize("copies", [False, True])
def test_checking_the_import_works_linearly_in_the_number_of_models(monkeypatch, copies):
    """Counted, not timed: how many keys the checks format and parse, and how many problems
    they report, for n and for 2n models."""
    calls = {"n": 0}
    for method in ("parse", "example"):
        original = getattr(KeyTemplate, method)

        def counted(self, *args, _original=original, **kwargs):
            calls["n"] += 1
            return _original(self, *args, **kwargs)
        monkeypatch.setattr(KeyTemplate, method, counted)

    def work(count: int) -> tuple[int, int]:
        source = render(import_design("onetable", onetable_models(count, copies), table="App"))
        calls["n"] = 0
        _, problems = load_generated(source)
        return calls["n"], len(problems)

    calls_n, problems_n = work(300)
    calls_2n, problems_2n = work(600)
    assert calls_2n <= 2.2 * calls_n
    # one warning per model at most, however many look alike
    assert problems_2n <= 600 and problems_2n <= 2.2 * max(problems_n, 1)


def test_a_model_that_looks_like_many_names_a_few_and_says_there_are_others():
    _, problems = load_generated(render(import_design(
        "onetable", onetable_models(10, copies=True), table="App")))
    assert [p.id for p in problems] == ["dynadmin.W001"] * 9
    assert problems[-1].msg.startswith(
        "Keys of App.M9 can look like those of App.M0, App.M1, App.M2 and others;")


def run_manage_py(*arguments: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *arguments], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)



def test_an_integer_too_long_for_python_to_read_is_one_clear_line(tmp_path):
    path = tmp_path / "long.json"
    path.write_text('{"ModelName": "x", "DataModel": [1' + "0" * 5000 + "]}")
    with pytest.raises(CommandError, match="long.json is not JSON .*5001 digits"):
        call_command("dynadmin_import", "--format", "workbench", str(path))
