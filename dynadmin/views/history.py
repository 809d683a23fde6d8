"""Recent writes, site-wide, from the audit log: filtered, paged, each undoable where allowed.

A bulk job's items are each an entry of their own, filed under the job: the log shows the job
as one row (where its newest entry would be) that opens its entries (``?job=N``), so twelve
thousand writes of one job do not bury every other write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from ..data.serialization import loads_dynamodb_json
from ..jobs.engine import permission_of
from ..models import AuditEntry, Job, JobItem
from ..services.changes.audit_entries import visible_page
from ..services.display.names import entry_name
from ..services.links import site_url
from ..services.url_keys import item_url
from .undo import offer_undo

if TYPE_CHECKING:
    from ..sites import AdminSite

__all__ = ["PER_PAGE", "AuditFilter", "link_jobs", "recent_actions"]

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


def _may_open_job(request: HttpRequest, kind: str) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.has_perm(permission_of(kind)))


def link_jobs(request: HttpRequest, entries: list[AuditEntry]) -> list[AuditEntry]:
    """Give each entry a job wrote ``job_url``: the job's page for a person who may open it,
    else the audit log's entries of that job (a link to a page that answers 403 helps no one).
    One query for the page's jobs, whatever their number."""
    ids = {entry.job_id for entry in entries if entry.job_id is not None}
    kinds = dict(Job.objects.filter(pk__in=ids).values_list("pk", "kind")) if ids else {}
    for entry in entries:
        kind = kinds.get(entry.job_id)
        if kind is None:
            entry.job_url = ""
        elif _may_open_job(request, kind):
            entry.job_url = site_url("job", job_id=str(entry.job_id))
        else:
            entry.job_url = f"{site_url('recent_actions')}?job={entry.job_id}"
    return entries


def _collapsed(entries: QuerySet, labels: list[str] | set[str] | None) -> QuerySet:
    """The entries no job wrote, and for each job one entry (its newest among ``entries``,
    so the job keeps its place in the log's order and in its filters) standing for it. A job
    stands in the log only for those who may view its entity."""
    by_job = entries.filter(job__isnull=False)
    if labels is not None:
        by_job = by_job.filter(job__entity__in=labels)
    newest = by_job.order_by().values("job").annotate(newest=Max("pk")).values("newest")
    return entries.filter(Q(job__isnull=True) | Q(pk__in=newest))


def _describe_job(job: Job) -> str:
    """What the job did to each item, as its row says it: "set status = CANCELLED"."""
    parameters = job.parameters or {}
    if job.kind == Job.Kind.UPDATE:
        changes = ", ".join(f"{name} = {value}"
                            for name, value in (parameters.get("set") or {}).items())
        return _("set %(changes)s") % {"changes": changes}
    if job.kind == Job.Kind.ACTION:
        return _("action %(name)s") % {"name": parameters.get("action", "")}
    if job.kind == Job.Kind.UNDO and job.undoes_id is not None:
        return _("undo of job #%(id)s") % {"id": job.undoes_id}
    return str(job.get_kind_display()).lower()


def _job_rows(entries: list[AuditEntry], names: dict[str, str]) -> None:
    """The page's job rows told from their jobs and their items' outcomes: two queries for
    the page, whatever its number of jobs."""
    ids = {entry.job_id for entry in entries if entry.job_id is not None}
    if not ids:
        return
    jobs = Job.objects.in_bulk(ids)
    outcomes: dict[int, dict[str, int]] = {}
    for row in (JobItem.objects.filter(job_id__in=ids).order_by()
                .values("job_id", "status").annotate(n=Count("id"))):
        outcomes.setdefault(row["job_id"], {})[row["status"]] = row["n"]
    for entry in entries:
        job = jobs.get(entry.job_id)
        if job is None:
            continue
        counted = outcomes.get(job.pk, {})
        entry.job_row = {
            "job": job, "what": _describe_job(job),
            "entity_name": names.get(job.entity, job.entity),
            "items": sum(counted.values()),
            "outcomes": [(JobItem.Status(status).label, n) for status, n in counted.items()
                         if n and status in JobItem.Status.values],
            "entries_url": f"{site_url('recent_actions')}?job={job.pk}",
        }


def recent_actions(request: HttpRequest, site: AdminSite) -> HttpResponse:
    """Entries about entities the person may view (what a write tried and changed is as
    telling as the item itself); entries about unclassified items, superusers only. A job's
    entries stand as one row, opened by ``?job=N`` (each entry then as visible as any)."""
    entries = AuditEntry.objects.all()  # each carries its username: no user row is read
    labels = site.viewable_labels(request)
    entries = entries.visible_to(labels)
    job_id = _entry_id(request, "job")
    entities = [(a.opts.label, str(a.opts.verbose_name)) for a in site.admins
                if labels is None or a.opts.label in labels]
    per_item = site.decides_view_per_item(request)
    filters = AuditFilter(request.GET, entries=entries, entities=entities, per_item=per_item)
    # Where an admin decides per item, entries are filtered before they are paged (a page
    # filtered afterwards would come up short) and no total is told (it counts the withheld).
    filtered = filters.apply(entries)
    job = None
    if job_id is not None:
        filtered = filtered.filter(job_id=job_id)
        job = Job.objects.filter(pk=job_id).first()
        if job is not None and labels is not None and job.entity not in labels:
            job = None
    else:
        filtered = _collapsed(filtered, labels)

    def may_see(entry: AuditEntry) -> bool:
        # a job's row is the job's, shown to those who may view its entity; its entries,
        # once opened, are judged one by one
        return (job_id is None and entry.job_id is not None) or site.may_view_entry(
            request, entry)

    paginator = None
    if per_item:
        page = visible_page(filtered, may_see, size=PER_PAGE,
                            before=_entry_id(request, "before"), after=_entry_id(request, "after"))
        listed = page.entries
    else:
        page = Paginator(filtered, PER_PAGE).get_page(request.GET.get("page"))
        listed, paginator = list(page.object_list), page.paginator
    names = dict(entities)
    if job_id is None:
        _job_rows(listed, {a.opts.label: str(a.opts.verbose_name_plural) for a in site.admins})
    shown = link_jobs(request, offer_undo(site, request, listed))
    for entry in shown:
        entry.item_link = _item_link(site, entry)
        entry.item_name = entry_name(site, entry)
        entry.entity_name = names.get(entry.entity, entry.entity)
    query = request.GET.copy()
    for name in ("page", "before", "after"):
        query.pop(name, None)
    return TemplateResponse(request, site.template_names("recent_actions.html"), {
        "entries": shown, "page": page, "paginator": paginator, "filters": filters,
        "filter_query": query.urlencode(), "job_id": job_id, "job": job,
        "job_url": (site_url("job", job_id=str(job.pk))
                    if job is not None and _may_open_job(request, job.kind) else ""),
    })
