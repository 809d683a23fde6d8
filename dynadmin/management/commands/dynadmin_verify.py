"""Check a bounded sample of a table's items against its definitions, for people and CI.

Reads only Query pages (named partitions, the first page of each listing), says what that can
cost before it reads and what it did cost after. Exit status 1 on any finding, so that
``manage.py dynadmin_verify --partition USER#42 || alert`` works.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from dynadmin.services.health import to_json
from dynadmin.services.verify import as_text, estimate_text, plan_verification, run_verification
from dynadmin.sites import AdminSite


class Command(BaseCommand):
    help = ("Read a bounded sample (named partitions, listings; Queries only) and report items "
            "that do not fit the definitions. Exits 1 on findings.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--table", metavar="NAME",
                            help="the table's logical name (needed when several are registered)")
        parser.add_argument("--partition", action="append", default=[], metavar="PK",
                            help="a partition key value of the table to read (repeatable)")
        parser.add_argument("--listing", action="append", metavar="NAME",
                            help="a listing to read (its key name, or Entity.key; repeatable); "
                                 "default: every listing when no --partition is named")
        parser.add_argument("--pages", type=int, default=1, metavar="N",
                            help="Query pages read per named partition at most (default 1)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--site", default="dynadmin.sites.site", metavar="DOTTED.PATH",
                            help="the AdminSite whose definitions to verify against")

    def handle(self, *args: Any, **options: Any) -> None:
        site = self._site(options["site"])
        table = self._table(site, options["table"])
        try:
            report = plan_verification(table, site, partitions=options["partition"],
                                       listings=options["listing"], pages=options["pages"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if not report.sources:
            raise CommandError("Nothing to read: name a partition with --partition (the "
                               "listings need typed values: " + "; ".join(report.skipped)
                               + ").")
        if not options["json"]:
            self.stdout.write(estimate_text(report))
        run_verification(table, report)
        if options["json"]:
            self.stdout.write(to_json(report.to_dict()))
        else:
            self.stdout.write(as_text(report))
        if not report.ok:
            raise CommandError(f"{len(report.findings)} finding(s), {len(report.errors)} "
                               f"error(s) in the sample of {table.name}.", returncode=1)

    def _table(self, site: AdminSite, name: str | None) -> Any:
        tables = site.tables
        if name is None:
            if len(tables) != 1:
                raise CommandError(f"Name a table with --table (registered: "
                                   f"{', '.join(tables) or 'none'}).")
            return next(iter(tables.values()))
        if name not in tables:
            raise CommandError(f"No registered table is called {name!r} (registered: "
                               f"{', '.join(tables) or 'none'}).")
        return tables[name]

    def _site(self, path: str) -> AdminSite:
        try:
            site = import_string(path)
        except ImportError as exc:
            raise CommandError(f"--site {path}: {exc}") from None
        if not isinstance(site, AdminSite):
            raise CommandError(f"--site {path} is not an AdminSite.")
        return site
