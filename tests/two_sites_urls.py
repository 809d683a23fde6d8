"""A URLconf with two dynadmin sites side by side, each with its own registry."""

from django.urls import path

import dynadmin
from dynadmin.sites import AdminSite
from examples.shop.definitions import Product

products_only = AdminSite(name="products")
products_only.register(Product)

urlpatterns = [
    path("everything/", dynadmin.site.urls),
    path("catalogue/", products_only.urls),
]
