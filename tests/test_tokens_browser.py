"""A person makes a token for their monitor in Chromium, copies it from the one page that
shows it, the monitor reads health.json with it, and the person revokes it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.support.browser import log_in, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _monitor(site: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"{site}/t/Application/health.json",
                                     headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - 127.0.0.1
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_a_person_makes_a_token_their_monitor_uses_then_revokes_it(browser, site,
                                                                    axe_script):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, site)
        page.get_by_role("navigation", name="Account").get_by_role(
            "link", name="Access tokens").click()
        page.get_by_label("Name").fill("uptime monitor")
        page.get_by_label("Expires after").select_option(label="7 days")
        page.get_by_role("button", name="Make the token").click()
        token = page.locator("[data-token-text]").inner_text().strip()
        assert token.startswith("dyn_")
        assert serious_violations(page, axe_script) == []

        status, report = _monitor(site, token)
        assert (status, report["table"]) == (200, "Application")

        page.goto(page.url)  # shown once: never again
        assert page.locator("[data-token-text]").count() == 0
        row = page.locator("tr", has_text="uptime monitor")
        assert "read" in row.inner_text() and "active" in row.inner_text()
        row.get_by_role("button", name="Revoke").click()
        assert "revoked" in page.locator("tr", has_text="uptime monitor").inner_text()
        assert serious_violations(page, axe_script) == []

        status, refusal = _monitor(site, token)
        assert (status, refusal["error"]) == (401, "invalid_token")
    finally:
        context.close()
