"""The widgets of the read-side forms (lookups, listings, list ranges and filters, the query
console's ranges), chosen from ``Field.input_type``, and the renderer that draws them.

A read-side form takes values a person types to find items, so the browser may check them
(``type="email"``, ``type="number"``), with one exception: dates are typed as text in ISO
form, never through ``type="date"``. The browser shows a date input in the reader's locale
(``01/01/2024`` in Chromium's en-US) while every page writes ``2024-01-01``, and a person
comparing what they typed with what a list shows must see one spelling. The edit forms ask
dates the same way (``iso_attrs``).

The widgets render through dynadmin's own templates (``dynadmin/widgets/``, and one field
group template per way a field is laid out in ``dynadmin/forms/``), loaded by the site's
template engines like every page (``SiteRenderer``, which the edit forms use too).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer, get_default_renderer
from django.template.loader import get_template

from ..definitions.fields import Field

__all__ = ["DATE_PATTERN", "DATE_PLACEHOLDER", "Menu", "ReadForm", "SiteRenderer", "Tick",
           "TypedInput", "iso_attrs", "read_widget"]

#: an ISO date, and optionally a time after it (the browser checks it before sending)
DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
DATE_PLACEHOLDER = "YYYY-MM-DD"
_MOMENT_PATTERN = DATE_PATTERN + r"([ T]\d{2}:\d{2}(:\d{2})?)?"
_MOMENT_PLACEHOLDER = "YYYY-MM-DD HH:MM"


class TypedInput(forms.TextInput):
    """An ``<input>`` of any type (``type`` and what it takes come first)."""

    template_name = "dynadmin/widgets/input.html"

    def __init__(self, input_type: str = "text", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.input_type = input_type


class Menu(forms.Select):
    template_name = "dynadmin/widgets/select.html"


class Tick(forms.CheckboxInput):
    """A checkbox whose label follows it: ticked sends ``value``, unticked nothing. It shows
    ticked when the address holds ``value`` (or, ``any_value``, anything at all)."""

    template_name = "dynadmin/widgets/tick.html"

    def __init__(self, value: str = "true", attrs: dict[str, Any] | None = None, *,
                 any_value: bool = False) -> None:
        super().__init__(attrs, check_test=(bool if any_value else lambda shown: shown == value))
        self.value = value

    def format_value(self, value: Any) -> str:
        return self.value


class Hidden(forms.HiddenInput):
    template_name = "dynadmin/widgets/input.html"


class SiteRenderer(BaseRenderer):
    """Renders dynadmin's form templates with the site's template engines, where every
    dynadmin page is found (a repository checkout keeps them outside the package, so
    Django's default form renderer would not see them), and anything else, Django's own
    widgets included, with the project's form renderer."""

    def get_template(self, template_name: str) -> Any:
        if template_name.startswith("dynadmin/"):
            return get_template(template_name)
        return get_default_renderer().get_template(template_name)


class ReadForm(forms.Form):
    """A read-side form: its fields and widgets render through dynadmin's templates."""

    default_renderer = SiteRenderer


def iso_attrs(fld: Field, *, whole_days: bool = False) -> dict[str, str]:
    """What a text input asking for a date (or a date-time) says it takes: ``YYYY-MM-DD``
    (``whole_days``: a date-time asked by the day), or ``YYYY-MM-DD HH:MM``."""
    if fld.input_type == "datetime-local" and not whole_days:
        return {"placeholder": _MOMENT_PLACEHOLDER, "pattern": _MOMENT_PATTERN,
                "title": _MOMENT_PLACEHOLDER}
    return {"placeholder": DATE_PLACEHOLDER, "pattern": DATE_PATTERN, "title": DATE_PLACEHOLDER}


def read_widget(fld: Field, *, menus: bool = False, whole_days: bool = False,
                attrs: dict[str, Any] | None = None) -> forms.Widget:
    """The widget that asks for a value of ``fld``. ``menus``: a Choice or Boolean is a menu
    (lookups); elsewhere they have widgets of their own. ``whole_days``: a date-time is
    asked by the day (ranges, filters)."""
    attrs = dict(attrs or {})
    kind = fld.input_type
    if menus and kind == "select":
        return Menu(attrs=attrs, choices=[(c, c) for c in fld.input_choices])
    if kind in ("date", "datetime-local"):
        return TypedInput(attrs=iso_attrs(fld, whole_days=whole_days) | attrs)
    if kind == "number":
        return TypedInput("number", attrs={"step": "any", **attrs})
    if kind in ("select", "checkbox", "textarea"):
        return TypedInput(attrs=attrs)  # one value typed as text: a key part, a filter's text
    return TypedInput(kind, attrs=attrs)
