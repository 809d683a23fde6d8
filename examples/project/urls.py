"""The URLconf of the ready-made project (``examples.project.settings``): dynadmin at the root.

A host project mounts it anywhere, e.g. ``path("dynamodb/", dynadmin.site.urls)``.
"""

from django.urls import path

import dynadmin

urlpatterns = [
    path("", dynadmin.site.urls),
]

# A server error answers with dynadmin's page and headers (no-store, the CSP), wherever the
# error happened.
handler500 = "dynadmin.views.errors.server_error"
