"""Importing items of one entity from a CSV or JSON Lines file: read, validate, write.

Not to be confused with ``dynadmin.importers`` and ``manage.py dynadmin_import``, which turn
another tool's *model definitions* (OneTable, ElectroDB...) into dynadmin definitions: this
module loads *items*.

Every line is checked by the entity's own create form (the admin's ``get_form()``): the same
cleaning of each field's text, the same messages, keys spelt from the key templates by
``Entity.build_item``, and the item refused for whatever DynamoDB would refuse
(``validate_item``: key sizes, item size...). A file is read as a stream, one line at a time:
it is never held in memory whole.

- **CSV**: a header row names the columns, each a field (by name, label or attribute), a key
  attribute (``PK``, ``GSI1SK``, the type attribute: checked against the key the templates
  spell, never written as given), or the other attributes (``Other attributes (DynamoDB
  JSON)``, ``other_attributes`` or ``__extra__``: compact DynamoDB JSON). A cell holds what the
  form's input would (a set one member per line, a map as JSON, binary as base64). A column the
  entity does not know is an error of the whole file, named: nothing is dropped or added
  unasked. A cell a CSV export protected from spreadsheets (``'-5``, ``'=x``) is read without
  its apostrophe unless the field is free text.
- **JSON Lines**: one item per line, as a plain JSON object of attributes (what the JSON
  export writes: binary as base64, sets as lists), or ``{"Item": {...}}`` in DynamoDB JSON as
  DynamoDB's export to S3 writes it. Attributes the entity does not declare are its other
  attributes, as in the form's "Other attributes" box.

In CSV, a column the file does not have starts as the create form starts it (the field's
default, a required TTL's default lifetime); a JSON line is a whole item, so an attribute it
lacks is absent. An empty cell is an empty input: no value (in "update" mode, the attribute
removed, as clearing it in the edit form does).

A line's number is the file's: the CSV header is line 1, and a record whose quoted cell spans
lines is numbered from where it starts. Blank lines are skipped.

Writing (``import_lines``) is create-only by default: ``writes.create``, whose guard is
``attribute_not_exists`` of the key, so an existing item is an outcome ("exists"), never
overwritten. In "update" mode each line's item is read first (consistent BatchGetItem, 100 keys
at a time) and written by the entity's edit form over the item read, so only the file's
columns change, with the usual guard: an item changed meanwhile is a conflict. A ``Version``
column, when the file has one, must still be the item's version ("unchanged since the file was
written"); it is never written (a write raises it).
"""

from __future__ import annotations

import base64
import binascii
import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import IO, TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.utils.translation import gettext_lazy

from .. import data, limits
from ..data.errors import DataError
from ..data.serialization import dumps_dynamodb_json, loads_dynamodb_json
from ..definitions import Entity, KeyTemplateError, Table
from ..definitions import fields as f
from ..definitions.fields import FieldError
from ..definitions.keys import MissingKeyValue
from ..editing import writes
from ..editing.forms import EXTRA, EntityForm
from ..editing.inputs import initial_text, shown
from ..editing.validation import ItemInvalid, printable_name
from ..plain_json import dumps_plain_json
from ..user_errors import UserInputError

if TYPE_CHECKING:
    from ..options import EntityAdmin

__all__ = ["FORMATS", "MODES", "ImportFileError", "ImportLine", "ImportReport", "LineOutcome",
           "count_lines", "dry_run", "import_lines", "read_lines", "read_range", "run_chunk"]

FORMATS = ("csv", "jsonl")
MODES = ("create", "update")
#: names the "other attributes" column goes by, compared without case
EXTRA_COLUMNS = ("__extra__", "other_attributes", "other attributes",
                 "other attributes (dynamodb json)")
#: a line longer than this cannot hold one item (400 KB, even written as base64 and quoted)
MAX_LINE_BYTES = 4 * limits.MAX_ITEM_BYTES
#: messages a report keeps; the rest are counted
REPORT_MESSAGES = 1000
_READ = 64 * 1024
_BOM = b"\xef\xbb\xbf"
# What a spreadsheet-safe export puts an apostrophe before (a formula's first character).
_PROTECTED = ("=", "+", "-", "@", "\t", "\r")
#: fields whose text never starts with an apostrophe (free text may: it is kept there)
_APOSTROPHE_FREE = (f.Number, f.NumberSet, f.Date, f.DateTime, f.TTL, f.Boolean, f.Choice)


class ImportFileError(UserInputError):
    """A file that cannot be read as an import at all (its header, its format)."""

    title = gettext_lazy("This file cannot be imported")
    advice = gettext_lazy("Nothing was written.")


@dataclass
class ImportLine:
    """One line of the file, checked: ``item`` is the item to create (in "update" mode, the
    key of the item to update), or None when ``errors`` says why the line is refused."""

    number: int
    item: dict[str, Any] | None
    errors: list[str]
    #: the form data the line amounts to, for the columns the file has (field name → text)
    data: dict[str, Any] = field(default_factory=dict, repr=False)
    #: the Version the file states for the item, when it has that column
    version: Decimal | None = None


@dataclass
class LineOutcome:
    """What writing one line did: created, updated, unchanged, exists, conflict, invalid,
    refused or failed."""

    number: int
    outcome: str
    message: str = ""
    key: dict[str, Any] | None = None


@dataclass
class ImportReport:
    """A dry run's findings: every bad line counted; the first ``REPORT_MESSAGES`` messages
    kept, each with its line number."""

    lines: int = 0
    valid: int = 0
    bad: int = 0
    #: (line number, message), the first REPORT_MESSAGES of them
    messages: list[tuple[int, str]] = field(default_factory=list)
    #: messages beyond those kept
    more_messages: int = 0
    #: why the file as a whole cannot be imported ("" when it can)
    file_error: str = ""

    @property
    def bad_lines(self) -> list[int]:
        """The numbers of the bad lines among the messages kept."""
        return list(dict.fromkeys(number for number, _ in self.messages))

    def add(self, line: ImportLine) -> None:
        self.lines += 1
        if not line.errors:
            self.valid += 1
            return
        self.bad += 1
        for message in line.errors:
            if len(self.messages) < REPORT_MESSAGES:
                self.messages.append((line.number, message))
            else:
                self.more_messages += 1


# -- what is imported into ----------------------------------------------------------------------
def _target(target: EntityAdmin | type[Entity], request: Any
            ) -> tuple[type[Entity], type[EntityForm], EntityAdmin | None]:
    if isinstance(target, type) and issubclass(target, Entity):
        return target, type(f"{target._meta.name}ImportForm", (EntityForm,),
                            {"entity": target}), None
    return target.entity, target.get_form(request), target


class _Columns:
    """What each name a file gives means for one entity's create form."""

    def __init__(self, entity: type[Entity], form: EntityForm) -> None:
        meta = entity._meta
        self.entity = entity
        self.key_attributes = set(meta.table.key_attribute_types())
        if meta.table.type_attribute:
            self.key_attributes.add(meta.table.type_attribute)
        self.version = meta.version_field
        #: names and labels (lower case) → field name, for the fields the form offers
        self.names: dict[str, str] = {}
        #: the field names a file may give but that are never written from it
        self.unwritten = {n for n, fld in meta.fields.items()
                          if isinstance(fld, (f.Version, f.WriteMarker))}
        for name, fld in meta.fields.items():
            if name in form.fields or name in self.unwritten:
                for spelling in (name, fld.label, fld.attribute):
                    self.names.setdefault(spelling.strip().lower(), name)
        self.by_attribute = {fld.attribute: n for n, fld in meta.fields.items()
                             if not fld.key_only and (n in form.fields or n in self.unwritten)}

    def meaning(self, heading: str) -> tuple[str, str] | None:
        """("field", name), ("key", attribute), ("extra", EXTRA) or None: unknown."""
        text = heading.strip()
        if text in self.key_attributes and text not in self.by_attribute:
            return "key", text
        if text.lower() in EXTRA_COLUMNS:
            return "extra", EXTRA
        name = self.names.get(text.lower())
        return ("field", name) if name else None


# -- the file as lines ---------------------------------------------------------------------------
class _TooLong(bytes):
    """A line cut off at MAX_LINE_BYTES (the rest of it skipped)."""


def _physical_lines(file: IO[bytes]) -> Iterator[bytes]:
    """The file's lines (with their ``\\n``), read a block at a time; a line longer than any
    item comes as ``_TooLong`` rather than filling memory."""
    pending, skipping = b"", False
    while block := file.read(_READ):
        pending += block
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if skipping:
                skipping = False
                continue
            yield line + b"\n"
        if len(pending) > MAX_LINE_BYTES and not skipping:
            yield _TooLong()
            skipping, pending = True, b""
        elif skipping:
            pending = b""
    if pending and not skipping:
        yield pending


def _decoded(file: IO[bytes], bad: dict[int, str]) -> Iterator[str]:
    """The file's lines as text; a line that is not UTF-8 (or too long) is noted in ``bad``
    by number and given as what could be read."""
    for number, raw in enumerate(_physical_lines(file), start=1):
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM):]
        if isinstance(raw, _TooLong):
            bad[number] = (f"longer than {MAX_LINE_BYTES:,} bytes, more than any item "
                           "DynamoDB can hold")
            yield "\n"
            continue
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad[number] = (f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at character "
                           f"{exc.start + 1}): save the file as UTF-8")
            yield raw.decode("utf-8", "replace")


def _csv_records(file: IO[bytes]) -> Iterator[tuple[int, list[str] | None, str]]:
    """(first line number, cells or None, error) per record; blank lines skipped."""
    if csv.field_size_limit() < MAX_LINE_BYTES:
        # Python's default (128 KB a cell) is below what one attribute of an item may hold.
        csv.field_size_limit(MAX_LINE_BYTES)
    bad: dict[int, str] = {}
    reader = csv.reader(_decoded(file, bad), strict=True)
    done = 0
    while True:
        start = done + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            done = reader.line_num
            for n in range(start, done + 1):
                bad.pop(n, None)
            yield start, None, f"not readable as CSV ({exc})"
            continue
        done = reader.line_num
        # Taken out as they are met: a file of bad lines must not fill memory with notes.
        problems = [bad.pop(n) for n in range(start, done + 1) if n in bad]
        if problems:
            yield start, None, problems[0]
        elif any(cell.strip() for cell in cells):
            yield start, cells, ""


def _json_records(file: IO[bytes]) -> Iterator[tuple[int, Any, str]]:
    bad: dict[int, str] = {}
    for number, text in enumerate(_decoded(file, bad), start=1):
        if number in bad:
            yield number, None, bad.pop(number)
            continue
        if not text.strip():
            continue
        try:
            value = json.loads(text, parse_float=Decimal, parse_int=Decimal)
        except json.JSONDecodeError as exc:
            yield number, None, f"not valid JSON: {exc.msg} (column {exc.colno})"
            continue
        except RecursionError:
            yield number, None, (f"nested too deeply to be read (DynamoDB allows "
                                 f"{limits.MAX_NESTING_LEVELS} levels)")
            continue
        if not isinstance(value, dict):
            yield number, None, "not a JSON object: each line holds one item, {…}"
            continue
        yield number, value, ""


def count_lines(file: IO[bytes]) -> int:
    """How many lines the file has (what chunks of an import are ranges of)."""
    return sum(1 for _ in _physical_lines(file))


# -- one line, checked by the create form ------------------------------------------------------
class _Checker:
    """The entity's create form, bound to each line in turn (one form for the whole file:
    building a form per line would cost more than the rest of the import)."""

    def __init__(self, entity: type[Entity], form_class: type[EntityForm], mode: str) -> None:
        self.entity = entity
        self.mode = mode
        self.form = form_class(data={})
        self.columns = _Columns(entity, self.form)
        #: what the create form submits for a column the file does not have
        self.untouched = {name: shown(field, self.form.get_initial_for_field(field, name))
                          for name, field in self.form.fields.items()}
        #: what it submits for an attribute a JSON line lacks: a whole item, so nothing
        self.blank = {name: False if isinstance(field.widget, forms.CheckboxInput) else ""
                      for name, field in self.form.fields.items()} | {EXTRA: "{}"}
        self.labels: dict[str, str] = {n: str(fld.label) for n, fld in self.form.fields.items()}

    def check(self, number: int, given: dict[str, Any], keys: dict[str, Any],
              errors: list[str], *, whole: bool = False) -> ImportLine:
        """``given``: form data of the file's columns; ``keys``: key attributes it states;
        ``whole``: ``given`` is the whole item (a JSON line), else a column the file lacks
        starts as the create form does (its default)."""
        version = self._version(given, errors)
        if errors:
            return ImportLine(number, None, errors, given, version)
        if self.mode == "update":
            return self._check_update(number, given, keys, version)
        form = self.form
        form.data = {**(self.blank if whole else self.untouched), **given}
        form.cleaned_item = None
        form.full_clean()  # bound again, so cleaned again
        errors = self._messages(form)
        item = _cleaned_item(form)
        if item is not None and not errors:
            errors = self._key_mismatches(item, keys)
        return ImportLine(number, None if errors else item, errors, given, version)

    def _check_update(self, number: int, given: dict[str, Any], keys: dict[str, Any],
                      version: Decimal | None) -> ImportLine:
        """The columns given, each cleaned as the form would; the key they spell."""
        form = self.form
        form.data = {**self.untouched, **given}
        form.cleaned_item = None
        form.full_clean()
        errors = [m for name, m in self._field_messages(form) if name in given]
        if errors:
            return ImportLine(number, None, errors, given, version)
        values = dict(getattr(form, "values_read", {}))
        try:
            key = self.entity.key(values)
        except MissingKeyValue as exc:
            label = self.labels.get(exc.name, exc.name)
            return ImportLine(number, None, [f"{label}: needed to find the item to update "
                                             "(its key is spelt from it)"], given, version)
        except (FieldError, KeyTemplateError) as exc:
            return ImportLine(number, None, [printable_name(str(exc))], given, version)
        errors = self._key_mismatches(key, {a: v for a, v in keys.items() if a in key})
        return ImportLine(number, None if errors else key, errors, given, version)

    def _version(self, given: dict[str, Any], errors: list[str]) -> Decimal | None:
        version = self.columns.version
        text = given.pop(version.name, None) if version else None
        for name in self.columns.unwritten:
            given.pop(name, None)
        if version is None or text in (None, ""):
            return None
        try:
            number = version.to_python(text.strip() if isinstance(text, str) else text)
            return None if number is None else Decimal(number)
        except FieldError as exc:
            errors.append(str(exc))
            return None

    def _field_messages(self, form: EntityForm) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for name, messages in form.errors.items():
            for message in messages:
                if name == NON_FIELD_ERRORS:
                    out.append((name, str(message)))
                else:
                    label = "Other attributes" if name == EXTRA else self.labels.get(name, name)
                    out.append((name, f"{label}: {message}"))
        return out

    def _messages(self, form: EntityForm) -> list[str]:
        return [printable_name(m) for _, m in self._field_messages(form)]

    def _key_mismatches(self, item: Mapping[str, Any], keys: Mapping[str, Any]) -> list[str]:
        errors = []
        for attribute, value in keys.items():
            if value in (None, ""):
                continue
            built = item.get(attribute)
            if built is None:
                errors.append(f"{attribute}: the file gives {_short(value)}, but this item's "
                              "values leave it out (its index key is not complete)")
            elif not _same_key(value, built):
                errors.append(f"{attribute}: the file gives {_short(value)}; the key "
                              f"templates spell {_short(built)} from the line's values")
        return errors


def _cleaned_item(form: EntityForm) -> dict[str, Any] | None:
    return form.cleaned_item


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else dumps_plain_json(value, indent=None)
    text = printable_name(text)
    return repr(text if len(text) <= 80 else text[:77] + "…")


def _same_key(given: Any, built: Any) -> bool:
    if isinstance(built, (bytes, bytearray)):
        return bool(given == built
                    or given == dumps_plain_json(bytes(built), indent=None).strip('"'))
    if isinstance(built, Decimal):
        try:
            return Decimal(str(given)) == built
        except ArithmeticError:
            return False
    return bool(given == built)


def _recording(form_class: type[EntityForm]) -> type[EntityForm]:
    """The form, noting each field's value as it reads it: update mode spells the item's
    key from the values of the columns given, before the item is read."""

    class Recording(form_class):  # type: ignore[misc, valid-type]
        def _value(self, name: str, fld: f.Field, raw: Any, *, check: bool = True) -> Any:
            value = super()._value(name, fld, raw, check=check)
            if not hasattr(self, "values_read"):
                self.values_read: dict[str, Any] = {}
            self.values_read[name] = value
            return value

        def full_clean(self) -> None:
            self.values_read = {}
            super().full_clean()

    return Recording


# -- a record → form data ------------------------------------------------------------------
def _cell(fld: f.Field | None, text: str) -> str:
    """A cell's text; the apostrophe an export puts before a formula's first character is
    dropped where the field cannot start with one (a number, a date, a choice, a key)."""
    if (text[:1] == "'" and text[1:2] and text[1] in _PROTECTED
            and (fld is None or isinstance(fld, _APOSTROPHE_FREE))):
        return text[1:]
    return text


def _csv_lines(checker: _Checker, file: IO[bytes]) -> Iterator[ImportLine]:
    records = _csv_records(file)
    header: list[tuple[str, str] | None] = []
    headings: list[str] = []
    for number, cells, error in records:
        if error or cells is None:
            raise ImportFileError(f"Line {number}, the header: {error}")
        headings = [c.strip() for c in cells]
        header = [checker.columns.meaning(h) if h else None for h in headings]
        break
    else:
        raise ImportFileError("The file is empty: a CSV import starts with a header row "
                              "naming the columns.")
    unknown = [h for h, meaning in zip(headings, header, strict=True) if h and meaning is None]
    if unknown:
        raise ImportFileError(
            f"Line 1, the header: {', '.join(repr(printable_name(h)) for h in unknown)} "
            f"{'is not a column' if len(unknown) == 1 else 'are not columns'} of "
            f"{checker.entity._meta.verbose_name} (a field's name or label, a key attribute, "
            "or “Other attributes (DynamoDB JSON)”). Rename or remove "
            f"{'it' if len(unknown) == 1 else 'them'}: nothing was imported.")
    seen: dict[tuple[str, str], str] = {}
    for heading, meaning in zip(headings, header, strict=True):
        if meaning is not None and meaning in seen:
            raise ImportFileError(f"Line 1, the header: {heading!r} and {seen[meaning]!r} are "
                                  "the same column: keep one.")
        if meaning is not None:
            seen[meaning] = heading
    _require_key_columns(checker, {m[1] for m in header if m and m[0] == "field"})
    fields = checker.entity._meta.fields
    for number, cells, error in records:
        if error or cells is None:
            yield ImportLine(number, None, [error])
            continue
        if len(cells) > len(header):
            yield ImportLine(number, None, [f"{len(cells)} cells, but the header names "
                                            f"{len(header)} columns"])
            continue
        given: dict[str, Any] = {}
        keys: dict[str, Any] = {}
        errors: list[str] = []
        for position, (meaning, text) in enumerate(zip(header, cells, strict=False), start=1):
            if meaning is None:
                if text.strip():
                    errors.append(f"column {position} has no name in the header, but this "
                                  "line has a value in it")
                continue
            kind, name = meaning
            if kind == "key":
                keys[name] = _cell(None, text)
            elif kind == "extra":
                given[EXTRA] = text.strip() or "{}"
            else:
                given[name] = _cell(fields[name], text)
        for meaning in header[len(cells):]:
            if meaning and meaning[0] == "field":
                given.setdefault(meaning[1], "")
        yield checker.check(number, given, keys, errors)


def _require_key_columns(checker: _Checker, present: set[str]) -> None:
    """Update mode finds each item by its key: the file must give the fields it is spelt from."""
    if checker.mode != "update":
        return
    missing = [n for n in checker.entity._meta.primary_key.variables if n not in present]
    if missing:
        labels = ", ".join(checker.entity._meta.fields[n].label for n in missing)
        raise ImportFileError(f"Updating finds each item by its key, so the file needs the "
                              f"column{'s' if len(missing) > 1 else ''} {labels}.")


def _json_value_text(checker: _Checker, name: str, fld: f.Field, value: Any) -> Any:
    """A field's stored value as the form's input would hold it."""
    if value is None:
        return True if isinstance(fld, f.Null) else ""
    if isinstance(fld, (f.DateTime, f.TTL)):
        moment = fld.to_python(value)
        return moment.isoformat() if moment is not None else ""
    if isinstance(fld, f.Date):
        day = fld.to_python(value)
        return day.isoformat() if day is not None else ""
    field = checker.form.fields[name]
    lines = name in checker.form.list_members
    return shown(field, initial_text(fld, fld.to_python(value), lines=lines))


def _plain_to_stored(fld: f.Field, value: Any) -> Any:
    """Plain JSON as the JSON export writes it (binary as base64, sets as lists) → stored."""

    def b64(text: Any) -> bytes:
        if not isinstance(text, str):
            raise FieldError(f"{fld.label}: expected base64 text")
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise FieldError(f"{fld.label}: not valid base64") from None

    if isinstance(fld, f.Binary) and value is not None:
        return b64(value)
    if isinstance(fld, f.BinarySet) and isinstance(value, list):
        return [b64(v) for v in value]
    return value


def _json_lines(checker: _Checker, file: IO[bytes]) -> Iterator[ImportLine]:
    meta = checker.entity._meta
    columns = checker.columns
    for number, value, error in _json_records(file):
        if error:
            yield ImportLine(number, None, [error])
            continue
        errors: list[str] = []
        dynamodb = set(value) == {"Item"} and isinstance(value["Item"], dict)
        if dynamodb:
            try:
                item = loads_dynamodb_json(json.dumps(value["Item"], default=str))
            except (ValueError, RecursionError) as exc:
                yield ImportLine(number, None, [printable_name(f"Item: {exc}")])
                continue
        else:
            item = value
        given: dict[str, Any] = {}
        keys: dict[str, Any] = {}
        extras: dict[str, Any] = {}
        for attribute, stored in item.items():
            name = columns.by_attribute.get(attribute)
            if name is None and attribute in meta.fields and (
                    attribute in checker.form.fields or attribute in columns.unwritten):
                name = attribute  # a field named as in the definition rather than stored
            if name is not None:
                fld = meta.fields[name]
                try:
                    if name in columns.unwritten:
                        given[name] = stored
                    else:
                        given[name] = _json_value_text(
                            checker, name, fld, stored if dynamodb else
                            _plain_to_stored(fld, stored))
                except FieldError as exc:
                    errors.append(printable_name(str(exc)))
                except (TypeError, ValueError, ArithmeticError):
                    errors.append(printable_name(f"{fld.label}: {_short(stored)} is not a "
                                                 "value this field holds"))
            elif attribute in columns.key_attributes:
                keys[attribute] = stored
            else:
                extras[attribute] = stored
        key_names = set(meta.primary_key.variables)
        for name in key_names:
            fld = meta.fields[name]
            if fld.key_only and name not in given:
                # A key-only field lives in the key alone: read it from the key the line has.
                parsed = checker.entity.values_from_key({a: v for a, v in keys.items()})
                if name in parsed:
                    given[name] = _json_value_text(checker, name, fld, parsed[name])
        if extras:
            try:
                given[EXTRA] = dumps_dynamodb_json(extras, indent=None)
            except (TypeError, ValueError) as exc:
                errors.append(printable_name(f"Other attributes: {exc}"))
        yield checker.check(number, given, keys, errors, whole=True)


def read_lines(target: EntityAdmin | type[Entity], file: IO[bytes], fmt: str, *,
               mode: str = "create", request: Any = None) -> Iterator[ImportLine]:
    """Each line of ``file`` (binary, read as a stream), checked as the create form would;
    ``target`` an EntityAdmin (its form, for ``request``) or an Entity (its plain form).
    Raises ImportFileError, before any line, when the file cannot be imported at all."""
    if fmt not in FORMATS:
        raise ImportFileError(f"{fmt!r} is not an import format: use one of "
                              f"{', '.join(FORMATS)}.")
    if mode not in MODES:
        raise ImportFileError(f"{mode!r} is not an import mode: use one of {', '.join(MODES)}.")
    entity, form_class, _ = _target(target, request)
    checker = _Checker(entity, _recording(form_class), mode)
    yield from _csv_lines(checker, file) if fmt == "csv" else _json_lines(checker, file)


def read_range(target: EntityAdmin | type[Entity], file: IO[bytes], fmt: str,
               start_line: int, end_line: int | None, *, mode: str = "create",
               request: Any = None) -> Iterator[ImportLine]:
    """The lines that start in [``start_line``, ``end_line``) (None: to the end): a chunk of
    an import. A record spanning the boundary belongs to the chunk it starts in, so chunks
    that tile the file read every line exactly once. (A CSV's header is read by each.)"""
    for line in read_lines(target, file, fmt, mode=mode, request=request):
        if line.number < start_line:
            continue
        if end_line is not None and line.number >= end_line:
            return
        yield line


def dry_run(target: EntityAdmin | type[Entity], file: IO[bytes], fmt: str, *,
            mode: str = "create", request: Any = None) -> ImportReport:
    """Every line checked, nothing written, and no call to DynamoDB at all."""
    report = ImportReport()
    try:
        for line in read_lines(target, file, fmt, mode=mode, request=request):
            report.add(line)
    except ImportFileError as exc:
        report.file_error = str(exc)
    return report


# -- writing ---------------------------------------------------------------------------------
def _may(admin: EntityAdmin | None, request: Any, item: dict[str, Any] | None) -> bool:
    """The per-item permission, asked again of each line's item (as actions ask it)."""
    if admin is None or request is None:
        return True
    if item is None:
        return bool(admin.has_add_permission(request))
    return bool(admin.has_view_permission(request, item)
                and admin.has_change_permission(request, item))


def import_lines(table: Table, entity: type[Entity], lines: Iterable[ImportLine], *,
                 user: Any = None, mode: str = "create", entity_label: str = "",
                 admin: EntityAdmin | None = None, request: Any = None
                 ) -> Iterator[LineOutcome]:
    """Write each valid line, one guarded write each, and say what became of every line.

    With ``admin`` and a request-like ``request`` (anything with ``.user``), each item's
    permission is asked again and the write goes through ``admin.save_item`` (the host's
    hook); otherwise through ``editing.writes`` as ``user``."""
    if mode not in MODES:
        raise ImportFileError(f"{mode!r} is not an import mode: use one of {', '.join(MODES)}.")
    if request is None and admin is not None:
        request = SimpleNamespace(user=user)
    user = request.user if request is not None else user
    entity_label = entity_label or entity._meta.label
    if mode == "create":
        for line in lines:
            yield _create(table, line, user=user, entity_label=entity_label, admin=admin,
                          request=request)
        return
    batch: list[ImportLine] = []
    for line in lines:
        if line.item is None:
            yield LineOutcome(line.number, "invalid", "; ".join(line.errors))
            continue
        batch.append(line)
        if len(batch) == limits.BATCH_GET_KEYS:
            yield from _update_batch(table, entity, batch, user=user, entity_label=entity_label,
                                     admin=admin, request=request)
            batch = []
    if batch:
        yield from _update_batch(table, entity, batch, user=user, entity_label=entity_label,
                                 admin=admin, request=request)


def _create(table: Table, line: ImportLine, *, user: Any, entity_label: str,
            admin: EntityAdmin | None, request: Any) -> LineOutcome:
    if line.item is None:
        return LineOutcome(line.number, "invalid", "; ".join(line.errors))
    key = table.key_of(line.item)
    if not _may(admin, request, None):
        return LineOutcome(line.number, "refused", "you may not add this item", key)
    item = dict(line.item)
    try:
        if admin is not None:
            admin.save_item(request, item, original=None)
        else:
            writes.create(table, item, user=user, entity_label=entity_label)
    except writes.KeyTaken:
        return LineOutcome(line.number, "exists",
                           "an item with this key exists already; left as it is", key)
    except _REFUSALS as exc:
        return _refusal(line, key, exc)
    return LineOutcome(line.number, "created", "", key)


#: what refuses or fails a line's write the way any write may
_REFUSALS = (ItemInvalid, FieldError, KeyTemplateError, PermissionDenied, UserInputError,
             DataError)


def _refusal(line: ImportLine, key: dict[str, Any], exc: Exception) -> LineOutcome:
    """The outcome of a line whose write raised one of ``_REFUSALS``."""
    if isinstance(exc, (ItemInvalid, FieldError, KeyTemplateError)):
        return LineOutcome(line.number, "invalid", str(exc), key)
    if isinstance(exc, DataError):
        return LineOutcome(line.number, "failed", str(exc), key)
    return LineOutcome(line.number, "refused", str(exc) or "refused; not written", key)


def _update_batch(table: Table, entity: type[Entity], batch: list[ImportLine], *, user: Any,
                  entity_label: str, admin: EntityAdmin | None, request: Any
                  ) -> Iterator[LineOutcome]:
    try:
        found = data.batch_get(table, [line.item for line in batch if line.item is not None],
                               consistent=True)
    except DataError as exc:
        for line in batch:
            yield LineOutcome(line.number, "failed", str(exc), line.item)
        return
    current = {json.dumps(sorted(table.key_of(item).items()), default=str): item
               for item in found}
    form_class = type(f"{entity._meta.name}ImportForm", (EntityForm,), {"entity": entity})
    for line in batch:
        original = current.get(json.dumps(sorted((line.item or {}).items()), default=str))
        yield _update(table, entity, form_class, line, original, user=user,
                      entity_label=entity_label, admin=admin, request=request)


def _update(table: Table, entity: type[Entity], form_class: type[EntityForm],
            line: ImportLine, original: dict[str, Any] | None, *, user: Any, entity_label: str,
            admin: EntityAdmin | None, request: Any) -> LineOutcome:
    key = line.item
    if original is None:
        return LineOutcome(line.number, "invalid", f"no {entity._meta.verbose_name} has this "
                           "key: updating changes existing items only", key)
    if table.classify(original) is not entity:
        return LineOutcome(line.number, "invalid", "the item with this key is not "
                           f"a {entity._meta.verbose_name}; not written", key)
    version = entity._meta.version_field
    if line.version is not None and version is not None and (
            original.get(version.attribute) != line.version):
        return LineOutcome(line.number, "conflict", "changed since the file was written "
                           f"(version {original.get(version.attribute)}, the file has "
                           f"{line.version}); not written", key)
    if not _may(admin, request, original):
        return LineOutcome(line.number, "refused", "you may not change this item", key)
    if admin is not None:
        form_class = admin.get_form(request, original)
    form = form_class(data={}, original=original)
    untouched = {name: shown(field, form.get_initial_for_field(field, name))
                 for name, field in form.fields.items()}
    kept = [str(form.fields[name].label) for name, text in line.data.items()
            if name in form.fields and form.fields[name].disabled
            and not _same_text(text, untouched.get(name))]
    if kept:
        return LineOutcome(line.number, "invalid", f"{', '.join(kept)}: read-only or kept as "
                           "stored; an import cannot change it", key)
    form.data = {**untouched, **line.data}
    form.full_clean()
    if not form.is_valid() or form.cleaned_item is None:
        messages = [str(m) if name == NON_FIELD_ERRORS else
                    f"{'Other attributes' if name == EXTRA else form.fields[name].label}: {m}"
                    for name, ms in form.errors.items() for m in ms]
        return LineOutcome(line.number, "invalid", "; ".join(messages), key)
    try:
        if admin is not None:
            admin.save_item(request, form.cleaned_item, original=original)
        else:
            writes.save(table, original, form.cleaned_item, user=user,
                        entity_label=entity_label)
    except writes.NothingChanged:
        return LineOutcome(line.number, "unchanged", "", key)
    except (writes.EditConflict, writes.KeyTaken):
        return LineOutcome(line.number, "conflict", "changed by someone else since it was "
                           "read; not written", key)
    except _REFUSALS as exc:
        return _refusal(line, key, exc)
    return LineOutcome(line.number, "updated", "", key)


def _same_text(a: Any, b: Any) -> bool:
    return (a or "") == (b or "") if isinstance(a, str) or isinstance(b, str) else a == b


# -- a chunk of an import job ------------------------------------------------------------------
def run_chunk(job: Any, chunk: Any, *, admin: EntityAdmin, storage: Any = None,
              resume_after: int | None = None) -> Iterator[LineOutcome]:
    """Import one chunk of a stored file, as ``job``'s creator: each line's outcome as it
    is written, so that the engine can checkpoint after each.

    Reads ``job.parameters["file"]`` (the file's name in ``storage``, by default Django's
    ``default_storage``), ``job.parameters["format"]`` ("csv" or "jsonl"),
    ``job.parameters.get("mode", "create")``, ``job.created_by`` (the user whose permissions
    apply), and ``chunk.first_line`` / ``chunk.last_line``: the chunk's lines are
    [first_line, last_line), ``last_line`` None for the rest of the file. ``resume_after``:
    the last line number a previous run of this chunk checkpointed (its lines are skipped).
    The request-like object the admin's permission hooks see has ``user`` only."""
    if storage is None:
        from django.core.files.storage import default_storage as storage
    parameters = job.parameters
    mode = parameters.get("mode", "create")
    request = SimpleNamespace(user=job.created_by)
    first = chunk.first_line if resume_after is None else max(chunk.first_line,
                                                              resume_after + 1)
    with storage.open(parameters["file"], "rb") as file:
        lines = read_range(admin, file, parameters["format"], first, chunk.last_line,
                           mode=mode, request=request)
        yield from import_lines(admin.opts.table, admin.entity, lines, mode=mode, admin=admin,
                                request=request)
