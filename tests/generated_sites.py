"""Serving a generated definitions module over HTTP in a test, as a project would.

``dynadmin_import`` writes a module that registers its entities on the default site;
``load_generated`` runs it on a site of its own. ``mount`` makes a URLconf at run time
that serves that site under ``prefix`` (beside the project's own site at ``/``), the way a
host project mounts a second site (``tests/two_sites_urls.py``).
"""

from __future__ import annotations

import sys
import types
import uuid
from pathlib import Path
from typing import Any

from django.urls import path

import dynadmin
from dynadmin.importers.checking import load_generated
from dynadmin.sites import AdminSite


def generated_site(module_path: Path, name: str) -> tuple[Any, AdminSite]:
    """The generated module written at ``module_path``, and a site ``name`` serving it."""
    module, problems = load_generated(module_path.read_text(encoding="utf-8"),
                                      name=f"generated_{name}")
    serious = [f"{p.id}: {p.msg}" for p in problems if p.is_serious()]
    assert serious == [], serious
    site = AdminSite(name=name)
    for admin in module.site.admins:
        site.register(admin.entity, type(admin))
    return module, site


def mount(settings: Any, site: AdminSite, prefix: str) -> None:
    """Serve ``site`` under ``/<prefix>/`` and the project's site at ``/`` for this test."""
    urlconf = types.ModuleType(f"tests_generated_urls_{uuid.uuid4().hex[:8]}")
    urlconf.urlpatterns = [path(f"{prefix}/", site.urls), path("", dynadmin.site.urls)]
    sys.modules[urlconf.__name__] = urlconf
    settings.ROOT_URLCONF = urlconf.__name__
