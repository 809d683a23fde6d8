"""A demo superuser for local development, with its password printed once."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from dynadmin.management.database import DatabaseCommand
from dynadmin.permissions import ensure_groups


class Command(DatabaseCommand):
    help = "Create the groups and a demo superuser (development only); print its credentials."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, verbosity: int = 1, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("dynadmin_demo creates a known account: development only "
                               "(DJANGO_DEBUG=1). Use createsuperuser in production.")
        ensure_groups()
        credentials = settings.VAR_DIR / "demo-credentials.txt"
        user_model = get_user_model()
        # --verbosity 0 (make run): the caller prints the login from the file, once.
        quiet = verbosity == 0
        if user_model.objects.filter(username=username).exists():
            where = f" (also in {credentials})" if credentials.exists() else ""
            if quiet:
                return
            self.stdout.write(f"Demo user {username!r} exists; its password was printed when "
                              f"it was created{where}.")
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username, f"{username}@example.com", password)
        credentials.write_text(f"username: {username}\npassword: {password}\n")
        credentials.chmod(0o600)
        if quiet:
            return
        self.stdout.write(self.style.SUCCESS(
            f"\n  Demo login  ->  username: {username}   password: {password}\n"
            f"  (kept in {credentials}, which git ignores)\n"))
