"""Rename ``view_application.order`` permissions to ``view_application_order``.

Django's auth backends split ``app_label.codename`` on the dot, so a dot inside the codename
broke ``ModelBackend.with_perm``. Groups and users keep what they were granted: where both
spellings exist, the grants move to the new row and the old one goes.
"""

from django.db import migrations


def _rename(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    try:
        anchor = ContentType.objects.using(db).get(
            app_label="dynadmin", model="entitypermissionanchor")
    except ContentType.DoesNotExist:
        return
    for old in Permission.objects.using(db).filter(content_type=anchor, codename__contains="."):
        codename = old.codename.replace(".", "_")
        new = Permission.objects.using(db).filter(content_type=anchor, codename=codename).first()
        if new is None:
            old.codename = codename
            old.save(update_fields=["codename"])
            continue
        for group in old.group_set.all():
            group.permissions.add(new)
        for user in old.user_set.all():
            user.user_permissions.add(new)
        old.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("dynadmin", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(_rename, migrations.RunPython.noop)]
