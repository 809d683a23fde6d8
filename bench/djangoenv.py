"""The production settings both gunicorn and the benchmark process run with.

The benchmark process needs Django too: it creates the table, loads it, creates the login
user and signs the deep-page cursor, which must verify in gunicorn, so both share one
environment (and so one secret key, made fresh for every run).
"""

from __future__ import annotations

import os
import secrets

from examples.project import local

from .paths import REPO_ROOT, STATIC_DIR, VAR_DIR

LOGICAL_TABLE = "Application"


def production_env(physical_table: str) -> dict[str, str]:
    """The process environment minus any Django/dynadmin/AWS settings (and any database or
    cache URL: the run's configuration adds its own), plus production ones.

    Plain HTTP on 127.0.0.1, so the HTTPS redirect and secure cookies are off; everything
    else (DEBUG off, manifest static files, whitenoise) is what production runs.
    """
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "DYNADMIN_", "AWS_", "DATABASE_URL", "REDIS_URL"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "examples.project.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DYNADMIN_TABLE_NAMES": f"{LOGICAL_TABLE}={physical_table}",
        "DYNADMIN_VAR_DIR": str(VAR_DIR),
        "DJANGO_STATIC_ROOT": str(STATIC_DIR),
        "AWS_REGION": local.REGION,
        "AWS_ACCESS_KEY_ID": local.ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": local.SECRET_KEY,
        "PYTHONPATH": str(REPO_ROOT),
    })
    return env


def setup(env: dict[str, str]) -> None:
    """Configure Django in this process with ``env`` (once, before any DynamoDB call)."""
    import django

    os.environ.update(env)
    django.setup()


def point_at(endpoint: str, env: dict[str, str]) -> None:
    """Send this process's dynadmin calls (and later gunicorn's) to ``endpoint``."""
    from dynadmin.data.client import reset_client

    env["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    reset_client()
