"""Print the health report of every registered table (or one), for people, cron and CI.

Exit status 1 when any table has a fail-severity finding or a failed checklist row, so that
``manage.py dynadmin_health || alert`` works; 0 otherwise. DynamoDB unreachable is a
CommandError (exit 1) with what to check, never a traceback.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from dynadmin.data import get_client
from dynadmin.management.arguments import add_site_argument, registered_table, site_named
from dynadmin.management.database import DatabaseCommand
from dynadmin.services.health import as_text, table_health, to_json


class Command(DatabaseCommand):
    help = ("Check each registered table: live state, drift from the definitions, design "
            "findings and the production checklist. Exits 1 when anything fails.")
    # The database only through the cache, which may be Redis or in memory.
    needs_migrations = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--table", metavar="NAME",
                            help="only this table (its logical name, as registered)")
        parser.add_argument("--json", action="store_true", help="print the reports as JSON")
        add_site_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        site = site_named(options["site"])
        tables = ([registered_table(site, options["table"])] if options["table"]
                  else list(site.tables.values()))
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
