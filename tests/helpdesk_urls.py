"""A URLconf with a second site over a helpdesk table shaped like real designs (issue 13,
section 2): the tenant lives only inside the keys (``ORG#{org}``), never as an attribute."""

from django.urls import path

import dynadmin
from dynadmin import EntityAdmin, fields
from dynadmin.definitions import Entity, Key, Table
from dynadmin.sites import AdminSite

helpdesk = Table("Helpdesk", pk="PK", sk="SK", type_attribute="type",
                 indexes={"GSI1": ("GSI1PK", "GSI1SK")})


class Ticket(Entity, table=helpdesk, label="Ticket {ticket_id}"):
    keys = Key(pk="ORG#{org}", sk="TICKET#{ticket_id}")

    org = fields.String(required=True, key_only=True)
    ticket_id = fields.String(required=True)
    subject = fields.String()


class TicketAdmin(EntityAdmin):
    list_display = ("ticket_id", "subject")


desk = AdminSite(name="helpdesk")
desk.register(Ticket, TicketAdmin)

urlpatterns = [
    path("", dynadmin.site.urls),
    path("helpdesk/", desk.urls),
]
