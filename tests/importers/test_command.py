"""``manage.py dynadmin_import``: a model file in, a definitions module out."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

FIXTURES = Path(__file__).parent / "fixtures"


def test_writes_a_module_that_compiles_and_says_it_passes(tmp_path):
    target = tmp_path / "dynadmin.py"
    err = StringIO()
    call_command("dynadmin_import", "--format", "workbench",
                 str(FIXTURES / "workbench_recurring_payments.json"), "--output", str(target),
                 stderr=err)
    source = target.read_text()
    compile(source, str(target), "exec")
    assert "class Subscription(Entity, table=reoccuringpayments):" in source
    assert f"Wrote {target}." in err.getvalue()


def test_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "dynadmin.py"
    target.write_text("# mine\n")
    with pytest.raises(CommandError, match="exists; pass --force"):
        call_command("dynadmin_import", "--format", "workbench",
                     str(FIXTURES / "workbench_recurring_payments.json"), "--output", str(target))
    assert target.read_text() == "# mine\n"


def test_a_file_of_the_wrong_format_names_what_was_expected(tmp_path):
    wrong = tmp_path / "schema.json"
    wrong.write_text('{"indexes": {"primary": {"hash": "pk"}}, "models": {}}')
    with pytest.raises(CommandError, match='expected a NoSQL Workbench model: a JSON object '
                                           'with "ModelName" and a "DataModel" list'):
        call_command("dynadmin_import", "--format", "workbench", str(wrong))


def test_a_file_that_is_not_json_is_a_clear_error(tmp_path):
    text = tmp_path / "model.ts"
    text.write_text("export const schema = {}")
    with pytest.raises(CommandError, match="is not JSON .*--format workbench reads a JSON file"):
        call_command("dynadmin_import", "--format", "workbench", str(text))


@pytest.mark.parametrize("fmt, name", [("workbench", "workbench_game_player_profiles.json"),
                                       ("onetable", "onetable_overview.json"),
                                       ("electrodb", "electrodb_task_manager.json"),
                                       ("toolbox", "toolbox_pokedex.json")])
def test_the_written_module_passes_manage_py_check_in_a_project(tmp_path, fmt, name):
    import os
    import subprocess
    import sys

    app = tmp_path / "imported_app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    call_command("dynadmin_import", "--format", fmt, str(FIXTURES / name), "--table", "App"
                 if fmt != "workbench" else "game-player-profiles",
                 "--output", str(app / "dynadmin.py"), stderr=StringIO())
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
           "DYNADMIN_DEFINITION_APPS": "imported_app",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), str(root)])}
    result = subprocess.run([sys.executable, "-m", "django", "check"], cwd=root, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    if fmt == "toolbox":
        # its trainer entity computes its keys ({pk}/{sk}), which can look like a pokemon's:
        # a warning worth reading, not an error
        assert "dynadmin.W001" in result.stderr and "ERRORS" not in result.stderr
    else:
        assert "System check identified no issues" in result.stdout
