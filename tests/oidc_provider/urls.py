from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import AuthorizationView

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("o/authorize/", AuthorizationView.as_view(), name="authorize"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
