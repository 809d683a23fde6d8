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

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.forms.renderers import BaseRenderer, get_default_renderer
from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from ..definitions.fields import Field
from .own_templates import KeptTexts, escape, is_own_template

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


def _attrs(attrs: dict[str, Any]) -> str:
    return "".join(f" {name}" if value is True else f' {name}="{escape(str(value))}"'
                   for name, value in attrs.items() if name != "id" and value is not False)


def _id(attrs: dict[str, Any]) -> str:
    return f' id="{escape(attrs["id"])}"' if attrs.get("id") else ""


def _input(context: dict[str, Any]) -> str:
    widget = context["widget"]
    value = widget["value"]
    shown = "" if value is None else f' value="{escape(str(value))}"'
    return (f'<input{_id(widget["attrs"])} name="{escape(widget["name"])}"{shown}'
            f' type="{escape(widget["type"])}"{_attrs(widget["attrs"])}>')


def _select(context: dict[str, Any]) -> str:
    widget = context["widget"]
    options = "".join(_option_html(option["value"], option["label"], option["selected"])
                      for _group, group_options, _index in widget["optgroups"]
                      for option in group_options)
    return (f'<select{_id(widget["attrs"])} name="{escape(widget["name"])}"'
            f'{_attrs(widget["attrs"])}>{options}</select>')


def _option_html(value: Any, label: Any, selected: bool) -> str:
    value = value if hasattr(value, "__html__") else str(value)
    label = label if hasattr(label, "__html__") else str(label)
    if type(value) is str and type(label) is str:  # not markup: the same text, the same tag
        return _plain_option(value, label, bool(selected))
    return _option_tag(value, label, selected)


def _option_tag(value: Any, label: Any, selected: bool) -> str:
    return (f'<option value="{escape(value)}"{" selected" if selected else ""}>'
            f"{escape(label)}</option>")


#: an option of plain texts, kept: a console's menus are the same seventy-odd options on
#: every page, each two escapes
_plain_option = functools.lru_cache(maxsize=1024)(_option_tag)


def _tick(context: dict[str, Any]) -> str:
    widget = context["widget"]
    return (f'<input type="checkbox"{_id(widget["attrs"])} name="{escape(widget["name"])}"'
            f' value="{escape(widget["value"])}"{_attrs(widget["attrs"])}>')


def _inline_field(context: dict[str, Any]) -> str:
    field = context["field"]
    return (f'<div class="field"><label for="{escape(field.id_for_label)}">'
            f"{escape(field.label)}</label>{field}</div>")


def _tick_field(context: dict[str, Any]) -> str:
    field = context["field"]
    help_text = ""
    if field.help_text:
        help_text = (f'\n  <span class="helptext" id="{escape(field.auto_id)}_helptext">'
                     f"{escape(field.help_text)}</span>")
    return f'<div class="field"><label>{field} {escape(field.label)}</label>{help_text}</div>'


def _bare(context: dict[str, Any]) -> str:
    return str(context["field"])


#: dynadmin's own widget and field templates written in Python, as ``services/display/markup``
#: writes a list's rows: a page's query console is seventeen fields, and the template engine
#: made them a fifth of the page's CPU. Used only while the site's engines find dynadmin's own
#: copy of the template: a project that overrides one gets its override.
_WRITTEN_IN_PYTHON = {
    "dynadmin/widgets/input.html": _input,
    "dynadmin/widgets/select.html": _select,
    "dynadmin/widgets/tick.html": _tick,
    "dynadmin/forms/inline_field.html": _inline_field,
    "dynadmin/forms/tick_field.html": _tick_field,
    "dynadmin/forms/bare.html": _bare,
}


@functools.lru_cache(maxsize=64)
def _written_in_python(template_name: str) -> Callable[[dict[str, Any]], str] | None:
    function = _WRITTEN_IN_PYTHON.get(template_name)
    return function if function is not None and is_own_template(template_name) else None


@receiver(setting_changed)
def _forget_overrides(**kwargs: Any) -> None:
    if kwargs["setting"] in ("TEMPLATES", "INSTALLED_APPS"):
        _written_in_python.cache_clear()


class SiteRenderer(BaseRenderer):
    """Renders dynadmin's form templates with the site's template engines, where every
    dynadmin page is found (a repository checkout keeps them outside the package, so
    Django's default form renderer would not see them), and anything else, Django's own
    widgets included, with the project's form renderer. The commonest of dynadmin's own
    are written in Python (``_WRITTEN_IN_PYTHON``) unless the project overrides them."""

    def get_template(self, template_name: str) -> Any:
        if template_name.startswith("dynadmin/"):
            return get_template(template_name)
        return get_default_renderer().get_template(template_name)

    def render(self, template_name: str, context: dict[str, Any],
               request: HttpRequest | None = None) -> SafeString:
        function = _written_in_python(template_name)
        if function is not None:
            return mark_safe(function(context))  # noqa: S308 - every value is escaped above
        return super().render(template_name, context, request=request)


#: the markup of shared field groups (``ReadForm.shared_fields``), at most 1,024
_kept_groups = KeptTexts(1024)


class ReadForm(forms.Form):
    """A read-side form: its fields and widgets render through dynadmin's templates."""

    default_renderer = SiteRenderer
    #: the names of fields that are shared by every form of their kind (built once and only
    #: read while rendering): their markup is kept for each value they show, since it
    #: depends on nothing else (the query console's menus are the same on every page)
    shared_fields: frozenset[str] = frozenset()

    def fields_html(self, names: Iterable[str] | None = None) -> SafeString:
        """The field groups of ``names`` (every field, by default), in order, as one piece of
        markup: a template writes ``{{ form.fields_html }}`` rather than looking up each
        field's ``as_field_group`` in a loop."""
        language = get_language()
        return mark_safe("".join(  # noqa: S308 - rendered (and escaped) by the field groups
            self._field_group(name, language)
            for name in (self.fields if names is None else names) if name in self.fields))

    def _field_group(self, name: str, language: str | None) -> str:
        if name not in self.shared_fields or self.is_bound:
            return str(self[name].as_field_group())
        field = self.fields[name]
        # What the bound field's value() is on a form that is not bound, without making the
        # bound field unless its markup has to be rendered.
        value = field.prepare_value(self.get_initial_for_field(field, name))
        try:
            key = (type(self), field, name, self.auto_id, self.prefix,
                   self.use_required_attribute, language, value)
            text = _kept_groups.get(key)
        except TypeError:  # a value that cannot be a key
            return str(self[name].as_field_group())
        if text is None:
            text = str(self[name].as_field_group())
            _kept_groups.keep(key, text)
        return text


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
