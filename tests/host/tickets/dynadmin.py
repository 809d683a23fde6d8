"""Registers the helpdesk's entities (found by dynadmin's autodiscovery, like admin.py)."""

import dynadmin
from dynadmin import EntityAdmin, Relation

from .definitions import Comment, Ticket


@dynadmin.register(Ticket)
class TicketAdmin(EntityAdmin):
    list_display = ("ticket_id", "subject", "status", "opened_at")
    relations = (Relation("Comments", Comment),)


@dynadmin.register(Comment)
class CommentAdmin(EntityAdmin):
    list_display = ("created", "author", "body")
    relations = (Relation("Ticket", Ticket, field="ticket_id"),)
