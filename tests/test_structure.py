"""The package's shape: layers that data flows through one way, and features kept apart.

definitions -> data -> services -> editing -> admin options -> views -> the site; inside
services, what several features share, then one folder per feature. A module may import (at
run time; ``if TYPE_CHECKING`` imports are annotations only) from its own entry of ``LAYERS``
or a lower layer, never a higher one nor a feature beside it, and no two modules import each
other, however indirectly.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dynadmin"

#: Lowest first; a module belongs to the longest prefix listed. A module may import from its
#: own entry or a lower layer; two entries of one layer are features side by side and never
#: import each other (the partition page does not reach into the item page, nor the reverse).
LAYERS = [
    ("dynadmin.limits",),
    ("dynadmin.conf", "dynadmin.codenames", "dynadmin.user_errors"),
    ("dynadmin.numbers",),
    ("dynadmin.plain_json",),
    ("dynadmin.definitions",),
    ("dynadmin.data",),
    ("dynadmin.models", "dynadmin.relations", "dynadmin.access_patterns", "dynadmin.migrations"),
    ("dynadmin.scopes",),
    # the signed-in person kept in the cache: their permissions and scope names with them
    ("dynadmin.people",),
    ("dynadmin.history",),
    # services, by feature: what many features share first, then each feature's folder.
    # which templates a project overrides (what is also written in Python is used only for
    # dynadmin's own)
    ("dynadmin.services.own_templates",),
    ("dynadmin.services.links", "dynadmin.services.inputs"),
    ("dynadmin.services.url_keys", "dynadmin.services.partitions.key_ranges"),
    ("dynadmin.services.partitions.query",),
    ("dynadmin.services.ttl",),
    ("dynadmin.services.items.relation_links",),
    ("dynadmin.services.display",),
    ("dynadmin.services.partitions", "dynadmin.services.tables"),
    ("dynadmin.services.lookups",),
    ("dynadmin.services.lists",),
    ("dynadmin.services.items", "dynadmin.services.changes", "dynadmin.services.health"),
    ("dynadmin.services",),
    ("dynadmin.editing",),
    # bulk jobs: what a job reads and writes, below the admin whose hooks each item is
    # written through (handed to it, never imported at run time)
    ("dynadmin.jobs",),
    ("dynadmin.options",),
    ("dynadmin.views", "dynadmin.templatetags"),
    ("dynadmin.sites",),
    # the archive registered on a site: an EntityAdmin of its own
    # the jobs' task functions find the site themselves: queued by path (jobs/queue.py)
    ("dynadmin.permissions", "dynadmin.checks", "dynadmin.history.admin",
     "dynadmin.jobs.tasks"),
    ("dynadmin.apps",),
    # importers write definitions as text, then load them on a site of their own and run
    # the checks over them: above the site and the checks, below the command that uses them.
    ("dynadmin.importers",),
    ("dynadmin.management", "dynadmin"),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _place(module: str) -> tuple[int, str]:
    """The layer of ``module`` and the entry (feature) it belongs to."""
    best, best_len, entry = None, -1, ""
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len, entry = number, len(prefix), prefix
    assert best is not None, f"{module} is in no layer"
    return best, entry


def _layer(module: str) -> int:
    return _place(module)[0]


def _runtime_imports(path: Path, module: str) -> set[str]:
    """dynadmin modules imported by ``path`` outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text())
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [f"{target}.{alias.name}" for alias in node.names]
            for name in names:
                found.add(name if _is_module(name) else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "dynadmin" or name.startswith("dynadmin.")}


def _is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return ((PACKAGE / relative).with_suffix(".py").exists()
            or (PACKAGE / relative / "__init__.py").exists())


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        module = _module_name(path)
        graph[module] = _runtime_imports(path, module) - {module}
    return graph


def test_layers_are_only_imported_downwards():
    upward = [f"{module} imports {target}"
              for module, targets in _graph().items()
              for target in targets
              if module != "dynadmin" and _layer(target) > _layer(module)]
    assert upward == []


#: Entries of one layer that may use each other, as (user, used); none so far.
SIDE_BY_SIDE: set[tuple[str, str]] = set()


def test_features_side_by_side_stay_apart():
    sideways = []
    for module, targets in _graph().items():
        if module == "dynadmin":
            continue
        layer, entry = _place(module)
        for target in targets:
            target_layer, target_entry = _place(target)
            if (target_layer == layer and target_entry != entry
                    and (entry, target_entry) not in SIDE_BY_SIDE):
                sideways.append(f"{module} imports {target}")
    assert sideways == []


def test_no_module_imports_itself_through_others():
    graph = _graph()
    # The package root only re-exports, lazily, for ``import dynadmin`` in settings files.
    graph = {m: {t for t in ts if t != "dynadmin"} for m, ts in graph.items()}
    cycles = []
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_every_service_belongs_to_a_feature():
    loose = [module for module in _graph() if module.startswith("dynadmin.services.")
             and _place(module)[1] == "dynadmin.services"]
    assert loose == []


def test_no_test_module_is_imported_by_another_file():
    """Importing a test module runs its module-level code a second time and copies its
    fixtures into the importer's namespace, where they silently shadow conftest's: what
    several test modules share lives in ``tests/conftest.py`` or ``tests/support/``."""
    tests = Path(__file__).resolve().parent
    root = tests.parent

    def is_test_module(dotted: str) -> bool:
        path = root.joinpath(*dotted.split("."))
        return path.with_suffix(".py").is_file() and path.name.startswith("test_")

    found = []
    for path in sorted(tests.rglob("*.py")):
        package = ".".join(path.relative_to(root).parent.parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else [])) \
                    if node.level else node.module or ""
                targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
            else:
                continue
            found += [f"{path.relative_to(root)}:{node.lineno} imports {target}"
                      for target in targets if is_test_module(target)]
    assert found == []
