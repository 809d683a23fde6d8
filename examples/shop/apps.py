from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "examples.shop"
    label = "shop"
    verbose_name = "Example shop"
