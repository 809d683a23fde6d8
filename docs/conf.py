"""Sphinx configuration of dynadmin's documentation (``make docs``).

Autodoc imports dynadmin, which imports Django: the test settings configure it. Nothing here
talks to DynamoDB; importing the definitions API needs no table and no endpoint.
"""

import os
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()

project = "dynadmin"
author = "the dynadmin authors"
copyright = "the dynadmin authors"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "screenshots"]
root_doc = "index"

# Markdown: ``{eval-rst}`` blocks, definition lists, and anchors on headings so that pages
# link to each other's sections.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
# Types go beside the parameters a docstring describes; the signatures stay readable.
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"
autodoc_default_options = {"members": True}

html_theme = "alabaster"
html_title = "dynadmin"
html_static_path: list[str] = []
html_theme_options = {
    "description": "A Django admin for DynamoDB single-table designs",
    "fixed_sidebar": True,
    "page_width": "1100px",
}
