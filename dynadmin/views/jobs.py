"""The job pages: a new job from an entity's list, its preview and confirmation, its
progress (polled by htmx every 2 s while the tab is visible), Pause/Resume/Cancel/Undo, its
items as CSV, and the list of jobs. Every one needs the bulk permission of the job's kind
(``dynadmin.run_bulk_jobs`` for writing jobs), else 403."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..codenames import BULK_PERMISSIONS, RUN_BULK_JOBS
from ..definitions import parse_any
from ..jobs import engine, sources
from ..jobs.changes import BadJob
from ..jobs.forms import ConfirmForm, JobForm
from ..jobs.preview import preview
from ..models import Job, JobItem
from ..options import EntityAdmin
from ..services.display.rows import group_items
from ..services.links import site_url
from ..services.partitions.export import spreadsheet_text
from .addresses import admin_or_404
from .htmx import is_fragment_request

if TYPE_CHECKING:
    from ..sites import AdminSite

__all__ = ["job_action", "job_items_csv", "job_list", "job_page", "new_job", "may_run_jobs"]

#: what a job page's buttons post
_OPERATIONS = {"start", "pause", "resume", "cancel", "undo"}


def may_run_jobs(request: HttpRequest, permission: str = RUN_BULK_JOBS) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.has_perm(permission))


def _require(request: HttpRequest, permission: str = RUN_BULK_JOBS) -> None:
    if not may_run_jobs(request, permission):
        raise PermissionDenied(_("You may not run jobs over every matching item."))


def _job_or_404(site: AdminSite, request: HttpRequest, job_id: int
                ) -> tuple[Job, EntityAdmin]:
    """The job, if this person holds its kind's permission and may view its entity."""
    if not any(may_run_jobs(request, p) for p in BULK_PERMISSIONS):
        _require(request)
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404(_("No such job."))
    _require(request, engine.permission_of(job.kind))
    return job, admin_or_404(site, request, job.entity)


def job_list(request: HttpRequest, site: AdminSite) -> HttpResponse:
    if not any(may_run_jobs(request, p) for p in BULK_PERMISSIONS):
        _require(request)
    labels = site.viewable_labels(request)
    jobs = Job.objects.all()
    if labels is not None:
        jobs = jobs.filter(entity__in=labels)
    return TemplateResponse(request, "dynadmin/jobs/list.html", {
        "jobs": [(job, site_url("job", job_id=str(job.pk))) for job in jobs[:100]]})


@require_http_methods(["GET", "POST"])
def new_job(request: HttpRequest, site: AdminSite, entity: str) -> HttpResponse:
    """A job over everything the entity's list (as its address asks) matches, or, with
    ``pk`` (and ``index``, ``sk_op``/``sk``/``sk2``) in the address, the entity's items in
    that partition as the partition page asks it."""
    _require(request)
    admin = admin_or_404(site, request, entity)
    params = request.GET
    source = (sources.from_partition(admin.opts.table, params) if params.get("pk")
              else sources.from_listing(admin, params, request))
    form = JobForm(request.POST or None, admin=admin, request=request)
    context: dict[str, Any] = {"admin": admin, "opts": admin.opts, "form": form,
                               "source": source,
                               "back": site_url("entity", entity=admin.opts.label)}
    if request.method == "POST" and form.is_valid():
        kind, parameters = form.kind_and_parameters()
        try:
            job = engine.create(site=site, admin=admin, request=request, kind=kind,
                                source=source, parameters=parameters,
                                dry_run=form.cleaned_data["dry_run"],
                                max_wcu=form.cleaned_data["max_wcu"])
        except BadJob as exc:
            form.add_error(None, exc.message)
        else:
            found = preview(job, admin)
            job.parameters = {**job.parameters, "preview": found.as_json()}
            job.save(update_fields=["parameters"])
            return HttpResponseRedirect(site_url("job", job_id=str(job.pk)))
    status = 400 if form.errors else 200
    return TemplateResponse(request, "dynadmin/jobs/new.html", context, status=status)


def _progress(job: Job) -> dict[str, Any]:
    counts = engine.counts(job)
    expected = max(counts["read"], (job.parameters.get("preview") or {}).get("items", 0))
    elapsed = None
    if job.started_at is not None:
        until = job.finished_at or timezone.now()
        elapsed = max((until - job.started_at).total_seconds(), 0.001)
    return {"counts": counts, "expected": expected,
            "rate": round(counts["done"] / elapsed, 1) if elapsed else None,
            "polls": not job.finished and job.state != Job.State.PREVIEW}


def job_page(request: HttpRequest, site: AdminSite, job_id: int) -> HttpResponse:
    job, admin = _job_or_404(site, request, job_id)
    number = str(job.pk)
    context: dict[str, Any] = {"job": job, "admin": admin, "opts": admin.opts,
                               "table": admin.opts.table,
                               "job_url": site_url("job", job_id=number),
                               "progress_url": site_url("job_progress", job_id=number),
                               "items_url": site_url("job_items", job_id=number)}
    context |= _progress(job)
    if is_fragment_request(request):
        return TemplateResponse(request, "dynadmin/jobs/progress.html", context)
    if job.state == Job.State.PREVIEW:
        found = preview(job, admin)
        context |= {"preview": found, "confirm": ConfirmForm(expected=found.confirmation),
                    "groups": _first_items(site, admin, found.first, request)}
    context["operations"] = _operations(job)
    return TemplateResponse(request, "dynadmin/jobs/job.html", context)


def _first_items(site: AdminSite, admin: EntityAdmin, items: list[dict[str, Any]],
                 request: HttpRequest) -> list[Any]:
    table = admin.opts.table
    return group_items(site, table, [parse_any(table, item) for item in items], request)


def _operations(job: Job) -> list[tuple[str, str]]:
    """The buttons the job's state offers: (operation, label)."""
    offered = {Job.State.QUEUED: ["pause", "cancel"], Job.State.RUNNING: ["pause", "cancel"],
               Job.State.PAUSED: ["resume", "cancel"]}.get(job.state, [])
    if (job.finished and not job.dry_run and job.kind in (
            Job.Kind.UPDATE, Job.Kind.DELETE, Job.Kind.ACTION)):
        offered.append("undo")
    labels = {"pause": _("Pause"), "resume": _("Resume"), "cancel": _("Cancel the job"),
              "undo": _("Undo the job")}
    return [(op, labels[op]) for op in offered]


@require_POST
def job_action(request: HttpRequest, site: AdminSite, job_id: int, operation: str
               ) -> HttpResponse:
    if operation not in _OPERATIONS:
        raise Http404(_("No such operation."))
    job, admin = _job_or_404(site, request, job_id)
    target = site_url("job", job_id=str(job.pk))
    if operation == "start":
        # A job runs with its creator's permissions: only they may set it going, or a
        # colleague could run, as them, what they only previewed.
        if job.creator_id != request.user.pk:
            raise PermissionDenied(_("Only the person who made this job may start it."))
        if job.state != Job.State.PREVIEW:
            return HttpResponseRedirect(target)
        found = preview(job, admin)
        confirm = ConfirmForm(request.POST, expected=found.confirmation)
        if not confirm.is_valid():
            context = {"job": job, "admin": admin, "opts": admin.opts, "preview": found,
                       "table": admin.opts.table,
                       "confirm": confirm, "job_url": target,
                       "groups": _first_items(site, admin, found.first, request),
                       "operations": []} | _progress(job)
            return TemplateResponse(request, "dynadmin/jobs/job.html", context, status=400)
        engine.start(job)
        messages.success(request, _("The job is queued: this page follows it."))
    elif operation == "undo":
        try:
            undoing = engine.undo_job(job, request)
        except BadJob as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(target)
        messages.success(request, _("Undoing the job: items changed since it wrote them are "
                                    "listed, never overwritten."))
        return HttpResponseRedirect(site_url("job", job_id=str(undoing.pk)))
    else:
        done = {"pause": engine.pause, "resume": engine.resume,
                "cancel": engine.cancel}[operation](job)
        if not done:
            messages.info(request, _("The job was no longer in a state to do that."))
    return HttpResponseRedirect(target)


class _Echo:
    def write(self, value: str) -> str:
        return value


def job_items_csv(request: HttpRequest, site: AdminSite, job_id: int) -> HttpResponse:
    """Each item's outcome, as CSV (key, outcome, message, when)."""
    job, _admin = _job_or_404(site, request, job_id)
    writer = csv.writer(_Echo())

    def rows() -> Any:
        yield writer.writerow(["key", "outcome", "message", "recorded_at"])
        for item in JobItem.objects.filter(job=job).order_by("id").iterator():
            # A key is data: one such as "=HYPERLINK(...)" must not run as a formula.
            yield writer.writerow([spreadsheet_text(item.key_text), item.status,
                                   spreadsheet_text(item.message),
                                   item.created_at.isoformat()])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-items.csv"'
    return response
