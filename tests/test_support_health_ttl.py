"""The TTL and Health pages as a support person reads them, over HTTP: rows named in words,
inputs the stylesheet styles, the refresh the page promises is the one the code does, and each
AWS code with one plain sentence of what it means."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CSS = Path(__file__).resolve().parent.parent / "static" / "dynadmin" / "dynadmin.css"


def text_of(html):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def page(client, name):
    return client.get(reverse(f"dynadmin:{name}", kwargs={"table": "Application"}))


def test_the_ttl_setting_is_named_in_words(staff_client, shop_table):
    html = page(staff_client, "ttl").content.decode()
    setting = re.search(r'<section[^>]*aria-labelledby="ttl-status-heading".*?</section>',
                        html, re.S).group(0)
    assert "DescribeTimeToLive" not in setting  # the call's name stays in the footer's log
    assert re.search(r"<dt>TTL on the table</dt><dd><span class=\"badge[^>]*>ENABLED", html)


def _styled_input_types():
    """The input types the stylesheet's form rule names (``None``: an input without one)."""
    css = CSS.read_text()
    rule = re.search(r"([^{}]*select, textarea) \{", css).group(1)
    types = set(re.findall(r'input\[type="([\w-]+)"\]', rule))
    if "input:not([type])" in rule:
        types.add(None)
    return types


@pytest.mark.parametrize("name", ["ttl", "health", "partition", "activity"])
def test_every_text_input_is_styled(staff_client, shop_table, name):
    html = page(staff_client, name).content.decode()
    styled = _styled_input_types()
    for tag in re.findall(r"<input\b[^>]*>", html):
        kind = re.search(r'\btype="([\w-]+)"', tag)
        kind = kind.group(1) if kind else None
        if kind in ("hidden", "checkbox", "radio", "submit"):
            continue
        assert kind in styled, tag
        assert kind is not None, f"an input says what it takes: {tag}"


def test_the_refresh_the_page_promises_is_the_one_it_does(staff_client, shop_table, settings):
    settings.DYNADMIN_DESCRIBE_TTL = 7
    html = page(staff_client, "health").content.decode()
    poll = re.search(r'id="health-status"[^>]*hx-trigger="every (\d+)s"', html, re.S)
    assert poll is not None
    said = text_of(html)
    assert f"refreshes every {poll.group(1)} seconds" in said
    assert "an answer is reused for up to 7 seconds" in said


def test_each_aws_code_says_what_it_means(staff_client, shop_table):
    html = page(staff_client, "health").content.decode()
    status = text_of(re.search(r'<section id="health-status".*?</section>', html,
                               re.S).group(0))
    assert re.search(r"ARN arn:aws:dynamodb:\S+ The table's full name across AWS", status)
    assert "PAY_PER_REQUEST On demand: each read and write is paid for" in status
    assert re.search(r"NEW_AND_OLD_IMAGES .*?Every change is kept for 24 hours with the item "
                     r"as it was before and after it", status)


def test_the_dashboard_says_what_its_billing_mode_means(staff_client, shop_table):
    said = text_of(staff_client.get(reverse("dynadmin:dashboard")).content.decode())
    assert "Billing PAY_PER_REQUEST On demand: each read and write is paid for" in said
