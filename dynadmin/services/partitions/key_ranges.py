"""Sort-key conditions asked in an entity's words: "placed on from 2024-01-01 to 2024-01-31".

A person gives values of the sort key's leading field; the key template (the single source
of truth for how keys are spelled) turns them into inclusive bounds, so the orders of the 31st
are found although their key, ``ORDER#2024-01-31#456``, sorts after ``ORDER#2024-01-31``.
The query string keeps the person's words (``sk_entity``, ``sk_from``, ``sk_to``), so links
and cursors stay readable and the summary repeats what was asked.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from ...data import SortCondition
from ...definitions import Entity, Index, Key, KeyTemplateError
from ...definitions.fields import DateTime, Field, FieldError
from ...user_errors import UserInputError
from ..inputs import ReadForm, read_widget

__all__ = ["KeyHint", "RangeForm", "SortRange", "key_hints", "missing_prefixes", "range_key",
           "sort_range_from_params"]


@dataclass(frozen=True)
class SortRange:
    """The leading field of an entity's sort key from ``low`` to ``high``, both included
    (either may be missing: then it is ``>=`` or ``<=``)."""

    entity: type[Entity]
    key: Key
    field: Field
    low: Any = None
    high: Any = None

    @property
    def field_name(self) -> str:
        return self.field.name

    def bounds(self) -> tuple[Any, Any]:
        """The sort-key values of ``low`` and ``high`` (each None when not given)."""
        low, high = _as_key_values(self.field, self.low, self.high)
        template = self.key.sk
        assert template is not None
        if self.key.index.sk_type != "S":
            return low, high
        filler = high if high is not None else low
        first = low if low is not None else filler
        try:
            lower, upper = template.range_bounds(first, filler)
        except KeyTemplateError as exc:
            raise UserInputError(str(exc)) from None
        return (lower if low is not None else None), (upper if high is not None else None)

    def condition(self) -> SortCondition:
        lower, upper = self.bounds()
        if lower is not None and upper is not None:
            return SortCondition("between", lower, upper)
        if lower is not None:
            return SortCondition(">=", lower)
        return SortCondition("<=", upper)

    def params(self) -> dict[str, str]:
        out = {"sk_entity": self.entity._meta.name}
        if self.low is not None:
            out["sk_from"] = str(self.low)
        if self.high is not None:
            out["sk_to"] = str(self.high)
        return out

    def describe(self) -> str:
        """The range in words: "Placed at, from 2024-01-01 to 2024-01-31 (both included)"."""
        label = self.field.label
        if self.low is not None and self.high is not None:
            return _("%(field)s, from %(low)s to %(high)s (both included)") % {
                "field": label, "low": self.low, "high": self.high}
        if self.low is not None:
            return _("%(field)s, from %(low)s on") % {"field": label, "low": self.low}
        return _("%(field)s, up to %(high)s (included)") % {"field": label, "high": self.high}


def _as_key_values(fld: Field, low: Any, high: Any) -> tuple[Any, Any]:
    """A DateTime asked by dates covers whole days: from midnight to the last microsecond."""
    if isinstance(fld, DateTime):
        if isinstance(low, dt.date) and not isinstance(low, dt.datetime):
            low = dt.datetime.combine(low, dt.time.min, tzinfo=dt.UTC)
        if isinstance(high, dt.date) and not isinstance(high, dt.datetime):
            high = dt.datetime.combine(high, dt.time.max, tzinfo=dt.UTC)
    return low, high


def range_key(entity: type[Entity], index: Index) -> Key | None:
    """The entity's key on ``index`` whose sort key a range can be asked on."""
    for key in entity._meta.keys.values():
        if key.index_name == index.name and key.sk is not None and key.sk.leading_variable:
            return key
    return None


class RangeForm(ReadForm):
    """A sort key's leading field asked from one value to another (``sk_from``, ``sk_to``),
    each input of its field's type (a date-time is asked by the day); ``ids`` prefixes the
    inputs' ids, ``labels`` name the two ends."""

    def __init__(self, fld: Field, *, ids: str, labels: tuple[str, str], low: str = "",
                 high: str = "") -> None:
        super().__init__(initial={"sk_from": low, "sk_to": high}, auto_id=False)
        self.field_label = fld.label
        self.low, self.high = low, high
        # Shared by every range form of the field (only read while rendering): their
        # markup is kept for each value shown (``ReadForm.shared_fields``).
        fields = _range_fields(fld, ids, labels)
        self.fields = dict(fields)
        self.shared_fields = frozenset(fields)

    @property
    def placeholder(self) -> str:
        """How a value is written, where the input says (``YYYY-MM-DD``)."""
        return self.fields["sk_from"].widget.attrs.get("placeholder", "")

    @property
    def help_text(self) -> str:
        if self.placeholder:
            return _("%(field)s, from one day to another: both days included, written "
                     "%(form)s.") % {"field": self.field_label, "form": self.placeholder}
        return _("%(field)s, from one value to another: both included.") % {
            "field": self.field_label}


@functools.lru_cache(maxsize=256)
def _range_fields(fld: Field, ids: str, labels: tuple[str, str]) -> dict[str, forms.Field]:
    """A range form's two fields for ``fld``, built once: they depend on nothing else
    (``labels`` come translated)."""
    return {name: forms.CharField(
                label=label, required=False, template_name="dynadmin/forms/inline_field.html",
                widget=read_widget(fld, whole_days=True, attrs={"id": f"{ids}-{end}"}))
            for name, end, label in (("sk_from", "from", labels[0]),
                                     ("sk_to", "to", labels[1]))}


def _parse(fld: Field, raw: str) -> Any:
    if isinstance(fld, DateTime):
        # Whole days: the date picker gives a date; a full moment is also understood.
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    try:
        return fld.to_python(raw)
    except (FieldError, ValueError, TypeError) as exc:
        raise UserInputError(_("%(field)s: %(raw)r is not a valid value (%(why)s).")
                             % {"field": fld.label, "raw": raw, "why": exc}) from None


def sort_range_from_params(entities: list[type[Entity]], index: Index,
                           params: Mapping[str, str]) -> SortRange | None:
    """The range ``sk_entity``/``sk_from``/``sk_to`` ask for, or None when none is asked."""
    name = params.get("sk_entity") or ""
    low_raw = (params.get("sk_from") or "").strip()
    high_raw = (params.get("sk_to") or "").strip()
    if not name or not (low_raw or high_raw):
        return None
    entity = next((e for e in entities if e._meta.name == name), None)
    key = range_key(entity, index) if entity is not None else None
    if entity is None or key is None or key.sk is None:
        raise UserInputError(_("%(name)s has no sort key on %(index)s to ask a range on.")
                             % {"name": name, "index": index.label})
    fld = entity._meta.fields[key.sk.leading_variable or ""]
    low = _parse(fld, low_raw) if low_raw else None
    high = _parse(fld, high_raw) if high_raw else None
    if low is not None and high is not None and _comparable(high) < _comparable(low):
        raise UserInputError(_("The range ends (%(high)s) before it starts (%(low)s).")
                             % {"high": high_raw, "low": low_raw})
    return SortRange(entity=entity, key=key, field=fld, low=low, high=high)


def _comparable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


@dataclass(frozen=True)
class KeyHint:
    """How one entity spells its sort keys in a partition: the template beside the raw form,
    the literal prefix ``begins_with`` needs, and a range form in the entity's words."""

    entity_name: str
    label: str
    template: str
    prefix: str
    field_name: str
    field_label: str
    form: RangeForm


def key_hints(entities: list[type[Entity]], index: Index, pk: Any) -> list[KeyHint]:
    """The entities whose keys on ``index`` can live in partition ``pk``, with their sort
    key templates (only those with a placeholder to ask a range on)."""
    hints = []
    for entity in entities:
        key = range_key(entity, index)
        if key is None or key.sk is None or not key.pk.matches(pk):
            continue
        fld = entity._meta.fields.get(key.sk.leading_variable or "")
        if fld is None:
            continue
        hints.append(KeyHint(
            entity_name=entity._meta.name, label=entity._meta.verbose_name,
            template=key.sk.template, prefix=key.sk.literal_prefix, field_name=fld.name,
            field_label=fld.label, form=RangeForm(
                fld, ids=f"w-{entity._meta.name}", labels=(_("from"), _("to")))))
    return hints


def missing_prefixes(hints: list[KeyHint], value: Any) -> list[KeyHint]:
    """The entities whose sort keys ``value`` would match with their literal prefix before
    it: ``2024-03`` finds nothing, ``ORDER#2024-03`` finds March's orders."""
    if not isinstance(value, str):
        return []
    if any(h.prefix and value.startswith(h.prefix) for h in hints):
        return []
    return [h for h in hints if h.prefix]
