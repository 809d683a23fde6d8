"""Bulk jobs from the command line, the same jobs as the web pages, each run as a named person
(``--as USERNAME``) whose permissions apply, as on the pages: the job's kind needs its bulk
permission (``dynadmin.run_bulk_jobs``, ``export_all``, ``import_items``), the job's entity
the person's view permission, and every item its own permissions when the job writes it.

- ``list [--state S]``: the jobs of entities the person may view, newest first.
- ``show ID [--json]`` (or ``status``): its state, counts, consumed capacity and rate.
- ``pause ID``, ``resume ID``, ``cancel ID``.
- ``set --entity E --set FIELD=VALUE [--set ...]`` and ``delete --entity E``, over everything
  the entity's list matches (``--filter NAME=VALUE``: the list page's address, such as
  ``status=PENDING``) or a partition (``--pk PK [--index I] [--sk-op OP --sk V [--sk2 V2]]``);
  ``--dry-run``, ``--max-wcu N``, ``--wait`` (print progress until it ends, then its counts).

Exit status 1 (a CommandError, as the other commands) when a job shown or waited for has
failed or conflicted items or has failed, and on anything refused.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, CommandParser
from django.http import QueryDict

from dynadmin import data
from dynadmin.codenames import BULK_PERMISSIONS
from dynadmin.jobs import engine, sources
from dynadmin.jobs.changes import creator_request
from dynadmin.jobs.preview import preview
from dynadmin.management.arguments import add_site_argument, site_named
from dynadmin.management.database import DatabaseCommand
from dynadmin.models import Job
from dynadmin.user_errors import UserInputError

#: seconds between two lines of progress with --wait
POLL_SECONDS = 2.0


class Command(DatabaseCommand):
    help = ("List, show, pause, resume and cancel bulk jobs, or run one that sets fields or "
            "deletes over everything a list or partition matches, as a named person.")

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
        listing = commands.add_parser("list", help="the jobs, newest first")
        listing.add_argument("--state", choices=Job.State.values)
        listing.add_argument("--json", action="store_true")
        for name in ("show", "status"):
            show = commands.add_parser(name, help="a job's state and counts")
            show.add_argument("job_id", type=int, metavar="ID")
            show.add_argument("--json", action="store_true")
        for name in ("pause", "resume", "cancel"):
            commands.add_parser(name, help=f"{name} a job").add_argument(
                "job_id", type=int, metavar="ID")
        for name in ("set", "delete"):
            run = commands.add_parser(name, help=f"{name} over everything a query matches")
            run.add_argument("--entity", required=True, metavar="LABEL",
                             help="the entity whose items it writes (App.Entity)")
            if name == "set":
                run.add_argument("--set", dest="changes", action="append", required=True,
                                 metavar="FIELD=VALUE", help="a field and its value (repeatable)")
            run.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                             help="the entity list's address parameters (repeatable)")
            run.add_argument("--pk", help="a partition instead of the entity's list")
            for option in ("--index", "--sk-op", "--sk", "--sk2"):
                run.add_argument(option)
            run.add_argument("--dry-run", action="store_true")
            run.add_argument("--max-wcu", type=_units_per_second, metavar="N",
                             help="write capacity units per second the job may consume")
            run.add_argument("--wait", action="store_true")
            run.add_argument("--json", action="store_true")
        for sub in commands.choices.values():
            sub.add_argument("--as", dest="username", required=True, metavar="USERNAME",
                             help="the person it runs as (their permissions apply)")
            add_site_argument(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        self.site = site_named(options["site"])
        self.request = creator_request(_person(options["username"]), self.site.name)
        # The person's scopes fence every key the command sends, as on their pages.
        with data.fenced(self.site.fence(self.request)):
            return self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        command = options["command"]
        if command == "list":
            return self._list(options)
        if command in ("set", "delete"):
            return self._run(command, options)
        job = self._job(options["job_id"])
        if command in ("show", "status"):
            return self._show(job, as_json=options["json"])
        done = {"pause": engine.pause, "resume": engine.resume,
                "cancel": engine.cancel}[command](job)
        if not done:
            raise CommandError(f"Job {job.pk} is {job.state}: it cannot be {command}d.")
        job.refresh_from_db()
        self.stdout.write(f"Job {job.pk}: {job.get_state_display()}.")
        return None

    # -- permissions, as the pages hold them -----------------------------------------------
    def _may(self, permission: str) -> bool:
        user = self.request.user
        return bool(user.is_active and user.is_staff and user.has_perm(permission))

    def _job(self, job_id: int) -> Job:
        if not any(self._may(p) for p in BULK_PERMISSIONS):
            raise CommandError(f"{self.request.user} may not run jobs over every matching item.")
        job = self._visible_jobs().filter(pk=job_id).first()
        if job is None:
            raise CommandError(f"No job {job_id}.")
        if not self._may(engine.permission_of(job.kind)):
            raise CommandError(f"{self.request.user} may not run {job.get_kind_display()} jobs.")
        self._admin(job.entity)
        return job

    def _visible_jobs(self) -> Any:
        """As on the pages: a person a scope limits sees only their own jobs."""
        if self.site.is_scoped(self.request):
            return Job.objects.filter(creator=self.request.user)
        return Job.objects.all()

    def _admin(self, label: str) -> Any:
        entity = self.site.get_entity(label)
        if entity is None:
            raise CommandError(f"No registered entity is called {label!r}.")
        admin = self.site.get_entity_admin(entity)
        if not admin.has_view_permission(self.request):
            raise CommandError(f"{self.request.user} may not view {admin.opts.verbose_name} "
                               "items.")
        return admin

    # -- the commands --------------------------------------------------------------------
    def _list(self, options: dict[str, Any]) -> None:
        if not any(self._may(p) for p in BULK_PERMISSIONS):
            raise CommandError(f"{self.request.user} may not run jobs over every matching item.")
        jobs = self._visible_jobs()
        labels = self.site.viewable_labels(self.request)
        if labels is not None:
            jobs = jobs.filter(entity__in=labels)
        if options["state"]:
            jobs = jobs.filter(state=options["state"])
        listed = list(jobs[:100])
        if options["json"]:
            self.stdout.write(json.dumps([_summary(job) for job in listed], indent=2))
            return
        for job in listed:
            self.stdout.write(f"{job.pk}\t{job.state}\t{job.kind}\t{job.entity}\t"
                              f"{job.username}\t{job.created_at:%Y-%m-%d %H:%M:%S}")
        if not listed:
            self.stdout.write("No jobs.")

    def _show(self, job: Job, *, as_json: bool) -> None:
        report = _report(job)
        if as_json:
            self.stdout.write(json.dumps(report, indent=2))
        else:
            self.stdout.write(_text(report))
        counts = report["counts"]
        if job.state == Job.State.FAILED or counts["failed"] or counts["conflicted"]:
            raise CommandError(f"Job {job.pk}: {job.get_state_display()}, {counts['failed']} "
                               f"failed, {counts['conflicted']} conflicted.", returncode=1)

    def _run(self, command: str, options: dict[str, Any]) -> None:
        admin = self._admin(options["entity"])
        parameters: dict[str, Any] = {}
        if command == "set":
            parameters["set"] = _assignments(options["changes"])
        try:
            source = self._source(admin, options)
            job = engine.create(site=self.site, admin=admin, request=self.request,
                                kind=Job.Kind.UPDATE if command == "set" else Job.Kind.DELETE,
                                source=source, parameters=parameters,
                                dry_run=options["dry_run"], max_wcu=options["max_wcu"])
        except UserInputError as exc:
            raise CommandError(str(exc)) from None
        except PermissionDenied as exc:
            raise CommandError(f"{self.request.user}: {exc}") from None
        found = preview(job, admin)
        job.parameters = {**job.parameters, "preview": found.as_json()}
        job.save(update_fields=["parameters"])
        if not options["json"]:
            items = (str(found.items) if found.complete else f"more than {found.items}")
            pace = f", ≈ {found.seconds} s at its limit" if found.seconds is not None else ""
            self.stdout.write(f"Job {job.pk}: {items} items in {found.pages} Query pages; "
                              f"≈ {found.rcu} RCU and {found.wcu} WCU{pace}.")
        engine.start(job)
        if not options["wait"]:
            if options["json"]:
                self.stdout.write(json.dumps(_report(job), indent=2))
            else:
                self.stdout.write(f"Job {job.pk} queued: python manage.py dynadmin_job show "
                                  f"{job.pk} --as {options['username']}")
            return
        while True:
            job.refresh_from_db()
            if job.finished:
                break
            if not options["json"]:
                counts = engine.counts(job)
                self.stdout.write(f"Job {job.pk}: {job.state}, {counts['done']} of "
                                  f"{counts['read']} items read so far")
            time.sleep(POLL_SECONDS)
        self._show(job, as_json=options["json"])

    def _source(self, admin: Any, options: dict[str, Any]) -> dict[str, Any]:
        params = QueryDict(mutable=True)
        for text in options["filter"]:
            name, equals, value = text.partition("=")
            if not equals or not name:
                raise CommandError(f"--filter {text!r}: write NAME=VALUE.")
            params.appendlist(name, value)
        if options["pk"]:
            for name in ("pk", "index", "sk_op", "sk", "sk2"):
                if options[name]:
                    params[name] = options[name]
            return sources.from_partition(admin.opts.table, params)
        return sources.from_listing(admin, params, self.request)


def _person(username: str) -> Any:
    user = get_user_model()._default_manager.filter(
        **{get_user_model().USERNAME_FIELD: username}).first()
    if user is None:
        raise CommandError(f"No user is called {username!r}.")
    if not (user.is_active and user.is_staff):
        raise CommandError(f"{username} is not an active staff member.")
    return user


def _units_per_second(text: str) -> float:
    """A limit of one's own: a positive number (0 or less would read as no limit at all)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text!r}: a number of units per second above 0")
    return value


def _assignments(texts: list[str]) -> dict[str, str]:
    changes = {}
    for text in texts:
        name, equals, value = text.partition("=")
        if not equals or not name:
            raise CommandError(f"--set {text!r}: write FIELD=VALUE.")
        changes[name] = value
    return changes


def _summary(job: Job) -> dict[str, Any]:
    return {"id": job.pk, "state": job.state, "kind": job.kind, "entity": job.entity,
            "table": job.table, "username": job.username, "dry_run": job.dry_run,
            "created_at": job.created_at.isoformat()}


def _report(job: Job) -> dict[str, Any]:
    """What ``show`` says: the job, its counts, what it consumed, and its rate."""
    elapsed = None
    if job.started_at is not None and job.finished_at is not None:
        elapsed = max((job.finished_at - job.started_at).total_seconds(), 0.001)
    return _summary(job) | {
        "parameters": {k: v for k, v in job.parameters.items() if k != "preview"},
        "max_rcu": job.max_rcu, "max_wcu": job.max_wcu,
        "consumed_rcu": round(job.consumed_rcu, 1), "consumed_wcu": round(job.consumed_wcu, 1),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "wcu_per_second": round(job.consumed_wcu / elapsed, 1) if elapsed else None,
        "message": job.message, "counts": engine.counts(job)}


def _text(report: dict[str, Any]) -> str:
    counts = report["counts"]
    outcomes = ", ".join(f"{n} {status}" for status, n in counts.items()
                         if n and status not in ("read", "done"))
    lines = [f"Job {report['id']}: {report['kind']} {report['entity']} by "
             f"{report['username']}, {report['state']}"
             + (" (dry run)" if report["dry_run"] else ""),
             f"  items read: {counts['read']}, done: {counts['done']}"
             + (f" ({outcomes})" if outcomes else ""),
             f"  consumed: {report['consumed_rcu']} RCU, {report['consumed_wcu']} WCU"
             + (f" ({report['wcu_per_second']} WCU/s)" if report["wcu_per_second"] else "")]
    if report["message"]:
        lines.append(f"  {report['message']}")
    return "\n".join(lines)
