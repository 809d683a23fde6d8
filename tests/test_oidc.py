"""Signing in with OpenID Connect: dynadmin's ready-made project, switched to OIDC by its
environment variables, against a real provider (django-oauth-toolkit, tests/oidc_provider/),
both served by runserver on 127.0.0.1, and talked to over HTTP (and in Chromium).

The session's token is renewed silently at the provider every ``REFRESH`` seconds
(mozilla-django-oidc's ``SessionRefresh``); tests that wait for a renewal poll with a bounded
wait and never assert on time.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests

from tests.oidc_provider import servers

from .conftest import physical_table

REFRESH = 2
WAIT = 60
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def oidc(dynamodb_endpoint, archive_table, tmp_path_factory):
    """The provider and the relying party, once per test session (and xdist worker)."""
    from examples.shop.definitions import shop

    tmp = tmp_path_factory.mktemp("oidc")
    rp_port = servers.free_port()
    with physical_table(shop) as names, \
            servers.provider(tmp, f"http://127.0.0.1:{rp_port}") as provider, \
            servers.relying_party(tmp, rp_port, provider, names, REFRESH) as rp:
        yield SimpleNamespace(provider=provider, rp=rp, database=tmp / "relying-party.sqlite3")


def sign_in(oidc, username: str, start: str = "/") -> requests.Response:
    """Open ``start`` at dynadmin, sign in at the provider's form, follow back."""
    browser = requests.Session()
    form = browser.get(oidc.rp + start, timeout=30)
    assert form.url.startswith(oidc.provider.url + "/accounts/login/"), form.url
    answer = browser.post(form.url, timeout=30, data={
        "username": username, "password": servers.PEOPLE[username][0],
        "csrfmiddlewaretoken": browser.cookies["provider_csrftoken"],
        "next": re.search(r'name="next" value="([^"]*)"', form.text)[1].replace("&amp;", "&"),
    })
    answer.session = browser
    return answer


def serves_dynadmin(answer: requests.Response, rp: str) -> bool:
    return (answer.status_code == 200 and answer.url.startswith(rp)
            and "Log out" in answer.text and "Tables" in answer.text)


def rp_groups(oidc, username: str) -> tuple[bool, list[str]] | None:
    """(is_staff, group names) of a person in the relying party's own database."""
    with sqlite3.connect(oidc.database) as db:
        row = db.execute("SELECT id, is_staff FROM auth_user WHERE username = ?",
                         (username,)).fetchone()
        if row is None:
            return None
        groups = [name for (name,) in db.execute(
            "SELECT g.name FROM auth_group g JOIN auth_user_groups ug ON ug.group_id = g.id "
            "WHERE ug.user_id = ? ORDER BY g.name", (row[0],))]
    return bool(row[1]), groups


def sign_out(oidc, browser: requests.Session) -> requests.Response:
    token = browser.cookies.get("csrftoken", domain="127.0.0.1")
    return browser.post(oidc.rp + "/logout/", data={"csrfmiddlewaretoken": token},
                        headers={"Referer": oidc.rp + "/"}, timeout=30)


def test_sign_in_at_the_provider_lands_on_the_dashboard_with_the_mapped_groups_rights(oidc):
    answer = sign_in(oidc, "sam")
    assert serves_dynadmin(answer, oidc.rp), answer.url
    assert "Log out sam" in answer.text
    assert rp_groups(oidc, "sam") == (True, ["Support"])
    browser = answer.session
    # Support views every entity and changes none of them.
    assert browser.get(oidc.rp + "/e/Application.User/", timeout=30).status_code == 200
    assert browser.get(oidc.rp + "/e/Application.User/add/", timeout=30).status_code == 403


def test_the_page_asked_for_is_the_page_reached_after_signing_in(oidc):
    answer = sign_in(oidc, "sam", start="/e/Application.User/")
    assert answer.status_code == 200
    assert urlsplit(answer.url).path == "/e/Application.User/"


def test_someone_without_a_mapped_group_sees_a_no_access_page_not_a_loop(oidc):
    answer = sign_in(oidc, "olly")
    assert answer.status_code == 403
    assert "No access" in answer.text and "signed in as <strong>olly</strong>" in answer.text
    assert 'action="/logout/"' in answer.text
    assert len(answer.history) < 8  # landed, no redirect loop
    assert rp_groups(oidc, "olly") == (False, [])
    assert answer.session.get(oidc.rp + "/", timeout=30).status_code == 403


def test_groups_are_granted_and_revoked_at_each_sign_in(oidc):
    assert serves_dynadmin(sign_in(oidc, "gil"), oidc.rp)
    oidc.provider.set_groups("gil", "marketing")
    answer = sign_in(oidc, "gil")
    assert answer.status_code == 403 and "No access" in answer.text
    assert rp_groups(oidc, "gil") == (False, [])
    oidc.provider.set_groups("gil", "support-staff")
    assert serves_dynadmin(sign_in(oidc, "gil"), oidc.rp)
    assert rp_groups(oidc, "gil") == (True, ["Support"])


def test_signing_out_ends_the_providers_session_too(oidc):
    browser = sign_in(oidc, "sam").session
    answer = sign_out(oidc, browser)
    hops = [urlsplit(r.url)._replace(query="").geturl() for r in answer.history]
    assert f"{oidc.provider.issuer}/logout/" in hops  # RP-initiated logout at the provider
    assert answer.status_code == 200 and answer.url == oidc.rp + "/login/?signed_out=1"
    assert "You are signed out" in answer.text
    # dynadmin asks again, and so does the provider: its session is gone as well.
    again = browser.get(oidc.rp + "/", timeout=30)
    assert again.url.startswith(oidc.provider.url + "/accounts/login/")


def test_a_disabled_account_loses_access_within_the_refresh_interval(oidc):
    answer = sign_in(oidc, "dana")
    browser = answer.session
    assert serves_dynadmin(answer, oidc.rp)
    # While the account is active, each renewal at the provider is silent.
    renewed = poll(lambda: browser.get(oidc.rp + "/", timeout=30),
                   lambda answer: any(r.url.startswith(oidc.provider.issuer)
                                      for r in answer.history))
    assert serves_dynadmin(renewed, oidc.rp)
    oidc.provider.set_active("dana", False)
    try:
        lost = poll(lambda: browser.get(oidc.rp + "/", timeout=30),
                    lambda answer: not serves_dynadmin(answer, oidc.rp))
        assert lost.url == oidc.rp + "/login/?signed_out=1"
        assert "Log out" not in lost.text
        assert browser.get(oidc.rp + "/e/Application.User/", timeout=30
                           ).url.startswith(oidc.provider.url)
    finally:
        oidc.provider.set_active("dana", True)


def test_past_the_interval_a_write_is_refused_until_a_page_has_been_renewed(oidc):
    browser = sign_in(oidc, "sam").session
    token = browser.cookies.get("csrftoken", domain="127.0.0.1")

    def write():
        return browser.post(oidc.rp + "/e/Application.User/add/", timeout=30,
                            data={"csrfmiddlewaretoken": token},
                            headers={"Referer": oidc.rp + "/"}, allow_redirects=False)

    refused = poll(write, lambda answer: "has to be renewed" in answer.text)
    assert refused.status_code == 403
    # Signing out stays open, and a page renews the sign-in silently: the write then meets
    # the person's own rights (Support adds nothing), no longer the renewal.
    renewed = browser.get(oidc.rp + "/", timeout=30)
    assert serves_dynadmin(renewed, oidc.rp)
    assert any(r.url.startswith(oidc.provider.issuer) for r in renewed.history)
    answer = write()
    assert answer.status_code == 403 and "has to be renewed" not in answer.text


def test_past_the_interval_an_htmx_request_renews_the_whole_page(oidc):
    browser = sign_in(oidc, "sam").session
    page = oidc.rp + "/e/Application.User/"

    def fragment():
        return browser.get(page, timeout=30, allow_redirects=False,
                           headers={"HX-Request": "true", "HX-Current-URL": page})

    answer = poll(fragment, lambda answer: "HX-Redirect" in answer.headers)
    assert answer.status_code == 204
    assert answer.headers["HX-Redirect"].startswith(oidc.provider.issuer + "/authorize/")
    assert "prompt=none" in answer.headers["HX-Redirect"]
    renewed = browser.get(answer.headers["HX-Redirect"], timeout=30)
    assert renewed.url == page and renewed.status_code == 200


def poll(fetch, done):
    """``fetch()`` until ``done(answer)``, for at most WAIT seconds (a renewal is due every
    REFRESH seconds)."""
    deadline = time.monotonic() + WAIT
    while True:
        answer = fetch()
        if done(answer):
            return answer
        assert time.monotonic() < deadline, "nothing changed within the bounded wait"
        time.sleep(0.5)


# -- the mapping itself, in one process ------------------------------------------------------
@pytest.fixture
def backend(settings, db):
    from django.contrib.auth.models import Group

    from dynadmin.signin import GroupMappingBackend

    settings.OIDC_OP_TOKEN_ENDPOINT = "https://id.example.test/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://id.example.test/userinfo"
    settings.OIDC_RP_CLIENT_ID = "dynadmin"
    settings.OIDC_RP_CLIENT_SECRET = "s3cret"
    settings.DYNADMIN_OIDC_GROUP_MAP = {"support-staff": "Support", "dba": ["Admin", "Support"]}
    for name in ("Support", "Admin", "Local"):
        Group.objects.create(name=name)
    return GroupMappingBackend()


def groups_of(user):
    return sorted(user.groups.values_list("name", flat=True))


def test_a_provider_group_may_map_to_several_and_one_claim_may_be_a_single_name(backend):
    user = backend.create_user({"preferred_username": "dee", "groups": "dba"})
    assert (user.is_staff, groups_of(user)) == (True, ["Admin", "Support"])


def test_groups_the_map_does_not_name_and_superuser_status_are_left_alone(backend):
    from django.contrib.auth.models import Group

    user = backend.create_user({"preferred_username": "root", "groups": ["support-staff"]})
    user.groups.add(Group.objects.get(name="Local"))
    user.is_superuser = True
    user.save()
    backend.update_user(user, {"preferred_username": "root", "groups": ["marketing"]})
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser, groups_of(user)) == (False, True, ["Local"])


def test_a_mapped_group_that_does_not_exist_gives_no_access(backend, settings, caplog):
    settings.DYNADMIN_OIDC_GROUP_MAP = {"support-staff": "Helpdesk"}
    user = backend.create_user({"preferred_username": "hal", "groups": ["support-staff"]})
    assert (user.is_staff, groups_of(user)) == (False, [])
    assert "Helpdesk" in caplog.text


def test_people_are_matched_by_username_never_by_email(backend, django_user_model):
    django_user_model.objects.create_user("admin", email="sam@example.com", is_staff=True)
    claims = {"preferred_username": "sam", "email": "sam@example.com"}
    assert list(backend.filter_users_by_claims(claims)) == []
    assert not backend.verify_claims({"email": "sam@example.com"})


def test_without_an_end_session_endpoint_sign_out_stays_local(rf, settings):
    from django.contrib.sessions.backends.db import SessionStore

    from dynadmin.signin import provider_logout_url

    settings.LOGOUT_REDIRECT_URL = "/login/?signed_out=1"
    settings.OIDC_RP_CLIENT_ID = "dynadmin"
    request = rf.get("/logout/")
    request.session = SessionStore()
    assert provider_logout_url(request) == "http://testserver/login/?signed_out=1"
    settings.OIDC_OP_LOGOUT_ENDPOINT = "https://id.example.test/logout"
    request.session["oidc_id_token"] = "the.id.token"
    assert provider_logout_url(request) == (
        "https://id.example.test/logout?client_id=dynadmin&post_logout_redirect_uri="
        "http%3A%2F%2Ftestserver%2Flogin%2F%3Fsigned_out%3D1&id_token_hint=the.id.token")


# -- the ready-made project's switch ------------------------------------------------------------
def project_settings(**environment: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DYNADMIN_OIDC_")}
    env.update(environment, DJANGO_DEBUG="1", PYTHONPATH=str(ROOT))
    code = ("import django, json; from django.conf import settings; django.setup(); "
            "from django.urls import get_resolver; "
            "print(json.dumps({'backends': settings.AUTHENTICATION_BACKENDS, "
            "'middleware': settings.MIDDLEWARE, 'login_url': settings.LOGIN_URL, "
            "'csp': settings.DYNADMIN_CSP if hasattr(settings, 'DYNADMIN_CSP') else None, "
            "'urls': [str(p.pattern) for p in get_resolver().url_patterns], "
            "'token': getattr(settings, 'OIDC_OP_TOKEN_ENDPOINT', None)}))")
    env["DJANGO_SETTINGS_MODULE"] = "examples.project.settings"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_without_the_environment_variables_the_project_is_unchanged():
    import json

    answer = json.loads(project_settings().stdout)
    assert answer["backends"] == ["django.contrib.auth.backends.ModelBackend"]
    assert not any("oidc" in name for name in answer["middleware"])
    assert answer["login_url"] == "/accounts/login/" and answer["csp"] is None
    assert not any("oidc" in url for url in answer["urls"])


def test_explicit_endpoints_switch_the_project_without_reading_discovery():
    import json

    endpoints = {f"DYNADMIN_OIDC_{name}_ENDPOINT": f"https://id.example.test/{name.lower()}"
                 for name in ("AUTHORIZATION", "TOKEN", "USERINFO", "JWKS", "END_SESSION")}
    answer = json.loads(project_settings(
        DYNADMIN_OIDC_ISSUER="https://id.example.test", DYNADMIN_OIDC_CLIENT_ID="dynadmin",
        DYNADMIN_OIDC_CLIENT_SECRET="s3cret", **endpoints).stdout)
    assert answer["backends"] == ["dynadmin.signin.GroupMappingBackend"]
    assert "dynadmin.signin.SessionRefresh" in answer["middleware"]
    assert answer["login_url"] == "oidc_authentication_init"
    assert answer["token"] == "https://id.example.test/token"
    assert "form-action 'self' https://id.example.test;" in answer["csp"]
    assert "oidc/" in answer["urls"]


def test_a_partial_oidc_environment_is_refused_with_what_is_missing():
    answer = project_settings(DYNADMIN_OIDC_ISSUER="https://id.example.test")
    assert answer.returncode != 0
    assert ("DYNADMIN_OIDC_CLIENT_ID, DYNADMIN_OIDC_CLIENT_SECRET not set."
            in answer.stderr)


# -- the journey in Chromium ------------------------------------------------------------------
def sign_in_at_the_provider(page, username: str) -> None:
    page.get_by_role("heading", name="Example Identity").wait_for()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(servers.PEOPLE[username][0])
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
def test_the_oidc_journey_in_chromium(oidc, browser, axe_script):
    from tests.support.browser import serious_violations, shot

    # The site's own policy stays on: the sign-out form's redirects must reach the provider.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(oidc.rp + "/e/Application.User/")
        assert page.url.startswith(oidc.provider.url + "/accounts/login/")
        sign_in_at_the_provider(page, "bea")
        page.wait_for_url(oidc.rp + "/e/Application.User/")
        page.goto(oidc.rp + "/")
        assert page.get_by_role("heading", name="Tables").is_visible()
        assert page.get_by_role("button", name="Log out bea").is_visible()
        shot(page, "oidc-dashboard")
        # The mapped group's rights: Support views every entity and adds none.
        assert page.goto(oidc.rp + "/e/Application.User/").status == 200
        assert page.goto(oidc.rp + "/e/Application.User/add/").status == 403

        page.goto(oidc.rp + "/")
        page.get_by_role("button", name="Log out bea").click()
        page.wait_for_url(oidc.rp + "/login/?signed_out=1")
        assert page.get_by_text("You are signed out of dynadmin.").is_visible()
        # The provider's session ended too: signing in again asks for the password.
        page.get_by_role("link", name="Sign in again").click()
        sign_in_at_the_provider(page, "bea")
        page.wait_for_url(oidc.rp + "/")

        oidc.provider.set_active("bea", False)
        try:
            lost = poll(lambda: page.goto(oidc.rp + "/"),
                        lambda answer: page.url.startswith(oidc.rp + "/login/?signed_out=1"))
            assert lost.status == 200
            assert page.get_by_role("button", name="Log out bea").count() == 0
            shot(page, "oidc-disabled")
        finally:
            oidc.provider.set_active("bea", True)
    finally:
        context.close()

    # Someone whose groups dynadmin does not map: the no-access page, which axe checks.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(oidc.rp + "/")
        sign_in_at_the_provider(page, "olly")
        page.get_by_role("heading", name="No access").wait_for()
        shot(page, "oidc-no-access")
        assert serious_violations(page, axe_script) == []
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(oidc.rp + "/login/?signed_out=1")
        assert serious_violations(page, axe_script) == []
    finally:
        context.close()
