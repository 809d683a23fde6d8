"""A filter on an entity's list page, asked in its fields: pick an attribute, get a widget of
its type (a menu for a Choice, a checkbox for a Boolean, a number box, a date picker).

The filter becomes the partition page's ``f_attr``/``f_op``/``f_value``/``f_type`` (one
FilterExpression on the page read), so the list and the raw console ask DynamoDB the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ...definitions import Entity
from ...definitions.fields import (
    TTL,
    Boolean,
    Choice,
    Date,
    DateTime,
    Email,
    Field,
    Integer,
    Number,
    String,
    Version,
)
from ..inputs import HtmlInput, html_input

__all__ = ["FilterForm", "filter_form"]


def _operators() -> dict[str, dict[str, str]]:
    """The conditions each kind of field offers, in the person's words."""
    return {
        "choice": {"=": _("is"), "<>": _("is not")},
        "boolean": {"=": _("is")},
        "number": {"=": _("equals"), ">=": _("at least"), "<=": _("at most"),
                   ">": _("more than"), "<": _("less than"), "<>": _("differs from")},
        "date": {"=": _("on"), ">=": _("on or after"), "<=": _("on or before")},
        "moment": {"begins_with": _("on the day"), ">=": _("on or after"),
                   "<": _("before")},
        "text": {"=": _("is"), "begins_with": _("begins with"), "contains": _("contains")},
    }


def _kind(fld: Field) -> str | None:
    if isinstance(fld, Choice):
        return "choice"
    if isinstance(fld, Boolean):
        return "boolean"
    if isinstance(fld, (TTL, Version)):
        return None  # a TTL has its own page; a version counter is nobody's question
    if isinstance(fld, (Number, Integer)):
        return "number"
    if isinstance(fld, DateTime):
        return "moment"
    if isinstance(fld, Date):
        return "date"
    if isinstance(fld, (String, Email)):
        return "text"
    return None


VALUE_TYPES = {"number": "N", "boolean": "BOOL"}


@dataclass
class FilterForm:
    """What the filter form shows, and the partition filter it asks for (``params``)."""

    attributes: list[tuple[str, str]]
    attribute: str
    kind: str
    operators: dict[str, str]
    op: str
    value: str
    input: HtmlInput
    choices: tuple[str, ...] = ()
    checked: bool = False
    #: the partition page's filter parameters (empty when no filter is asked)
    params: dict[str, str] = field(default_factory=dict)
    #: the list page's own parameters for this filter (so its links keep it)
    own_params: dict[str, str] = field(default_factory=dict)
    #: the person chose an attribute and has yet to give its value
    picked: bool = False

    @property
    def active(self) -> bool:
        return bool(self.params)


def filter_form(entity: type[Entity], params: Mapping[str, str],
                excluded: tuple[str, ...] = ()) -> FilterForm | None:
    """The form for ``entity``'s filterable fields (key fields ``excluded``), and the filter
    the address asks for: ``f_attr`` a field's name, ``f_op``, ``f_value``. With ``pick`` the
    person only chose another attribute: its widget is shown, nothing is filtered yet."""
    fields = {name: fld for name, fld in entity._meta.fields.items()
              if name not in excluded and _kind(fld) is not None}
    if not fields:
        return None
    name = params.get("f_attr") or ""
    asked = name in fields
    if not asked:
        # A menu is the likeliest question ("which are in GBP?"): offer one first.
        name = next((n for n, f in fields.items() if _kind(f) in ("choice", "boolean")),
                    next(iter(fields)))
    fld = fields[name]
    kind = _kind(fld) or "text"
    operators = _operators()[kind]
    op = params.get("f_op") or ""
    if op not in operators:
        op = next(iter(operators))
    value = (params.get("f_value") or "").strip()
    form = FilterForm(
        attributes=[(n, f.label) for n, f in fields.items()], attribute=name, kind=kind,
        operators=operators, op=op, value=value,
        # A filter's text is matched in parts (begins with, contains): no email check on it.
        input=html_input(fld, whole_days=True) if kind in ("number", "date", "moment")
        else HtmlInput(),
        choices=fld.choices if isinstance(fld, Choice) else (),
        checked=kind == "boolean" and value == "true")
    if not asked or params.get("pick"):
        form.picked = asked
        return form
    if kind == "boolean":
        value = "true" if value == "true" else "false"
    elif not value:
        return form
    form.own_params = {"f_attr": name, "f_op": op, "f_value": value}
    form.params = {"f_attr": fld.attribute, "f_op": op, "f_value": value,
                   "f_type": VALUE_TYPES.get(kind, "S")}
    return form
