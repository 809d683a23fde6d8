"""What dynadmin keeps in Django's database: the audit log, and an anchor for permissions.

Items live in DynamoDB; Django's database (SQLite by default, any database through
DATABASE_URL) holds users, sessions and this log, so several web processes can share it.
"""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.db import models

__all__ = ["UNCLASSIFIED", "AuditEntry", "AuditEntryQuerySet", "EntityPermissionAnchor"]


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
