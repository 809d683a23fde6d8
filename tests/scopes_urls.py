"""A URLconf with a site over a multi-tenant table (the hidden-tenant fixture of the scope
tests): the tenant lives in the keys (``ORG#{org}``) of the table and of the status index,
and not in the keys of the ticket-id index, where only reading tells whose a ticket is."""

from django.urls import path

import dynadmin
from dynadmin import EntityAdmin, Listing, Lookup, Relation, fields
from dynadmin.definitions import Entity, Key, Table
from dynadmin.scopes import Scope
from dynadmin.sites import AdminSite

tenancy = Table("Tenancy", pk="PK", sk="SK", type_attribute="type",
                indexes={"GSI1": ("GSI1PK", "GSI1SK"), "GSI2": ("GSI2PK", "GSI2SK")})


class Org(Entity, table=tenancy, label="{name}"):
    keys = Key(pk="ORG#{org}", sk="PROFILE")

    org = fields.String(required=True, key_only=True)
    name = fields.String()


class Ticket(Entity, table=tenancy, label="Ticket {ticket_id}"):
    keys = Key(pk="ORG#{org}", sk="TICKET#{ticket_id}")
    by_status = Key("GSI1", pk="ORG#{org}#STATUS#{status}", sk="TICKET#{ticket_id}")
    by_id = Key("GSI2", pk="TICKET#{ticket_id}", sk="ORG#{org}")

    org = fields.String(required=True, key_only=True)
    ticket_id = fields.String(required=True)
    subject = fields.String()
    status = fields.Choice("OPEN", "CLOSED", required=True)


class Site(Entity, table=tenancy, label="Site {site_id}"):
    keys = Key(pk="REGION#{region}", sk="SITE#{site_id}")

    region = fields.Choice("eu", "us", "apac", required=True, key_only=True)
    site_id = fields.String(required=True)


class Note(Entity, table=tenancy, label="Note {note_id}"):
    """The tenant only as an attribute: nothing in its keys tells whose a note is."""

    keys = Key(pk="NOTE#{note_id}", sk="NOTE")

    note_id = fields.String(required=True)
    org = fields.String(required=True)
    text = fields.String()


class Device(Entity, table=tenancy, label="Device {device_id}"):
    """All devices in one partition; the region only an attribute, offered as a filter."""

    keys = Key(pk="DEVICES", sk="DEVICE#{device_id}")

    device_id = fields.String(required=True)
    region = fields.Choice("eu", "us", "apac", required=True)


class DeviceAdmin(EntityAdmin):
    list_display = ("device_id", "region")
    listings = (Listing("keys", label="All devices"),)


class SiteAdmin(EntityAdmin):
    list_display = ("site_id",)
    listings = (Listing("keys", label="Sites by region"),)


class OrgAdmin(EntityAdmin):
    list_display = ("org", "name")
    # Scopes of an entity admin hold for its entity alone.
    scopes = (Scope("acme profile", "org", ["acme"]),)
    relations = (Relation("Tickets", Ticket),)


class TicketAdmin(EntityAdmin):
    list_display = ("ticket_id", "subject", "status")
    lookups = (Lookup("by_id", label="Ticket by id", accepts=r"T-\d+"),)
    listings = (Listing("by_status", label="Tickets by status"),)


tenants = AdminSite(name="tenants", scopes=[Scope("acme", "org", ["acme"]),
                                            Scope("globex", "org", ["globex"]),
                                            Scope("europe", "region", ["eu"])])
tenants.register(Org, OrgAdmin)
tenants.register(Ticket, TicketAdmin)
tenants.register(Site, SiteAdmin)
tenants.register(Note)
tenants.register(Device, DeviceAdmin)

urlpatterns = [
    path("", dynadmin.site.urls),
    path("tenants/", tenants.urls),
]
