"""The filters of a table's Activity, as a form: the entity, the partition, the event, who made
the changes and a time range (UTC), from the page's query string.

An entity the person may not view is not offered, and asking for it is refused before
anything is read, as is any value the page cannot read with: the form says what is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ...definitions import Table
from ..inputs import DATE_PATTERN, Menu, ReadForm, TypedInput
from ..url_keys import BadKey, parse_key_value

__all__ = ["ACTIVITY_EVENTS", "ACTIVITY_ORIGINS", "ActivityFilters", "ActivityForm"]

ACTIVITY_EVENTS = ("INSERT", "MODIFY", "REMOVE")
#: Who made a change, as the filter asks it (the rows' ``data-origin``).
ACTIVITY_ORIGINS = (("dynadmin", _lazy("through dynadmin")),
                    ("elsewhere", _lazy("elsewhere (not through dynadmin)")),
                    ("ttl", _lazy("DynamoDB's TTL (expired)")))
_MOMENT_INPUT = DATE_PATTERN + r"([ T]\d{2}:\d{2}(:\d{2})?Z?)?"


@dataclass(frozen=True)
class ActivityFilters:
    """What the person asked to see: an entity (its label), one partition (its key value,
    typed), one event type, who made the changes, and a time range (UTC, both ends kept)."""

    entity: str = ""
    pk: str = ""
    pk_value: Any = None
    event: str = ""
    who: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    #: the time range as typed, for the page's links
    since_text: str = ""
    until_text: str = ""

    def as_params(self) -> dict[str, str]:
        return {name: value for name, value in (
            ("entity", self.entity), ("pk", self.pk), ("event", self.event),
            ("who", self.who), ("since", self.since_text), ("until", self.until_text))
            if value}

    @property
    def keeps_some(self) -> bool:
        """Some changes read may be left out (the filters a Query cannot apply)."""
        return bool(self.entity or self.event or self.who)


def _moment(text: str, *, end: bool) -> dt.datetime:
    """An ISO date or date-time, UTC: a date alone is its first second (``end``: its last)."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        pass
    else:
        moment = dt.datetime.combine(day, dt.time(), dt.UTC)
        return moment + dt.timedelta(days=1, seconds=-1) if end else moment
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(_("%(text)s is not a date (YYYY-MM-DD) or a date and time "
                                "(YYYY-MM-DD HH:MM, UTC).") % {"text": text}) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


class ActivityForm(ReadForm):
    """The filters of the Activity page, from its query string (``entity``, ``pk``,
    ``event``, ``who``, ``since``, ``until``). An entity the person may not view is not
    offered, and asking for it is refused, like any value the page cannot read with."""

    NAMES = ("entity", "pk", "event", "who", "since", "until")

    def __init__(self, table: Table, params: Mapping[str, str],
                 entities: list[tuple[str, str]]) -> None:
        values = {name: str(params.get(name, "")).strip() for name in self.NAMES}
        values["event"] = values["event"].upper()
        super().__init__(data=values, auto_id="activity-%s")
        self.table = table
        common: dict[str, Any] = {"required": False,
                                  "template_name": "dynadmin/forms/key_field.html"}
        self.fields["entity"] = forms.ChoiceField(
            label=_("Entity"), choices=[("", _("any")), *entities],
            widget=Menu(attrs={"id": "activity-entity"}), error_messages={
                "invalid_choice": _("%(value)s is not an entity of this table whose items "
                                    "you may view.")}, **common)
        self.fields["pk"] = forms.CharField(
            label=_("Partition key (exact)"),
            widget=TypedInput(attrs={"spellcheck": "false", "autocomplete": "off"}), **common)
        self.fields["event"] = forms.ChoiceField(
            label=_("Event"), choices=[("", _("any")), *((e, e) for e in ACTIVITY_EVENTS)],
            widget=Menu(attrs={"id": "activity-event"}), **common)
        self.fields["who"] = forms.ChoiceField(
            label=_("Made"), choices=[("", _("by anyone")), *ACTIVITY_ORIGINS],
            widget=Menu(attrs={"id": "activity-who"}), **common)
        moment = {"placeholder": "YYYY-MM-DD HH:MM", "pattern": _MOMENT_INPUT,
                  "title": "YYYY-MM-DD HH:MM", "autocomplete": "off"}
        self.fields["since"] = forms.CharField(
            label=_("From (UTC)"), widget=TypedInput(attrs=moment), **common)
        self.fields["until"] = forms.CharField(
            label=_("Until (UTC)"), widget=TypedInput(attrs=moment), **common)

    def clean_pk(self) -> Any:
        text = self.cleaned_data["pk"]
        if not text:
            return None
        index = self.table.primary
        try:
            return parse_key_value(text, index.pk, index.pk_type)
        except BadKey as error:
            raise ValidationError(str(error)) from None

    def clean_since(self) -> dt.datetime | None:
        text = self.cleaned_data["since"]
        return _moment(text, end=False) if text else None

    def clean_until(self) -> dt.datetime | None:
        text = self.cleaned_data["until"]
        return _moment(text, end=True) if text else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since is not None and until is not None and since > until:
            self.add_error("until", _("The end of the time range is before its start."))
        return cleaned

    def filters(self) -> ActivityFilters:
        """The filters asked (the form must be valid)."""
        cleaned = self.cleaned_data
        return ActivityFilters(
            entity=cleaned["entity"], pk=self.data["pk"] if cleaned["pk"] is not None else "",
            pk_value=cleaned["pk"], event=cleaned["event"], who=cleaned["who"],
            since=cleaned["since"], until=cleaned["until"],
            since_text=self.data["since"] if cleaned["since"] else "",
            until_text=self.data["until"] if cleaned["until"] else "")
