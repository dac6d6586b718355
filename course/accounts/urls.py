"""Addresses of the way in, under /accounts/ (Django's own names for the password views)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("preferences/", views.account_preferences, name="account_preferences"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="account_sign_out_everywhere"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("invitation/<str:token>/renew/", views.invitation_renew, name="invitation_renew"),
    # django-allauth, for single sign-on only: the providers' login and callback addresses
    # and its error pages (its own local-account pages are not used).
    path("sso/", include("allauth.socialaccount.providers.openid_connect.urls")),
    path("sso/", include("allauth.socialaccount.providers.saml.urls")),
    path("sso/", include("allauth.socialaccount.urls")),
]
