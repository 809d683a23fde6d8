"""Links to a site's pages, from services that build them for many rows.

A project can mount several sites (``path("a/", site_a.urls)``, ``path("b/", site_b.urls)``);
each shares the application namespace ``dynadmin`` and has its own instance namespace. While a
site serves a request it says which one it is (``serving``), the way Django keeps the script
prefix per request, so a link a service builds points into the site being served.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from django.urls import reverse

__all__ = ["serving", "site_url"]

_current_site: ContextVar[str] = ContextVar("dynadmin_current_site", default="dynadmin")


@contextmanager
def serving(site_name: str) -> Iterator[None]:
    token = _current_site.set(site_name)
    try:
        yield
    finally:
        _current_site.reset(token)


def site_url(url_name: str, /, **kwargs: str) -> str:
    """The path of the page ``dynadmin:<name>`` in the site being served."""
    return _reverse(_current_site.get(), url_name, tuple(sorted(kwargs.items())))


@lru_cache(maxsize=1024)
def _reverse(site_name: str, name: str, kwargs: tuple[tuple[str, str], ...]) -> str:
    # reverse() costs ~0.1 ms; a page links every one of its rows. The URLconf does not change
    # while a process serves (tests that swap it clear this cache).
    return reverse(f"dynadmin:{name}", kwargs=dict(kwargs), current_app=site_name)
