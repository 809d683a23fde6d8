"""Login throttling (dynadmin/views/login.py): per normalised username, the address looser.

These run on the test settings' cache in one process; tests/test_shared_state.py proves the
same over HTTP across gunicorn workers and two hosts sharing Redis and PostgreSQL.
"""

import pytest
from django.test import Client
from django.urls import reverse

from dynadmin.views.login import normalise_username


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.DYNADMIN_LOGIN_MAX_FAILURES = 3
    settings.DYNADMIN_LOGIN_MAX_FAILURES_PER_ADDRESS = None  # 10x: 30


@pytest.fixture
def users(django_user_model):
    for name in ("nogroup", "alice", "bob"):
        django_user_model.objects.create_user(name, password=f"{name}-right", is_staff=True)


def attempt(username, password, address="127.0.0.1", forwarded=None, client=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    client = client or Client()
    return client.post(reverse("dynadmin:login"), {"username": username, "password": password},
                       **extra).status_code


@pytest.mark.parametrize(("typed", "counted_as"), [
    ("ｎogroup", "nogroup"), ("NOGROUP", "nogroup"), ("  NoGroup ", "nogroup"),
    ("straße", "strasse"), ("ﬁle", "file"),
])
def test_usernames_are_counted_as_the_login_normalises_them(typed, counted_as):
    assert normalise_username(typed) == counted_as


def test_variants_of_one_username_share_its_counter(users):
    for variant in ("ｎogroup", "NOGROUP", "nogroup"):
        assert attempt(variant, "wrong") == 200
    assert attempt("nogroup", "nogroup-right") == 429
    assert attempt("ｎogroup", "nogroup-right") == 429


def test_a_locked_username_never_refuses_another_persons_correct_password(users):
    for _ in range(3):
        assert attempt("alice", "wrong") == 200
    assert attempt("alice", "alice-right") == 429
    assert attempt("bob", "bob-right") == 302  # same address, another person


def test_a_correct_password_resets_the_username_counter(users):
    for _ in range(2):
        assert attempt("alice", "wrong") == 200
    assert attempt("alice", "alice-right") == 302
    for _ in range(2):
        assert attempt("alice", "wrong") == 200
    assert attempt("alice", "alice-right") == 302


def test_one_address_guessing_across_many_usernames_is_stopped_at_ten_times_the_limit(users):
    for n in range(29):
        assert attempt(f"guess-{n}", "wrong") == 200
    assert attempt("bob", "bob-right") == 302  # an office behind one NAT still signs in
    assert attempt("guess-29", "wrong") == 200
    assert attempt("bob", "bob-right") == 429
    assert attempt("bob", "bob-right", address="192.0.2.9") == 302  # elsewhere: unaffected


def test_without_trusted_proxies_x_forwarded_for_is_ignored(users, settings):
    settings.DYNADMIN_LOGIN_MAX_FAILURES_PER_ADDRESS = 4
    for n in range(4):
        assert attempt(f"guess-{n}", "wrong", forwarded=f"198.51.100.{n}") == 200
    assert attempt("bob", "bob-right", forwarded="198.51.100.200") == 429


def test_behind_a_trusted_proxy_the_address_it_saw_is_counted(users, settings):
    settings.DYNADMIN_TRUSTED_PROXIES = 1
    settings.DYNADMIN_LOGIN_MAX_FAILURES_PER_ADDRESS = 4
    # Whatever a client puts in front of the proxy's own entry is not believed.
    for n in range(4):
        assert attempt(f"guess-{n}", "wrong", address="10.0.0.2",
                       forwarded=f"203.0.113.{n}, 198.51.100.7") == 200
    assert attempt("bob", "bob-right", address="10.0.0.2", forwarded="198.51.100.7") == 429
    # Another client behind the same proxy is a different address.
    assert attempt("bob", "bob-right", address="10.0.0.2", forwarded="198.51.100.8") == 302


def test_two_trusted_proxies_take_the_second_address_from_the_right(users, settings):
    settings.DYNADMIN_TRUSTED_PROXIES = 2
    settings.DYNADMIN_LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    for n in range(2):
        assert attempt(f"guess-{n}", "wrong", address="10.0.0.2",
                       forwarded=f"203.0.113.{n}, 198.51.100.7, 10.0.0.1") == 200
    assert attempt("bob", "bob-right", address="10.0.0.2",
                   forwarded="198.51.100.7, 10.0.0.9") == 429
