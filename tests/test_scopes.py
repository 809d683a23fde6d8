"""Scopes over HTTP on DynamoDB Local: a support person limited to one tenant (org = acme)
walks every path to the other tenant's (globex) items of the hidden-tenant fixture
(``tests/scopes_urls.py``). What they get: no globex value anywhere, the same answer for a
forbidden item and a missing one, and no call at all where the key shows the tenant."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists

pytestmark = pytest.mark.django_db

GLOBEX_WORDS = ("globex", "Globex", "G-secret", "T-9")


def _ticket(org: str, ticket_id: str, status: str = "OPEN", subject: str = "") -> dict:
    from tests.scopes_urls import Ticket

    return Ticket.build_item({"org": org, "ticket_id": ticket_id, "status": status,
                              "subject": subject or f"{org} {ticket_id}"})


@pytest.fixture
def tenancy_table(dynamodb_endpoint, settings):
    from tests.conftest import physical_table
    from tests.scopes_urls import Org, tenancy

    settings.ROOT_URLCONF = "tests.scopes_urls"
    with physical_table(tenancy) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        for item in (Org.build_item({"org": "acme", "name": "Acme Corp"}),
                     Org.build_item({"org": "globex", "name": "Globex Corp"}),
                     _ticket("acme", "T-1", "OPEN", "Printer on fire"),
                     _ticket("acme", "T-2", "CLOSED", "Coffee machine"),
                     _ticket("globex", "T-9", "OPEN", "G-secret merger plans")):
            data.put_item(tenancy, item, condition=AttributeNotExists("PK"))
        yield tenancy


def _person(django_user_model, name: str, *actions: str, scope: str | None = "acme",
            via_group: bool = True):
    """A staff member holding ``actions`` on both entities, limited by ``scope``."""
    from django.contrib.auth.models import Group, Permission
    from django.test import Client

    from dynadmin.codenames import permission_codename
    from dynadmin.models import ScopeAssignment
    from dynadmin.permissions import sync_permissions
    from tests.scopes_urls import Org, Ticket, tenants

    sync_permissions(admin_site=tenants)
    user = django_user_model.objects.create_user(name, password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=[
        permission_codename(a, e) for a in actions for e in (Org, Ticket)]))
    if scope is not None:
        assignment, _ = ScopeAssignment.objects.get_or_create(name=scope)
        if via_group:
            group, _ = Group.objects.get_or_create(name=f"{scope} support")
            user.groups.add(group)
            assignment.groups.add(group)
        else:
            assignment.users.add(user)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def support(django_user_model):
    """Support for acme: may view, change and delete tickets and orgs, of acme only."""
    return _person(django_user_model, "acme-support", "view", "change", "delete", "add")


def _url(name: str, key: dict[str, Any] | None = None, **extra: str) -> str:
    query = {"pk": key["PK"], "sk": key["SK"]} if key else {}
    return (reverse(f"tenants:{name}", kwargs={"table": "Tenancy"}, current_app="tenants")
            + "?" + urlencode(query | extra))


def _text(response) -> str:
    return unescape(response.content.decode())


def _calls(response) -> str:
    return response.get("X-Dynadmin-Calls", "")


def _same(forbidden, missing, *spellings: tuple[str, str]) -> None:
    """Forbidden and missing answer alike: status, calls, and the body once CSRF tokens and
    the address typed in (which the page echoes) are set aside."""
    def plain(response, typed: str) -> str:
        text = re.sub(r'(csrfmiddlewaretoken" value=|csrf-token" content=)"[^"]*"', "",
                      _text(response))
        return text.replace(typed, "TYPED")

    assert forbidden.status_code == missing.status_code
    assert _calls(forbidden) == _calls(missing)
    for (typed_forbidden, typed_missing) in spellings or (("", ""),):
        assert plain(forbidden, typed_forbidden) == plain(missing, typed_missing)


def _no_globex(response) -> None:
    text = _text(response)
    assert not [w for w in GLOBEX_WORDS if w in text], text[:3000]


GLOBEX_T9 = {"PK": "ORG#globex", "SK": "TICKET#T-9"}
GLOBEX_MISSING = {"PK": "ORG#globex", "SK": "TICKET#T-404"}
ACME_T1 = {"PK": "ORG#acme", "SK": "TICKET#T-1"}


# -- the scope and the person's reach ------------------------------------------------------
def test_a_scoped_person_reaches_the_tenant_of_their_scope_and_no_other(
        support, tenancy_table):
    from tests.scopes_urls import Ticket, tenants

    acme, globex = _ticket("acme", "T-1"), _ticket("globex", "T-9")
    request = type("R", (), {"user": support.user})()
    admin = tenants.get_entity_admin(Ticket)

    assert admin.has_view_permission(request, acme)
    assert not admin.has_view_permission(request, globex)
    assert not admin.has_change_permission(request, globex)
    assert not admin.has_delete_permission(request, globex)
    assert admin.has_view_permission(request)  # the entity itself stays theirs


def test_no_assigned_scope_and_superusers_reach_every_tenant(django_user_model, tenancy_table):
    from tests.scopes_urls import Ticket, tenants

    plain = _person(django_user_model, "plain", "view", scope=None)
    boss = django_user_model.objects.create_superuser("boss", "b@example.com", "pw")
    admin = tenants.get_entity_admin(Ticket)
    for user in (plain.user, boss):
        request = type("R", (), {"user": user})()
        assert admin.has_view_permission(request, _ticket("globex", "T-9"))


def test_scopes_on_one_field_add_their_values_up(django_user_model, tenancy_table):
    from dynadmin.models import ScopeAssignment
    from tests.scopes_urls import Ticket, tenants

    both = _person(django_user_model, "both", "view", scope="acme", via_group=False)
    ScopeAssignment.objects.create(name="globex").users.add(both.user)
    request = type("R", (), {"user": both.user})()
    admin = tenants.get_entity_admin(Ticket)
    assert admin.has_view_permission(request, _ticket("globex", "T-9"))
    assert admin.has_view_permission(request, _ticket("acme", "T-1"))
    assert not admin.has_view_permission(request, _ticket("initech", "T-5"))


def test_a_scope_assigned_but_declared_nowhere_reaches_nothing(django_user_model,
                                                               tenancy_table):
    from tests.scopes_urls import Ticket, tenants

    lost = _person(django_user_model, "lost", "view", scope="no such scope")
    request = type("R", (), {"user": lost.user})()
    assert not tenants.get_entity_admin(Ticket).has_view_permission(
        request, _ticket("acme", "T-1"))


def test_a_host_hook_overridden_without_super_still_keeps_the_scope(support, tenancy_table):
    from tests.scopes_urls import Ticket, TicketAdmin, tenants

    class Lenient(TicketAdmin):
        def has_view_permission(self, request, item=None):
            return True

    lenient = Lenient(Ticket, tenants)
    request = type("R", (), {"user": support.user})()
    assert not lenient.has_view_permission(request, _ticket("globex", "T-9"))
    assert lenient.has_view_permission(request, _ticket("acme", "T-1"))


def test_an_allowed_callable_computes_the_values_per_request(django_user_model,
                                                             tenancy_table):
    from dynadmin.scopes import Scope
    from tests.scopes_urls import Ticket, tenants

    scope = tenants.add_scope(Scope("mine", "org", allowed=lambda r: [r.user.username]))
    try:
        mine = _person(django_user_model, "globex", "view", scope="mine")
        request = type("R", (), {"user": mine.user})()
        admin = tenants.get_entity_admin(Ticket)
        assert admin.has_view_permission(request, _ticket("globex", "T-9"))
        assert not admin.has_view_permission(request, _ticket("acme", "T-1"))
    finally:
        tenants._scopes.pop(scope.name)
