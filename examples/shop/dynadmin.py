"""Registers the shop's entities with dynadmin (found by autodiscovery, like admin.py)."""

import dynadmin
from dynadmin import EntityAdmin, Lookup

from .definitions import Invitation, Order, OrderItem, Product, Session, User


@dynadmin.register(User)
class UserAdmin(EntityAdmin):
    list_display = ("user_id", "email", "name", "tier", "created_at")
    readonly_fields = ("user_id", "created_at")
    lookups = (Lookup("by_email", label="User by email"), Lookup("keys", label="User by ID"))


@dynadmin.register(Order)
class OrderAdmin(EntityAdmin):
    list_display = ("order_id", "placed_on", "status", "total", "currency")
    readonly_fields = ("order_id", "placed_at")
    lookups = (Lookup("by_id", label="Order by ID"),)


@dynadmin.register(OrderItem)
class OrderItemAdmin(EntityAdmin):
    list_display = ("order_id", "product_id", "product_name", "quantity", "unit_price")
    lookups = (Lookup("by_product", label="Order items of a product"),)


@dynadmin.register(Product)
class ProductAdmin(EntityAdmin):
    list_display = ("product_id", "name", "category", "price", "in_stock")
    lookups = (Lookup("keys", label="Product by ID"),
               Lookup("by_category", label="Products in category"))


@dynadmin.register(Session)
class SessionAdmin(EntityAdmin):
    list_display = ("session_id", "created_at", "ip_address", "expires")


@dynadmin.register(Invitation)
class InvitationAdmin(EntityAdmin):
    list_display = ("invite_id", "email", "invited_by", "expires")
    lookups = (Lookup("by_email", label="Invitation by email"),)
