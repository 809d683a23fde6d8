"""The lookup and listing forms of an entity's home page, typed by the fields they fill."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from ...access_patterns import Listing, Lookup
from ...definitions import Key
from ...definitions.fields import Boolean, Choice, Field
from ..inputs import HtmlInput, html_input
from ..links import site_url
from .plans import LookupInputError

if TYPE_CHECKING:
    from ...options import EntityAdmin

# -- forms for the entity home -------------------------------------------------------------
@dataclass
class FormField:
    name: str
    label: str
    input: HtmlInput
    id: str
    choices: tuple[str, ...] = ()
    value: str = ""
    help_text: str = ""
    error: str = ""


@dataclass
class LookupForm:
    kind: str  # "lookup" or "listing"
    name: str
    label: str
    action: str
    key: Key
    fields: list[FormField]
    error: str = ""

    @property
    def where(self) -> str:
        return self.key.index_name or "table"


def _form_fields(admin: EntityAdmin, prefix: str, names: tuple[str, ...],
                 values: Mapping[str, str], error: LookupInputError | None,
                 beginning: str | None = None) -> list[FormField]:
    """The inputs for ``names``; ``beginning`` is the field typed as the start of its value
    (a prefix lookup): a plain text input that says so."""
    out = []
    for name in names:
        fld = admin.opts.fields.get(name) or Field(label=name)
        if name == beginning:
            out.append(FormField(
                name=name, label=fld.label, input=HtmlInput(), id=f"{prefix}-{name}",
                value=values.get(name, "") if isinstance(values.get(name), str) else "",
                help_text=_("The beginning is enough: “ali” finds Alice and Alistair."),
                error=error.message if error is not None and error.field == name else ""))
            continue
        choices: tuple[str, ...] = ()
        if isinstance(fld, Choice):
            choices = fld.choices
        elif isinstance(fld, Boolean):
            choices = ("true", "false")
        raw = values.get(name, "")
        out.append(FormField(
            name=name, label=fld.label, input=html_input(fld, menus=True), choices=choices,
            id=f"{prefix}-{name}", value=raw if isinstance(raw, str) else "",
            help_text=fld.help_text,
            error=error.message if error is not None and error.field == name else ""))
    return out


def lookup_form(admin: EntityAdmin, lookup: Lookup, values: Mapping[str, str] | None = None,
                error: LookupInputError | None = None) -> LookupForm:
    key = admin.opts.keys[lookup.key]
    action = site_url("entity_lookup", entity=admin.opts.label, name=lookup.name)
    fields = _form_fields(admin, f"lookup-{lookup.name}", lookup.fields, values or {}, error,
                          beginning=lookup.prefix_field)
    return LookupForm(kind="lookup", name=lookup.name, label=lookup.label, action=action,
                      key=key, fields=fields,
                      error=error.message if error is not None and error.field is None else "")


def listing_form(admin: EntityAdmin, listing: Listing, values: Mapping[str, str] | None = None,
                 error: LookupInputError | None = None) -> LookupForm:
    key = admin.opts.keys[listing.key]
    action = site_url("listing", entity=admin.opts.label, name=listing.name)
    fields = _form_fields(admin, f"listing-{listing.name}", key.pk.variables, values or {},
                          error)
    return LookupForm(kind="listing", name=listing.name, label=listing.label, action=action,
                      key=key, fields=fields,
                      error=error.message if error is not None and error.field is None else "")
