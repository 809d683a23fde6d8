"""Registers the relying party (a confidential client) and the test people at the provider."""

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from oauth2_provider.models import Application


class Command(BaseCommand):
    help = "Create the OIDC client and people of the tests' provider."

    def add_arguments(self, parser):
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--redirect-uri", required=True)
        parser.add_argument("--post-logout-redirect-uri", required=True)
        parser.add_argument("--person", action="append", default=[],
                            help="username:password:group,group (groups may be empty)")

    def handle(self, *args, client_id, client_secret, redirect_uri, post_logout_redirect_uri,
               person, **options):
        Application.objects.create(
            name="dynadmin", client_id=client_id, client_secret=client_secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=redirect_uri, post_logout_redirect_uris=post_logout_redirect_uri,
            algorithm=Application.RS256_ALGORITHM, skip_authorization=True)
        for spec in person:
            username, password, groups = spec.split(":", 2)
            user = User.objects.create_user(username, f"{username}@example.com", password)
            for name in filter(None, groups.split(",")):
                user.groups.add(Group.objects.get_or_create(name=name)[0])
