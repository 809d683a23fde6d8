"""Print an item's History from the archive of changes, for scripts and support.

One Query of the archive, as the item's History page makes: every change, made through
dynadmin (with its audit entry) or elsewhere, each with its per-attribute diff, newest
first; ``--before`` / ``--after`` take a position the output gives to page on. ``--json``
prints what ``…/item/changes.json`` answers. DynamoDB unreachable is a CommandError, never a
traceback.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from dynadmin.data import DataError
from dynadmin.history.reading import POSITION_PREFIX
from dynadmin.management.arguments import add_site_argument, registered_table, site_named
from dynadmin.management.database import DatabaseCommand
from dynadmin.plain_json import dumps_plain_json
from dynadmin.services.changes.as_json import history_to_json
from dynadmin.services.changes.item_changes import ItemHistory, item_history
from dynadmin.services.url_keys import parse_item_key
from dynadmin.user_errors import UserInputError

#: Changes one run prints at most: one Query of the archive's worth.
MOST_CHANGES = 1000


class Command(DatabaseCommand):
    help = ("Show an item's History from the archive of changes, whoever made them, newest "
            "first (one Query).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--table", required=True, metavar="NAME",
                            help="the table's logical name, as registered")
        parser.add_argument("--pk", required=True, help="the partition key value")
        parser.add_argument("--sk", default="", help="the sort key value")
        parser.add_argument("--json", action="store_true", help="print the changes as JSON")
        parser.add_argument("--count", type=int, default=50, metavar="N",
                            help="changes to print, at most (default 50)")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--before", metavar="POSITION",
                           help="only changes older than this position (as printed)")
        where.add_argument("--after", metavar="POSITION",
                           help="only changes newer than this position (as printed)")
        add_site_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        table = registered_table(site_named(options["site"]), options["table"])
        if not 1 <= options["count"] <= MOST_CHANGES:
            raise CommandError(f"--count must be between 1 and {MOST_CHANGES}.")
        for name in ("before", "after"):
            position = options[name]
            if position is not None and not position.startswith(POSITION_PREFIX):
                raise CommandError(f"--{name} takes a position as printed ({POSITION_PREFIX}"
                                   "<time>#<sequence>).")
        try:
            key = parse_item_key(table, {"pk": options["pk"], "sk": options["sk"]})
            history = item_history(table, key, count=options["count"],
                                   before=options["before"], after=options["after"])
            if history.failure is not None:
                raise history.failure
        except (DataError, UserInputError) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(dumps_plain_json(history_to_json(history)))
        else:
            self.stdout.write(_text(history))


def _text(history: ItemHistory) -> str:
    if history.archive_missing:
        return ("The archive of changes does not exist yet: run "
                "`python manage.py dynadmin_history setup`, then `dynadmin_history follow`.")
    lines = []
    for change in history.changes:
        lines.append(f"{change.when_text}  {change.event:<6}  {change.origin_label}")
        lines += [f"    {a.label}: {a.before.text if a.before else '—'} → "
                  f"{a.after.text if a.after else '—'}" for a in change.attributes]
    if not history.changes:
        lines.append("No archived changes to this item.")
        if history.problem:
            lines += [history.problem, history.advice]
    if history.older_position:
        lines.append(f"Older changes: --before '{history.older_position}'")
    if history.newer_position:
        lines.append(f"Newer changes: --after '{history.newer_position}'")
    return "\n".join(lines)
