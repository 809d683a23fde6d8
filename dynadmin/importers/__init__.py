"""Read the model a team already has (NoSQL Workbench, OneTable...) into dynadmin definitions.

``import_design(format, data)`` turns a parsed model file into a ``Design``; ``render`` writes
it as a ``dynadmin.py`` module. Needs only the definitions layer (and nothing at all at run
time: the output is text), so the management command is a thin shell around it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .design import Design, ImportFormatError, refuse_unreadable_names
from .electrodb import read_electrodb
from .onetable import read_onetable
from .render import render
from .toolbox import read_toolbox
from .workbench import read_workbench

__all__ = ["FORMATS", "Design", "ImportFormatError", "import_design", "render"]

#: format name → (reader, what the file must look like)
FORMATS: dict[str, Callable[..., Design]] = {
    "workbench": read_workbench,
    "onetable": read_onetable,
    "electrodb": read_electrodb,
    "toolbox": read_toolbox,
}


def import_design(format: str, data: Any, table: str | None = None) -> Design:
    try:
        reader = FORMATS[format]
    except KeyError:
        raise ImportFormatError(f"unknown format {format!r}; known: {', '.join(FORMATS)}") from None
    design = reader(data, table=table)
    refuse_unreadable_names(design)
    return design
