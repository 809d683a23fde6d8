"""A URLconf with a second site over a helpdesk table shaped like real designs:
the tenant lives only inside the keys (``ORG#{org}``), never as an attribute, and
a tenant's tickets are listed by status (``ORG#{org}#STATUS#{status}``: typed in, then tabs,
or opened from the org's own page, its ``org`` filled in).
Beside it a telemetry table whose partition key is the bare device id (``{device}``)."""

from django.urls import path

import dynadmin
from dynadmin import EntityAdmin, Listing, Relation, fields
from dynadmin.definitions import Entity, Key, Table
from dynadmin.scopes import Scope
from dynadmin.sites import AdminSite

helpdesk = Table("Helpdesk", pk="PK", sk="SK", type_attribute="type",
                 indexes={"GSI1": ("GSI1PK", "GSI1SK")})


class Ticket(Entity, table=helpdesk, label="Ticket {ticket_id}"):
    keys = Key(pk="ORG#{org}", sk="TICKET#{ticket_id}")
    by_status = Key("GSI1", pk="ORG#{org}#STATUS#{status}", sk="TICKET#{ticket_id}")

    org = fields.String(required=True, key_only=True)
    ticket_id = fields.String(required=True)
    subject = fields.String()
    status = fields.Choice("OPEN", "PENDING", "CLOSED", required=True)


class TicketAdmin(EntityAdmin):
    list_display = ("ticket_id", "subject", "status")
    listings = (Listing("by_status", label="Tickets by status", descending=False),)


class Org(Entity, table=helpdesk, label="{name}"):
    keys = Key(pk="ORG#{org}", sk="PROFILE")

    org = fields.String(required=True, key_only=True)
    name = fields.String()


class OrgAdmin(EntityAdmin):
    list_display = ("org", "name")
    # Its tickets by status: the org from this item, the status switched by links.
    relations = (Relation("Tickets by status", Ticket, key="by_status"),)


telemetry = Table("Telemetry", pk="PK", sk="SK")


class Reading(Entity, table=telemetry, label="{device} at {taken_at}"):
    keys = Key(pk="{device}", sk="AT#{taken_at}")

    device = fields.String(required=True, key_only=True)
    taken_at = fields.String(required=True, key_only=True)
    celsius = fields.Number()


desk = AdminSite(name="helpdesk")
desk.register(Ticket, TicketAdmin)
desk.register(Org, OrgAdmin)
desk.register(Reading)

# The same tables on a site whose people may be limited to their tenants (the IAM policy of a
# scope); served nowhere.
scoped_desk = AdminSite(name="scoped-helpdesk", scopes=[
    Scope("acme", "org", ["acme"]),
    Scope("mine", "org", allowed=lambda request: [request.user.username])])
scoped_desk.register(Ticket, TicketAdmin)
scoped_desk.register(Org, OrgAdmin)
scoped_desk.register(Reading)

urlpatterns = [
    path("", dynadmin.site.urls),
    path("helpdesk/", desk.urls),
]
