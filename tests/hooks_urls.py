"""A URLconf with a host project's site whose admins override the write and item
permission hooks, as a ModelAdmin subclass would: every write adds ``touched_by`` and is
recorded in ``WRITTEN``; dave may add nothing; ``get_actions`` adds "Mark paid" to orders and takes
"Mark shipped" from carol; items of ``HIDDEN_PK``'s partition and items with ``withheld`` set
are not viewable, items with ``locked`` set not changeable; a save that
would store ``status`` "CANCELLED" or an email at blocked.example is refused with a message."""

from typing import Any

from django.urls import path

from dynadmin.options import action
from dynadmin.sites import AdminSite
from dynadmin.user_errors import UserInputError
from examples.shop import dynadmin as shop_admins
from examples.shop.definitions import Invitation, Order, OrderItem, Product, Session, User

#: (hook, action as audited, sort key, touched_by) of each write, in order
WRITTEN: list[tuple[str, str, str, str]] = []
HIDDEN_PK = "USER#hidden"


class HostHooks:
    def save_item(self, request: Any, item: dict[str, Any], *, original: Any,
                  **options: Any) -> Any:
        if item.get("status") == "CANCELLED":
            raise UserInputError("Orders are never cancelled here.", title="Refused by the host")
        if str(item.get("email", "")).endswith("@blocked.example"):
            raise UserInputError("That mail domain is blocked.", title="Refused by the host")
        item = {**item, "touched_by": request.user.username}
        result = super().save_item(request, item, original=original, **options)
        WRITTEN.append(("save_item", result.action, item["SK"], item["touched_by"]))
        return result

    def delete_item(self, request: Any, item: dict[str, Any], **options: Any) -> Any:
        result = super().delete_item(request, item, **options)
        WRITTEN.append(("delete_item", result.action, item["SK"], request.user.username))
        return result

    def get_actions(self, request: Any) -> dict[str, Any]:
        actions = super().get_actions(request)
        if request.user.username == "carol":
            actions.pop("mark_shipped", None)
        if "mark_shipped" in self.actions and self.has_change_permission(request):
            actions["mark_paid"] = self.mark_paid
        return actions

    @action(description="Mark paid")
    def mark_paid(self, request: Any, values: dict[str, Any]) -> dict[str, Any] | None:
        return {"status": "PAID"} if values.get("status") == "PENDING" else None

    def has_add_permission(self, request: Any) -> bool:
        return request.user.username != "dave" and super().has_add_permission(request)

    def has_change_permission(self, request: Any, item: Any = None) -> bool:
        if item is not None and item.get("locked"):
            return False
        return super().has_change_permission(request, item)

    def has_view_permission(self, request: Any, item: Any = None) -> bool:
        if item is not None and (item.get("PK") == HIDDEN_PK or item.get("withheld")):
            return False
        return super().has_view_permission(request, item)


site = AdminSite(name="hooks")
for entity, admin in ((User, shop_admins.UserAdmin), (Order, shop_admins.OrderAdmin),
                      (OrderItem, shop_admins.OrderItemAdmin),
                      (Product, shop_admins.ProductAdmin),
                      (Session, shop_admins.SessionAdmin),
                      (Invitation, shop_admins.InvitationAdmin)):
    site.register(entity, type(f"Host{admin.__name__}", (HostHooks, admin), {}))

urlpatterns = [path("", site.urls)]
