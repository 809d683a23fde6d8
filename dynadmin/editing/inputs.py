"""How a stored value becomes what a form's input shows, and what comes back from it.

An edit writes only what the person changed, and never rewrites a value the form cannot show
exactly: both rest on knowing what the page showed for a stored value (``shown``) and on
comparing values as DynamoDB stores them (``same_value``), where true is not 1.
"""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from ..data.serialization import dumps_plain_json, same_value
from ..definitions import fields as f
from ..definitions.fields import FieldError
from ..limits import MAX_NUMBER_DIGITS
from ..services.inputs import iso_attrs

__all__ = ["DATETIME_FORMATS", "form_field", "initial_text", "line_text", "list_member",
           "plain_json_safe", "raw_text", "same_text", "shown"]

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                    "%Y-%m-%d %H:%M"]
#: how an edit form shows a moment: to the second, so that an untouched one reads back as is
_MOMENT_FORMAT = "%Y-%m-%d %H:%M:%S"


def raw_text(value: Any) -> str:
    """A stored value as text, whatever its type."""
    return value if isinstance(value, str) else dumps_plain_json(value, indent=None)


def plain_json_safe(value: Any) -> bool:
    """Whether a list/map can round-trip through plain JSON (no sets, no binary)."""
    if isinstance(value, (set, frozenset, bytes)):
        return False
    if isinstance(value, dict):
        return all(plain_json_safe(v) for v in value.values())
    if isinstance(value, list):
        return all(plain_json_safe(v) for v in value)
    return True


def _one_line(text: str) -> bool:
    """Whether a text survives being one line of a textarea (lines are stripped, empty ones
    dropped)."""
    return bool(text) and text.strip() == text and len(text.splitlines()) == 1


def list_member(fld: f.List, value: Any) -> f.Field | None:
    """The scalar field each line of a list is typed as, or None when the list is edited as
    JSON: a nested or mixed list, or one whose members a line cannot hold exactly."""
    member = fld.member
    if value is None:
        return member
    if not isinstance(value, list) or not value:
        return None
    if member is None:
        if all(isinstance(v, str) for v in value):
            member = f.String()
        elif all(isinstance(v, Decimal) for v in value):
            member = f.Number()
        else:
            return None
    try:
        if all(_one_line(line_text(v)) and same_value(member.to_dynamo(member.to_python(
                line_text(v))), v) for v in value):
            return member
    except (FieldError, TypeError, ValueError):
        pass
    return None


def line_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def form_field(fld: f.Field, *, disabled: bool, lines: bool = False) -> forms.Field:
    """The form field that edits ``fld``, its widget chosen by ``fld.input_type``.

    An edit form shows a stored value and must get it back as it was when nobody touches it,
    so a number and an email are typed as text: a ``type="number"`` input empties what it
    cannot read as a double, and a ``type="email"`` one trims spaces and rewrites an
    internationalised domain as punycode. Dates are ISO text, as on every page (a browser's
    date picker shows the reader's locale, ``01/15/2024``). ``lines``: a list edited one value
    per line."""
    common: dict[str, Any] = {"label": fld.label, "required": False, "disabled": disabled,
                              "help_text": fld.help_text}
    match fld.input_type:
        case "select":
            empty = _("— (absent)") if isinstance(fld, f.Boolean) else "—"
            return forms.ChoiceField(choices=[("", empty), *[(c, c) for c in fld.input_choices]],
                                     **common)
        case "checkbox":
            return forms.BooleanField(**common | {"help_text": _("Present, holding NULL")})
        case "datetime-local":
            help_text = (_("UTC. Stored as epoch seconds (DynamoDB's TTL).") if isinstance(
                fld, f.TTL) else _("UTC. Stored as ISO 8601 text."))
            return forms.DateTimeField(
                widget=forms.DateTimeInput(format=_MOMENT_FORMAT, attrs=iso_attrs(fld)),
                input_formats=DATETIME_FORMATS, **common | {"help_text": help_text})
        case "date":
            return forms.DateField(
                widget=forms.DateInput(format="%Y-%m-%d", attrs=iso_attrs(fld)), **common)
        case "textarea":
            return _text_area(fld, common, lines=lines)
        case "number":
            return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                                   **common | {"help_text": fld.help_text or (
                                       _("Exact, up to %(digits)s significant digits.")
                                       % {"digits": MAX_NUMBER_DIGITS})})
    return forms.CharField(strip=False, **common)


def _text_area(fld: f.Field, common: dict[str, Any], *, lines: bool) -> forms.Field:
    """A set (one member per line), a list (one value per line, or JSON), a map (JSON) or
    binary (base64)."""
    if isinstance(fld, f.SetField):
        help_text = (_("One base64 value per line. Empty removes the attribute (DynamoDB "
                       "forbids empty sets).") if isinstance(fld, f.BinarySet) else
                     _("One member per line. Empty removes the attribute (DynamoDB forbids "
                       "empty sets)."))
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), strip=False,
                               **common | {"help_text": help_text})
    if lines:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **common | {
            "help_text": fld.help_text or _("One value per line. Empty removes the attribute.")})
    if isinstance(fld, f.Binary):
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), **common | {
            "help_text": _("base64 (or upload a file below)")})
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "class": "json"}),
                           **common | {"help_text": fld.help_text or "JSON"})


def initial_text(fld: f.Field, value: Any, *, lines: bool = False) -> Any:
    if value is None:
        return None
    if lines:
        return "\n".join(line_text(v) for v in value)
    if isinstance(fld, (f.TTL, f.DateTime)):
        moment = fld.to_python(value)
        return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment else None
    if isinstance(fld, f.Boolean):
        return "true" if value else "false"
    if isinstance(fld, f.Null):
        return True
    if isinstance(fld, f.BinarySet):
        return "\n".join(sorted(base64.b64encode(v).decode() for v in value))
    if isinstance(fld, f.SetField):
        return "\n".join(sorted(str(v) for v in value))
    if isinstance(fld, (f.List, f.Map)):
        return dumps_plain_json(value)
    if isinstance(fld, f.Binary):
        return base64.b64encode(value).decode()
    return str(value) if not isinstance(value, str) else value


def shown(field: forms.Field, initial: Any) -> Any:
    """What the page showed for ``initial``: the text of the input (a checkbox: whether it
    was ticked), as a browser submits it back untouched."""
    widget = field.widget
    if isinstance(widget, forms.CheckboxInput):
        return widget.check_test(initial)
    shown = widget.format_value(initial)
    if isinstance(shown, list):  # a select
        shown = shown[0] if shown else ""
    return shown


def same_text(a: Any, b: Any) -> bool:
    """The same submission, whatever line endings the browser used (a textarea sends
    CRLF)."""
    def text(value: Any) -> Any:
        if value is None:
            return ""
        return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value
    return text(a) == text(b)
