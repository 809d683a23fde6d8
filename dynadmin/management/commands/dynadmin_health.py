"""Print the health report of every registered table (or one), for people, cron and CI.

Exit status 1 when any table has a fail-severity finding or a failed checklist row, so that
``manage.py dynadmin_health || alert`` works; 0 otherwise. DynamoDB unreachable is a
CommandError (exit 1) with what to check, never a traceback.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from dynadmin.data import get_client
from dynadmin.services.health import as_text, table_health, to_json
from dynadmin.sites import AdminSite


class Command(BaseCommand):
    help = ("Check each registered table: live state, drift from the definitions, design "
            "findings and the production checklist. Exits 1 when anything fails.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--table", metavar="NAME",
                            help="only this table (its logical name, as registered)")
        parser.add_argument("--json", action="store_true", help="print the reports as JSON")
        parser.add_argument("--site", default="dynadmin.sites.site", metavar="DOTTED.PATH",
                            help="the AdminSite whose definitions to check "
                                 "(default: dynadmin.sites.site)")

    def handle(self, *args: Any, **options: Any) -> None:
        site = self._site(options["site"])
        tables = list(site.tables.values())
        if options["table"]:
            tables = [t for t in tables if t.name == options["table"]]
            if not tables:
                known = ", ".join(site.tables) or "none"
                raise CommandError(f"No registered table is called {options['table']!r} "
                                   f"(registered: {known}).")
        reports = [table_health(table, site) for table in tables]
        unreachable = next((r for r in reports if not r.reachable), None)
        if unreachable is not None:
            raise CommandError(
                f"DynamoDB is unreachable at {get_client().meta.endpoint_url}: "
                f"{unreachable.status.error}. Check AWS_ENDPOINT_URL_DYNAMODB, the region and "
                "the network.")
        failing = [r.table for r in reports if r.failing]
        if options["json"]:
            self.stdout.write(to_json({"ok": not failing, "failing": failing,
                                       "tables": [r.to_dict() for r in reports]}))
        else:
            self.stdout.write("\n\n".join(as_text(r) for r in reports))
        if failing:
            raise CommandError(f"Health check failed for {', '.join(failing)}.", returncode=1)

    def _site(self, path: str) -> AdminSite:
        try:
            site = import_string(path)
        except ImportError as exc:
            raise CommandError(f"--site {path}: {exc}") from None
        if not isinstance(site, AdminSite):
            raise CommandError(f"--site {path} is not an AdminSite.")
        return site
