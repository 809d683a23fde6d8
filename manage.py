#!/usr/bin/env python
"""Django's command-line utility for dynadmin (development defaults: DEBUG on)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dynadmin.settings")
    # manage.py is the developer's entry point; production runs gunicorn on dynadmin.wsgi,
    # where DEBUG stays off unless explicitly set.
    os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
