"""The job pages: a new job from an entity's list, a full export of what a list or a
partition matches, an import from an uploaded file (checked line by line first), the preview
and typed confirmation, the progress (polled by htmx every 2 s while the tab is visible, with
an export's download link once done), Pause/Resume/Cancel/Undo, the items as CSV, and the list
of jobs. Every one needs the bulk permission of the job's kind (``dynadmin.run_bulk_jobs``
for writing jobs, ``export_all``, ``import_items``), else 403."""

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

from .. import conf, data
from ..codenames import BULK_PERMISSIONS, EXPORT_ALL, IMPORT_ITEMS, RUN_BULK_JOBS
from ..definitions import parse_any
from ..jobs import engine, exports, imports, sources
from ..jobs.changes import BadJob
from ..jobs.forms import ConfirmForm, ExportForm, ImportForm, JobForm
from ..jobs.preview import preview
from ..models import Job, JobItem
from ..options import EntityAdmin
from ..services.display.rows import group_items
from ..services.links import site_url
from ..services.partitions.export import spreadsheet_text
from .addresses import admin_or_404
from .downloads import download_url
from .htmx import is_fragment_request

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from ..sites import AdminSite

__all__ = ["job_action", "job_items_csv", "job_list", "job_page", "may_import",
           "may_run_jobs", "new_export", "new_import", "new_job"]

#: outcomes an import's page lists (the items CSV has every one)
SHOWN_OUTCOMES = 1000
#: where an uploaded file waits, in the export storage, for its import's workers
IMPORTS_DIRECTORY = "dynadmin-imports"

#: what a job page's buttons post
_OPERATIONS = {"start", "pause", "resume", "cancel", "undo"}


def may_run_jobs(request: HttpRequest, permission: str = RUN_BULK_JOBS) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.has_perm(permission))


def _require(request: HttpRequest, permission: str = RUN_BULK_JOBS) -> None:
    if not may_run_jobs(request, permission):
        raise PermissionDenied(_("You may not run jobs over every matching item."))


def may_import(request: HttpRequest, admin: EntityAdmin) -> bool:
    """Importing into the entity: the import permission, adding its items, a writable table."""
    return (may_run_jobs(request, IMPORT_ITEMS) and admin.has_add_permission(request)
            and not data.is_read_only(admin.opts.table))


def _source(admin: EntityAdmin, request: HttpRequest) -> dict[str, Any]:
    params = request.GET
    return (sources.from_partition(admin.opts.table, params) if params.get("pk")
            else sources.from_listing(admin, params, request))


def _job_or_404(site: AdminSite, request: HttpRequest, job_id: int
                ) -> tuple[Job, EntityAdmin]:
    """The job, if this person holds its kind's permission and may view its entity."""
    if not any(may_run_jobs(request, p) for p in BULK_PERMISSIONS):
        _require(request)
    job = _visible_jobs(site, request).filter(pk=job_id).first()
    if job is None:
        raise Http404(_("No such job."))
    _require(request, engine.permission_of(job.kind))
    return job, admin_or_404(site, request, job.entity)


def _visible_jobs(site: AdminSite, request: HttpRequest) -> QuerySet[Job]:
    """The jobs this person may open: a person a scope limits, only their own (another's
    job may have read, and names, keys outside their scope); a missing job and another's
    answer alike."""
    if site.is_scoped(request):
        return Job.objects.filter(creator=request.user)
    return Job.objects.all()


def job_list(request: HttpRequest, site: AdminSite) -> HttpResponse:
    if not any(may_run_jobs(request, p) for p in BULK_PERMISSIONS):
        _require(request)
    labels = site.viewable_labels(request)
    jobs = _visible_jobs(site, request)
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
            return _previewed(job, admin)
    status = 400 if form.errors else 200
    return TemplateResponse(request, "dynadmin/jobs/new.html", context, status=status)


def _previewed(job: Job, admin: EntityAdmin) -> HttpResponse:
    """Read what a new job will do (its first pages), keep it with the job, and show it."""
    found = preview(job, admin)
    job.parameters = {**job.parameters, "preview": found.as_json()}
    job.save(update_fields=["parameters"])
    return HttpResponseRedirect(site_url("job", job_id=str(job.pk)))


@require_http_methods(["GET", "POST"])
def new_export(request: HttpRequest, site: AdminSite, entity: str) -> HttpResponse:
    """A full export of everything the entity's list (or, with ``pk``, the partition) as
    its address asks matches: a format, then the same preview and typed count as a job."""
    _require(request, EXPORT_ALL)
    admin = admin_or_404(site, request, entity)
    source = _source(admin, request)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = engine.create(site=site, admin=admin, request=request, kind=Job.Kind.EXPORT,
                                source=source,
                                parameters={"format": form.cleaned_data["format"]})
        except BadJob as exc:
            form.add_error(None, exc.message)
        else:
            return _previewed(job, admin)
    return TemplateResponse(request, "dynadmin/jobs/export.html", {
        "admin": admin, "opts": admin.opts, "form": form, "source": source,
        "back": site_url("entity", entity=admin.opts.label)},
        status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def new_import(request: HttpRequest, site: AdminSite, entity: str) -> HttpResponse:
    """An uploaded CSV or JSON Lines file checked line by line as the create form would
    (a dry run: nothing written, no DynamoDB call), then kept for its job, whose page lists
    every bad line and asks for the count of good ones to start it."""
    _require(request, IMPORT_ITEMS)
    admin = admin_or_404(site, request, entity)
    if not admin.has_add_permission(request):
        raise PermissionDenied(_("You may not add %(things)s.")
                               % {"things": admin.opts.verbose_name_plural})
    form = ImportForm(request.POST or None, request.FILES or None,
                      max_bytes=int(conf.get("IMPORT_MAX_BYTES")))
    context: dict[str, Any] = {"admin": admin, "opts": admin.opts, "form": form,
                               "back": site_url("entity", entity=admin.opts.label)}
    if data.is_read_only(admin.opts.table):
        form.add_error(None, _("Table %(table)s is read-only here: nothing can be imported "
                               "into it.") % {"table": admin.opts.table.name})
    elif request.method == "POST" and form.is_valid():
        job = _import_job(site, request, admin, form)
        if job is not None:
            return HttpResponseRedirect(site_url("job", job_id=str(job.pk)))
    status = 400 if form.errors else 200
    return TemplateResponse(request, "dynadmin/jobs/import.html", context, status=status)


def _import_job(site: AdminSite, request: HttpRequest, admin: EntityAdmin,
                form: ImportForm) -> Job | None:
    """The dry run of the upload, and its job (None: the form says why not)."""
    upload = form.cleaned_data["file"]
    fmt, mode = form.cleaned_data["format"], form.cleaned_data["mode"]
    upload.seek(0)
    report = imports.dry_run(admin, upload, fmt, mode=mode, request=request)
    if report.file_error:
        form.add_error("file", report.file_error)
        return None
    if not report.lines:
        form.add_error("file", _("This file holds no line to import."))
        return None
    if not report.valid:
        # Every line bad: most likely the wrong format or the wrong file, said at once.
        first = "; ".join(_("line %(n)s: %(why)s") % {"n": n, "why": why}
                          for n, why in report.messages[:3])
        form.add_error("file", _("No line of this file can be imported (%(first)s). Is it "
                                 "the right file, in the format chosen?") % {"first": first})
        return None
    try:
        job = engine.create(site=site, admin=admin, request=request, kind=Job.Kind.IMPORT,
                            source=None, parameters={"format": fmt, "mode": mode,
                                                     "upload": upload.name[:200]})
    except BadJob as exc:
        form.add_error(None, exc.message)
        return None
    upload.seek(0)
    name = exports.export_storage().save(
        f"{IMPORTS_DIRECTORY}/{job.pk}/{_file_name(upload.name)}", upload)
    job.parameters = {**job.parameters, "file": name,
                      "preview": {"items": report.lines, "complete": True},
                      "dry_run": {"lines": report.lines, "valid": report.valid,
                                  "bad": report.bad, "messages": report.messages,
                                  "more_messages": report.more_messages}}
    job.save(update_fields=["parameters"])
    return job


def _file_name(name: str) -> str:
    """The upload's own name, kept to letters, digits, dots, dashes and underscores."""
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_"
                      for c in name.rpartition("/")[2].rpartition("\\")[2])
    return cleaned.strip("._")[:100] or "import"


def _import_confirmation(job: Job) -> str:
    return str((job.parameters.get("dry_run") or {}).get("valid", 0))


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
    name = job.parameters.get("file_name")
    if (job.kind == Job.Kind.EXPORT and job.state == Job.State.DONE and name
            and may_run_jobs(request, EXPORT_ALL)):
        context["download"] = download_url(name)
    if is_fragment_request(request):
        return TemplateResponse(request, "dynadmin/jobs/progress.html", context)
    if job.state == Job.State.PREVIEW:
        context |= _preview(site, job, admin, request, None)
    context["operations"] = _operations(job)
    if job.kind == Job.Kind.IMPORT and job.state != Job.State.PREVIEW:
        # The lines that did not become a written item, by number (every line is in the CSV).
        context["not_written"] = list(JobItem.objects.filter(job=job).exclude(
            status=JobItem.Status.WRITTEN).order_by("id")[:SHOWN_OUTCOMES])
    return TemplateResponse(request, "dynadmin/jobs/job.html", context)


def _preview(site: AdminSite, job: Job, admin: EntityAdmin, request: HttpRequest,
             typed: Any) -> dict[str, Any]:
    """What a previewed job shows, and its confirmation form (bound to ``typed``): an
    import's dry run, or the first pages of the job's source read again."""
    if job.kind == Job.Kind.IMPORT:
        report = job.parameters.get("dry_run") or {}
        expected = _import_confirmation(job)
        return {"report": report, "import_count": int(expected),
                "confirm": ConfirmForm(typed, expected=expected)}
    found = preview(job, admin)
    return {"preview": found, "confirm": ConfirmForm(typed, expected=found.confirmation),
            "groups": _first_items(site, admin, found.first, request)}


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
        shown = _preview(site, job, admin, request, request.POST)
        if not shown["confirm"].is_valid():
            context = {"job": job, "admin": admin, "opts": admin.opts,
                       "table": admin.opts.table, "job_url": target,
                       "operations": []} | _progress(job) | shown
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
