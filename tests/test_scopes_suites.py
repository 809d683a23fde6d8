"""The permission, hostile-input and security suites run again with scoped people
(``tests/support/scoped_suite.py``, a pytest plugin): the same promises hold for a person a
scope limits, and nothing is written outside the scope (an outsider's items, planted beside
the suites' own, come out of every test untouched)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITES = ("tests/test_permissions_every_path.py", "tests/test_hostile_data.py",
          "tests/test_security.py")
#: promises that hold for superusers alone, or on another site than the scope's
NOT_FOR_SCOPED = (
    # call details are a superuser's; a scoped person is never one
    "tests/test_permissions_every_path.py::"
    "test_the_footer_tells_counts_to_whoever_sees_every_item",
    # the blog is another site, which does not declare the suite's scope: a person assigned
    # a scope a site does not declare reaches nothing there (test_scopes.py proves it)
    "tests/test_hostile_data.py::test_editing_an_unrelated_field_keeps_a_zone_less_sort_key",
    "tests/test_hostile_data.py::test_a_key_field_spelt_otherwise_than_its_field_writes_is_kept",
)


def test_the_permission_and_hostile_input_suites_hold_for_scoped_people():
    command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider",
               "-p", "tests.support.scoped_suite", "-q", *SUITES,
               *(f"--deselect={test}" for test in NOT_FOR_SCOPED)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "deselected" in run.stdout
