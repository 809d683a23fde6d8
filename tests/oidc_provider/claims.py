"""What the test provider says about a person: their username, email and groups."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    # Every claim below goes in the ID token and userinfo whatever the scopes asked.
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "email": user.email,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }

    # prompt=none (mozilla-django-oidc's SessionRefresh): the authorization view lets only a
    # signed-in, active person this far (views.AuthorizationView answers the others), and the
    # client is trusted (skip_authorization), so there is nothing left to ask.
    def validate_silent_login(self, request):
        return True

    def validate_silent_authorization(self, request):
        return True
