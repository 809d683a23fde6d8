#!/usr/bin/env python
"""Django's command-line utility for the ready-made project (``examples.project``)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.project.settings")
    # DEBUG stays off unless DJANGO_DEBUG=1 asks for it (``make run`` does): a manage.py run
    # against production settings is production-safe.
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
