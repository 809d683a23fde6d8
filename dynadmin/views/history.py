"""Recent writes, site-wide, from the audit log: filtered, paged, each undoable where allowed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from ..data.serialization import loads_dynamodb_json
from ..models import AuditEntry
from ..services.changes.audit_entries import visible_page
from ..services.display.names import entry_name
from ..services.url_keys import item_url
from .undo import offer_undo

if TYPE_CHECKING:
    from ..sites import AdminSite

__all__ = ["PER_PAGE", "AuditFilter", "recent_actions"]

PER_PAGE = 50
_ANY = [("", _("Any"))]


class AuditFilter(forms.Form):
    """The filters above Recent actions, each narrowing the entries this person may see."""

    person = forms.ChoiceField(label=_("Person"), required=False)
    entity = forms.ChoiceField(label=_("Entity"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=_ANY + list(AuditEntry.Action.choices))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=_ANY + list(AuditEntry.Outcome.choices))

    def __init__(self, data: Any, *, entries: QuerySet, entities: list[tuple[str, str]],
                 per_item: bool = False) -> None:
        super().__init__(data)
        if per_item:
            # Listing who wrote the entries would name those whose entries are all withheld
            # from this person: the name is typed instead.
            self.fields["person"] = forms.CharField(label=_("Person"), required=False)
        else:
            people = entries.order_by("username").values_list("username", flat=True).distinct()
            self.fields["person"].choices = _ANY + [(p, p) for p in people]
        self.fields["entity"].choices = _ANY + entities

    def apply(self, entries: QuerySet) -> QuerySet:
        if not self.is_valid():
            return entries.none()
        for name in ("person", "entity", "action", "outcome"):
            value = self.cleaned_data.get(name)
            if value:
                column = "username" if name == "person" else name
                entries = entries.filter(**{column: value})
        return entries


def _item_link(site: AdminSite, entry: AuditEntry) -> str:
    table = site.get_table(entry.table)
    if table is None:
        return ""
    try:
        return item_url(table, loads_dynamodb_json(entry.key))
    except (ValueError, KeyError):
        return ""


def _entry_id(request: HttpRequest, name: str) -> int | None:
    """An entry's id from the address (a page's position in the log); anything else, none."""
    text = request.GET.get(name, "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def recent_actions(request: HttpRequest, site: AdminSite) -> HttpResponse:
    """Entries about entities the person may view (what a write tried and changed is as
    telling as the item itself); entries about unclassified items, superusers only."""
    entries = AuditEntry.objects.select_related("user")
    labels = site.viewable_labels(request)
    entries = entries.visible_to(labels)
    entities = [(a.opts.label, str(a.opts.verbose_name)) for a in site.admins
                if labels is None or a.opts.label in labels]
    per_item = site.decides_view_per_item()
    filters = AuditFilter(request.GET, entries=entries, entities=entities, per_item=per_item)
    # Where an admin decides per item, entries are filtered before they are paged (a page
    # filtered afterwards would come up short) and no total is told (it counts the withheld).
    paginator = None
    if per_item:
        page = visible_page(filters.apply(entries),
                            lambda entry: site.may_view_entry(request, entry), size=PER_PAGE,
                            before=_entry_id(request, "before"), after=_entry_id(request, "after"))
        listed = page.entries
    else:
        page = Paginator(filters.apply(entries), PER_PAGE).get_page(request.GET.get("page"))
        listed, paginator = list(page.object_list), page.paginator
    names = dict(entities)
    shown = offer_undo(site, request, listed)
    for entry in shown:
        entry.item_link = _item_link(site, entry)
        entry.item_name = entry_name(site, entry)
        entry.entity_name = names.get(entry.entity, entry.entity)
    query = request.GET.copy()
    for name in ("page", "before", "after"):
        query.pop(name, None)
    return TemplateResponse(request, site.template_names("recent_actions.html"), {
        "entries": shown, "page": page, "paginator": paginator, "filters": filters,
        "filter_query": query.urlencode(),
    })
