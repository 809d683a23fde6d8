"""Finding people by the beginning of their name, over HTTP: where the design has an index
whose sort key holds the name (``tests/directory_urls.py``), ``Lookup(prefix=True)`` makes the
global box find "Alice Liddell" from "ali" with one bounded Query (never a Scan), paged like
any partition; an empty result says what can be typed; check E015 refuses a prefix lookup
whose key cannot answer it."""

import re
from html import unescape

import pytest
from django.urls import reverse

from dynadmin import Lookup, data
from dynadmin.checks.definitions import check_definitions
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.definitions import Entity, Key, Table
from dynadmin.definitions import fields as f
from dynadmin.options import EntityAdmin
from dynadmin.sites import AdminSite
from examples.shop.definitions import User

from .conftest import physical_table

pytestmark = pytest.mark.django_db

NAMES = ["Alice Liddell", "Alistair Crane", "Bob Stone", "alina Ortiz"]


@pytest.fixture
def directory_site(dynamodb_endpoint, settings):
    from tests.directory_urls import Person, directory

    settings.ROOT_URLCONF = "tests.directory_urls"
    with physical_table(directory) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        data.load_items_unconditionally(directory, [
            Person.build_item({"person_id": f"P{n}", "name": name,
                               "email": f"p{n}@example.com"})
            for n, name in enumerate(NAMES, start=1)])
        yield directory


def box(client, text, **extra):
    return client.get(reverse("dynadmin:lookup", current_app="directory") + "?"
                      + f"q={text}", **extra)


def text_of(html):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def names_shown(response):
    return sorted(re.findall(r'<td class="item-name[^"]*"[^>]*><a [^>]*>([^<]+)</a>',
                             response.content.decode()))


def test_the_beginning_of_a_name_finds_the_people_with_one_query(staff_client,
                                                                  directory_site):
    response = box(staff_client, "ali")
    assert response.status_code == 200
    assert response["X-Dynadmin-Calls"] == "Query"  # one bounded Query; never a Scan
    assert names_shown(response) == ["Alice Liddell", "Alistair Crane", "alina Ortiz"]
    assert "People by name, starting with “ali”" in text_of(response.content.decode())


def test_a_whole_name_finds_its_person(staff_client, directory_site):
    response = box(staff_client, "Alice Liddell")
    assert response.status_code == 302  # the only match opens
    assert "PERSON%23P1" in response["Location"]


def test_many_beginnings_are_bounded_and_paged(staff_client, directory_site, settings):
    from tests.directory_urls import Person, directory

    data.load_items_unconditionally(directory, [
        Person.build_item({"person_id": f"Q{n:02d}", "name": f"Alfa {n:02d}"})
        for n in range(30)])
    response = box(staff_client, "al")
    html = response.content.decode()
    assert response["X-Dynadmin-Calls"] == "Query"
    assert len(names_shown(response)) == 10  # the box's Limit
    more = unescape(re.search(r'found more than one page: <a href="([^"]+)"', html).group(1))
    assert "sk_op=begins_with" in more and "NAME%23al" in more
    page = staff_client.get(more)
    assert page.status_code == 200 and page["X-Dynadmin-Calls"] == "Query"
    assert "Items 1–33 · end of list" in text_of(page.content.decode())  # 30 Alfas, 3 more


def test_an_empty_result_says_what_can_be_typed(staff_client, directory_site):
    said = text_of(box(staff_client, "zz").content.decode())
    assert "Nothing found for “zz”" in said
    assert "People by name (the start of a name)" in said
    assert "Person by ID (e.g. P1)" in said
    assert "cannot be searched here" not in said


def test_the_shops_empty_result_says_what_can_be_typed(staff_client, shop_table):
    response = staff_client.get(reverse("dynadmin:lookup") + "?q=Alice+Liddell")
    said = text_of(response.content.decode())
    assert "Nothing found for “Alice Liddell”" in said
    assert "What you can type here:" in said
    assert "User by email (e.g. alice@example.com)" in said
    assert "Order by ID (e.g. ORD-456)" in said
    # the shop keeps users' names in GSI2's sort key, so a name's beginning is offered too
    assert "Users by name (the start of a name, e.g. Alice)" in said


@pytest.mark.parametrize("text", ["alice", "Alice Liddell", "ALI"])
def test_the_shop_finds_a_customer_by_the_beginning_of_her_name(staff_client, shop_table, text):
    for user_id, name in (("a11cebee", "Alice Liddell"), ("b0b0b0b0", "Bob Stone")):
        data.put_item(shop_table, User.build_item({"user_id": user_id, "name": name,
                                              "email": f"{user_id}@example.com"}),
                 condition=AttributeNotExists("PK"))
    response = staff_client.get(reverse("dynadmin:lookup"), {"q": text})
    assert response["X-Dynadmin-Calls"] == "Query"  # one begins_with Query on GSI2, no scan
    assert response.status_code == 302  # one person matches: straight to her
    assert "USER%23a11cebee" in response["Location"]


def _site_with(lookup, key_name="by_name", sk="NAME#{name:lower}"):
    table = Table("PrefixCheck", pk="PK", sk="SK", indexes={"GSI1": ("GSI1PK", "GSI1SK")})

    class Member(Entity, table=table):
        keys = Key(pk="MEMBER#{member_id}", sk="PROFILE")
        by_name = Key("GSI1", pk="MEMBERS", sk=sk)
        member_id = f.String(required=True)
        name = f.String(required=True)
        joined = f.Integer()

    class MemberAdmin(EntityAdmin):
        lookups = (lookup,)

    site = AdminSite(name="prefix-check")
    site.register(Member, MemberAdmin)
    return site


@pytest.mark.parametrize(("lookup", "sk"), [
    (Lookup("by_name", prefix=True), "NAME#{name:lower}"),
    (Lookup("by_name", fields=("name",), prefix=True), "NAME#{name:lower}#{member_id}"),
])
def test_a_key_that_can_answer_a_beginning_passes_the_checks(lookup, sk):
    assert [m.id for m in check_definitions(site=_site_with(lookup, sk=sk))] == []


@pytest.mark.parametrize(("lookup", "sk", "why"), [
    (Lookup("keys", fields=("member_id",), prefix=True), "NAME#{name}", "partition key"),
    (Lookup("by_name", fields=("member_id",), prefix=True), "NAME#{name}#{member_id}",
     "which the lookup does not fill"),
    (Lookup("by_name", prefix=True), "NAME#{name:_>12}", "padded or formatted"),
    (Lookup("by_name", fields=("joined",), prefix=True), "JOINED#{joined}", "not a text"),
])
def test_a_prefix_lookup_its_key_cannot_answer_is_refused_at_start_up(lookup, sk, why):
    messages = check_definitions(site=_site_with(lookup, sk=sk))
    assert [m.id for m in messages] == ["dynadmin.E015"]
    assert why in messages[0].msg


def test_the_entity_pages_form_takes_a_beginning_too(staff_client, directory_site):
    home = staff_client.get(reverse("dynadmin:entity", current_app="directory",
                                    kwargs={"entity": "Directory.Person"}))
    html = home.content.decode()
    field = re.search(r'<input [^>]*id="lookup-by_name-name"[^>]*>', html).group(0)
    assert 'type="text"' in field
    assert "The beginning is enough" in text_of(html)
    found = staff_client.get(reverse("dynadmin:entity_lookup", current_app="directory",
                                     kwargs={"entity": "Directory.Person", "name": "by_name"})
                             + "?name=Alis")
    assert found.status_code == 302 and "PERSON%23P2" in found["Location"]  # Alistair alone
