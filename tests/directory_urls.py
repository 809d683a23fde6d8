"""A URLconf with a second site over a directory of people whose design has an index that
answers a name's beginning: ``PEOPLE`` / ``NAME#{name:lower}#{person_id}`` on GSI1, so a
``Lookup(prefix=True)`` finds "Alice Liddell" from "ali" with one bounded Query."""

from django.urls import path

import dynadmin
from dynadmin import EntityAdmin, Lookup, fields
from dynadmin.definitions import Entity, Key, Table
from dynadmin.sites import AdminSite

directory = Table("Directory", pk="PK", sk="SK", type_attribute="type",
                  indexes={"GSI1": ("GSI1PK", "GSI1SK")})


class Person(Entity, table=directory, label="{name}"):
    keys = Key(pk="PERSON#{person_id}", sk="PROFILE")
    by_name = Key("GSI1", pk="PEOPLE", sk="NAME#{name:lower}#{person_id}")

    person_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.Email()


class PersonAdmin(EntityAdmin):
    list_display = ("person_id", "name", "email")
    lookups = (Lookup("by_name", label="People by name", prefix=True),
               Lookup("keys", label="Person by ID", accepts=r"P\d+", example="P1"))


people = AdminSite(name="directory")
people.register(Person, PersonAdmin)

urlpatterns = [
    path("", dynadmin.site.urls),
    path("directory/", people.urls),
]
