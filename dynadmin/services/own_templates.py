"""Which of dynadmin's templates a project overrides, how a template shows a text, and
texts a template shows kept by what they depend on.

Some of dynadmin's templates are also written in Python (the read forms' widgets,
``services/inputs.py``; the partials around a list's rows, ``services/display/partials.py``):
the Python is used only while the template engine finds dynadmin's own copy of the
template, so that a project's override of one renders as it is.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver

__all__ = ["KeptTexts", "escape", "is_own_template", "settings_generation"]

#: where dynadmin's own templates are: the repository's top-level ``templates/`` and the
#: wheel's ``dynadmin/templates/``
_OWN_TEMPLATES = (Path(__file__).resolve().parents[2] / "templates",
                  Path(__file__).resolve().parents[1] / "templates")


@functools.lru_cache(maxsize=128)
def is_own_template(template_name: str, engine: Any = None) -> bool:
    """Does ``engine`` (every engine, by default) find dynadmin's own copy of
    ``template_name``, not a project's override?"""
    if engine is None:
        from django.template.loader import get_template

        template = get_template(template_name)
    else:
        template = engine.get_template(template_name)
    origin = Path(str(template.origin.name)).resolve()
    return any(origin.is_relative_to(own) for own in _OWN_TEMPLATES)


@receiver(setting_changed)
def _forget_overrides(**kwargs: Any) -> None:
    if kwargs["setting"] in ("TEMPLATES", "INSTALLED_APPS"):
        is_own_template.cache_clear()


#: how many times a setting changed in this process (tests, ``override_settings``)
_settings_changes = 0


@receiver(setting_changed)
def _count_setting_change(**kwargs: Any) -> None:
    global _settings_changes  # noqa: PLW0603 - one counter for the process
    _settings_changes += 1


def settings_generation() -> int:
    """How many times a setting changed: a template node that keeps what it rendered notes
    this with it and forgets it when the number has moved (a static file's address, a URL
    prefix, a translation may differ)."""
    return _settings_changes


def escape(value: Any) -> str:
    """What ``{{ value }}`` shows of a text (``conditional_escape``): markup kept, anything
    else escaped by ``html.escape`` as Django's ``escape`` does, without the lazy-string
    check Django's wrapper makes on each call (a page escapes a few hundred values)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


class KeptTexts:
    """Texts a template shows (a field's markup, an address), kept by everything they depend
    on: at most ``limit``, all forgotten beyond it and whenever a setting changes (a URL
    prefix, a template, the language may differ). A key that cannot be hashed raises
    TypeError from ``get``: the caller makes the text as if nothing were kept."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._texts: dict[Any, str] = {}
        setting_changed.connect(self._forget, weak=False)

    def get(self, key: Any) -> str | None:
        return self._texts.get(key)

    def keep(self, key: Any, text: str) -> None:
        if len(self._texts) >= self.limit:
            self._texts.clear()
        self._texts[key] = text

    def clear(self) -> None:
        self._texts.clear()

    def _forget(self, **kwargs: Any) -> None:
        self.clear()

    def __len__(self) -> int:
        return len(self._texts)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._texts)
