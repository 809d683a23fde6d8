"""A server error answers with dynadmin's page and the headers every page carries: no cache
keeps it, and the Content-Security-Policy holds, whether the error left a dynadmin view or
reached the URLconf's handler500 from anywhere else."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from dynadmin.views import pages

pytestmark = pytest.mark.django_db


def assert_protected_500(response) -> str:  # noqa: ANN001
    html = response.content.decode()
    assert response.status_code == 500
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert "Server error" in html and "Traceback" not in html
    return html


def test_an_error_in_a_view_is_a_500_with_the_sites_headers(staff_client, shop_table,
                                                            monkeypatch, settings):
    settings.DEBUG = False

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - a bug in a service
        raise RuntimeError("a bug nobody caught")

    monkeypatch.setattr(pages, "table_summary", broken)
    staff_client.raise_request_exception = False
    response = staff_client.get(reverse("dynadmin:dashboard"))
    html = assert_protected_500(response)
    assert "a bug nobody caught" not in html


def test_the_projects_handler500_page_carries_the_headers(rf, settings):
    settings.DEBUG = False
    handler = get_resolver().resolve_error_handler(500)
    assert_protected_500(handler(rf.get("/anything/")))


def test_under_debug_the_debug_page_keeps_its_inline_styles_but_is_not_cached(
        staff_client, shop_table, monkeypatch, settings):
    settings.DEBUG = True

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("a bug nobody caught")

    monkeypatch.setattr(pages, "table_summary", broken)
    staff_client.raise_request_exception = False
    response = staff_client.get(reverse("dynadmin:dashboard"))
    assert response.status_code == 500
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" not in response
