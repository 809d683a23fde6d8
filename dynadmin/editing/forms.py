"""Create and edit forms generated from an entity's fields.

Key attributes (PK, SK, GSI keys) are never form fields: they are computed from the templates
by ``Entity.build_item`` (creating) and ``Entity.rebuild_item`` (editing: only the keys of
a field the person changed). Attributes the definition does not declare are kept, editable
as DynamoDB JSON, and never dropped by a save. Unclassified items are edited as DynamoDB JSON.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..data.serialization import (
    dumps_dynamodb_json,
    loads_dynamodb_json,
    same_value,
    stored_type,
)
from ..definitions import Entity, KeyTemplateError, ParsedItem, Table
from ..definitions import fields as f
from ..definitions.fields import FieldError
from ..limits import MAX_NESTING_LEVELS
from ..services.inputs import SiteRenderer
from .inputs import (
    form_field,
    initial_text,
    list_member,
    plain_json_safe,
    raw_text,
    same_text,
    shown,
)
from .validation import ItemInvalid, check_ttl, printable_name, validate_item

__all__ = ["EntityForm", "RawItemForm", "lay_out"]

EXTRA = "__extra__"
# JSON nested deeper than Python's recursion limit (DynamoDB itself stops sooner).
_TOO_DEEP = format_lazy(gettext_lazy("nested too deeply to be read (DynamoDB allows {} levels)"),
                        MAX_NESTING_LEVELS)


def _key_help(entity: type[Entity], *, creating: bool) -> dict[str, str]:
    """Per field that the primary key is spelt from: what changing it does, with the key's
    templates (``USER#{user_id} / ORDER#{placed_on}#{order_id}``)."""
    key = entity._meta.primary_key
    spelling = " / ".join(str(t) for t in key.templates)
    text = (_("Part of the item's key (%(key)s).") if creating else
            _("Part of the item's key (%(key)s): changing this moves the item."))
    return {name: text % {"key": spelling} for name in key.variables}


def _readonly_text(fld: f.Field | None, parsed: Any, name: str) -> str:
    value = parsed.values.get(name) if parsed is not None else None
    if value is None or fld is None:
        return "—"
    try:
        return fld.display(value)
    except Exception:  # noqa: BLE001 - a value that breaks its field is shown raw
        return raw_text(parsed.item.get(fld.attribute, value))


def lay_out(form: forms.Form, *, may_edit_raw: bool) -> None:
    """How each field of an edit form is shown: an input, or, read-only, its value as text
    and why it cannot be changed here (a value kept as stored says where it can be)."""
    for field in form.fields.values():
        if not field.disabled:
            field.template_name = "dynadmin/forms/edit_field.html"
            continue
        field.template_name = "dynadmin/forms/readonly_field.html"
        reason = getattr(field, "kept_reason", "")
        why = [str(reason), _("Kept as it is: saving never rewrites it.")] if reason else [
            _("Read-only here.")]
        if reason and may_edit_raw:
            why.append(_("To change it, use “Edit as DynamoDB JSON”."))
        field.readonly_help = " ".join(why)


def _focus_first(form: forms.Form, skip: frozenset[str] = frozenset()) -> None:
    """The first field a person can type into is focused when the page opens (an
    ``autofocus`` attribute: no script, so the CSP holds); ``skip`` names fields not to start
    on (the parts of an item's key: changing one moves the item)."""
    for name, field in form.fields.items():
        if not field.disabled and not isinstance(field.widget, forms.HiddenInput) and (
                name not in skip):
            field.widget.attrs["autofocus"] = True
            return


class EntityForm(forms.Form):
    """The fields of one entity; ``cleaned_item`` is the complete item to write.

    ``fields`` (an admin's ``get_fields()``) chooses which fields are edited; a declared field
    left out keeps the value the item has. ``EntityAdmin.get_form()`` binds these options to
    a subclass, as Django's ``ModelAdmin.get_form()`` does.

    Editing, a save writes only the fields whose submitted text differs from what the form
    showed: a value read, shown and typed back could come out different (a date in another
    format, a number set as text). A stored value the form cannot show so that it comes back
    exactly (another DynamoDB type than the field's, a value the field cannot read, another
    spelling than the field writes) is shown read-only with its type and why (``kept``), and
    never rewritten.
    """

    default_renderer = SiteRenderer
    entity: type[Entity] | None = None
    entity_fields: dict[str, f.Field] | None = None
    readonly: tuple[str, ...] = ()

    def __init__(self, *args: Any, entity: type[Entity] | None = None,
                 readonly: tuple[str, ...] | None = None,
                 original: dict[str, Any] | None = None,
                 fields: dict[str, f.Field] | None = None, **kwargs: Any) -> None:
        entity = entity or type(self).entity
        if entity is None:
            raise TypeError("EntityForm needs an entity")
        readonly = type(self).readonly if readonly is None else readonly
        self.entity = entity
        self.edited = dict(fields or type(self).entity_fields or entity._meta.fields)
        self.original = original
        parsed = entity.parse_item(original) if original is not None else None
        self.parsed_original = parsed
        initial = kwargs.pop("initial", {}) or {}
        super().__init__(*args, initial=initial, **kwargs)
        #: field name → why its stored value is shown read-only and never rewritten
        self.kept: dict[str, str] = {}
        #: list fields edited one value per line → the field each line is typed as
        self.list_members: dict[str, f.Field] = {}
        moving = _key_help(entity, creating=original is None)
        for name, fld in self.edited.items():
            if isinstance(fld, f.Version) and original is None:
                continue  # an internal counter: a new item starts at 1
            if isinstance(fld, f.WriteMarker):
                continue  # set by every write dynadmin makes, never by a person
            disabled = name in readonly or isinstance(fld, f.Version)
            value = parsed.values.get(name) if parsed else None
            member = (list_member(fld, None if name in (parsed.errors if parsed else ()) else
                                  value) if isinstance(fld, f.List) else None)
            if member is not None:
                self.list_members[name] = member
            self.fields[name] = form_field(fld, disabled=disabled, lines=member is not None)
            if name in moving and not disabled:
                self.fields[name].help_text = " ".join(
                    str(t) for t in (moving[name], self.fields[name].help_text) if t)
            # An ephemeral entity (ttl="required") must expire: its TTL is a required field,
            # and a new item starts with the entity's default lifetime.
            ttl_required = isinstance(fld, f.TTL) and entity._meta.ttl_policy == "required"
            if (fld.required or ttl_required) and not disabled:
                self.fields[name].required = True
            if parsed is not None and name in parsed.values and name not in parsed.errors:
                self.initial.setdefault(name, initial_text(fld, value, lines=member is not None))
            elif original is None and fld.default is not None:
                self.initial.setdefault(name, initial_text(fld, fld.default,
                                                       lines=member is not None))
            elif original is None and ttl_required and entity._meta.default_lifetime:
                expires = dt.datetime.now(dt.UTC) + entity._meta.default_lifetime
                self.initial.setdefault(name, initial_text(fld, expires.replace(microsecond=0)))
            if parsed is not None and (not disabled or name in parsed.errors):
                reason = self._kept_reason(name, fld, parsed)
                if reason:
                    self._keep(name, fld, reason)
            if isinstance(fld, f.Binary) and not self.fields[name].disabled:
                self.fields[f"{name}__upload"] = forms.FileField(
                    label=_("%(label)s: upload") % {"label": fld.label}, required=False)
        for name, field in self.fields.items():
            if field.disabled and name not in self.kept:
                # Shown as text, not as a disabled input a person tries to type into.
                field.readonly_text = _readonly_text(self.edited.get(name), parsed, name)
        extras = parsed.extra if parsed else {}
        self.fields[EXTRA] = forms.CharField(
            label=_("Other attributes (DynamoDB JSON)"), required=False,
            widget=forms.Textarea(attrs={"rows": 4, "class": "json"}),
            help_text=_("Attributes the definition does not declare; kept as they are."))
        self.initial.setdefault(EXTRA, dumps_dynamodb_json(extras) if extras else "{}")
        self.cleaned_item: dict[str, Any] | None = None
        # Editing, focus skips the parts of the primary key: changing one moves the item.
        _focus_first(self, frozenset(entity._meta.primary_key.variables)
                     if original is not None else frozenset())

    def _kept_reason(self, name: str, fld: f.Field, parsed: ParsedItem) -> str | None:
        """Why the stored value of ``name`` cannot be shown so that saving it unchanged
        would write it back as it is; None when it can (or the item lacks it)."""
        if fld.key_only or fld.attribute not in parsed.item:
            return None
        stored = parsed.item[fld.attribute]
        kind = stored_type(stored)
        if name in parsed.errors:
            return _("Stored as %(type)s, which this field cannot read (%(error)s).") % {
                "type": kind, "error": parsed.errors[name].split(": ", 1)[-1]}
        if isinstance(fld, f.Null):
            return None if stored is None else _("Stored as %(type)s; this field holds NULL.") % {
                "type": kind}
        try:
            written = fld.to_dynamo(parsed.values[name])
        except FieldError as exc:
            return _("Stored as %(type)s, which this field cannot write back (%(error)s).") % {
                "type": kind, "error": str(exc).split(": ", 1)[-1]}
        if written is None:
            return _("Stored as %(type)s, which this field would remove.") % {"type": kind}
        if stored_type(written) != kind:
            return _("Stored as %(type)s; this field writes %(written)s.") % {
                "type": kind, "written": stored_type(written)}
        if not same_value(written, stored):
            return _("Stored as %(stored)s; this field would write it as %(written)s.") % {
                "stored": raw_text(stored), "written": raw_text(written)}
        if isinstance(fld, (f.List, f.Map)) and not plain_json_safe(stored):
            return _("Holds sets or binary values that plain JSON cannot express.")
        # Shown, then submitted back untouched: does the field read it as it is stored?
        field = self.fields[name]
        try:
            again = self._value(name, fld, field.clean(
                shown(field, self.get_initial_for_field(field, name))), check=False)
            same = same_value(None if again is None else fld.to_dynamo(again), stored)
        except (forms.ValidationError, FieldError, OverflowError, TypeError, ValueError):
            same = False
        return None if same else _("This form cannot show the stored %(type)s value exactly.") % {
            "type": kind}

    def _keep(self, name: str, fld: f.Field, reason: str) -> None:
        stored = self.parsed_original.item[fld.attribute]
        field = self.fields[name] = form_field(fld, disabled=True)
        field.readonly_text = raw_text(stored)
        field.stored_type = stored_type(stored)
        field.kept_reason = reason
        self.kept[name] = reason
        self.list_members.pop(name, None)

    def person_changed(self, name: str) -> bool:
        """Whether the submitted text of ``name`` differs from what the form showed."""
        field = self.fields[name]
        if field.disabled:
            return False
        if self.files and self.files.get(f"{name}__upload"):
            return True
        submitted = field.widget.value_from_datadict(self.data, self.files,
                                                     self.add_prefix(name))
        was = shown(field, self.get_initial_for_field(field, name))
        if same_text(submitted, was):
            return False
        # The text may differ and the value not ("09:30" for "09:30:00", a space trimmed):
        # read by the same field, is it still the value shown?
        try:
            return field.clean(submitted) != field.clean(was)
        except forms.ValidationError:
            return True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        meta = self.entity._meta
        editing = self.original is not None
        values: dict[str, Any] = {}
        for name, fld in meta.fields.items():
            if name not in self.fields or self.fields[name].disabled:
                continue
            if editing and not self.person_changed(name):
                continue
            try:
                values[name] = self._value(name, fld, cleaned.get(name))
            except FieldError as exc:
                self.add_error(name, printable_name(str(exc).split(": ", 1)[-1]))
        extras = self._extras(cleaned.get(EXTRA) or "{}")
        if self.errors:
            return cleaned
        try:
            item = (self.entity.rebuild_item(self.original, values) if editing
                    else self.entity.build_item(values))
        except (FieldError, KeyTemplateError) as exc:
            raise forms.ValidationError(str(exc)) from None
        # What the definition does not know about is written back untouched, unless the
        # person edited it.
        if editing and self.person_changed(EXTRA):
            for name in self.parsed_original.extra:
                if name not in extras:
                    item.pop(name, None)
            item.update(extras)
        else:
            for name, value in extras.items():
                item.setdefault(name, value)
        self.cleaned_item = _valid_item(meta.table, item)
        return cleaned

    def _value(self, name: str, fld: f.Field, raw: Any, *, check: bool = True) -> Any:
        """The field's value from what its input holds; ``check`` False reads a stored TTL
        without judging it (a TTL long past is still the value stored)."""
        if raw in (None, ""):
            upload = self.files.get(f"{name}__upload") if self.files else None
            if isinstance(fld, f.Binary) and upload:
                return upload.read() or None
            return None
        if isinstance(fld, (f.TTL, f.DateTime)):
            moment = raw.replace(tzinfo=dt.UTC) if raw.tzinfo is None else raw
            if isinstance(fld, f.TTL) and check:
                check_ttl(fld.label, moment)
            try:
                return fld.to_python(moment)
            except OverflowError:  # e.g. 0001-01-01T00:00+05:00 is before year 1 in UTC
                raise FieldError(f"{fld.label}: out of range once converted to UTC") from None
        if isinstance(fld, f.Null):
            return True if raw else None
        if name in self.list_members:
            member = self.list_members[name]
            return fld.to_python([member.to_dynamo(member.to_python(line.strip()))
                                  for line in raw.splitlines() if line.strip()]) or None
        if isinstance(fld, f.SetField):
            lines = [line.strip() for line in raw.splitlines() if line.strip()]
            if isinstance(fld, f.BinarySet):
                lines = [_b64(fld, line) for line in lines]
            return fld.to_python(lines)
        if isinstance(fld, (f.List, f.Map)):
            try:
                value = json.loads(raw, parse_float=Decimal, parse_int=Decimal)
            except json.JSONDecodeError as exc:
                raise FieldError(_("%(label)s: not valid JSON (%(error)s, line %(line)s)")
                                 % {"label": fld.label, "error": exc.msg, "line": exc.lineno}
                                 ) from None
            except RecursionError:
                raise FieldError(f"{fld.label}: {_TOO_DEEP}") from None
            return fld.to_python(value)
        if isinstance(fld, f.Binary):
            return _b64(fld, raw.strip())
        return fld.to_python(raw)

    def _extras(self, text: str) -> dict[str, Any]:
        try:
            extras = loads_dynamodb_json(text)
        except ValueError as exc:
            self.add_error(EXTRA, printable_name(str(exc)))
            return {}
        except RecursionError:
            self.add_error(EXTRA, _TOO_DEEP)
            return {}
        meta = self.entity._meta
        declared = {fld.attribute for fld in meta.fields.values()}
        taken = sorted(a for a in extras if a in declared or a in meta.table.key_attribute_types()
                       or a == meta.table.type_attribute)
        if taken:
            self.add_error(EXTRA, _("%(names)s cannot be set here: they are declared fields or "
                                    "keys.") % {"names": ", ".join(taken)})
        return extras


def _b64(fld: f.Field, text: str) -> bytes:
    try:
        value = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise FieldError(f"{fld.label}: not valid base64") from None
    return value


class RawItemForm(forms.Form):
    """A whole item as DynamoDB JSON: for unclassified items, and for any item on request."""

    default_renderer = SiteRenderer
    item = forms.CharField(label=gettext_lazy("Item (DynamoDB JSON)"),
                           widget=forms.Textarea(attrs={"rows": 18, "class": "json"}))

    def __init__(self, *args: Any, table: Table, **kwargs: Any) -> None:
        self.table = table
        super().__init__(*args, **kwargs)
        self.cleaned_item: dict[str, Any] | None = None
        _focus_first(self)

    def clean_item(self) -> str:
        text = self.cleaned_data["item"]
        try:
            item = loads_dynamodb_json(text)
        except ValueError as exc:
            raise forms.ValidationError(printable_name(str(exc))) from None
        except RecursionError:
            raise forms.ValidationError(_TOO_DEEP) from None
        self.cleaned_item = _valid_item(self.table, item)
        return text


def _valid_item(table: Table, item: dict[str, Any]) -> dict[str, Any]:
    """``item``, once DynamoDB would accept it (its refusals as the form's errors)."""
    try:
        validate_item(table, item)
    except ItemInvalid as exc:
        raise forms.ValidationError(exc.messages) from None
    return item
