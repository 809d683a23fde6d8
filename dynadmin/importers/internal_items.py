"""The lines a generated module needs for the items a library keeps in the table itself.

OneTable stores its schema, its migrations and unique-value markers beside the application's
items (``dynadmin.definitions.internal``). The generated module declares them, so dynadmin
names them, keeps them read-only and off the dashboard, and never reports them as unclaimed.
"""

from __future__ import annotations

from .design import TableSpec

__all__ = ["internal_imports", "internal_registration"]

#: library -> (the function that declares its items, what they are)
LIBRARIES = {
    "onetable": ("onetable_internal_entities",
                 "OneTable keeps items of its own in this table: its stored schema (_schema), "
                 "its migrations (_migration) and unique-value markers (_unique#...)."),
}


def internal_imports(tables: list[TableSpec]) -> list[str]:
    names = sorted({LIBRARIES[t.internal_items][0] for t in tables if t.internal_items})
    return [f"from dynadmin.definitions.internal import {', '.join(names)}"] if names else []


def internal_registration(table: TableSpec, variable: str) -> tuple[list[str], list[str]]:
    """Notes, and the code that registers the library's items in ``table`` (none when it
    keeps none)."""
    if not table.internal_items:
        return [], []
    function, what = LIBRARIES[table.internal_items]
    admin = "".join(w.capitalize() for w in variable.split("_")) + "InternalAdmin"
    notes = [f"note: {what} Declared as internal: named where they appear, read-only, off "
             "the dashboard, never reported as unclaimed."]
    return notes, [f"@dynadmin.register(*{function}({variable}))",
                   f"class {admin}(EntityAdmin):", "    internal = True"]
