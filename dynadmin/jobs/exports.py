"""Full exports: every item a job's query matches, written to the project's storage.

A job reads its query in chunks that any worker may take, so an export is written in parts:
each chunk's items become one part file (``dynadmin-exports/<job>/part-000001.csv``), written
whole again when a worker takes over a chunk another left unfinished, and the finished parts
are then streamed, in order, into the one file offered for download. Nothing holds a file in
memory: items are encoded and written in blocks, and parts are copied in blocks, so a worker's
memory does not grow with the size of the export (a storage's own buffers aside: S3Storage
sends a multipart upload in parts of ``AWS_S3_FILE_BUFFER_SIZE``, and reads each part, one
chunk's items, whole into memory unless ``AWS_S3_MAX_MEMORY_SIZE`` sends it to disk).

Three formats, each spelling values as the partition page's download does, so a page's
download and a full export of the same items agree:

- ``csv``: the entity's declared fields in order, headed by field name, then the table's key
  attributes and its type attribute when no field covers them, then one column holding every
  other attribute as DynamoDB JSON, so that no attribute is lost. An item of another entity,
  or of none, is still exported: its attributes fill the columns named like them.
- ``jsonl``: one plain-JSON object per item (numbers exact, binary base64, sets as lists).
- ``ddb-json``: one ``{"Item": {...}}`` of DynamoDB JSON per line, the way DynamoDB's own
  export to S3 writes items: every type kept, numbers written as DynamoDB returns them.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.storage import Storage, storages

from .. import conf
from ..data.serialization import dumps_plain_json, serialize_item
from ..services.partitions.export import _cell as page_cell

if TYPE_CHECKING:
    from ..definitions import Entity, Field, Table

__all__ = [
    "DIRECTORY", "FORMATS", "OTHER_ATTRIBUTES", "ExportFormat", "ExportPartMissing",
    "PartResult", "assemble",
    "dynamodb_json_line", "export_storage", "finish", "part_name", "run_chunk",
    "write_part",
]

#: Where exports live in the storage: one folder per job.
DIRECTORY = "dynadmin-exports"

#: Bytes gathered before one write to the storage, and copied at a time when assembling:
#: large enough that a remote storage sees few calls, small enough to never matter in memory.
BLOCK_BYTES = 256 * 1024

#: The CSV column holding what no other column does (its heading is no field's name).
OTHER_ATTRIBUTES = "(other attributes)"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    label: str


FORMATS = {
    "csv": ExportFormat("csv", "csv", "CSV"),
    "jsonl": ExportFormat("jsonl", "jsonl", "JSON Lines"),
    "ddb-json": ExportFormat("ddb-json", "ddb.json", "DynamoDB JSON"),
}


@dataclass(frozen=True)
class PartResult:
    """One written part: its name in the storage, its items and its size in bytes."""

    name: str
    count: int
    bytes: int


class ExportPartMissing(LookupError):
    """A part the export needs is not in the storage (and the export was never assembled)."""


def export_storage() -> Storage:
    """The storage exports are written to: ``STORAGES[DYNADMIN_EXPORT_STORAGE]``."""
    return storages[conf.get("EXPORT_STORAGE")]


def part_name(job_id: Any, part_number: int, fmt: str) -> str:
    return f"{DIRECTORY}/{job_id}/part-{part_number:06d}.{_format(fmt).extension}"


# -- writing ------------------------------------------------------------------------------
def write_part(storage: Storage, job_id: Any, part_number: int, fmt: str, table: Table,
               entity: type[Entity] | None, items: Iterable[Mapping[str, Any]]) -> PartResult:
    """Write one chunk's items as part ``part_number`` of job ``job_id``'s export.

    A part written again (a chunk taken over after its worker died) replaces the earlier
    attempt whole: the assembled file holds each item once. A CSV part has no heading row;
    ``assemble`` writes it once.
    """
    name = part_name(job_id, part_number, fmt)
    lines = _lines(fmt, table, entity, items)
    count = size = 0
    try:
        with _open_for_writing(storage, name) as out:
            for block, block_count in _blocks(lines):
                out.write(block)
                count += block_count
                size += len(block)
    except BaseException:
        # Items that stopped coming (DynamoDB unreachable, the worker told to stop) leave no
        # half part that an assembly could take for a whole one: the chunk is written again.
        storage.delete(name)
        raise
    return PartResult(name=name, count=count, bytes=size)


def assemble(storage: Storage, job_id: Any, fmt: str, part_names: Sequence[str], table: Table,
             entity: type[Entity] | None, final_name: str) -> str:
    """Stream the parts, in order, into the export's one file, then delete them.

    ``final_name`` is the file's name as a person downloads it (``Application-Order.csv``);
    the returned name is where the storage holds it. Assembling again after a worker died
    while deleting the parts finishes the deletion: the file was already whole.
    """
    name = f"{DIRECTORY}/{job_id}/{_safe_file_name(final_name)}"
    missing = [part for part in part_names if not storage.exists(part)]
    if missing and storage.exists(name):
        _delete(storage, part_names)
        return name
    if missing:
        raise ExportPartMissing(f"the export's part {missing[0]} is not in the storage")
    with _open_for_writing(storage, name) as out:
        if fmt == "csv":
            out.write(next(_csv_lines([_CsvLayout(table, entity).headings()])).encode())
        for part in part_names:
            with storage.open(part, "rb") as source:
                while block := source.read(BLOCK_BYTES):
                    out.write(block)
    _delete(storage, part_names)
    return name


def run_chunk(job: Any, chunk: Any, items: Iterable[Mapping[str, Any]], table: Table,
              entity: type[Entity] | None = None) -> PartResult:
    """The job engine's call for one chunk of an export job: ``write_part`` to the export
    storage, numbered by the chunk. Reads ``job.id``, ``job.parameters["format"]`` and
    ``chunk.number``; ``table`` and ``entity`` are the ones the chunk's query was read with."""
    return write_part(export_storage(), job.id, chunk.number, job.parameters["format"], table,
                      entity, items)


def finish(job: Any, part_names: Sequence[str], table: Table,
           entity: type[Entity] | None = None) -> str:
    """The job engine's call once every chunk of an export job is written: ``assemble`` the
    parts (in chunk order) into ``<table>-<entity>.<extension>``. Reads ``job.id`` and
    ``job.parameters["format"]``; returns the stored name ``download_url`` signs."""
    fmt = job.parameters["format"]
    what = entity._meta.name if entity is not None else "items"
    return assemble(export_storage(), job.id, fmt, part_names, table, entity,
                    f"{table.name}-{what}.{_format(fmt).extension}")


def _format(fmt: str) -> ExportFormat:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}: one of {', '.join(FORMATS)}"
                         ) from None


def _open_for_writing(storage: Storage, name: str) -> Any:
    """``storage.open(name, "wb")``, its folder made first on a local storage (a remote one,
    such as S3, has no folders to make)."""
    try:
        path = storage.path(name)
    except NotImplementedError:
        pass
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    return storage.open(name, "wb")


def _delete(storage: Storage, names: Iterable[str]) -> None:
    for name in names:
        storage.delete(name)


def _safe_file_name(name: str) -> str:
    """One file name inside the job's folder, whatever the caller passed."""
    cleaned = "".join("_" if c in "/\\" or not c.isprintable() else c for c in name)
    return cleaned.strip(". ") or "export"


def _blocks(lines: Iterator[str]) -> Iterator[tuple[bytes, int]]:
    """The lines as UTF-8 blocks of about ``BLOCK_BYTES``, each with how many lines it holds."""
    pending: list[str] = []
    pending_size = 0
    for line in lines:
        pending.append(line)
        pending_size += len(line)
        if pending_size >= BLOCK_BYTES:
            yield "".join(pending).encode(), len(pending)
            pending, pending_size = [], 0
    if pending:
        yield "".join(pending).encode(), len(pending)


def _lines(fmt: str, table: Table, entity: type[Entity] | None,
           items: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """One text line per item (a CSV line may hold quoted line breaks of its values)."""
    _format(fmt)
    if fmt == "jsonl":
        return (dumps_plain_json(item, indent=None) + "\n" for item in items)
    if fmt == "ddb-json":
        return (dynamodb_json_line(item) + "\n" for item in items)
    layout = _CsvLayout(table, entity)
    return _csv_lines(layout.row(item) for item in items)


# -- DynamoDB JSON ------------------------------------------------------------------------
def dynamodb_json_line(item: Mapping[str, Any]) -> str:
    """``{"Item":{...}}``: an item as DynamoDB's export to S3 writes it."""
    return f'{{"Item":{_dynamodb_json(item)}}}'


def _dynamodb_json(attributes: Mapping[str, Any]) -> str:
    """Compact DynamoDB JSON, numbers as DynamoDB returns them (``0.0000001``, where Python's
    ``Decimal`` prints ``1E-7``), the members of a set in sorted order."""
    wire = {name: _wire_json(value) for name, value in serialize_item(attributes).items()}
    return json.dumps(wire, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _wire_json(value: Mapping[str, Any]) -> dict[str, Any]:
    (kind, data), = value.items()
    if kind == "N":
        return {"N": _positional(data)}
    if kind == "NS":
        return {"NS": sorted(_positional(n) for n in data)}
    if kind == "B":
        return {"B": _base64(data)}
    if kind == "BS":
        return {"BS": sorted(_base64(b) for b in data)}
    if kind == "L":
        return {"L": [_wire_json(v) for v in data]}
    if kind == "M":
        return {"M": {k: _wire_json(v) for k, v in data.items()}}
    return dict(value)


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _positional(text: str) -> str:
    """A number's digits without an exponent, as DynamoDB writes them (``-0`` is ``0``)."""
    number = Decimal(text)
    return "0" if number.is_zero() else format(number, "f")


# -- CSV ----------------------------------------------------------------------------------
def _csv_lines(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """Each row as CSV text, through one writer and one buffer emptied after every row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


@dataclass(frozen=True)
class _Column:
    heading: str
    #: the attribute the column shows (None for a key-only field: read from the keys)
    attribute: str | None
    field: Field | None = None


class _CsvLayout:
    """The columns of one export: the same for every part, so parts join under one heading."""

    def __init__(self, table: Table, entity: type[Entity] | None) -> None:
        self.table, self.entity = table, entity
        columns: list[_Column] = []
        if entity is not None:
            columns += [_Column(name, attribute, fld)
                        for name, fld, attribute in entity._meta.field_attributes]
        covered = {c.attribute for c in columns}
        table_attributes = [*table.key_attribute_types(), table.type_attribute]
        columns += [_Column(a, a) for a in dict.fromkeys(table_attributes)
                    if a and a not in covered]
        self.columns = columns
        self.attributes = frozenset(c.attribute for c in columns if c.attribute)
        self.key_only = [c for c in columns if c.attribute is None]

    def headings(self) -> list[str]:
        # Names are data too: a field or attribute named "=cmd|..." is a formula.
        return [page_cell(c.heading) for c in self.columns] + [OTHER_ATTRIBUTES]

    def row(self, item: Mapping[str, Any]) -> list[str]:
        from_keys = self._key_only_values(item) if self.key_only else {}
        cells = []
        for column in self.columns:
            if column.attribute is not None:
                cells.append(page_cell(item[column.attribute])
                             if column.attribute in item else "")
            else:
                cells.append(from_keys.get(column.heading, ""))
        other = {a: v for a, v in item.items() if a not in self.attributes}
        cells.append(page_cell(_dynamodb_json(other)) if other else "")
        return cells

    def _key_only_values(self, item: Mapping[str, Any]) -> dict[str, str]:
        """The key-only fields' values, read from the keys of an item of the entity."""
        if self.entity is None or self.table.classify(item) is not self.entity:
            return {}
        values: dict[str, Any] = {}
        for key in self.entity._meta.keys.values():
            values.update(key.parse(item) or {})
        spelled = {}
        for column in self.key_only:
            if column.heading in values and column.field is not None:
                value = values[column.heading]
                try:
                    value = column.field.to_dynamo(value)
                except ValueError:
                    pass  # spelled as the key holds it
                spelled[column.heading] = page_cell(value)
        return spelled
