"""The write views' helpers (``views/access.py``) answer with what was asked or raise the
error the site renders: no caller checks whether it got an item or a response."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from dynadmin.sites import site
from dynadmin.user_errors import UserInputError
from dynadmin.views.access import posted_original

VIEWS = Path(__file__).resolve().parent.parent / "dynadmin" / "views"


def _post(**data: str):
    request = RequestFactory().post("/", data)
    request.user = AnonymousUser()
    return request


@pytest.mark.parametrize("original", ["", "not-signed"])
def test_a_form_without_its_signed_item_raises_with_the_views_title(original):
    table = site.get_table("Application")
    with pytest.raises(UserInputError, match="altered or is missing") as refused:
        posted_original(site, _post(original=original), table, "delete", "Cannot delete")
    assert refused.value.title == "Cannot delete"


@pytest.mark.parametrize("path", sorted(VIEWS.glob("*.py")), ids=lambda p: p.name)
def test_no_view_asks_whether_a_helper_returned_a_response(path):
    asks = [ast.unparse(node) for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "isinstance"
            and "HttpResponse" in ast.unparse(node.args[1]) and len(node.args) == 2]
    assert asks == []
