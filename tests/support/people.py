"""Staff members holding exactly the dynadmin permissions a test names."""

from django.contrib.auth.models import Permission

from dynadmin.permissions import sync_permissions


def person(client, django_user_model, *codenames, name="someone"):
    """A staff member holding exactly ``codenames`` (dynadmin permissions)."""
    sync_permissions()
    user = django_user_model.objects.create_user(name, password="x", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client
