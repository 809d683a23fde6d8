"""``manage.py dynamodb_local``: install, run or stop DynamoDB Local for development.

A thin wrapper over :mod:`examples.project.local`, which also works without Django as
``python -m examples.project.local``; both share the same options.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from examples.project import local


class Command(BaseCommand):
    help = (
        "Install, start (in the background), serve (in the foreground), stop or check "
        "DynamoDB Local, AWS's emulator, on 127.0.0.1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        local.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            code = local.run_command(
                options["action"],
                port=options["port"],
                data_dir=options["data"],
                in_memory=options["in_memory"],
                use_moto=options["moto"],
                allow_fallback=not options["no_fallback"],
                echo=self.stdout.write,
            )
        except local.LocalBackendError as error:
            # The message already says what is missing and how to fix it: no traceback.
            raise CommandError(str(error)) from error
        if code:
            # "status" reports "not running" through its exit code, like service managers do.
            sys.exit(code)
