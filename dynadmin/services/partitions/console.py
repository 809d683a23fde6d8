"""The query console's form: a Query in DynamoDB's own terms (index, exact partition key,
sort-key condition, order, page size, one attribute filter), as a Django form whose fields
are the ``PartitionQuery`` parameters, so that what it sends is what the page reads."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ...data import SORT_OPERATORS
from ...definitions import Table
from ..inputs import Menu, ReadForm, Tick, TypedInput
from .key_ranges import KeyHint
from .query import DEFAULT_LIMIT, FILTER_OPERATORS, MAX_LIMIT, index_choices

__all__ = ["ConsoleForm"]

_INLINE = "dynadmin/forms/inline_field.html"
_TICK = "dynadmin/forms/tick_field.html"
#: raw key text: neither a word to check nor one to recall
_RAW = {"spellcheck": "false"}


def _field(label: str, widget: forms.Widget, template: str = _INLINE,
           help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=widget, template_name=template,
                           help_text=help_text)


class ConsoleForm(ReadForm):
    """The console for ``table``, showing back the address's ``params``. ``hints``: the sort
    key templates of the partition asked, whose literal prefixes the sort key's input
    offers. ``now``: the moment "hide expired" compares TTLs with (epoch seconds), sent with
    the form so that every page of one paging session hides the same items."""

    def __init__(self, table: Table, params: Mapping[str, str], *,
                 hints: list[KeyHint] | None = None, now: int = 0) -> None:
        super().__init__(initial={**params, "limit": params.get("limit") or DEFAULT_LIMIT},
                         auto_id="q-%s")
        fields = _console_fields(table, hints[0].prefix if hints else None, get_language())
        # The fields are shared by every console of the table (only read while rendering);
        # "hide expired" carries the moment of this request, so it is this form's own.
        self.fields = dict(fields)
        self.shared_fields = frozenset(fields)
        if table.ttl_attribute:
            self.fields["hide_expired"] = _field(
                _("Hide expired items"), Tick(value=str(now), any_value=True),
                template=_TICK, help_text=_(
                    "A filter on the page read (%(attribute)s passed): DynamoDB still reads "
                    "the expired items.") % {"attribute": table.ttl_attribute})
        #: the filter is shown open when the address asks for one
        self.filtering = bool(params.get("f_attr"))

    @property
    def partition_html(self) -> SafeString:
        return self.fields_html(("index", "pk"))

    @property
    def page_html(self) -> SafeString:
        return self.fields_html(("sk_op", "sk", "sk2", "order", "limit", "consistent",
                                 "hide_expired"))

    @property
    def filter_html(self) -> SafeString:
        return self.fields_html(("f_attr", "f_op", "f_value", "f_type"))


@functools.lru_cache(maxsize=256)
def _console_fields(table: Table, sk_prefix: str | None, language: str | None
                    ) -> dict[str, forms.Field]:
    """The console's fields but "hide expired", for ``table`` in ``language``: built once,
    since they depend on nothing else (``sk_prefix``: the first sort key hint's)."""
    sk_attrs: dict[str, Any] = dict(_RAW)
    if sk_prefix is not None:
        sk_attrs |= {"list": "q-sk-prefixes", "placeholder": sk_prefix,
                     "aria-describedby": "q-sk-help"}
    return {
        "index": _field(_("Index"), Menu(
            attrs={"id": "q-index"},
            choices=[(c.value, c.label) for c in index_choices(table, None)])),
        "pk": _field(_("Partition key (exact)"), TypedInput(attrs={
            "id": "q-pk", "required": True, **_RAW, "autocomplete": "off"})),
        "sk_op": _field(_("Sort key"), Menu(
            attrs={"id": "q-sk-op"},
            choices=[("", _("any")), *[(op, op) for op in SORT_OPERATORS]])),
        "sk": _field(_("Value"), TypedInput(attrs={"id": "q-sk", **sk_attrs})),
        "sk2": _field(_("and (for between)"), TypedInput(attrs={"id": "q-sk2", **_RAW})),
        "order": _field(_("Order"), Menu(
            attrs={"id": "q-order"},
            choices=[("", _("ascending")), ("desc", _("descending"))])),
        "limit": _field(_("Page size"), TypedInput("number", attrs={
            "id": "q-limit", "min": 1, "max": MAX_LIMIT})),
        "consistent": _field(_("Strongly consistent (table only)"), Tick(value="1"),
                             template=_TICK),
        "f_attr": _field(_("Attribute"), TypedInput(attrs={"id": "q-f-attr", **_RAW})),
        "f_op": _field(_("Condition"), Menu(attrs={"id": "q-f-op"},
                                            choices=list(FILTER_OPERATORS.items()))),
        "f_value": _field(_("Value"), TypedInput(attrs={"id": "q-f-value"})),
        "f_type": _field(_("Type"), Menu(attrs={"id": "q-f-type"}, choices=[
            ("S", _("text (S)")), ("N", _("number (N)")), ("BOOL", _("boolean"))])),
    }
