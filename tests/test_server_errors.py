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

    monkeypatch.setattr(pages, "read_table_status", broken)
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

    monkeypatch.setattr(pages, "read_table_status", broken)
    staff_client.raise_request_exception = False
    response = staff_client.get(reverse("dynadmin:dashboard"))
    assert response.status_code == 500
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" not in response


def test_no_aws_region_anywhere_is_a_page_that_says_where_to_set_one(
        staff_client, shop_table, tmp_path):
    """botocore cannot even build a client without a region: that is a configuration the
    page names, never a server error."""
    from django.test import override_settings

    from dynadmin import data
    from dynadmin.services.url_keys import item_url

    url = item_url(shop_table, {"PK": "USER#u1", "SK": "METADATA"})
    with pytest.MonkeyPatch.context() as env, override_settings(DYNADMIN_REGION=None):
        for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
            env.delenv(name, raising=False)
        env.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
        data.reset_client()
        response = staff_client.get(url)
    data.reset_client()
    html = response.content.decode()
    assert response.status_code == 503
    assert "No AWS region" in html and "AWS_REGION" in html
    assert "no-store" in response["Cache-Control"]


def test_a_refused_csrf_check_carries_the_headers_too(client, django_user_model, shop_table):
    from django.test import Client

    user = django_user_model.objects.create_superuser("admin", "a@example.com", "pw")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    response = strict.post(reverse("dynadmin:action", kwargs={"table": "Application"}),
                           {"action": "Order.mark_shipped", "rows": "1"})
    assert response.status_code == 403
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_an_address_outside_the_site_is_a_404_with_the_headers(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/address/")
    assert response.status_code == 404
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
