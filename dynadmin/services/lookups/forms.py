"""The lookup and listing forms of an entity's home page: Django forms of the fields they
fill, each with the widget its field's type asks for."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ...access_patterns import Listing, Lookup
from ...definitions import Key
from ...definitions.fields import Field
from ..inputs import ReadForm, TypedInput, read_widget
from ..links import site_url
from .plans import LookupInputError

if TYPE_CHECKING:
    from ...options import EntityAdmin

__all__ = ["LookupForm", "listing_form", "lookup_form"]

#: what a typed value's input says besides its type: a key is no word to check or recall
_TYPED = {"required": True, "autocomplete": "off", "spellcheck": "false"}


class LookupForm(ReadForm):
    """The values of a lookup's fields, or of a listing's partition key (``kind``), sent by
    GET to ``action``. ``beginning`` is the field typed as the start of its value (a prefix
    lookup): a plain text input that says so. A ``LookupInputError`` is shown beside the
    field it names (or above the form)."""

    def __init__(self, admin: EntityAdmin, *, kind: str, name: str, label: str, action: str,
                 key: Key, names: tuple[str, ...], values: Mapping[str, str] | None = None,
                 error: LookupInputError | None = None, beginning: str | None = None) -> None:
        # Values sent are shown back (a bound form): what the person typed, and beside it
        # what was wrong with it.
        data = {n: v for n, v in (values or {}).items() if isinstance(v, str)}
        super().__init__(data=data if data or error else None, auto_id=f"{kind}-{name}-%s")
        self.kind, self.name, self.label, self.action, self.key = kind, name, label, action, key
        language, shared = get_language(), set()
        for field_name in names:
            fld = admin.opts.fields.get(field_name)
            if fld is None:  # a key part no field declares: asked as text, built each time
                self.fields[field_name] = _value_field(Field(label=field_name),
                                                       field_name == beginning, language)
                continue
            # A declared field's input is shared by every form asking for it (only read
            # while rendering): its markup is kept for each value shown while the form is
            # not bound (``ReadForm.shared_fields``).
            self.fields[field_name] = _declared_value_field(fld, field_name == beginning,
                                                            language)
            shared.add(field_name)
        self.shared_fields = frozenset(shared)
        if error is not None:
            self.add_error(error.field if error.field in self.fields else None, error.message)

    @property
    def where(self) -> str:
        return self.key.index_name or "table"

    @property
    def badge(self) -> str:
        """Where a listing reads (a lookup's card names only what it finds)."""
        return self.where if self.kind == "listing" else ""

    @property
    def submit_label(self) -> str:
        return _("Look up") if self.kind == "lookup" else _("List")


def _value_field(fld: Field, beginning: bool, language: str | None) -> forms.Field:
    """The input of one field of a lookup's key (``beginning``: typed as the start of its
    value), in ``language`` (what a kept one is kept for)."""
    common: dict[str, Any] = {"label": fld.label, "required": False,
                              "template_name": "dynadmin/forms/key_field.html"}
    if beginning:
        return forms.CharField(widget=TypedInput(attrs=_TYPED), help_text=_(
            "The beginning is enough: “ali” finds Alice and Alistair."), **common)
    widget = read_widget(fld, menus=True, attrs=_TYPED)
    if fld.input_type == "select":
        widget.attrs = {"required": True}  # a menu's values are neither spelt nor recalled
    return forms.CharField(widget=widget, help_text=fld.help_text, **common)


#: a declared field's input, built once (per field, way of asking and language)
_declared_value_field = functools.lru_cache(maxsize=512)(_value_field)


def lookup_form(admin: EntityAdmin, lookup: Lookup, values: Mapping[str, str] | None = None,
                error: LookupInputError | None = None) -> LookupForm:
    return LookupForm(
        admin, kind="lookup", name=lookup.name, label=lookup.label,
        action=site_url("entity_lookup", entity=admin.opts.label, name=lookup.name),
        key=admin.opts.keys[lookup.key], names=lookup.fields, values=values, error=error,
        beginning=lookup.prefix_field)


def listing_form(admin: EntityAdmin, listing: Listing, values: Mapping[str, str] | None = None,
                 error: LookupInputError | None = None) -> LookupForm:
    key = admin.opts.keys[listing.key]
    return LookupForm(
        admin, kind="listing", name=listing.name, label=listing.label,
        action=site_url("listing", entity=admin.opts.label, name=listing.name),
        key=key, names=key.pk.variables, values=values, error=error)
