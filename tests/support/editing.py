"""The edit page as the tests drive it: its address for an item's key, and the fields a
browser sends back when the person changes nothing.

``ORDER_KEY`` is the key of the example's order 456 of user u1, which the editing tests seed
(the ``order`` fixture in ``tests/conftest.py``, or one of their own).
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

ORDER_KEY = {"PK": "USER#u1", "SK": "ORDER#2024-01-15#456"}


def q(key: dict[str, Any]) -> str:
    return "?" + urlencode({"pk": key["PK"], "sk": key["SK"]})


def edit_url(key: dict[str, Any]) -> str:
    return reverse("dynadmin:edit", kwargs={"table": "Application"}) + q(key)


def form_data(response) -> dict[str, str]:
    """The edit form's fields as a browser would submit them."""
    html = response.content.decode()
    values = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        values[name] = unescape(value)
    form = response.context["form"]
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form.initial.get(name)
        if value is None:
            continue
        values[name] = field.widget.format_value(value) if hasattr(
            field.widget, "format_value") else value
    return {k: ("" if v is None else v) for k, v in values.items()}
