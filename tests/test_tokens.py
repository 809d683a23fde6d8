"""Personal access tokens: a monitor reads health.json without a session, as the person who
made the token; a revoked, expired, unknown or malformed token gets one and the same 401; a
read-only token gets 403 on every address the site answers a POST on, and writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

import dynadmin
from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.editing.originals import sign_item
from dynadmin.models import AccessToken, AccessTokenUse, AuditEntry
from dynadmin.permissions import ensure_groups
from dynadmin.views.tokens import make_token
from examples.shop.definitions import User

pytestmark = pytest.mark.django_db

KEY = {"PK": "USER#u1", "SK": "METADATA"}
ITEM_Q = "?" + urlencode({"pk": "USER#u1", "sk": "METADATA"})
# A value for every converter the site's addresses take.
KWARGS = {"table": "Application", "entity": "Application.User", "name": "by_email",
          "entry_id": 1, "token": "x", "job_id": 1, "operation": "pause"}


@pytest.fixture
def alice(shop_table):  # noqa: ANN001, ANN201
    item = User.build_item({"user_id": "u1", "email": "alice@example.com", "name": "Alice",
                            "version": 1})
    data.put_item(shop_table, item, condition=AttributeNotExists("PK"))
    return item


def _person(django_user_model, group: str, **extra):  # noqa: ANN001, ANN202
    ensure_groups()
    user = django_user_model.objects.create_user(group.lower(), password="x", is_staff=True,
                                                 **extra)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def support(django_user_model):  # noqa: ANN001, ANN201
    return _person(django_user_model, "Support")


@pytest.fixture
def admin(django_user_model):  # noqa: ANN001, ANN201
    return _person(django_user_model, "Admin")


def _bearer(text: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


def _health() -> str:
    return reverse("dynadmin:health_json", kwargs={"table": "Application"})


def _changes() -> str:
    return reverse("dynadmin:item_changes_json", kwargs={"table": "Application"}) + ITEM_Q


# -- reading with a token ------------------------------------------------------------------
def test_a_monitor_reads_health_json_with_a_token_and_no_session(shop_table, support):
    _, text = make_token(support, "uptime monitor", days=30)
    response = Client().get(_health(), **_bearer(text))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["table"] == "Application"
    assert "sessionid" not in response.cookies


def test_a_token_reads_every_json_endpoint_as_its_person(shop_table, alice, support):
    _, text = make_token(support, "script", days=30)
    client = Client()
    assert client.get(_changes(), **_bearer(text)).status_code == 200
    page = reverse("dynadmin:partition", kwargs={"table": "Application"})
    exported = client.get(page + "?" + urlencode({"pk": "USER#u1", "format": "json"}),
                          **_bearer(text))
    assert exported.status_code == 200
    assert "alice@example.com" in exported.content.decode()


def test_a_token_reads_only_what_its_person_may_view(shop_table, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x", is_staff=True)
    _, text = make_token(nobody, "script", days=30)
    response = Client().get(_health(), **_bearer(text))
    assert response.status_code == 403  # as with a session: no entity of the table to view
    assert b"reachable" not in response.content


def test_a_token_of_someone_not_staff_opens_nothing(shop_table, django_user_model):
    user = django_user_model.objects.create_user("customer", password="x")
    _, text = make_token(user, "script", days=30)
    assert Client().get(_health(), **_bearer(text)).status_code == 403


def test_a_page_for_people_is_refused_to_a_token(shop_table, support):
    _, text = make_token(support, "script", days=30)
    client = Client()
    for url in (reverse("dynadmin:dashboard"),
                reverse("dynadmin:health", kwargs={"table": "Application"}),
                reverse("dynadmin:partition", kwargs={"table": "Application"})
                + "?pk=USER%23u1"):
        response = client.get(url, **_bearer(text))
        assert response.status_code == 403, url
        assert json.loads(response.content)["error"] == "not_for_tokens"


# -- tokens that do not open the site ------------------------------------------------------
def test_revoked_expired_unknown_and_malformed_tokens_get_the_same_401(shop_table, support):
    revoked, revoked_text = make_token(support, "old monitor", days=30)
    AccessToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    expired, expired_text = make_token(support, "old script", days=30)
    AccessToken.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    _, good = make_token(support, "monitor", days=30)
    unknown = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    stranger = "dyn_0123456789ab_" + "x" * 43
    answers = []
    for text in (revoked_text, expired_text, unknown, stranger, "not-a-token", "", good + " "):
        response = Client().get(_health(), HTTP_AUTHORIZATION=f"Bearer {text}")
        if text == good + " ":
            assert response.status_code == 200  # surrounding spaces are no part of it
            continue
        assert response.status_code == 401, text
        assert response["WWW-Authenticate"].startswith("Bearer")
        # (the time the answer was made, in Date and in never_cache's Expires, aside: the
        # requests may fall on both sides of a second)
        answers.append((response.content, sorted(
            (k, v) for k, v in response.headers.items() if k not in ("Date", "Expires"))))
    assert all(answer == answers[0] for answer in answers), answers


def test_a_token_of_a_deactivated_person_gets_401(shop_table, support):
    _, text = make_token(support, "monitor", days=30)
    support.is_active = False
    support.save()
    assert Client().get(_health(), **_bearer(text)).status_code == 401


def test_a_bad_token_is_refused_even_beside_a_valid_session(shop_table, staff_client):
    # A request that says it uses a token is judged by the token alone.
    response = staff_client.get(_health(), HTTP_AUTHORIZATION="Bearer dyn_nope")
    assert response.status_code == 401


# -- writing with a token ------------------------------------------------------------------
def _post_addresses() -> list[tuple[str, str]]:
    """Every address the site declares, filled in: each one a POST may be sent to."""
    patterns = [p for p in dynadmin.site.get_urls() if isinstance(p, URLPattern)]
    assert {"edit", "delete", "add", "action", "set_ttl", "undo", "tokens",
            "new_job", "job_action", "new_import"} <= {p.name for p in patterns}
    return [(p.name, reverse(f"dynadmin:{p.name}",
                             kwargs={k: KWARGS[k] for k in p.pattern.converters}) + ITEM_Q)
            for p in patterns]


WRITE_BODIES = {
    "edit": {"email": "x@example.com", "version": "1"},
    "add": {"user_id": "u2", "email": "b@example.com", "__extra__": "{}"},
    "action": {"action": "User.delete", "rows": "1"},
    "set_ttl": {"ttl": "2030-01-01T00:00"},
    "tokens": {"name": "minted by a token", "days": "30"},
}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_read_only_token_gets_403_on_every_write_address_and_writes_nothing(
        shop_table, alice, admin, method):
    token, text = make_token(admin, "read-only script", days=30)  # an Admin's: may do anything
    client = Client(enforce_csrf_checks=True)
    audited = AuditEntry.objects.count()
    for name, url in _post_addresses():
        response = getattr(client, method)(url, WRITE_BODIES.get(name, {}), **_bearer(text))
        assert response.status_code == 403, (name, response.status_code)
        assert json.loads(response.content)["error"] in ("read_only_token", "not_for_tokens")
    assert data.get_item(shop_table, KEY) == alice
    assert data.get_item(shop_table, {"PK": "USER#u2", "SK": "METADATA"}) is None
    assert AuditEntry.objects.count() == audited
    assert AccessToken.objects.count() == 1  # no token made another
    assert AccessTokenUse.objects.filter(token=token).count() == len(_post_addresses())


def test_a_token_that_may_write_writes_as_its_person_without_a_csrf_token(
        shop_table, alice, admin, support):
    client = Client(enforce_csrf_checks=True)
    delete = reverse("dynadmin:delete", kwargs={"table": "Application"}) + ITEM_Q
    # The item as the delete page hands it out, signed.
    form = {"original": sign_item(data.get_item(shop_table, KEY))}
    _, supports = make_token(support, "support's writer", days=30, may_write=True)
    assert client.post(delete, form, **_bearer(supports)).status_code == 403
    assert data.get_item(shop_table, KEY) == alice
    _, admins = make_token(admin, "admin's writer", days=30, may_write=True)
    response = client.post(delete, form, **_bearer(admins))
    assert response.status_code == 302
    assert data.get_item(shop_table, KEY) is None
    entry = AuditEntry.objects.get(action="delete", outcome="applied")
    assert entry.username == "admin"


def test_a_token_never_makes_nor_revokes_tokens(shop_table, admin):
    token, text = make_token(admin, "writer", days=30, may_write=True)
    client = Client()
    url = reverse("dynadmin:tokens")
    assert client.post(url, {"name": "another", "days": "30"}, **_bearer(text)).status_code == 403
    assert client.post(url, {"revoke": token.pk}, **_bearer(text)).status_code == 403
    assert AccessToken.objects.count() == 1
    assert AccessToken.objects.get().revoked_at is None


# -- the audit of uses ---------------------------------------------------------------------
def test_every_use_is_recorded_with_the_tokens_name(shop_table, support):
    token, text = make_token(support, "uptime monitor", days=30)
    client = Client()
    for _ in range(3):
        client.get(_health(), **_bearer(text))
    AccessToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    client.get(_health(), **_bearer(text))
    uses = list(AccessTokenUse.objects.filter(token=token).order_by("id"))
    assert [(u.token_name, u.method, u.path, u.status) for u in uses] == (
        [("uptime monitor", "GET", _health(), 200)] * 3 + [("uptime monitor", "GET",
                                                            _health(), 401)])
    assert AccessToken.objects.get(pk=token.pk).last_used_at is not None


def test_uses_older_than_kept_are_pruned_on_a_new_days_first_use(shop_table, support,
                                                                   settings):
    settings.DYNADMIN_TOKEN_USES_KEPT_DAYS = 30
    token, text = make_token(support, "monitor", days=30)
    old = AccessTokenUse.objects.create(token=token, token_name="monitor", method="GET",
                                        path="/", status=200)
    AccessTokenUse.objects.filter(pk=old.pk).update(
        at=timezone.now() - dt.timedelta(days=31))
    AccessToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - dt.timedelta(days=1))
    Client().get(_health(), **_bearer(text))
    assert not AccessTokenUse.objects.filter(pk=old.pk).exists()
    assert AccessTokenUse.objects.filter(token=token).count() == 1


# -- the person's page ---------------------------------------------------------------------
def test_a_person_makes_a_token_seen_once_and_stored_as_a_digest(shop_table, client, support):
    client.force_login(support)
    url = reverse("dynadmin:tokens")
    assert f'href="{url}"'.encode() in client.get(reverse("dynadmin:dashboard")).content
    made = client.post(url, {"name": "uptime monitor", "days": "30"})
    assert made.status_code == 200
    text = re.search(r"data-token-text>(dyn_[^<]+)<", made.content.decode()).group(1)
    token = AccessToken.objects.get()
    assert (token.name, token.may_write, token.user) == ("uptime monitor", False, support)
    assert token.digest == hashlib.sha256(text.encode()).hexdigest()
    assert text not in json.dumps(list(AccessToken.objects.values()), default=str)
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    again = client.get(url).content.decode()
    assert text not in again and "uptime monitor" in again
    # How to send it, shown as text (never markup the browser would swallow).
    assert "<code>Authorization: Bearer dyn_…</code>" in again and "<token>" not in again
    assert Client().get(_health(), **_bearer(text)).status_code == 200


def test_a_token_lives_no_longer_than_the_setting_allows(shop_table, client, support,
                                                         settings):
    settings.DYNADMIN_TOKEN_MAX_DAYS = 60
    client.force_login(support)
    response = client.post(reverse("dynadmin:tokens"), {"name": "forever", "days": "90"})
    assert response.status_code == 400
    assert not AccessToken.objects.exists()
    assert client.post(reverse("dynadmin:tokens"),
                       {"name": "ok", "days": "60"}).status_code == 200


def test_a_person_revokes_their_token_and_only_theirs(shop_table, client, support, admin):
    mine, text = make_token(support, "monitor", days=30)
    theirs, _ = make_token(admin, "admin's", days=30)
    client.force_login(support)
    url = reverse("dynadmin:tokens")
    assert client.post(url, {"revoke": theirs.pk}).status_code == 404
    assert client.post(url, {"revoke": "x"}).status_code == 404
    assert AccessToken.objects.get(pk=theirs.pk).revoked_at is None
    assert client.post(url, {"revoke": mine.pk}).status_code == 302
    assert AccessToken.objects.get(pk=mine.pk).revoked_at is not None
    assert Client().get(_health(), **_bearer(text)).status_code == 401
    assert "admin&#x27;s" not in client.get(url).content.decode()
