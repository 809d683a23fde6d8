"""Run dynadmin's system checks over a generated definitions module, on a site of its own.

The module registers its entities with ``@dynadmin.register``, which uses the default site;
while it runs here, the default site is a fresh one, so checking an import never adds its
entities to the site the project serves.
"""

from __future__ import annotations

import types
from typing import Any

from .. import sites
from ..checks import check_definitions

__all__ = ["load_generated"]


def load_generated(source: str, name: str = "dynadmin_imported") -> tuple[Any, list]:
    """The module the source defines, and what the system checks say about it."""
    site = sites.AdminSite(name=f"{name}-check")
    module = types.ModuleType(name)
    saved = sites.default_site
    sites.default_site = site
    try:
        # The source is the module this process just wrote from a model file, never input
        # taken from elsewhere; running it is the only way to know that it loads.
        exec(compile(source, f"<{name}>", "exec"), module.__dict__)  # noqa: S102
    finally:
        sites.default_site = saved
    module.site = site
    return module, check_definitions(site=site)
