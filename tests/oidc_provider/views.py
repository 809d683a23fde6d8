"""The authorization endpoint as OpenID Connect has it answer a silent request."""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from oauth2_provider import views
from oauth2_provider.models import Application


class AuthorizationView(views.AuthorizationView):
    def handle_no_permission(self):
        """No session here (signed out, or the account disabled) and ``prompt=none``: the
        client is told ``login_required`` (OpenID Connect Core 3.1.2.6) instead of being
        shown a login form it asked not to show."""
        query = self.request.GET
        if "none" in query.get("prompt", "").split():
            application = Application.objects.filter(client_id=query.get("client_id")).first()
            redirect_uri = query.get("redirect_uri", "")
            if application is not None and application.redirect_uri_allowed(redirect_uri):
                answer = {"error": "login_required", "state": query.get("state", "")}
                return HttpResponseRedirect(f"{redirect_uri}?{urlencode(answer)}")
        return super().handle_no_permission()
