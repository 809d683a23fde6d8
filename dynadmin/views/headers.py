"""The headers every answer dynadmin gives carries, its server-error page included: pages
show customer data, so no cache keeps them, and only the site's own scripts and styles run."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

from .. import conf

__all__ = ["DEFAULT_CSP", "protect"]

# Only the site's own scripts and styles: templates carry no inline scripts, styles or event
# handlers, and htmx is configured not to inject styles or evaluate code.
DEFAULT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
               "base-uri 'none'; object-src 'none'")


def protect(response: HttpResponse, *, csp: bool = True) -> HttpResponse:
    """``Cache-Control: no-store`` (and friends) and the Content-Security-Policy, unless the
    response set its own policy. ``csp=False`` only for Django's debug page (DEBUG), whose
    inline styles and scripts a policy would break."""
    if getattr(response, "dynadmin_protected", False):  # decided once, where it was made
        return response
    if csp:
        response.headers.setdefault("Content-Security-Policy", conf.get("CSP") or DEFAULT_CSP)
    add_never_cache_headers(response)
    response.dynadmin_protected = True  # type: ignore[attr-defined]
    return response
