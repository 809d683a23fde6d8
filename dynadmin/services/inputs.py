"""Which HTML input asks for a field's value on the read-side forms (lookups, list ranges,
filters, the query console's ranges), decided once.

Dates are typed as text in ISO form, never through ``type="date"``: the browser shows a date
input in the reader's locale (``01/01/2024`` in Chromium's en-US) while every page writes
``2024-01-01``, and a person comparing what they typed with what a list shows must see one
spelling.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from ..definitions.fields import Boolean, Choice, Date, DateTime, Email, Field, Integer, Number

__all__ = ["DATE_PATTERN", "HtmlInput", "html_input"]

#: an ISO date, and optionally a time after it (the browser checks it before sending)
DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
_MOMENT_PATTERN = DATE_PATTERN + r"([ T]\d{2}:\d{2}(:\d{2})?)?"


@dataclass(frozen=True)
class HtmlInput:
    """``type`` of the ``<input>`` (or ``select`` for a menu), its placeholder and pattern."""

    type: str = "text"
    placeholder: str = ""
    pattern: str = ""

    @property
    def attrs(self) -> SafeString:
        """The ``<input>``'s attributes that say what it takes: ``type="text"
        placeholder="YYYY-MM-DD" pattern=…`` (a number takes any decimal)."""
        html = format_html('type="{}"', self.type)
        if self.placeholder:
            html += format_html(' placeholder="{}" pattern="{}" title="{}"', self.placeholder,
                                self.pattern, self.placeholder)
        if self.type == "number":
            html += mark_safe(' step="any"')  # noqa: S308 (a constant)
        return html


def html_input(fld: Field, *, menus: bool = False, whole_days: bool = False) -> HtmlInput:
    """The input for ``fld``. ``menus``: a Choice or Boolean is a menu (lookups); elsewhere
    they have their own widgets. ``whole_days``: a date-time is asked by the day (ranges)."""
    if menus and isinstance(fld, (Choice, Boolean)):
        return HtmlInput(type="select")
    if isinstance(fld, DateTime):
        if whole_days:
            return HtmlInput(placeholder="YYYY-MM-DD", pattern=DATE_PATTERN)
        return HtmlInput(placeholder="YYYY-MM-DD HH:MM", pattern=_MOMENT_PATTERN)
    if isinstance(fld, Date):
        return HtmlInput(placeholder="YYYY-MM-DD", pattern=DATE_PATTERN)
    if isinstance(fld, Email):
        return HtmlInput(type="email")
    if isinstance(fld, (Number, Integer)):
        return HtmlInput(type="number")
    return HtmlInput()
