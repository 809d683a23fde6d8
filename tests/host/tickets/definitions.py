"""One table, two entities (PK / SK):

- Ticket: ``TICKET#<ticket_id>`` / ``META``
- Comment: ``TICKET#<ticket_id>`` / ``COMMENT#<created>#<comment_id>`` (oldest first)
"""

from dynadmin import Entity, Key, Table, fields

helpdesk = Table("Helpdesk", pk="PK", sk="SK", type_attribute="type")


class Ticket(Entity, table=helpdesk):
    keys = Key(pk="TICKET#{ticket_id}", sk="META")

    ticket_id = fields.String(required=True)
    subject = fields.String(required=True)
    status = fields.Choice("OPEN", "PENDING", "CLOSED", default="OPEN")
    opened_at = fields.DateTime()
    version = fields.Version()


class Comment(Entity, table=helpdesk):
    # The format says how stored keys spell the moment (system check dynadmin.W002).
    keys = Key(pk="TICKET#{ticket_id}",
               sk="COMMENT#{created:%Y-%m-%dT%H:%M:%S+00:00}#{comment_id}")

    ticket_id = fields.String(required=True)
    created = fields.DateTime(required=True)
    comment_id = fields.String(required=True)
    author = fields.String()
    body = fields.String()
