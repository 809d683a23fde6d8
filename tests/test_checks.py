"""System checks: each broken definition raises its own stable ID."""

import pytest

from dynadmin import Entity, EntityAdmin, Key, Lookup, Table, fields
from dynadmin.checks import check_definitions
from dynadmin.sites import AdminSite


def ids(site):
    return sorted({message.id for message in check_definitions(site=site)})


def make_site(*registrations):
    site = AdminSite(name="test")
    for entity, admin in registrations:
        site.register(entity, admin)
    return site


def fresh_table(**kwargs):
    return Table("T", indexes={"GSI1": ("GSI1PK", "GSI1SK")}, **kwargs)


def test_the_example_is_clean():
    from dynadmin.sites import site

    assert check_definitions(site=site) == []


def test_e001_template_names_an_unknown_field():
    class Thing(Entity, table=fresh_table()):
        keys = Key(pk="THING#{thing_id}", sk="METADATA")

    assert ids(make_site((Thing, EntityAdmin))) == ["dynadmin.E001"]


def test_e002_key_on_an_undeclared_index():
    class Thing(Entity, table=fresh_table()):
        keys = Key(pk="THING#{thing_id}", sk="METADATA")
        by_x = Key("GSI9", pk="X#{thing_id}", sk="Y")
        thing_id = fields.String()

    assert ids(make_site((Thing, EntityAdmin))) == ["dynadmin.E002"]


def test_e003_no_key_on_the_table():
    class Thing(Entity, table=fresh_table()):
        by_x = Key("GSI1", pk="X#{thing_id}", sk="Y")
        thing_id = fields.String()

    assert "dynadmin.E003" in ids(make_site((Thing, EntityAdmin)))


def test_e004_two_entities_the_classifier_cannot_tell_apart():
    table = fresh_table()

    class A(Entity, table=table):
        keys = Key(pk="USER#{user_id}", sk="{anything}")
        user_id = fields.String()
        anything = fields.String()

    class B(Entity, table=table):
        keys = Key(pk="USER#{user_id}", sk="METADATA")
        user_id = fields.String()

    assert ids(make_site((A, EntityAdmin), (B, EntityAdmin))) == ["dynadmin.E004"]


def test_e004_same_type_value():
    table = fresh_table(type_attribute="type")

    class A(Entity, table=table, type_value="thing"):
        keys = Key(pk="A#{a}", sk="METADATA")
        a = fields.String()

    class B(Entity, table=table, type_value="thing"):
        keys = Key(pk="B#{b}", sk="METADATA")
        b = fields.String()

    assert ids(make_site((A, EntityAdmin), (B, EntityAdmin))) == ["dynadmin.E004"]


def test_w001_overlap_with_a_type_attribute_is_only_a_warning():
    table = fresh_table(type_attribute="type")

    class A(Entity, table=table):
        keys = Key(pk="USER#{user_id}", sk="{anything}")
        user_id = fields.String()
        anything = fields.String()

    class B(Entity, table=table):
        keys = Key(pk="USER#{user_id}", sk="METADATA")
        user_id = fields.String()

    assert ids(make_site((A, EntityAdmin), (B, EntityAdmin))) == ["dynadmin.W001"]


@pytest.mark.parametrize("ttl_attribute", [None, "expires_at"])
def test_e005_ttl_field_the_table_would_not_expire(ttl_attribute):
    class Session(Entity, table=fresh_table(ttl_attribute=ttl_attribute)):
        keys = Key(pk="S#{sid}", sk="METADATA")
        sid = fields.String()
        expires = fields.TTL(attribute="ttl")

    assert ids(make_site((Session, EntityAdmin))) == ["dynadmin.E005"]


def test_e006_lookup_that_does_not_determine_the_partition_key():
    class Order(Entity, table=fresh_table()):
        keys = Key(pk="USER#{user_id}", sk="ORDER#{order_id}")
        by_shop = Key("GSI1", pk="SHOP#{shop_id}#{day}", sk="ORDER#{order_id}")
        user_id = fields.String()
        order_id = fields.String()
        shop_id = fields.String()
        day = fields.Date()

    class OrderAdmin(EntityAdmin):
        lookups = (Lookup("by_shop", fields=("shop_id",)),)

    assert ids(make_site((Order, OrderAdmin))) == ["dynadmin.E006"]


def test_e006_lookup_naming_no_key():
    class Thing(Entity, table=fresh_table()):
        keys = Key(pk="T#{t}", sk="METADATA")
        t = fields.String()

    class ThingAdmin(EntityAdmin):
        lookups = ("by_nothing",)

    assert ids(make_site((Thing, ThingAdmin))) == ["dynadmin.E006"]


def test_e007_a_map_cannot_sit_in_a_key():
    class Thing(Entity, table=fresh_table()):
        keys = Key(pk="T#{blob}", sk="METADATA")
        blob = fields.Map()

    assert ids(make_site((Thing, EntityAdmin))) == ["dynadmin.E007"]


def test_e007_missing_sort_key_template():
    class Thing(Entity, table=fresh_table()):
        keys = Key(pk="T#{t}")
        t = fields.String()

    assert ids(make_site((Thing, EntityAdmin))) == ["dynadmin.E007"]


def test_e008_list_display_names_an_unknown_field():
    class Thing(Entity, table=fresh_table()):
        keys = Key(pk="T#{t}", sk="METADATA")
        t = fields.String()

    class ThingAdmin(EntityAdmin):
        list_display = ("t", "nope")

    assert ids(make_site((Thing, ThingAdmin))) == ["dynadmin.E008"]


def test_manage_py_check_reports_the_id(capsys):
    """The checks run through Django's framework, so `manage.py check` shows them."""
    from django.core import checks

    assert "dynadmin" in checks.registry.registry.tags_available()


def test_e009_listing_on_an_unknown_key_or_a_free_text_partition():
    from dynadmin import Listing

    class Order(Entity, table=fresh_table()):
        keys = Key(pk="USER#{user_id}", sk="ORDER#{order_id}")
        by_user = Key("GSI1", pk="U#{user_id}", sk="O#{order_id}")
        user_id = fields.String()
        order_id = fields.String()

    class OrderAdmin(EntityAdmin):
        listings = (Listing("by_nothing"), Listing("by_user"))

    messages = check_definitions(site=make_site((Order, OrderAdmin)))
    assert [m.id for m in messages] == ["dynadmin.E009", "dynadmin.E009"]


def test_e010_accepts_must_be_a_regular_expression():
    class Thing(Entity, table=fresh_table()):
        keys = Key(pk="T#{t}", sk="METADATA")
        t = fields.String()

    class ThingAdmin(EntityAdmin):
        lookups = (Lookup("keys", accepts="(unclosed"),)

    assert ids(make_site((Thing, ThingAdmin))) == ["dynadmin.E010"]


def test_e011_relation_that_cannot_fill_the_partition_key():
    from dynadmin import Relation

    table = fresh_table()

    class User(Entity, table=table):
        keys = Key(pk="USER#{user_id}", sk="METADATA")
        user_id = fields.String()

    class Order(Entity, table=table):
        keys = Key(pk="USER#{user_id}", sk="ORDER#{order_id}")
        user_id = fields.String()
        order_id = fields.String()

    class UserAdmin(EntityAdmin):
        relations = (Relation("Orders", Order, placeholders={"order_id": "user_id"}),)

    assert ids(make_site((User, UserAdmin), (Order, EntityAdmin))) == ["dynadmin.E011"]


def test_e012_actions_must_be_decorated_methods():
    class Thing(Entity, table=fresh_table()):
        keys = Key(pk="T#{t}", sk="METADATA")
        t = fields.String()

    class ThingAdmin(EntityAdmin):
        actions = ("missing", "plain")

        def plain(self, request, values):
            return None

    messages = check_definitions(site=make_site((Thing, ThingAdmin)))
    assert [m.id for m in messages] == ["dynadmin.E012", "dynadmin.E012"]


def test_e013_a_label_names_only_declared_fields():
    class Thing(Entity, table=fresh_table(), label="{title} · {colour}"):
        keys = Key(pk="T#{t}", sk="METADATA")
        t = fields.String()
        title = fields.String()

    class Broken(Entity, table=fresh_table(), label="{title"):
        keys = Key(pk="B#{t}", sk="METADATA")
        t = fields.String()
        title = fields.String()

    assert ids(make_site((Thing, EntityAdmin))) == ["dynadmin.E013"]
    assert ids(make_site((Broken, EntityAdmin))) == ["dynadmin.E013"]


def test_e014_a_key_only_field_must_be_in_a_key_template():
    class Ticket(Entity, table=fresh_table()):
        keys = Key(pk="ORG#{org}", sk="TICKET#{ticket_id}")
        by_owner = Key("GSI1", pk="OWNER#{owner}", sk="TICKET#{ticket_id}")
        org = fields.String(key_only=True)
        owner = fields.String(key_only=True)  # in an index key only: still somewhere
        ticket_id = fields.String()
        team = fields.String(key_only=True)  # in no key: it would be stored nowhere

    messages = check_definitions(site=make_site((Ticket, EntityAdmin)))
    assert [(m.id, m.msg.split(" is ")[0]) for m in messages] == [
        ("dynadmin.E014", "T.Ticket.team")]


def test_e016_an_action_permission_needs_its_has_permission_method():
    from dynadmin import action

    class Thing(Entity, table=fresh_table()):
        keys = Key(pk="T#{t}", sk="METADATA")
        t = fields.String()

    class ThingAdmin(EntityAdmin):
        actions = ("publish", "archive", "remove")

        @action(description="Publish", permission="publish")
        def publish(self, request, values):
            return None

        @action(description="Archive", permission="archive")
        def archive(self, request, values):
            return None

        @action(description="Remove", permission="delete")
        def remove(self, request, values):
            return None

        def has_archive_permission(self, request):
            return True

    messages = check_definitions(site=make_site((Thing, ThingAdmin)))
    assert [m.id for m in messages] == ["dynadmin.E016"]
    assert "ThingAdmin.publish" in messages[0].msg
    assert "has_publish_permission" in messages[0].msg
