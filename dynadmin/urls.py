"""dynadmin's URLs. Include them in a project with ``path("", include("dynadmin.urls"))``.

Keys travel in the query string, not the path: they contain ``#`` and ``/``.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from .security import ThrottledLoginView
from .views import browse, edit, health, history, lookup, pages, ttl

app_name = "dynadmin"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("lookup/", lookup.lookup, name="lookup"),
    path("e/<str:entity>/", lookup.entity_home, name="entity"),
    path("e/<str:entity>/lookup/<str:name>/", lookup.entity_lookup, name="entity_lookup"),
    path("e/<str:entity>/listing/<str:name>/", lookup.listing, name="listing"),
    path("recent/", history.recent_actions, name="recent_actions"),
    path("t/<str:table>/q/", browse.partition, name="partition"),
    path("t/<str:table>/item/", pages.item, name="item"),
    path("t/<str:table>/item/edit/", edit.edit, name="edit"),
    path("t/<str:table>/item/delete/", edit.delete, name="delete"),
    path("t/<str:table>/item/resolve/", edit.resolve, name="resolve"),
    path("t/<str:table>/actions/", edit.run_action, name="action"),
    path("t/<str:table>/ttl/", ttl.ttl_page, name="ttl"),
    path("t/<str:table>/item/ttl/", ttl.set_ttl, name="set_ttl"),
    path("t/<str:table>/health/", health.health_page, name="health"),
    path("t/<str:table>/health.json", health.health_json, name="health_json"),
    path("e/<str:entity>/add/", edit.create, name="add"),
]
