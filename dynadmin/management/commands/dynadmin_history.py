"""The archive of changes: create its table (``setup``), and fill it from the registered
tables' streams (``follow``).

``follow`` is one process for every shard of every table it follows; ``--once`` archives
what the streams hold now and exits, otherwise it reads again every second until
interrupted. Running it twice, or twice at once, archives nothing twice.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dynadmin.data import DataError
from dynadmin.data.schema import ensure_table
from dynadmin.history.archive import archive, archive_is_on
from dynadmin.history.consumer import Counts, follow
from dynadmin.management.arguments import add_site_argument, registered_table, site_named


class Command(BaseCommand):
    help = ("The archive of changes: 'setup' creates its table; 'follow' archives every "
            "change of the registered tables' streams, exactly once.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{setup,follow}")
        actions.add_parser("setup", help="create the archive table (nothing when it exists)")
        following = actions.add_parser("follow", help="archive the streams' changes")
        following.add_argument("--table", metavar="NAME",
                               help="only this table (its logical name, as registered)")
        following.add_argument("--once", action="store_true",
                               help="archive what the streams hold now, then exit")
        following.add_argument("--interval", type=float, default=1.0, metavar="SECONDS",
                               help="seconds between two reads without --once (default 1)")
        add_site_argument(following)

    def handle(self, *args: Any, **options: Any) -> None:
        if not archive_is_on():
            raise CommandError("The archive of changes is turned off (DYNADMIN_HISTORY_TABLE "
                               "is empty): name its table in that setting first.")
        try:
            if options["action"] == "setup":
                self._setup()
            else:
                self._follow(options)
        except DataError as error:
            raise CommandError(f"{error.title}: {error}") from None

    def _setup(self) -> None:
        if ensure_table(archive):
            self.stdout.write(f"Created the archive table {archive.table_name} (on-demand, "
                              "TTL on 'ttl').")
        else:
            self.stdout.write(f"The archive table {archive.table_name} exists already.")

    def _follow(self, options: dict[str, Any]) -> None:
        site = site_named(options["site"])
        tables = ([registered_table(site, options["table"])] if options["table"]
                  else [t for t in site.tables.values() if t is not archive])
        if not tables:
            raise CommandError("No registered table to follow.")

        silent: set[str] = set()

        def report(table: Any, counts: Counts) -> None:
            if not counts.has_stream:
                if table.name not in silent:  # said once, not every second
                    silent.add(table.name)
                    self.stderr.write(
                        f"{table.name}: no stream to follow. Enable its DynamoDB Stream "
                        "(NEW_AND_OLD_IMAGES) to archive its changes.")
                return
            silent.discard(table.name)
            if failing.pop(table.name, None):
                self.stderr.write(f"{table.name}: following again.")
            if options["once"] or counts.read:
                self.stdout.write(
                    f"{table.name}: {counts.read} records read, {counts.archived} archived, "
                    f"{counts.already_archived} already archived, {counts.gaps} gaps.")

        failing: dict[str, str] = {}

        def failed(table: Any, error: DataError) -> None:
            said = f"{error.title}: {error}"
            if failing.get(table.name) != said:  # said once, not every second
                failing[table.name] = said
                self.stderr.write(f"{table.name}: {said} Trying again every "
                                  f"{options['interval']:g} s.")

        # SIGTERM (docker stop, systemd, make run's Ctrl-C) ends the batch under way,
        # checkpoint included, then the command; a harder stop loses nothing either: the
        # next run resumes from the checkpoints and what it reads again is written once.
        stop = threading.Event()
        if not options["once"] and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda number, frame: stop.set())
        try:
            follow(tables, once=options["once"], interval=options["interval"], report=report,
                   stop=stop, failed=failed)
        except KeyboardInterrupt:
            pass
        if not options["once"]:
            self.stdout.write("Stopped.")
