"""The URLconf of the ready-made project (``examples.project.settings``): dynadmin at the root.

A host project mounts it anywhere, e.g. ``path("dynamodb/", dynadmin.site.urls)``.
"""

from django.urls import path

import dynadmin

urlpatterns = [
    path("", dynadmin.site.urls),
]

# Error pages answered outside dynadmin's views (an unknown address, a server error) carry
# the headers of every other page: no-store and the CSP.
handler400 = "dynadmin.views.errors.bad_request"
handler403 = "dynadmin.views.errors.permission_denied"
handler404 = "dynadmin.views.errors.page_not_found"
handler500 = "dynadmin.views.errors.server_error"
