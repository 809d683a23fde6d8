from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class ProjectConfig(AppConfig):
    name = "examples.project"
    label = "dynadmin_project"
    verbose_name = "dynadmin ready-made project"

    def ready(self) -> None:
        # post_migrate is sent per app with models; this one has none, sessions always has.
        post_migrate.connect(_create_cache_table, sender=apps.get_app_config("sessions"))


def _create_cache_table(using: str = "default", **kwargs: object) -> None:
    """Without REDIS_URL the settings use the database as the shared cache: `migrate` makes
    its table, so every way the project is set up (make run, the Dockerfile, the benchmark, a
    test database) has it. A no-op when the table exists or no cache needs one."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
