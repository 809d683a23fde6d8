"""What dynadmin keeps in Django's database: the audit log, and an anchor for permissions.

Items live in DynamoDB; Django's database (SQLite by default, any database through
DATABASE_URL) holds users, sessions and this log, so several web processes can share it.
"""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.db import models

__all__ = ["UNCLASSIFIED", "AccessToken", "AccessTokenUse", "AuditEntry", "AuditEntryQuerySet",
           "EntityPermissionAnchor", "Job", "JobChunk", "JobItem", "ScopeAssignment"]


class EntityPermissionAnchor(models.Model):
    """No rows, no table: the content type that per-entity permissions hang from.

    Entities are not Django models, but Django's permissions need a content type; this one
    carries ``view_application.order``, ``change_application.order``...
    """

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = "DynamoDB entity"

    def __str__(self) -> str:
        return "DynamoDB entity permissions"


#: ``AuditEntry.other_entity`` of an image no entity claims (never a label: superusers only)
UNCLASSIFIED = "(unclassified)"


class AuditEntryQuerySet(models.QuerySet):
    def visible_to(self, labels: Collection[str] | None) -> AuditEntryQuerySet:
        """The entries a person who may view the entities ``labels`` may see (None: every
        entry, for superusers): what a write tried and changed is as telling as the item,
        so every entity the entry shows counts, the one it was made as and the other."""
        if labels is None:
            return self
        labels = list(labels)
        return self.filter(models.Q(other_entity="") | models.Q(other_entity__in=labels),
                           entity__in=labels)


class AuditEntry(models.Model):
    """One write dynadmin made or tried to make to DynamoDB: applied, interrupted, or refused
    (a guard that failed, a key already taken, a permission the person lacks)."""

    class Action(models.TextChoices):
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        MOVE = "move", "Move (key change)"
        DELETE = "delete", "Delete"
        TTL = "ttl", "TTL change"
        ACTION = "action", "Admin action"
        UNDO = "undo", "Undo"

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        NOT_APPLIED = "not_applied", "Not applied"
        UNKNOWN = "unknown", "Unknown (interrupted)"
        CONFLICT = "conflict", "Refused: changed meanwhile"
        KEY_TAKEN = "key_taken", "Refused: key taken"
        DENIED = "denied", "Refused: no permission"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="dynadmin_audit_entries")
    #: kept even if the user is deleted later
    username = models.CharField(max_length=150)
    table = models.CharField(max_length=255, help_text="logical table name (definitions)")
    table_name = models.CharField(max_length=255, help_text="physical DynamoDB table name")
    entity = models.CharField(max_length=255, blank=True)
    #: DynamoDB JSON of the primary key (exact types)
    key = models.TextField()
    #: the partition and sort key as text, to find an item's history with an index
    key_text = models.CharField(max_length=1024, db_index=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices,
                               default=Outcome.APPLIED)
    condition = models.TextField(blank=True)
    before = models.TextField(blank=True, help_text="DynamoDB JSON before the write")
    after = models.TextField(blank=True, help_text="DynamoDB JSON after the write")
    diff = models.JSONField(default=dict, blank=True)
    consumed_wcu = models.FloatField(null=True, blank=True)
    detail = models.TextField(blank=True)
    #: the entity of the item's key or of an image that is not ``entity`` (an edit that made
    #: an Order a User shows the Order): its label, or UNCLASSIFIED; "" when there is none
    other_entity = models.CharField(max_length=255, blank=True, default="")
    #: the entry an undo reversed (its own write is this entry)
    undoes = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="undone_by")
    #: the bulk job the write was made by (its items are its entries)
    job = models.ForeignKey("Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="audit_entries")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # An item's entries are found by key_text (indexed); the key moves that attribution
        # looks for, and Recent actions, read a table's by time: neither scans the whole log.
        indexes = [models.Index(fields=["table", "-created_at"],
                                name="dynadmin_audit_table_time")]
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.table}:{self.key_text}"

    @property
    def badge(self) -> str:
        """The outcome badge's look: applied is good news, anything else is not."""
        return "ok" if self.outcome == "applied" else "bad"


class Job(models.Model):
    """A bulk operation over everything a query matches, run by workers of Django's Tasks
    framework in chunks (one Query page each), with the permissions of the person who made it.

    The counts are those of its ``JobItem`` rows (one per item, never two): counted, not kept
    here, so a chunk taken over by another worker can never count an item twice."""

    class Kind(models.TextChoices):
        UPDATE = "update", "Set fields"
        DELETE = "delete", "Delete"
        ACTION = "action", "Admin action"
        EXPORT = "export", "Export"
        IMPORT = "import", "Import"
        UNDO = "undo", "Undo of a job"

    class State(models.TextChoices):
        PREVIEW = "preview", "Preview"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        CANCELLED = "cancelled", "Cancelled"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    creator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                related_name="dynadmin_jobs")
    #: kept even if the user is deleted later
    username = models.CharField(max_length=150)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    table = models.CharField(max_length=255, help_text="logical table name (definitions)")
    entity = models.CharField(max_length=255, help_text="the entity whose items it writes")
    #: the partition page's parameters of the query it reads (pk, index, sk_op...); None for
    #: a job over a file or over another job's items (an undo)
    source = models.JSONField(null=True, blank=True)
    #: what it does to each item: {"set": {field: text}}, {"action": name}...
    parameters = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PREVIEW)
    dry_run = models.BooleanField(default=False)
    #: capacity units per second it may consume (None: no limit of its own)
    max_rcu = models.FloatField(null=True, blank=True)
    max_wcu = models.FloatField(null=True, blank=True)
    consumed_rcu = models.FloatField(default=0)
    consumed_wcu = models.FloatField(default=0)
    #: the source has been read to its end (every chunk exists)
    planned = models.BooleanField(default=False)
    #: until when the worker reading the source holds it (a killed reader is replaced after)
    planner_lease = models.DateTimeField(null=True, blank=True)
    #: why it failed, or what stopped it
    message = models.TextField(blank=True)
    #: the job an undo reverses
    undoes = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="undone_by")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        # Bulk work is a permission of its own, on top of each item's: a person who may
        # change one order may not thereby change twelve thousand.
        permissions = [
            ("run_bulk_jobs", "Can run a job over every item a query matches"),
            ("export_all", "Can export every item a query matches"),
            ("import_items", "Can import items from a file"),
        ]

    def __str__(self) -> str:
        return f"job {self.pk}: {self.kind} {self.entity} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.CANCELLED, self.State.DONE, self.State.FAILED)


class JobChunk(models.Model):
    """One Query page of a job's source: the keys (and fingerprints) it read, written by
    whichever worker holds its lease; a worker that stops renewing it loses it."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    #: the page's ExclusiveStartKey (plain JSON of DynamoDB JSON; None: the first page)
    start_key = models.JSONField(null=True, blank=True)
    #: the key after the page (None: the source's end)
    next_key = models.JSONField(null=True, blank=True)
    #: [[key as DynamoDB JSON text, fingerprint], ...] in the page's order
    keys = models.JSONField(default=list)
    read_count = models.PositiveIntegerField(default=0)
    consumed_rcu = models.FloatField(default=0)
    #: the items its worker is writing and has not recorded yet (those read together), as
    #: read: {key as DynamoDB JSON text: item as DynamoDB JSON text}. A worker taking the chunk
    #: over audits a write its predecessor made and did not record from this.
    writing = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "number"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["job", "number"],
                                               name="dynadmin_jobchunk_once")]

    def __str__(self) -> str:
        return f"job {self.job_id} chunk {self.number}"


class JobItem(models.Model):
    """What a job did to one item: one row per (job, key), so nothing is counted twice."""

    class Status(models.TextChoices):
        WRITTEN = "written", "Written"
        UNCHANGED = "unchanged", "Unchanged"
        CONFLICTED = "conflicted", "Changed meanwhile: not written"
        REFUSED = "refused", "Refused"
        FAILED = "failed", "Failed"
        WOULD_WRITE = "would_write", "Would be written (dry run)"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="items")
    chunk = models.ForeignKey(JobChunk, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="items")
    #: DynamoDB JSON of the primary key, and its text (as the audit log spells it)
    key = models.TextField()
    key_text = models.CharField(max_length=1024)
    #: a digest of ``key``: what makes the row unique (a key may be longer than an index)
    key_digest = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["job", "key_digest"],
                                               name="dynadmin_jobitem_once")]
        indexes = [models.Index(fields=["job", "status"], name="dynadmin_jobitem_status")]

    def __str__(self) -> str:
        return f"job {self.job_id} {self.key_text}: {self.status}"


class AccessToken(models.Model):
    """A personal access token: a monitor or a script acting as the person who made it,
    on the site's JSON endpoints (``Authorization: Bearer <token>``).

    Only a digest of the secret is kept: the token is shown once, when it is made. The
    ``prefix`` (public, unique) finds the row without comparing every digest. A token reads
    only, unless made with ``may_write``; it stops working at ``expires_at`` or when revoked.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="dynadmin_tokens")
    name = models.CharField(max_length=100, help_text="what uses it, e.g. 'uptime monitor'")
    prefix = models.CharField(max_length=16, unique=True)
    #: sha256 of the whole token, hex
    digest = models.CharField(max_length=64)
    may_write = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"token {self.name!r} of {self.user_id}"


class AccessTokenUse(models.Model):
    """One request made with a token: the audit of machine access, kept apart from the
    audit log of writes (a monitor polling every ten seconds would drown it), and pruned
    after ``DYNADMIN_TOKEN_USES_KEPT_DAYS``."""

    token = models.ForeignKey(AccessToken, on_delete=models.CASCADE, related_name="uses")
    #: the token's name when used (the audit keeps it if the token is renamed or deleted)
    token_name = models.CharField(max_length=100)
    at = models.DateTimeField(auto_now_add=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=1024)
    status = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-at", "-id"]
        default_permissions = ()
        indexes = [models.Index(fields=["token", "at"], name="dynadmin_tokenuse_at")]

    def __str__(self) -> str:
        return f"{self.token_name}: {self.method} {self.path} -> {self.status}"


class ScopeAssignment(models.Model):
    """Who a scope limits: the scope declared under ``name`` (``AdminSite.add_scope`` or
    ``EntityAdmin.scopes``) holds for these groups and users. A person with no assigned
    scope (and every superuser) reaches the whole table, as before scopes existed."""

    name = models.CharField(max_length=100, unique=True,
                            help_text="the name a scope is declared under (site or entity "
                                      "admin)")
    groups = models.ManyToManyField("auth.Group", blank=True, related_name="dynadmin_scopes")
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                   related_name="dynadmin_scopes")

    class Meta:
        verbose_name = "DynamoDB scope assignment"

    def __str__(self) -> str:
        return self.name
