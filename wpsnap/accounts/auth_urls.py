"""Signing in and out, and the second factor. Included under /accounts/ in the ``accounts`` namespace.

``SecondFactorMiddleware`` leaves /accounts/two-factor/ and /accounts/logout/ open to people who still
owe their second factor: keep those paths as they are.
"""

from django.urls import path

from .views import auth

urlpatterns = [
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("two-factor/", auth.two_factor, name="two_factor"),
]
