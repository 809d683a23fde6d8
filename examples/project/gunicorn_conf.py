"""gunicorn settings for production.

``gunicorn examples.project.wsgi -c python:examples.project.gunicorn_conf``

Several workers (and several hosts) share nothing in memory: sessions, login throttling and
cached DescribeTable answers live in the cache and database the settings name (REDIS_URL,
DATABASE_URL). The master runs dynadmin's system checks once, so a per-process cache under
several workers is reported (dynadmin.W102) in gunicorn's own log.
"""

import gc
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# dynadmin waits on DynamoDB far more than it computes: threads are cheap, and a stalled
# DynamoDB holds one only for DYNADMIN_REQUEST_BUDGET (plus one read timeout). With 2 x 8
# threads, 8 pages stalled at once still leave threads for the login page and static files
# (bench/stall.py measures it).
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Load the app once in the master: definitions are imported and checked before forking.
# The DynamoDB client is created lazily, so each worker builds its own after the fork.
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
errorlog = "-"
# A proxy's X-Forwarded-* headers count only when the settings say there is one
# (DJANGO_BEHIND_PROXY, which also sets Django's SECURE_PROXY_SSL_HEADER), and only from the
# addresses it sends from. Otherwise anyone who can reach the port, a process on the same
# host included, could claim HTTPS (secure cookies, CSRF's origin check, no SSL redirect).
if os.environ.get("DJANGO_BEHIND_PROXY", "").strip().lower() in ("1", "true", "yes", "on"):
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
else:
    forwarded_allow_ips = ""
    secure_scheme_headers: dict[str, str] = {}


def when_ready(server):  # noqa: ANN001, ANN201 - gunicorn's hook signature
    """Report dynadmin's system checks (W102 above all) before any worker serves a request.

    Database checks are left out: the master must not open a connection its workers would
    inherit through the fork."""
    from django.apps import apps

    if not apps.ready:  # preload_app turned off: the master never loaded Django
        return
    from django.core import checks

    for message in checks.run_checks(tags=["dynadmin"]):
        if message.level >= checks.WARNING:
            server.log.warning("%s", message)
    # Everything loaded so far (Django, the definitions, their checks) lives as long as the
    # process: out of the garbage collector's sight, a worker's collections no longer walk
    # it on every page, and it stays shared with the master instead of being copied on
    # write. Measured: about a third of a 1,000-row page's CPU (bench/README.md).
    gc.freeze()
