"""A filter on an entity's list page, asked in its fields: pick an attribute, get a widget of
its type (a menu for a Choice, a checkbox for a Boolean, a number box, a date picker).

The filter becomes the partition page's ``f_attr``/``f_op``/``f_value``/``f_type`` (one
FilterExpression on the page read), so the list and the raw console ask DynamoDB the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ...definitions import Entity
from ...definitions.fields import TTL, Field, Version, WriteMarker
from ..inputs import Hidden, Menu, ReadForm, Tick, TypedInput, read_widget

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


#: the questions a filter asks of a field, by the input its value is typed in
_KINDS = {"number": "number", "date": "date", "datetime-local": "moment", "text": "text",
          "email": "text"}


def _kind(fld: Field) -> str | None:
    if isinstance(fld, (TTL, Version, WriteMarker)):
        return None  # a TTL has its own page; a version counter is nobody's question
    if fld.input_type == "select":
        return "boolean" if fld.dynamo_type == "BOOL" else "choice"
    return _KINDS.get(fld.input_type)


VALUE_TYPES = {"number": "N", "boolean": "BOOL"}
#: a filter's value is typed to be matched, not remembered or corrected
_TYPED = {"id": "l-f-value", "autocomplete": "off", "spellcheck": "false"}


class FilterForm(ReadForm):
    """The filter on a list page: a menu of the fields (choosing one asks the page, at
    ``pick_url``, for its widgets), a condition, and a value asked with the widget of the
    field's type (a menu for a Choice, a checkbox for a Boolean, a number box, ISO dates).
    ``params`` is the partition filter it asks for."""

    def __init__(self, fields: Mapping[str, Field], *, attribute: str, op: str, value: str,
                 pick_url: str, offered: Callable[[str, Sequence[str]], list[str]] | None = None
                 ) -> None:
        super().__init__(initial={"f_attr": attribute, "f_op": op, "f_value": value},
                         auto_id=False)
        fld = fields[attribute]
        self.kind = _kind(fld) or "text"
        #: the partition page's filter parameters (empty when no filter is asked)
        self.params: dict[str, str] = {}
        #: the list page's own parameters for this filter (so its links keep it)
        self.own_params: dict[str, str] = {}
        #: the person chose an attribute and has yet to give its value
        self.picked = False
        # Built once for what they depend on and shared (only read while rendering): their
        # markup is kept for each value shown (``ReadForm.shared_fields``). The menu of
        # values is the one ``offered`` to this person (their scopes may narrow it).
        choices = tuple(offered(attribute, fld.input_choices) if offered is not None
                        else fld.input_choices)
        language = get_language()
        self.fields = {
            "f_attr": _attribute_field(tuple((n, f.label) for n, f in fields.items()),
                                       pick_url, language),
            **_condition_fields(fld, self.kind, choices, language),
        }
        self.shared_fields = frozenset(self.fields)

    @property
    def active(self) -> bool:
        return bool(self.params)


@functools.lru_cache(maxsize=256)
def _attribute_field(labels: tuple[tuple[str, str], ...], pick_url: str,
                     language: str | None) -> forms.Field:
    """The menu of the attributes a filter can ask about (name, label), which asks the page
    at ``pick_url`` for the widgets of the one chosen."""
    return forms.CharField(
        label=_("Field"), required=False, template_name="dynadmin/forms/filter_attribute.html",
        widget=Menu(choices=list(labels), attrs={
            "id": "l-f-attr", "hx-get": pick_url, "hx-trigger": "change",
            "hx-include": "closest form", "hx-vals": '{"pick": "1"}',
            "hx-target": "#filter-fields", "hx-select": "#filter-fields",
            "hx-swap": "outerHTML"}))


@functools.lru_cache(maxsize=1024)
def _condition_fields(fld: Field, kind: str, choices: tuple[str, ...], language: str | None
                      ) -> dict[str, forms.Field]:
    """The condition and the value a filter on ``fld`` asks for (``choices``: the values
    its menu offers), in ``language``."""
    if kind == "boolean":
        return {
            "f_op": forms.CharField(
                required=False, widget=Hidden(), template_name="dynadmin/forms/bare.html"),
            "f_value": forms.CharField(
                label=_("yes (unticked: no)"), required=False,
                widget=Tick(attrs={"id": "l-f-value"}),
                template_name="dynadmin/forms/tick_field.html"),
        }
    return {
        "f_op": forms.CharField(
            label=_("Condition"), required=False, template_name="dynadmin/forms/inline_field.html",
            widget=Menu(choices=list(_operators()[kind].items()), attrs={"id": "l-f-op"})),
        "f_value": forms.CharField(
            label=_("Value"), required=False, template_name="dynadmin/forms/inline_field.html",
            widget=_value_widget(fld, kind, choices)),
    }


def _value_widget(fld: Field, kind: str, choices: Sequence[str]) -> forms.Widget:
    if kind == "choice":
        return Menu(choices=[("", _("any")), *[(c, c) for c in choices]],
                    attrs={"id": "l-f-value"})
    if kind == "text":
        # A filter's text is matched in parts (begins with, contains): no email check on it.
        return TypedInput(attrs=_TYPED)
    return read_widget(fld, whole_days=True, attrs=_TYPED)


def filter_form(entity: type[Entity], params: Mapping[str, str],
                excluded: tuple[str, ...] = (), *, pick_url: str,
                offered: Callable[[str, Sequence[str]], list[str]] | None = None
                ) -> FilterForm | None:
    """The form for ``entity``'s filterable fields (key fields ``excluded``), and the filter
    the address asks for: ``f_attr`` a field's name, ``f_op``, ``f_value``. With ``pick`` the
    person only chose another attribute: its widget is shown, nothing is filtered yet.
    ``offered(field, choices)``: the choices a menu of values offers (the person's scopes)."""
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
    form = FilterForm(fields, attribute=name, op=op, value=value, pick_url=pick_url,
                      offered=offered)
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
