"""Check a bounded sample of a table's items against its definitions, for people and CI.

Reads only Query pages (named partitions, the first page of each listing), says what that can
cost before it reads and what it did cost after. Exit status 1 on any finding, so that
``manage.py dynadmin_verify --partition USER#42 || alert`` works.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dynadmin.definitions import Table
from dynadmin.management.arguments import add_site_argument, registered_table, site_named
from dynadmin.services.health import to_json
from dynadmin.services.health.verify import (
    as_text,
    estimate_text,
    plan_verification,
    run_verification,
)
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
        add_site_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        site = site_named(options["site"])
        table = _the_table(site, options["table"])
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


def _the_table(site: AdminSite, name: str | None) -> Table:
    """The table named, or the only one registered."""
    if name is None:
        if len(site.tables) != 1:
            raise CommandError(f"Name a table with --table (registered: "
                               f"{', '.join(site.tables) or 'none'}).")
        return next(iter(site.tables.values()))
    return registered_table(site, name)
