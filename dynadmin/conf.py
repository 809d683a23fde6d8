"""Every ``DYNADMIN_*`` setting dynadmin reads, with its default, in one place.

Read a setting as ``conf.get("READ_TIMEOUT")``: the project's ``settings.DYNADMIN_READ_TIMEOUT``
when it sets one, else the default below. Read at call time (never at import), and read again
after Django says it changed, so that tests and a host project change a setting with
``override_settings``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from . import limits

__all__ = ["DEFAULTS", "get"]

DEFAULTS: dict[str, Any] = {
    # The DynamoDB (and CloudWatch) client: seconds to connect and to wait for an answer,
    # attempts per call (botocore's adaptive retries), connections per process, region
    # (None: boto3's own chain decides).
    "CONNECT_TIMEOUT": 2,
    "READ_TIMEOUT": 5,
    "MAX_ATTEMPTS": 3,
    # Reads are retried less than writes: a page gives up sooner when DynamoDB stalls.
    "READ_MAX_ATTEMPTS": 2,
    # Seconds of DynamoDB work one page may spend, retries included: past it no further
    # request is sent and the page says DynamoDB did not answer in time, so a stalled
    # DynamoDB holds a server thread for a bounded time (login and static files stay fast).
    "REQUEST_BUDGET": 10,
    "MAX_POOL_CONNECTIONS": 20,
    # The hot calls (Query, GetItem, BatchGetItem, the writes) of dynadmin's own clients are
    # built, signed and sent with botocore's pieces but without its request pipeline
    # (data/fast.py); False sends every call through boto3.
    "FAST_CALLS": True,
    "REGION": None,
    # Logical table name -> physical table name; a table not named here keeps its own name.
    "TABLE_NAMES": {},
    # Seconds a DescribeTable / Describe* answer is cached (DescribeTable's counts refresh
    # about every six hours anyway), and a CloudWatch metrics answer.
    "DESCRIBE_TTL": 10,
    "METRICS_TTL": 300,
    # Seconds a pagination cursor stays valid.
    "CURSOR_MAX_AGE": 24 * 3600,
    # Login throttling (views/login.py): failures allowed per username in the window (seconds,
    # counted from the last failure); per client address, a looser limit (None: 10x the
    # per-username one), so one person's typos never lock out everyone behind a NAT or proxy.
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": None,
    "LOGIN_LOCKOUT_SECONDS": 15 * 60,
    # How many proxies of your own append to X-Forwarded-For in front of Django: 0 trusts no
    # header (REMOTE_ADDR is the client); N takes the N-th address from the right.
    "TRUSTED_PROXIES": 0,
    # Signing in elsewhere (views/login.py): the URL (or URL name) of the host's sign-in the
    # login page redirects to, and back; None: the host's LOGIN_URL when it sets one, else
    # dynadmin's own form. A dynadmin login page here keeps the form. LOGOUT_URL: the host's
    # logout view that dynadmin's Log out hands its POST to (None: Django's logout).
    "LOGIN_URL": None,
    "LOGOUT_URL": None,
    # OpenID Connect sign-in (dynadmin/signin.py, on mozilla-django-oidc): the claim naming
    # the person (their username here), the claim listing their groups at the provider, and
    # provider group -> Django group(s), applied at every sign-in.
    "OIDC_USERNAME_CLAIM": "preferred_username",
    "OIDC_GROUPS_CLAIM": "groups",
    "OIDC_GROUP_MAP": {},
    # Whether several processes serve this site (None: yes under gunicorn). Then system check
    # W102 warns about a per-process cache, where sessions and throttling cannot agree.
    "MULTI_PROCESS": None,
    # The cache (alias) people.PersonCacheMiddleware keeps the signed-in person in, the
    # sessions' own in a production setup; "" reads them from the database on every request.
    "PERSON_CACHE": "default",
    # The Content-Security-Policy header; None: the strict default of views/serving.py.
    "CSP": None,
    # Named AWS environments (data/connections.py); None: one "default" connection on
    # boto3's standard chain. Logical table name -> connection name, per deployment.
    "CONNECTIONS": None,
    "TABLE_CONNECTIONS": {},
    # Logical names of tables dynadmin must not write to.
    "READ_ONLY_TABLES": (),
    # How far ahead of now the extend-TTL permission (Support's) may move an expiry, in days;
    # setting, shortening or clearing a TTL needs change permission on the item's entity.
    "TTL_EXTEND_MAX_DAYS": 365,
    # Refuse Scan/PartiQL on every botocore client of the process, not only dynadmin's own
    # (the ready-made project turns it on; off in a host, whose own boto3 code is its own).
    "REFUSE_SCAN_PROCESS_WIDE": False,
    # The dashboard's "data still loading" notice: logical table name -> the primary key of
    # an item a loader writes when it is done (one GetItem, cached briefly). None: no notice.
    "LOADING_MARKER": None,
    # Reading DynamoDB Streams (the archive's consumer; no page reads a stream): records asked
    # of one GetRecords (at most 1000), and Streams calls one data.read_stream() makes unless
    # told otherwise (DescribeStream, GetShardIterator and GetRecords together).
    "STREAM_RECORDS_PER_CALL": limits.STREAM_RECORDS_PER_CALL,
    "STREAM_CALLS_PER_REQUEST": 25,
    # Changes on one page of a table's Activity (newest first; Older/Newer page on).
    "ACTIVITY_PER_PAGE": 50,
    # Where the dashboard suggests to start: (label, target) pairs; a target beginning
    # with "/" is a page of the site, any other text is typed into the lookup box.
    "DASHBOARD_SUGGESTIONS": (),
    # The archive of changes (dynadmin/history/): its physical table name (its logical
    # name is "History"; DYNADMIN_TABLE_NAMES may still name it), and the days an archived
    # change is kept before DynamoDB's TTL deletes it.
    "HISTORY_TABLE": "dynadmin-history",
    "HISTORY_RETENTION_DAYS": 90,
    # Full exports (dynadmin/jobs/exports.py): the alias in the project's STORAGES they are
    # written to, and the seconds a link to download a finished one stays valid.
    "EXPORT_STORAGE": "default",
    "EXPORT_LINK_SECONDS": 24 * 3600,
    # Imports (dynadmin/jobs/imports.py): the largest file the import page accepts, in bytes.
    "IMPORT_MAX_BYTES": 50 * 1024 * 1024,
    # Bulk jobs (dynadmin/jobs/): items per Query page of a job's source (one chunk each),
    # seconds a worker holds a chunk without renewing it before another takes it over (it
    # renews after every item), and the capacity a job may consume per second unless its
    # creator sets its own: on a provisioned table the share JOB_CAPACITY_SHARE of its (and
    # its indexes') provisioned units, on an on-demand one the fixed caps JOB_MAX_WCU /
    # JOB_MAX_RCU (0: no limit but DynamoDB's own throttling, backed off from).
    "JOB_PAGE_SIZE": 100,
    "JOB_LEASE_SECONDS": 60,
    # Seconds one task of a job (its reader, or a worker taking chunk after chunk) runs before
    # it queues a fresh task to go on and ends: under a queue's own time limit (RQ stops a
    # task after 180 s by default), so that no task is stopped mid-chunk.
    "JOB_TASK_SECONDS": 120,
    "JOB_CAPACITY_SHARE": 0.25,
    "JOB_MAX_WCU": 500,
    "JOB_MAX_RCU": 1000,
    # Personal access tokens (views/tokens.py): the longest life, in days, a person may give
    # a token when making it, and the days each use of a token is kept in its audit.
    "TOKEN_MAX_DAYS": 90,
    "TOKEN_USES_KEPT_DAYS": 30,
    # Every use of a page's {% reused %} block (its chrome, rendered once per signed-in
    # person) renders it again and raises when the two differ: for tests, never production.
    "CHECK_REUSED": False,
}


#: Each setting as last read, and the settings it was read from: a page or a job item reads
#: a dozen, and Django's settings answer one that is not set by raising AttributeError inside,
#: every time. Read again under other settings (``override_settings`` and the tests'
#: ``settings`` fixture put new ones in place, even to delete one) and after Django says one
#: changed.
_read: dict[str, Any] = {}
_read_from: list[Any] = [None]


def get(name: str) -> Any:
    """``settings.DYNADMIN_<name>``, or its default (KeyError for a setting dynadmin lacks)."""
    if settings._wrapped is _read_from[0]:
        try:
            return _read[name]
        except KeyError:
            pass
    else:
        _read.clear()
    default = DEFAULTS[name]
    value = getattr(settings, f"DYNADMIN_{name}", default)
    value = default if value is None and default is not None else value
    # (After the first read: reading configures settings not configured yet.)
    _read_from[0] = settings._wrapped
    _read[name] = value
    return value


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("DYNADMIN_"):
        _read.pop(setting.removeprefix("DYNADMIN_"), None)
