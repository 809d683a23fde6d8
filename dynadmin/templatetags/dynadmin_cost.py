"""``{% dynamodb_calls_html calls details %}``: the footer's list of the DynamoDB calls a page
made, written in Python (``services.display.markup.calls_html``): every page shows it, and the
template engine took about 0.1 ms a call to write what a format string writes in a hundredth.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.safestring import SafeString

from ..services.display.markup import calls_html

register = template.Library()


@register.simple_tag
def dynamodb_calls_html(calls: Sequence[Any], details: Any) -> SafeString:
    return calls_html(calls, bool(details))
