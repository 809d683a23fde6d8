"""``seed_shop`` under ``make run`` writes to a file: progress comes as plain lines there
(never a terminal progress bar), so var/seed.log shows what is happening while it happens."""

import io

import pytest
from django.core.management import call_command

from examples.shop import seed

pytestmark = pytest.mark.django_db


def test_progress_is_plain_lines_when_not_on_a_terminal(shop_table):
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_shop", users=30, orders=700, stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert "\r" not in err.getvalue()
    assert lines[0].startswith("Generating the example dataset (30 users, 700 orders)")
    assert lines[1].startswith("Loading ") and "items into" in lines[1]
    progress = [line for line in lines if line.startswith("seeding: ")]
    assert 1 <= len(progress) <= 10 and "(100%)" in progress[-1]
    assert f"order        {seed.KNOWN_ORDER_ID}" in out.getvalue()
