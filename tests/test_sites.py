"""A site owns its URLs, login, context and templates, like Django's AdminSite; several sites
with different registries work side by side; permissions are Django's."""

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.urls import reverse

from dynadmin import data
from dynadmin.codenames import permission_codename, permission_name
from dynadmin.data.conditions import AttributeNotExists
from examples.shop.definitions import CATEGORIES, Product, User

CATEGORY = CATEGORIES[0]

pytestmark = pytest.mark.django_db


def put(table, item):
    data.put_item(table, item, condition=AttributeNotExists("PK"))
    return item


def _user(shop_table):
    return put(shop_table, User.build_item({
        "user_id": "0b5e55ed", "email": "alice@example.com", "name": "Alice", "tier": "PRO",
        "created_at": dt.datetime(2024, 1, 2, tzinfo=dt.UTC)}))


def _product(shop_table):
    return put(shop_table, Product.build_item({
        "product_id": "MUG-1", "category": CATEGORY, "name": "Mug",
        "price": Decimal("9.50")}))


class TestTwoSitesSideBySide:
    @pytest.fixture(autouse=True)
    def _urls(self, settings):
        from dynadmin.services import links

        settings.ROOT_URLCONF = "tests.two_sites_urls"
        links._reverse.cache_clear()
        yield
        links._reverse.cache_clear()

    def test_each_site_answers_under_its_own_path_with_its_own_login(self, client):
        for prefix in ("/everything/", "/catalogue/"):
            response = client.get(prefix)
            assert response.status_code == 302
            assert response["Location"] == f"{prefix}login/?next={prefix}"
            login = client.get(f"{prefix}login/")
            assert login.status_code == 200
            assert f'action="{prefix}login/"'.encode() in login.content

    def test_each_dashboard_lists_only_its_own_registry_and_links_inside_itself(
            self, staff_client, shop_table):
        everything = staff_client.get("/everything/").content.decode()
        catalogue = staff_client.get("/catalogue/").content.decode()
        assert "/everything/e/Application.User/" in everything
        assert "/everything/e/Application.Product/" in everything
        assert "/catalogue/e/Application.Product/" in catalogue
        assert "Application.User" not in catalogue
        assert "/everything/" not in catalogue

    def test_an_entity_registered_only_elsewhere_is_this_sites_404(self, staff_client,
                                                                  shop_table):
        response = staff_client.get("/catalogue/e/Application.User/")
        assert response.status_code == 404
        assert b"dynadmin" in response.content  # the site's own page, not the host's

    def test_partition_pages_link_items_inside_the_site_that_shows_them(
            self, staff_client, shop_table):
        _product(shop_table)
        query = urlencode({"pk": "PRODUCT#MUG-1"})
        html = staff_client.get(f"/catalogue/t/Application/q/?{query}").content.decode()
        assert "/catalogue/t/Application/item/?pk=PRODUCT%23MUG-1" in html
        assert "/everything/" not in html


class TestTemplatesPerEntity:
    def test_an_entity_template_overrides_the_item_page_for_that_entity_only(
            self, staff_client, shop_table, settings):
        settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [
            settings.BASE_DIR / "tests" / "templates", *settings.TEMPLATES[0]["DIRS"]]}]
        _user(shop_table)
        _product(shop_table)
        url = reverse("dynadmin:item", kwargs={"table": "Application"})
        user_page = staff_client.get(url + "?" + urlencode({"pk": "USER#0b5e55ed",
                                                            "sk": "METADATA"}))
        product_page = staff_client.get(url + "?" + urlencode({"pk": "PRODUCT#MUG-1",
                                                               "sk": "METADATA"}))
        assert b'data-test="user-item-override"' in user_page.content
        assert b"Customer alice@example.com" in user_page.content
        assert b'data-test="user-item-override"' not in product_page.content
        assert product_page.status_code == 200

    def test_template_names_go_from_entity_to_table_to_default(self):
        import dynadmin

        table = User._meta.table
        assert dynadmin.site.template_names("item.html", table, User) == [
            "dynadmin/application/user/item.html", "dynadmin/application/item.html",
            "dynadmin/item.html"]


class TestPermissionCodenames:
    def test_codenames_hold_no_dot(self):
        assert permission_codename("change", User) == "change_application_user"
        assert "." not in permission_codename("view", Product)

    def test_a_granted_entity_permission_works_with_has_perm_and_with_perm(
            self, django_user_model, shop_table):
        from dynadmin.permissions import sync_permissions

        sync_permissions()
        user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
        user.user_permissions.add(Permission.objects.get(
            codename=permission_codename("view", Product)))
        user = django_user_model.objects.get(pk=user.pk)
        assert user.has_perm(permission_name("view", Product))
        assert not user.has_perm(permission_name("view", User))
        holders = ModelBackend().with_perm(permission_name("view", Product))
        assert list(holders) == [user]

    def test_the_migration_renames_dotted_codenames_and_keeps_grants(
            self, django_user_model):
        from django.apps import apps as global_apps
        from django.contrib.auth.models import Group
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection

        from dynadmin.models import EntityPermissionAnchor

        module = __import__("dynadmin.migrations.0002_permission_codenames_without_dots",
                            fromlist=["_rename"])
        anchor = ContentType.objects.get_for_model(EntityPermissionAnchor,
                                                   for_concrete_model=False)
        old = Permission.objects.create(content_type=anchor, codename="view_shop.thing",
                                        name="Can view Shop.Thing")
        group = Group.objects.create(name="Old support")
        group.permissions.add(old)

        class Editor:
            pass

        editor = Editor()
        editor.connection = connection
        module._rename(global_apps, editor)
        renamed = Permission.objects.get(content_type=anchor, codename="view_shop_thing")
        assert list(group.permissions.all()) == [renamed]
        assert not Permission.objects.filter(codename__contains=".",
                                             content_type=anchor).exists()


class TestTheSiteNeedsNothingFromTheHost:
    def test_pages_render_without_any_context_processor(self, staff_client, shop_table,
                                                        settings):
        settings.TEMPLATES = [{**settings.TEMPLATES[0], "OPTIONS": {"context_processors": []}}]
        html = staff_client.get(reverse("dynadmin:dashboard")).content.decode()
        assert "Log out admin" in html  # the user, from the site's own context
        assert 'href="/static/dynadmin/dynadmin.css"' in html

    def test_every_page_carries_the_security_headers(self, staff_client, shop_table):
        response = staff_client.get(reverse("dynadmin:dashboard"))
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "no-store" in response["Cache-Control"]
        login = staff_client.get(reverse("dynadmin:login"))
        assert "Content-Security-Policy" in login.headers
