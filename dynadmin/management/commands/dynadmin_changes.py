"""Print an item's recent changes from its table's DynamoDB Stream, for scripts and support.

One bounded read, as the item page makes (``--max-calls`` raises the bound); made through
dynadmin or elsewhere, each with its per-attribute diff. ``--json`` prints what
``…/item/changes.json`` answers. DynamoDB unreachable is a CommandError, never a traceback.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from dynadmin.data import DataError
from dynadmin.management.arguments import add_site_argument, registered_table, site_named
from dynadmin.management.database import DatabaseCommand
from dynadmin.plain_json import dumps_plain_json
from dynadmin.services.changes.as_json import changes_to_json
from dynadmin.services.changes.item_changes import ItemChanges, item_changes
from dynadmin.services.url_keys import parse_item_key
from dynadmin.user_errors import UserInputError


class Command(DatabaseCommand):
    help = ("Show an item's recent changes from its table's DynamoDB Stream, whoever made "
            "them (one bounded read).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--table", required=True, metavar="NAME",
                            help="the table's logical name, as registered")
        parser.add_argument("--pk", required=True, help="the partition key value")
        parser.add_argument("--sk", default="", help="the sort key value")
        parser.add_argument("--json", action="store_true", help="print the changes as JSON")
        parser.add_argument("--max-calls", type=int, default=None, metavar="N",
                            help="Streams calls this read may make (default: "
                                 "DYNADMIN_STREAM_CALLS_PER_REQUEST)")
        add_site_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        table = registered_table(site_named(options["site"]), options["table"])
        try:
            key = parse_item_key(table, {"pk": options["pk"], "sk": options["sk"]})
            changes = item_changes(table, key, max_calls=options["max_calls"])
        except (DataError, UserInputError) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(dumps_plain_json(changes_to_json(changes)))
        else:
            self.stdout.write(_text(changes))


def _text(changes: ItemChanges) -> str:
    if not changes.available:
        return f"{changes.problem}\n{changes.advice}"
    lines = [changes.summary]
    for change in changes.changes:
        lines.append(f"{change.when_text}  {change.event:<6}  {change.origin_label}")
        lines += [f"    {a.label}: {a.before.text if a.before else '—'} → "
                  f"{a.after.text if a.after else '—'}" for a in change.attributes]
    if changes.trimmed_text:
        lines.append(changes.trimmed_text)
    if changes.bound_text:
        lines.append(changes.bound_text)
    return "\n".join(lines)
