"""The benchmark runs outside the suite (``make bench``); its code must still match the app's,
so a refactoring that breaks an import there fails here, not on the next benchmark day."""

import importlib
from pathlib import Path

import pytest

MODULES = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "bench").glob("*.py")
                 if p.stem != "__init__")


@pytest.mark.parametrize("name", MODULES)
def test_every_benchmark_module_imports(name):
    importlib.import_module(f"bench.{name}")
