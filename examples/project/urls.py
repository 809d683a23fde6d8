"""The URLconf of the ready-made project (``examples.project.settings``): dynadmin at the root.

A host project mounts it anywhere, e.g. ``path("dynamodb/", dynadmin.site.urls)``.
"""

from django.conf import settings
from django.urls import include, path

import dynadmin

urlpatterns = [
    path("", dynadmin.site.urls),
]

# Signing in with OpenID Connect (DYNADMIN_OIDC_* in the environment): mozilla-django-oidc's
# start, callback and logout views.
if getattr(settings, "OIDC_RP_CLIENT_ID", None):
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))

# Error pages answered outside dynadmin's views (an unknown address, a server error) carry
# the headers of every other page: no-store and the CSP.
handler400 = "dynadmin.views.errors.bad_request"
handler403 = "dynadmin.views.errors.permission_denied"
handler404 = "dynadmin.views.errors.page_not_found"
handler500 = "dynadmin.views.errors.server_error"
