"""Test settings: the production configuration, minus what needs HTTPS or collectstatic."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret-" + "a1b2c3d4e5" * 5)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from examples.project.settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
# A file, not ":memory:": Django shares an in-memory test database between threads through
# SQLite's shared cache, where a writer that meets a lock fails at once instead of waiting,
# and the concurrency tests write the audit log from 20 threads.
DATABASES = {"default": {
    "ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "tests.sqlite3",  # noqa: F405
    # as the ready-made project's: workers and the server write to the same file
    "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
    # One file per test process: parallel workers and parallel runs never share it.
    "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"dynadmin-test-{os.getpid()}.sqlite3")},
}}
# Fail fast when the backend is stopped on purpose in failure tests.
DYNADMIN_CONNECT_TIMEOUT = 1
DYNADMIN_READ_TIMEOUT = 5
DYNADMIN_MAX_ATTEMPTS = 2
DYNADMIN_READ_MAX_ATTEMPTS = 2
DYNADMIN_DESCRIBE_TTL = 0
# Each test's table is fresh, without the example's marker: tests that want the notice set it.
DYNADMIN_LOADING_MARKER = None
# Every page a test renders proves its reused chrome equals a fresh rendering.
DYNADMIN_CHECK_REUSED = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise expects it to exist
# One process per test worker, each with its own database: a per-process cache is right here,
# and it lets tests without database access clear it. The production settings' shared cache
# (Redis or the database) is exercised over HTTP by tests/test_shared_state.py.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A process a test starts (the jobs' db_worker) shares the test's database file, and takes
# the test's job settings from its environment.
if os.environ.get("DYNADMIN_TEST_DATABASE"):
    DATABASES["default"]["NAME"] = os.environ["DYNADMIN_TEST_DATABASE"]
for _name in ("JOB_LEASE_SECONDS", "JOB_PAGE_SIZE"):
    if os.environ.get(f"DYNADMIN_{_name}"):
        globals()[f"DYNADMIN_{_name}"] = int(os.environ[f"DYNADMIN_{_name}"])
