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


# -- signing in at the host's sign-in -------------------------------------------------------
def login_page(client, next_page=None):
    query = {"next": next_page} if next_page is not None else {}
    return client.get(reverse("dynadmin:login"), query)


def test_dynadmins_own_form_stays_the_default(client):
    answer = login_page(client, "/e/Application.User/")
    assert answer.status_code == 200
    assert b'name="password"' in answer.content


def test_a_hosts_login_url_is_where_people_sign_in_and_come_back_through_the_login(
        client, settings):
    settings.LOGIN_URL = "/accounts/sso/"
    answer = login_page(client, "/e/Application.User/")
    assert answer.status_code == 302
    assert answer["Location"] == (
        "/accounts/sso/?next=/login/%3Fnext%3D%252Fe%252FApplication.User%252F")


def test_an_anonymous_page_is_sent_through_the_login_to_the_hosts_sign_in(client, settings):
    settings.LOGIN_URL = "/accounts/sso/"
    answer = client.get("/e/Application.User/", follow=True)
    assert answer.redirect_chain[-1][0].startswith("/accounts/sso/?next=/login/")


def test_dynadmin_login_url_wins_and_may_be_a_url_name(client, settings):
    settings.LOGIN_URL = "/accounts/sso/"
    settings.DYNADMIN_LOGIN_URL = "dynadmin:recent_actions"  # any URL name resolves
    assert login_page(client)["Location"].startswith("/recent/?next=/login/")


@pytest.mark.parametrize("own", ["dynadmin:login", "/login/"])
def test_a_login_url_naming_dynadmins_own_login_keeps_the_form_without_a_loop(
        client, settings, own):
    settings.LOGIN_URL = own
    assert login_page(client).status_code == 200
    settings.LOGIN_URL = "/accounts/sso/"
    settings.DYNADMIN_LOGIN_URL = own
    assert login_page(client).status_code == 200


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/x",
                                       "javascript:alert(1)"])
def test_next_only_leads_back_to_this_site(client, settings, elsewhere):
    settings.LOGIN_URL = "/accounts/sso/"
    assert login_page(client, elsewhere)["Location"] == "/accounts/sso/?next=/login/%3Fnext%3D%252F"


def test_a_sign_in_on_another_host_is_given_the_full_address_back(client, settings):
    settings.DYNADMIN_LOGIN_URL = "https://id.example.com/start"
    assert login_page(client)["Location"] == (
        "https://id.example.com/start?next=http%3A//testserver/login/%3Fnext%3D%252F")


def test_a_staff_member_arriving_back_goes_on_to_the_page_asked_for(client, settings,
                                                                    django_user_model):
    settings.LOGIN_URL = "/accounts/sso/"
    client.force_login(django_user_model.objects.create_user("sam", is_staff=True))
    assert login_page(client, "/e/Application.User/")["Location"] == "/e/Application.User/"
    assert login_page(client, "https://evil.example/")["Location"] == "/"


@pytest.mark.parametrize("host_login", [None, "/accounts/sso/"])
def test_someone_signed_in_without_access_gets_a_no_access_page_not_a_redirect(
        client, settings, django_user_model, host_login):
    if host_login:
        settings.LOGIN_URL = host_login
    client.force_login(django_user_model.objects.create_user("olly"))
    answer = login_page(client, "/")
    assert answer.status_code == 403
    text = answer.content.decode()
    assert "No access" in text and "<strong>olly</strong>" in text
    assert 'action="/logout/"' in text and "Sign out" in text


def test_logout_hands_its_post_to_the_hosts_logout(client, settings, django_user_model):
    settings.DYNADMIN_LOGOUT_URL = "/accounts/sso/logout/"
    client.force_login(django_user_model.objects.create_user("sam", is_staff=True))
    answer = client.post(reverse("dynadmin:logout"))
    assert answer.status_code == 307 and answer["Location"] == "/accounts/sso/logout/"


def test_after_a_local_logout_a_host_sign_in_is_offered_not_entered(client, settings,
                                                                    django_user_model):
    settings.LOGIN_URL = "/accounts/sso/"
    client.force_login(django_user_model.objects.create_user("sam", is_staff=True))
    answer = client.post(reverse("dynadmin:logout"), follow=True)
    assert answer.redirect_chain == [("/login/?signed_out=1", 302)]
    assert answer.status_code == 200
    assert b"You are signed out" in answer.content
    assert b'href="/accounts/sso/?next=/login/%3Fnext%3D%252F"' in answer.content
