"""Addresses of the way in, under /accounts/ (Django's own names for the password views)."""

from allauth.socialaccount.providers.openid_connect import views as oidc_views
from allauth.socialaccount.providers.saml import views as saml_views
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

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
    # django-allauth, for single sign-on only: the providers' login and callback addresses.
    # The pages its flows send to are ours, under its names (it has no sign-up here).
    path(
        "sso/oidc/<str:provider_id>/login/",
        views.identity_provider_reached(oidc_views.login),
        name="openid_connect_login",
    ),
    path(
        "sso/oidc/<str:provider_id>/login/callback/",
        views.identity_provider_reached(oidc_views.callback),
        name="openid_connect_callback",
    ),
    path(
        "sso/saml/<str:organization_slug>/",
        include(
            [
                path("acs/", saml_views.acs, name="saml_acs"),
                path(
                    "acs/finish/",
                    views.identity_provider_reached(saml_views.finish_acs),
                    name="saml_finish_acs",
                ),
                path("sls/", saml_views.sls, name="saml_sls"),
                path(
                    "metadata/",
                    views.identity_provider_reached(saml_views.metadata),
                    name="saml_metadata",
                ),
                path(
                    "login/",
                    views.identity_provider_reached(saml_views.login),
                    name="saml_login",
                ),
            ]
        ),
    ),
    path(
        "sso/login/cancelled/",
        TemplateView.as_view(template_name="socialaccount/login_cancelled.html"),
        name="socialaccount_login_cancelled",
    ),
    path(
        "sso/login/error/",
        TemplateView.as_view(template_name="socialaccount/authentication_error.html"),
        name="socialaccount_login_error",
    ),
    path(
        "sso/signup/",
        TemplateView.as_view(template_name="accounts/sso_not_enrolled.html"),
        name="socialaccount_signup",
    ),
    path(
        "sso/",
        RedirectView.as_view(pattern_name="account_preferences"),
        name="socialaccount_connections",
    ),
]
