"""WSGI entry point for gunicorn: ``gunicorn dynadmin.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dynadmin.settings")

application = get_wsgi_application()
