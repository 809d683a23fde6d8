"""Access control shared by every view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from ..sites import site


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every dynadmin page: anonymous people go to the login page; non-staff get a 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not site.has_permission(request):
            raise PermissionDenied("dynadmin is for staff accounts.")
        return view(request, *args, **kwargs)

    return wrapped
