"""The URLconf of the ready-made project configuration (``dynadmin.settings``)."""

from django.urls import include, path

urlpatterns = [
    path("", include("dynadmin.urls")),
]
