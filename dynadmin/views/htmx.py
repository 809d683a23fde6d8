"""Whether a request asks for part of a page (an htmx swap) or for the whole page.

Every page that has a fragment answers it only to a swap. A boosted link navigates to a new
page, and a history restore rebuilds one the browser no longer holds: both need the whole
page, although htmx sends ``HX-Request`` with them too.
"""

from __future__ import annotations

from django.http import HttpRequest

__all__ = ["is_fragment_request"]


def is_fragment_request(request: HttpRequest) -> bool:
    """An htmx request that swaps part of a page (not a boosted link, not a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request
