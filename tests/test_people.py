"""The signed-in person kept in the cache (``dynadmin.people.PersonCacheMiddleware``, in the
ready-made project's MIDDLEWARE): with sessions in the cache a page reads nothing from the
database, and every change to who a person is or what they may do holds at their next
request. Across workers and hosts on Redis: tests/test_shared_state.py."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists

pytestmark = pytest.mark.django_db

PAGE = "/t/Application/q/?pk=" + quote("USER#u1")


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def support(django_user_model, order):
    from django.contrib.auth.models import Group

    from dynadmin.permissions import ensure_groups

    ensure_groups()
    user = django_user_model.objects.create_user("support", password="pw-1-Horse",
                                                 is_staff=True)
    user.groups.add(Group.objects.get(name="Support"))
    return user


def _queries(client, path: str = PAGE) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as seen:
        response = client.get(path)
    return response.status_code, [query["sql"] for query in seen.captured_queries]


def test_a_page_reads_no_person_from_the_database_once_they_are_kept(
        client, support, cached_sessions):
    client.force_login(support)
    status, first = _queries(client)
    assert status == 200 and first, "the first page reads the person"
    status, then = _queries(client)
    assert status == 200
    assert then == [], then


def test_the_ready_made_project_reads_sessions_through_its_cache(client, support):
    # Its settings as they are (no REDIS_URL: the database is the cache, in production):
    # a signed-in page reads its session from the cache, never through the ORM.
    client.force_login(support)
    _queries(client)
    status, then = _queries(client)
    assert status == 200
    assert not any("django_session" in sql for sql in then), then


def _cache_reads(client, path: str = PAGE) -> list[tuple[str, ...]]:
    """The keys of each read of the cache a page made for its session and its person."""
    from unittest import mock

    from django.core.cache import caches

    cache, reads, inside = caches["default"], [], []
    get, get_many = cache.get, cache.get_many

    def one(key, *args, **kwargs):
        if not inside:  # not the gets a get_many makes of the local-memory cache
            reads.append((key,))
        return get(key, *args, **kwargs)

    def many(keys, *args, **kwargs):
        reads.append(tuple(keys))
        inside.append(True)
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    with mock.patch.object(cache, "get", one), mock.patch.object(cache, "get_many", many):
        assert client.get(path).status_code == 200
    return [keys for keys in reads
            if any(k.startswith(("django.contrib.sessions", "dynadmin:person")) for k in keys)]


def test_a_page_reads_its_session_and_its_person_in_one_call_of_the_cache(client, support):
    # The test settings' sessions are the ready-made project's (cached_db), through the
    # cache the person is kept in: once this process has seen the session, one get_many
    # answers both (it was a get for the session, then a get_many for the person).
    client.force_login(support)
    client.get(PAGE)
    reads = _cache_reads(client)
    assert len(reads) == 1, reads
    assert any(k.startswith("django.contrib.sessions") for k in reads[0])
    assert f"dynadmin:person:{support.pk}" in reads[0]


def test_a_session_whose_person_is_not_the_one_remembered_reads_its_own(
        client, support, django_user_model):
    from dynadmin import people

    client.force_login(support)
    client.get(PAGE)
    other = django_user_model.objects.create_superuser("other", "o@example.com", "pw-1-Ox")
    people._SESSIONS_SEEN[client.session.session_key] = other.pk
    page = client.get(PAGE).content.decode()
    assert "Log out support" in page and "Log out other" not in page
    assert str(people._SESSIONS_SEEN[client.session.session_key]) == str(support.pk)


def test_a_superuser_page_makes_no_query_either(client, django_user_model, order,
                                               cached_sessions):
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com",
                                                                  "pw-1-Horse"))
    _queries(client)
    assert _queries(client) == (200, [])


def test_without_the_cache_setting_every_page_reads_the_person(client, support, settings,
                                                               cached_sessions):
    settings.DYNADMIN_PERSON_CACHE = ""
    client.force_login(support)
    _queries(client)
    status, then = _queries(client)
    assert status == 200 and any("auth_user" in sql for sql in then)


def test_a_deactivated_person_is_refused_at_their_next_request(client, support):
    client.force_login(support)
    assert client.get(PAGE).status_code == 200
    support.is_active = False
    support.save()
    assert client.get(PAGE).status_code == 302  # to the login page: no longer signed in


def test_a_person_no_longer_staff_is_refused_at_their_next_request(client, support):
    client.force_login(support)
    assert client.get(PAGE).status_code == 200
    support.is_staff = False
    support.save(update_fields=["is_staff"])
    assert client.get(PAGE).status_code == 403


def test_a_group_losing_a_permission_holds_at_the_next_request(client, support):
    from django.contrib.auth.models import Group

    client.force_login(support)
    assert client.get(PAGE).status_code == 200
    group = Group.objects.get(name="Support")
    group.permissions.remove(*group.permissions.filter(codename__startswith="view_"))
    assert client.get(PAGE).status_code == 403


def test_leaving_a_group_holds_at_the_next_request(client, support):
    from django.contrib.auth.models import Group

    client.force_login(support)
    assert client.get(PAGE).status_code == 200
    Group.objects.get(name="Support").user_set.remove(support)  # from the group's side
    assert client.get(PAGE).status_code == 403
    support.groups.add(Group.objects.get(name="Support"))  # and back, from the user's
    assert client.get(PAGE).status_code == 200


def test_a_scope_assigned_holds_at_the_next_request(client, support, shop_table):
    """A scope assigned to the person (here one declared nowhere: it closes everything)
    narrows their very next page."""
    from dynadmin.models import ScopeAssignment
    from examples.shop.definitions import User

    data.put_item(shop_table, User.build_item({"user_id": "u1", "email": "a@example.com"}),
                  condition=AttributeNotExists("PK"))
    client.force_login(support)
    assert "a@example.com" in client.get(PAGE).content.decode()
    ScopeAssignment.objects.create(name="people-test-nowhere").users.add(support)
    assert "a@example.com" not in client.get(PAGE).content.decode()


def test_a_password_changed_elsewhere_ends_the_session(client, support):
    client.force_login(support)
    assert client.get(PAGE).status_code == 200
    support.set_password("another-Horse-2")
    support.save()
    assert client.get(PAGE).status_code == 302


def test_a_kept_person_is_only_the_sessions_own(client, support, django_user_model):
    """A session's hash must verify against the kept person: a session made for someone
    else's password (a forged or stale session) is not let in by what was kept."""
    from django.contrib.auth import HASH_SESSION_KEY

    client.force_login(support)
    assert client.get(PAGE).status_code == 200
    session = client.session
    session[HASH_SESSION_KEY] = "0" * 64
    session.save()
    assert client.get(PAGE).status_code == 302


def test_logging_out_forgets_the_person(client, support):
    from django.core.cache import cache

    client.force_login(support)
    client.get(PAGE)
    token = cache.get(f"dynadmin:person:{support.pk}:token")
    client.post("/logout/")
    assert cache.get(f"dynadmin:person:{support.pk}:token") not in (None, token)
    assert client.get(PAGE).status_code == 302


def test_a_lost_cache_reads_the_person_again(client, support):
    from django.core.cache import cache

    client.force_login(support)
    client.get(PAGE)
    cache.delete_many(["dynadmin:people:token", f"dynadmin:person:{support.pk}:token"])
    assert client.get(PAGE).status_code == 200
    support.is_staff = False
    support.save()
    assert client.get(PAGE).status_code == 403


def test_a_change_replaces_the_token_again_when_it_commits(support,
                                                           django_capture_on_commit_callbacks):
    """A request that read the person between the change and its commit kept them under
    the token of the moment: the commit replaces it once more, so that copy is never used."""
    from django.core.cache import cache

    key = f"dynadmin:person:{support.pk}:token"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        support.first_name = "Changed"
        support.save()
        during = cache.get(key)
    assert during is not None and callbacks
    for callback in callbacks:
        callback()
    assert cache.get(key) not in (None, during)


def test_an_item_page_reads_only_its_audit_entries(client, support, order, cached_sessions):
    """Once the person is kept, the item page's one database read is the item's audit
    entries, and it joins no user row (each entry carries its username)."""
    client.force_login(support)
    path = "/t/Application/item/?pk=" + quote(order["PK"]) + "&sk=" + quote(order["SK"])
    _queries(client, path)
    status, then = _queries(client, path)
    assert status == 200
    assert len(then) == 1 and "dynadmin_auditentry" in then[0], then
    assert "auth_user" not in then[0]


def test_a_page_asks_django_each_permission_once_not_once_per_row(
        client, support, shop_table, monkeypatch):
    """A partition of 40 orders: whether the person may view a row is their entity's
    permission (no admin decides per item, no scope limits them), asked once."""
    from django.contrib.auth.backends import ModelBackend

    from tests.support.partition_orders import order

    for number in range(40):
        data.put_item(shop_table, order(number + 10), condition=AttributeNotExists("PK"))
    asked: list[str] = []
    has_perm = ModelBackend.has_perm

    def counted(self, user, perm, obj=None):
        asked.append(perm)
        return has_perm(self, user, perm, obj)

    monkeypatch.setattr(ModelBackend, "has_perm", counted)
    client.force_login(support)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.content.decode().count('class="item-name row-name"') >= 40
    assert len(asked) == len(set(asked)), sorted(asked)
