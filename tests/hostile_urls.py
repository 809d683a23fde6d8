"""A URLconf with a second site over a blog table whose comments' sort keys hold date-times
(the shape of a design whose keys were written by another program, zone-less)."""

from django.urls import path

import dynadmin
from dynadmin import fields
from dynadmin.definitions import Entity, Key, Table
from dynadmin.sites import AdminSite

blog = Table("Blog", pk="PK", sk="SK", type_attribute="type")


class Comment(Entity, table=blog):
    keys = Key(pk="POST#{post_id}", sk="COMMENT#{created_at}")

    post_id = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    body = fields.String()


comments = AdminSite(name="comments")
comments.register(Comment)

urlpatterns = [
    path("", dynadmin.site.urls),
    path("blog/", comments.urls),
]
