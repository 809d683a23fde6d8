"""The tutorial's code is true: its definitions and registrations, taken from the page itself
(docs/tutorial/index.md), pass the system checks and serve what the page promises over HTTP
against DynamoDB Local: the lookup box opens ticket 1 from "T-1", and its page lists its
comments."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.importers.checking import load_generated
from tests.conftest import physical_table
from tests.generated_sites import generated_site, mount

pytestmark = pytest.mark.django_db

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial" / "index.md"
SITE = "tutorial"

ITEMS = [
    {"PK": "TICKET#1", "SK": "META", "type": "ticket", "ticket_id": "1",
     "subject": "Printer on fire", "status": "OPEN", "opened_at": "2025-01-15T09:30:00+00:00",
     "version": 1},
    {"PK": "TICKET#1", "SK": "COMMENT#2025-01-15T09:35:00+00:00#c1", "type": "comment",
     "ticket_id": "1", "created": "2025-01-15T09:35:00+00:00", "comment_id": "c1",
     "author": "ana", "body": "Have you tried turning it off and on again"},
    {"PK": "TICKET#2", "SK": "META", "type": "ticket", "ticket_id": "2",
     "subject": "Cannot log in to the wiki", "status": "PENDING",
     "opened_at": "2025-01-16T08:00:00+00:00", "version": 1},
]


def tutorial_file(name: str) -> str:
    """The Python block of the tutorial that begins with the comment ``# <name>``."""
    blocks = re.findall(r"```python\n(# (\S+)\n.*?)```", TUTORIAL.read_text(encoding="utf-8"),
                        re.S)
    (source,) = [code for code, path in blocks if path == name]
    return source


def tutorial_module() -> str:
    """tickets/definitions.py and tickets/dynadmin.py as one module (no package to import
    the definitions from)."""
    registrations = tutorial_file("tickets/dynadmin.py")
    relative_import = "from .definitions import Comment, Ticket\n"
    assert relative_import in registrations
    return (tutorial_file("tickets/definitions.py") + "\n"
            + registrations.replace(relative_import, ""))


def test_the_tutorial_definitions_pass_every_system_check():
    _, problems = load_generated(tutorial_module(), name="tutorial_checked")

    assert [f"{p.id}: {p.msg}" for p in problems] == []


@pytest.fixture
def tutorial_site(dynamodb_endpoint, settings, tmp_path):
    source = tmp_path / "tutorial_tickets.py"
    source.write_text(tutorial_module(), encoding="utf-8")
    module, site = generated_site(source, SITE)
    mount(settings, site, SITE)
    with physical_table(module.helpdesk) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        data.load_items_unconditionally(module.helpdesk, ITEMS)
        yield site


def test_the_dashboard_names_the_ticket_lookup(staff_client, tutorial_site):
    page = staff_client.get(reverse(f"{SITE}:dashboard", current_app=SITE))

    assert page.status_code == 200
    text = unescape(page.content.decode())
    assert "Helpdesk" in text and "Ticket by ID" in text


@pytest.mark.parametrize("typed", ["T-1", "1"])
def test_the_lookup_box_opens_ticket_1(staff_client, tutorial_site, typed):
    found = staff_client.get(reverse(f"{SITE}:lookup", current_app=SITE), {"q": typed})

    assert found.status_code == 302
    item = reverse(f"{SITE}:item", kwargs={"table": "Helpdesk"}, current_app=SITE)
    assert found["Location"].startswith(item)
    assert "TICKET%231" in found["Location"] and "META" in found["Location"]


def test_ticket_1_lists_its_comments(staff_client, tutorial_site):
    page = staff_client.get(reverse(f"{SITE}:item", kwargs={"table": "Helpdesk"},
                                    current_app=SITE), {"pk": "TICKET#1", "sk": "META"},
                            follow=True)

    assert page.status_code == 200
    text = unescape(page.content.decode())
    assert "Printer on fire" in text
    assert "Comments" in text and "Have you tried turning it off and on again" in text
