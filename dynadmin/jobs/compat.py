"""Django's Tasks framework: ``django.tasks`` from Django 6, the ``django-tasks`` backport
before (the same API, installed by ``pip install dynadmin[jobs]``)."""

from __future__ import annotations

try:
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # Django 5.2
    from django_tasks import task  # type: ignore[import-not-found,no-redef,unused-ignore]

__all__ = ["task"]
