"""Registers the shop's entities with dynadmin (found by autodiscovery, like admin.py)."""

import dynadmin
from dynadmin import EntityAdmin, Listing, Lookup, Relation, action
from dynadmin.history.admin import register_archive

from .definitions import Invitation, Order, OrderItem, Product, Session, User


@dynadmin.register(User)
class UserAdmin(EntityAdmin):
    list_display = ("user_id", "email", "name", "tier", "created_at")
    readonly_fields = ("user_id", "created_at")
    lookups = (Lookup("by_email", label="User by email", normalise="lower"),
               # a name begins with a letter and holds no "@" (an email is looked up whole)
               Lookup("by_name", label="Users by name", prefix=True,
                      accepts=r"([^\W\d_][^@#]*)", example="Alice"),
               Lookup("keys", label="User by ID", accepts=r"[0-9a-f]{8}", example="a11cebee"))
    listings = (Listing("by_name", label="Users by name", descending=False),)
    relations = (
        Relation("Orders", Order, descending=True),
        Relation("Sessions", Session, descending=True),
        # Was this person invited? Invitations are keyed by the address they were sent to
        # (a relation fills the target key from the fields of the same name: here email).
        Relation("Invitations to this email", Invitation, key="by_email"),
    )


@dynadmin.register(Order)
class OrderAdmin(EntityAdmin):
    # The currency reads beside the total ("104.99 USD"): a column of its own would repeat it.
    list_display = ("order_id", "placed_on", "status", "total")
    readonly_fields = ("order_id", "placed_at")
    lookups = (Lookup("by_id", label="Order by ID", accepts=r"(?:ORD-)?(\d+)",
                      example="ORD-456"),)
    listings = (Listing("by_status", label="Orders by status"),)
    actions = ("mark_shipped", "cancel")
    relations = (
        Relation("Customer", User, field="user_id"),
        Relation("Line items", OrderItem),
    )

    @action(description="Mark shipped")
    def mark_shipped(self, request, values):
        if values.get("status") in ("PENDING", "PAID"):
            return {"status": "SHIPPED"}
        return None

    @action(description="Cancel")
    def cancel(self, request, values):
        if values.get("status") in ("PENDING", "PAID"):
            return {"status": "CANCELLED"}
        return None


@dynadmin.register(OrderItem)
class OrderItemAdmin(EntityAdmin):
    list_display = ("order_id", "product_id", "product_name", "quantity", "unit_price")
    lookups = (Lookup("by_product", label="Order items of a product",
                      accepts=r"B0[0-9A-Z]{8}", example="B0CX23V2ZK"),)
    relations = (
        Relation("Order", Order, key="by_id", field="order_id"),
        Relation("Product", Product, field="product_id"),
    )


@dynadmin.register(Product)
class ProductAdmin(EntityAdmin):
    list_display = ("product_id", "name", "category", "price", "in_stock")
    lookups = (Lookup("keys", label="Product by ID", accepts=r"B0[0-9A-Z]{8}",
                      example="B0CX23V2ZK"),)
    listings = (Listing("by_category", label="Products in category", descending=False),)
    relations = (Relation("Order items", OrderItem, key="by_product", descending=True),)


@dynadmin.register(Session)
class SessionAdmin(EntityAdmin):
    list_display = ("session_id", "created_at", "ip_address", "expires")
    relations = (Relation("User", User, field="user_id"),)


@dynadmin.register(Invitation)
class InvitationAdmin(EntityAdmin):
    list_display = ("invite_id", "email", "invited_by", "expires")
    lookups = (Lookup("by_email", label="Invitation by email", normalise="lower"),)


# The archive of changes (every change to the shop's items, whoever made them): browsable
# like the shop's own table, read-only.
register_archive()
