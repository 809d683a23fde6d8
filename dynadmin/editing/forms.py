"""Create and edit forms generated from an entity's fields.

Key attributes (PK, SK, GSI keys) are never form fields: they are computed from the templates
by ``Entity.build_item``. Attributes the definition does not declare are kept, editable as
DynamoDB JSON, and never dropped by a save. Unclassified items are edited as DynamoDB JSON.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..data.serialization import dumps_dynamodb_json, dumps_plain_json, loads_dynamodb_json
from ..definitions import Entity, KeyTemplateError, Table
from ..definitions import fields as f
from ..definitions.fields import FieldError
from ..limits import MAX_NUMBER_DIGITS
from .validation import ItemInvalid, check_ttl, printable_name, validate_item

__all__ = ["EntityForm", "RawItemForm"]

EXTRA = "__extra__"
# JSON nested deeper than Python's recursion limit (DynamoDB itself stops at 32 levels).
_TOO_DEEP = gettext_lazy("nested too deeply to be read (DynamoDB allows 32 levels)")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                    "%Y-%m-%d %H:%M"]


class _DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M:%S")


def raw_text(value: Any) -> str:
    """A stored value as text, whatever its type."""
    return value if isinstance(value, str) else dumps_plain_json(value, indent=None)


def _plain_json_safe(value: Any) -> bool:
    """Whether a list/map can round-trip through plain JSON (no sets, no binary)."""
    if isinstance(value, (set, frozenset, bytes)):
        return False
    if isinstance(value, dict):
        return all(_plain_json_safe(v) for v in value.values())
    if isinstance(value, list):
        return all(_plain_json_safe(v) for v in value)
    return True


def _form_field(fld: f.Field, *, disabled: bool) -> forms.Field:
    common: dict[str, Any] = {"label": fld.label, "required": False, "disabled": disabled,
                              "help_text": fld.help_text}
    if isinstance(fld, f.Choice):
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in fld.choices]], **common)
    if isinstance(fld, f.Boolean):
        return forms.ChoiceField(choices=[("", _("— (absent)")), ("true", "true"),
                                          ("false", "false")], **common)
    if isinstance(fld, f.Null):
        return forms.BooleanField(**common | {"help_text": _("Present, holding NULL")})
    if isinstance(fld, (f.TTL, f.DateTime)):
        help_text = (_("UTC. Stored as epoch seconds (DynamoDB's TTL).") if isinstance(
            fld, f.TTL) else _("UTC. Stored as ISO 8601 text."))
        return forms.DateTimeField(widget=_DateTimeLocal(), input_formats=DATETIME_FORMATS,
                                   **common | {"help_text": help_text})
    if isinstance(fld, f.Date):
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if isinstance(fld, f.SetField):
        help_text = (_("One base64 value per line. Empty removes the attribute (DynamoDB "
                       "forbids empty sets).") if isinstance(fld, f.BinarySet) else
                     _("One member per line. Empty removes the attribute (DynamoDB forbids "
                       "empty sets)."))
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), strip=False,
                               **common | {"help_text": help_text})
    if isinstance(fld, (f.List, f.Map)):
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "class": "json"}),
                               **common | {"help_text": "JSON"})
    if isinstance(fld, f.Binary):
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), **common | {
            "help_text": _("base64 (or upload a file below)")})
    if isinstance(fld, (f.Number, f.Integer)):
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                               **common | {"help_text": fld.help_text or (
                                   _("Exact, up to %(digits)s significant digits.")
                                   % {"digits": MAX_NUMBER_DIGITS})})
    return forms.CharField(strip=False, **common)


def _initial(fld: f.Field, value: Any) -> Any:
    if value is None:
        return None
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


def _focus_first(form: forms.Form) -> None:
    """The first field a person can type into is focused when the page opens (an
    ``autofocus`` attribute: no script, so the CSP holds)."""
    for field in form.fields.values():
        if not field.disabled and not isinstance(field.widget, forms.HiddenInput):
            field.widget.attrs["autofocus"] = True
            return


class EntityForm(forms.Form):
    """The fields of one entity; ``cleaned_item`` is the complete item to write.

    ``fields`` (an admin's ``get_fields()``) chooses which fields are edited; a declared field
    left out keeps the value the item has. ``EntityAdmin.get_form()`` binds these options to
    a subclass, as Django's ``ModelAdmin.get_form()`` does.
    """

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
        initial = kwargs.pop("initial", {}) or {}
        super().__init__(*args, initial=initial, **kwargs)
        self.unsafe_json: set[str] = set()
        moving = _key_help(entity, creating=original is None)
        for name, fld in self.edited.items():
            if isinstance(fld, f.Version) and original is None:
                continue  # an internal counter: a new item starts at 1
            disabled = name in readonly or isinstance(fld, f.Version)
            value = parsed.values.get(name) if parsed else None
            if isinstance(fld, (f.List, f.Map)) and value is not None and not _plain_json_safe(
                    value):
                # Plain JSON would turn its sets into lists: keep it as it is.
                disabled = True
                self.unsafe_json.add(name)
            self.fields[name] = _form_field(fld, disabled=disabled)
            if name in moving and not disabled:
                self.fields[name].help_text = " ".join(
                    str(t) for t in (moving[name], self.fields[name].help_text) if t)
            # An ephemeral entity (ttl="required") must expire: its TTL is a required field,
            # and a new item starts with the entity's default lifetime.
            ttl_required = isinstance(fld, f.TTL) and entity._meta.ttl_policy == "required"
            if (fld.required or ttl_required) and not disabled:
                self.fields[name].required = True
            if parsed is not None and name in parsed.errors:
                self._show_stored_error(name, value, parsed.errors[name])
            elif parsed is not None and name in parsed.values:
                self.initial.setdefault(name, _initial(fld, value))
            elif original is None and fld.default is not None:
                self.initial.setdefault(name, _initial(fld, fld.default))
            elif original is None and ttl_required and entity._meta.default_lifetime:
                expires = dt.datetime.now(dt.UTC) + entity._meta.default_lifetime
                self.initial.setdefault(name, _initial(fld, expires.replace(microsecond=0)))
            if isinstance(fld, f.Binary) and not disabled:
                self.fields[f"{name}__upload"] = forms.FileField(
                    label=_("%(label)s: upload") % {"label": fld.label}, required=False)
        for name, field in self.fields.items():
            if field.disabled:
                # Shown as text, not as a disabled input a person tries to type into.
                field.readonly_text = _readonly_text(self.edited.get(name), parsed, name)
        extras = parsed.extra if parsed else {}
        self.fields[EXTRA] = forms.CharField(
            label=_("Other attributes (DynamoDB JSON)"), required=False,
            widget=forms.Textarea(attrs={"rows": 4, "class": "json"}),
            help_text=_("Attributes the definition does not declare; kept as they are."))
        self.initial.setdefault(EXTRA, dumps_dynamodb_json(extras) if extras else "{}")
        self.cleaned_item: dict[str, Any] | None = None
        _focus_first(self)

    def _show_stored_error(self, name: str, value: Any, error: str) -> None:
        """A stored value its field cannot read (a TTL in milliseconds, a date-time that is
        not ISO 8601): shown raw, as text, with what is wrong, never a crash. Saved as it is,
        it is refused again, so the person fixes or clears it."""
        field = self.fields[name]
        if isinstance(field, forms.DateTimeField):
            field.widget = forms.TextInput()
        message = _("The stored value %(value)s cannot be read: %(error)s. Enter a new value "
                    "or clear the field.") % {"value": raw_text(value),
                                              "error": error.split(": ", 1)[-1]}
        field.help_text = message
        self.initial.setdefault(name, raw_text(value))
        if not self.is_bound:
            if self._errors is None:
                self._errors = ErrorDict()
            self._errors[name] = self.error_class([message])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        meta = self.entity._meta
        parsed_original = self.entity.parse_item(self.original) if self.original else None
        values: dict[str, Any] = {}
        for name, fld in meta.fields.items():
            if name not in self.fields or self.fields[name].disabled:
                if parsed_original is not None and name in parsed_original.values:
                    values[name] = parsed_original.values[name]
                continue
            try:
                values[name] = self._value(name, fld, cleaned.get(name))
            except FieldError as exc:
                self.add_error(name, printable_name(str(exc).split(": ", 1)[-1]))
        extras = self._extras(cleaned.get(EXTRA) or "{}")
        if self.errors:
            return cleaned
        try:
            item = (self.entity.rebuild_item(self.original, values) if self.original
                    is not None else self.entity.build_item(values))
        except (FieldError, KeyTemplateError) as exc:
            raise forms.ValidationError(str(exc)) from None
        # What the definition does not know about is written back untouched.
        for name, value in extras.items():
            item.setdefault(name, value)
        try:
            validate_item(meta.table, item)
        except ItemInvalid as exc:
            raise forms.ValidationError(exc.messages) from None
        self.cleaned_item = item
        return cleaned

    def _value(self, name: str, fld: f.Field, raw: Any) -> Any:
        if raw in (None, ""):
            upload = self.files.get(f"{name}__upload") if self.files else None
            if isinstance(fld, f.Binary) and upload:
                return upload.read() or None
            return None
        if isinstance(fld, (f.TTL, f.DateTime)):
            moment = raw.replace(tzinfo=dt.UTC) if raw.tzinfo is None else raw
            if isinstance(fld, f.TTL):
                check_ttl(fld.label, moment)
            try:
                return fld.to_python(moment)
            except OverflowError:  # e.g. 0001-01-01T00:00+05:00 is before year 1 in UTC
                raise FieldError(f"{fld.label}: out of range once converted to UTC") from None
        if isinstance(fld, f.Null):
            return True if raw else None
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
        try:
            validate_item(self.table, item)
        except ItemInvalid as exc:
            raise forms.ValidationError(exc.messages) from None
        self.cleaned_item = item
        return text
