"""The public API is a promise: a renamed name keeps its old spelling working, with a
DeprecationWarning, for a release (as Django's deprecation policy does)."""

import dataclasses
import warnings

import pytest

from dynadmin import Entity, EntityAdmin, Key, Relation, Table, fields
from dynadmin.sites import AdminSite, NotRegistered

shop = Table("PublicApi", pk="PK", sk="SK")


class Customer(Entity, table=shop):
    keys = Key(pk="CUSTOMER#{customer_id}", sk="PROFILE")
    customer_id = fields.String()
    referrer_id = fields.String()
    email = fields.String()


class Invoice(Entity, table=shop):
    keys = Key(pk="CUSTOMER#{customer_id}", sk="INVOICE#{invoice_id}")
    customer_id = fields.String()
    invoice_id = fields.String()


class Stray(Entity, table=shop):
    keys = Key(pk="STRAY#{s}", sk="STRAY")
    s = fields.String()


def a_site(*registrations):
    site = AdminSite(name="public-api")
    for entity, admin in registrations:
        site.register(entity, admin)
    return site


class TestEntityAdminLookup:
    def test_get_entity_admin_answers_none_for_no_entity_or_one_not_registered(self):
        site = a_site((Customer, EntityAdmin))
        assert site.get_entity_admin(Customer).entity is Customer
        assert site.get_entity_admin(Stray) is None
        assert site.get_entity_admin(None) is None

    def test_admin_for_still_works_and_raises_with_a_deprecation_warning(self):
        site = a_site((Customer, EntityAdmin))
        with pytest.warns(DeprecationWarning, match="get_entity_admin"):
            assert site.admin_for(Customer) is site.get_entity_admin(Customer)
        with pytest.warns(DeprecationWarning), pytest.raises(NotRegistered):
            site.admin_for(Stray)

    def test_admin_of_still_works_with_a_deprecation_warning(self):
        site = a_site((Customer, EntityAdmin))
        with pytest.warns(DeprecationWarning, match="get_entity_admin"):
            assert site.admin_of(Customer) is site.get_entity_admin(Customer)
        with pytest.warns(DeprecationWarning):
            assert site.admin_of(None) is None


class TestRelationPlaceholders:
    def bound(self, relation, source=Customer):
        class SourceAdmin(EntityAdmin):
            relations = (relation,)

        site = a_site((source, SourceAdmin), (Invoice, EntityAdmin))
        (bound,) = site.get_entity_admin(source).get_relations()
        return bound

    def test_placeholders_default_to_the_source_fields_of_the_same_name(self):
        # Invoice's key holds customer_id and invoice_id; a customer has only the first.
        relation = self.bound(Relation("Invoices", Invoice))
        assert relation.placeholders == {"customer_id": "customer_id"}
        resolved = relation.resolve({"customer_id": "c1", "email": "a@example.com"})
        assert (resolved.pk, resolved.sk_op, resolved.sk) == ("CUSTOMER#c1", "begins_with",
                                                              "INVOICE#")

    def test_an_explicit_mapping_is_kept(self):
        relation = self.bound(Relation("Referrer", Customer,
                                       placeholders={"customer_id": "referrer_id"}))
        assert relation.placeholders == {"customer_id": "referrer_id"}
        resolved = relation.resolve({"customer_id": "c1", "referrer_id": "c0"})
        assert (resolved.pk, resolved.sk, resolved.single) == ("CUSTOMER#c0", "PROFILE", True)

    def test_values_is_the_old_spelling_of_placeholders_with_a_deprecation_warning(self):
        with pytest.warns(DeprecationWarning, match="placeholders="):
            relation = Relation("Referrer", Customer, values={"customer_id": "referrer_id"})
        assert relation.placeholders == {"customer_id": "referrer_id"}
        assert relation == Relation("Referrer", Customer,
                                    placeholders={"customer_id": "referrer_id"})
        with pytest.warns(DeprecationWarning, match="placeholders"):
            assert relation.values == {"customer_id": "referrer_id"}

    def test_a_relation_is_copied_with_replace_without_the_old_spelling(self):
        relation = Relation("Referrer", Customer, placeholders={"customer_id": "referrer_id"})
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            copy = dataclasses.replace(relation, label="Referred by")
        assert copy.placeholders == relation.placeholders and copy.label == "Referred by"

    def test_both_spellings_at_once_are_refused(self):
        with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="not both"):
            Relation("Referrer", Customer, placeholders={"customer_id": "referrer_id"},
                     values={"customer_id": "customer_id"})
