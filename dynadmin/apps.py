from __future__ import annotations

from django.apps import AppConfig


class DynadminConfig(AppConfig):
    name = "dynadmin"
    verbose_name = "dynadmin"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import (
            checks,  # noqa: F401  (registers the system checks)
            conf,
        )
        from .data.client import install_scan_refusal
        from .people import connect_signals
        from .permissions import sync_permissions
        from .sites import autodiscover

        # dynadmin's own clients always refuse whole-table reads. Extending that to every
        # client in the process (a host project's own boto3 code too) is the project's call:
        # the ready-made project does, an app embedded in someone else's project does not.
        # Before any client exists, so that none escapes it.
        if conf.get("REFUSE_SCAN_PROCESS_WIDE"):
            install_scan_refusal()
        autodiscover()
        post_migrate.connect(sync_permissions, sender=self)
        connect_signals()
