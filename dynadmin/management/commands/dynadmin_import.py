"""Write a dynadmin.py definitions module from the model a team already has."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dynadmin.importers import FORMATS, ImportFormatError, import_design, render
from dynadmin.importers.checking import load_generated
from dynadmin.importers.stored_schema import stored_onetable_schema


class Command(BaseCommand):
    help = ("Read a NoSQL Workbench model, a OneTable schema (a file, or the schema OneTable "
            "stores in the table: --from-table), ElectroDB entities or DynamoDB-Toolbox DTOs "
            "(JSON) and write the equivalent dynadmin definitions, with a '# guess:' comment on "
            "every guess.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("file", nargs="?", help="the model file (JSON)")
        parser.add_argument("--from-table", metavar="TABLE",
                            help="onetable only: read the schema OneTable stores in this table "
                                 "(one GetItem of _schema / _schema:Current) instead of a file")
        parser.add_argument("--table", help="the table to import (or to name, for OneTable, "
                                              "ElectroDB and Toolbox)")
        parser.add_argument("--output", help="write here instead of standard output")
        parser.add_argument("--force", action="store_true", help="overwrite --output")

    def handle(self, *args, **options) -> None:
        data, where = self._model(options)
        table = options["table"] or options["from_table"]
        try:
            design = import_design(options["format"], data, table=table)
        except ImportFormatError as exc:
            raise CommandError(f"{where}: {exc}") from None
        if options["from_table"]:
            design.source = (f"the OneTable schema stored in table {options['from_table']} "
                             f"(version {data.get('version', '?')})")
        source = render(design)
        try:
            _, problems = load_generated(source)
        except (SyntaxError, ValueError, RecursionError) as exc:
            # render() writes only names and escaped text, so this is the importer's mistake;
            # say so in a line instead of a traceback
            raise CommandError(f"{where}: the definitions written from it do not load "
                               f"({type(exc).__name__}: {exc}); please report this with the "
                               "model file.") from None
        output = options["output"]
        if output:
            target = Path(output)
            if target.exists() and not options["force"]:
                raise CommandError(f"{target} exists; pass --force to overwrite it.")
            target.write_text(source, encoding="utf-8")
            self.stderr.write(f"Wrote {target}.")
        else:
            self.stdout.write(source, ending="")
        for problem in problems:
            self.stderr.write(f"{problem.id}: {problem.msg}")
        errors = [p for p in problems if p.is_serious()]
        for hint in design.hints if errors else ():
            self.stderr.write(f"hint: {hint}")
        if errors:
            raise CommandError(f"the generated definitions have {len(errors)} problem(s) that "
                               "`manage.py check` reports; fix the lines they name.")

    def _model(self, options: dict[str, Any]) -> tuple[Any, str]:
        """The parsed model and where it came from (for messages)."""
        physical, file = options["from_table"], options["file"]
        if physical:
            if file:
                raise CommandError("give a model file or --from-table, not both.")
            if options["format"] != "onetable":
                raise CommandError("--from-table reads the schema OneTable stores in a table; "
                                   "use it with --format onetable.")
            try:
                return stored_onetable_schema(physical), f"table {physical}"
            except ImportFormatError as exc:
                raise CommandError(str(exc)) from None
        if not file:
            raise CommandError("name the model file (or, for OneTable, --from-table TABLE).")
        path = Path(file)
        try:
            return json.loads(path.read_text(encoding="utf-8")), str(path)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        except ValueError as exc:  # not UTF-8, not JSON, or an integer of 4,300+ digits
            raise CommandError(f"{path} is not JSON ({exc}); --format {options['format']} "
                               "reads a JSON file.") from None
        except RecursionError:
            raise CommandError(f"{path} nests arrays or objects too deeply to read (no model "
                               "file nests more than a few levels).") from None
