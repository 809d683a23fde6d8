"""A pytest plugin (``-p tests.support.scoped_suite``) that runs a suite again with scoped
people: every person a test makes is limited by a scope on ``user_id`` of the example shop,
reaching the customers the suites use, and a superuser it makes (``staff_client``) becomes
staff holding every dynadmin permission instead (superusers are never limited by a scope).
An outsider customer's items are planted beside theirs and must come out of each test
untouched, with nothing new in their partition."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists

#: the customers the suites' items belong to; anything else is outside the scope
SUITE_CUSTOMERS = ("u1", "u2", "u3", "u9", "bulk")
OUTSIDER = "outsider"
SCOPE = "suite customers"


def _outsider_items() -> list[dict[str, Any]]:
    from examples.shop.definitions import Order, User

    return [User.build_item({"user_id": OUTSIDER, "email": "outsider@example.com",
                             "name": "Outsider Secret"}),
            Order.build_item({"user_id": OUTSIDER, "order_id": "999", "placed_on": "2024-01-15",
                              "status": "PENDING", "total": "10",
                              "placed_at": "2024-01-15T10:00:00+00:00"})]


def _outsider_partition(table: Any) -> list[dict[str, Any]]:
    # a test may Query as it likes; dynadmin's fence is not on here
    return data.query(table.primary, f"USER#{OUTSIDER}", limit=100).items


def everything() -> Any:
    from django.contrib.auth.models import Permission

    from dynadmin.permissions import sync_permissions

    sync_permissions()
    return Permission.objects.filter(content_type__app_label="dynadmin")


@pytest.fixture(autouse=True)
def scoped_people(request: pytest.FixtureRequest, django_user_model: Any) -> Iterator[None]:
    from django.db.models.signals import post_save

    import dynadmin
    from dynadmin.models import ScopeAssignment
    from dynadmin.scopes import Scope

    request.getfixturevalue("db")
    scope = dynadmin.site.add_scope(Scope(SCOPE, "user_id", SUITE_CUSTOMERS))
    assignment = ScopeAssignment.objects.create(name=SCOPE)

    def limit(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        if not created:
            return
        if instance.is_superuser:
            instance.is_superuser = False
            sender.objects.filter(pk=instance.pk).update(is_superuser=False)
            instance.user_permissions.set(everything())
        assignment.users.add(instance)

    post_save.connect(limit, sender=django_user_model, dispatch_uid="scoped-suite")
    table = request.getfixturevalue("shop_table") if "shop_table" in request.fixturenames \
        else None
    planted = _outsider_items()
    if table is not None:
        for item in planted:
            data.put_item(table, item, condition=AttributeNotExists("PK"))
    try:
        yield
        if table is not None:
            assert sorted(_outsider_partition(table), key=lambda i: i["SK"]) == sorted(
                planted, key=lambda i: i["SK"]), "something was written outside the scope"
    finally:
        post_save.disconnect(dispatch_uid="scoped-suite", sender=django_user_model)
        dynadmin.site._scopes.pop(scope.name, None)
