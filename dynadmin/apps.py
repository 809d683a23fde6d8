from __future__ import annotations

from django.apps import AppConfig


class DynadminConfig(AppConfig):
    name = "dynadmin"
    verbose_name = "dynadmin"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers the system checks)
        from .data.client import install_scan_refusal
        from .permissions import sync_permissions
        from .sites import autodiscover

        # Before any client exists, so that no DynamoDB client in the process can scan.
        install_scan_refusal()
        autodiscover()
        post_migrate.connect(sync_permissions, sender=self)
