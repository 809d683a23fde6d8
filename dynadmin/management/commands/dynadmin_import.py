"""Write a dynadmin.py definitions module from the model a team already has."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dynadmin.importers import FORMATS, ImportFormatError, import_design, render
from dynadmin.importers.checking import load_generated


class Command(BaseCommand):
    help = ("Read a NoSQL Workbench model, a OneTable schema, ElectroDB entities or "
            "DynamoDB-Toolbox DTOs (JSON) and write the equivalent dynadmin definitions, with a "
            "'# guess:' comment on every guess.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("file", help="the model file (JSON)")
        parser.add_argument("--table", help="the table to import (or to name, for OneTable, "
                                              "ElectroDB and Toolbox)")
        parser.add_argument("--output", help="write here instead of standard output")
        parser.add_argument("--force", action="store_true", help="overwrite --output")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path} is not JSON ({exc}); --format {options['format']} "
                               "reads a JSON file.") from None
        try:
            source = render(import_design(options["format"], data, table=options["table"]))
        except ImportFormatError as exc:
            raise CommandError(f"{path}: {exc}") from None
        _, problems = load_generated(source)
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
        if errors:
            raise CommandError(f"the generated definitions have {len(errors)} problem(s) that "
                               "`manage.py check` reports; fix the lines they name.")
