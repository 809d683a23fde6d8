"""gunicorn settings for production.

``gunicorn examples.project.wsgi -c python:examples.project.gunicorn_conf``
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Load the app once in the master: definitions are imported and checked before forking.
# The DynamoDB client is created lazily, so each worker builds its own after the fork.
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
