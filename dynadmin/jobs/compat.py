"""Django's Tasks framework: ``django.tasks`` from Django 6, the ``django-tasks`` backport
before (the same API, installed by ``pip install dynadmin[jobs]``).

Without either, dynadmin still serves every page; jobs are not offered (``available``), and
queueing one says what to install rather than failing on an import."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

__all__ = ["available", "task"]

#: whether a Tasks framework was found when this module was imported (the answer cannot
#: change while the process runs, and a failed import walks ``sys.path`` again each time:
#: asked per page, that was about 75 µs of every partition page on Django 5.2)
_AVAILABLE = True

try:
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # Django 5.2
    try:
        from django_tasks import task  # type: ignore[import-not-found,no-redef,unused-ignore]
    except ImportError:
        _AVAILABLE = False

        def task(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc,no-redef,unused-ignore]
            raise ImproperlyConfigured(
                "Jobs run on Django's Tasks framework: install it with "
                "pip install dynadmin[jobs] (or use Django 6).")


def available() -> bool:
    """Is a Tasks framework importable here (so that a job can be queued)?"""
    return _AVAILABLE
