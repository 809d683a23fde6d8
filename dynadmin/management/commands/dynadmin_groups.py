"""Create (or refresh) the Support and Admin groups and every entity's permissions."""

from dynadmin.management.database import DatabaseCommand
from dynadmin.permissions import ADMIN_GROUP, SUPPORT_GROUP, ensure_groups


class Command(DatabaseCommand):
    help = "Create the Support (view + extend TTL) and Admin (everything) groups."

    def handle(self, *args, **options) -> None:
        ensure_groups()
        self.stdout.write(f"Groups ready: {SUPPORT_GROUP}, {ADMIN_GROUP}.")
