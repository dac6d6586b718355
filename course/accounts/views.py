"""Pages of the way in: sign in, invitations, password reset and change, the account page."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import rules, selectors, services
from .forms import AccountPreferencesForm, OutboxPasswordResetForm, SignInForm
from .models import AccountInvitation

BACKEND = "django.contrib.auth.backends.ModelBackend"
logger = logging.getLogger(__name__)


def sso_providers(request: HttpRequest) -> list[dict[str, str]]:
    """The identity providers configured from the environment, with their sign-in address."""
    if not selectors.sso_configured():
        return []
    from allauth.socialaccount.adapter import get_adapter

    return [
        {"name": str(p.name), "url": p.get_login_url(request)}
        for p in get_adapter().list_providers(request)
    ]


def identity_provider_reached(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """allauth's provider views, with an identity provider that cannot be reached (its
    discovery, token or metadata address) answered by the failure page, not a server error."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except OSError as exc:  # requests' errors and refused connections are OSErrors
            logger.warning("Identity provider unreachable: %s", exc)
            return render(
                request,
                "socialaccount/authentication_error.html",
                {"unreachable": True},
                status=502,
            )

    return wrapped


class SignInView(auth_views.LoginView):
    form_class = SignInForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        origins = rules.identity_provider_origins(settings.SOCIALACCOUNT_PROVIDERS)
        if not origins:
            return super().dispatch(request, *args, **kwargs)
        return csp_update({"form-action": origins})(super().dispatch)(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if form.cleaned_data.get("remember"):
            self.request.session.set_expiry(settings.COURSEKIT_REMEMBER_ME_DAYS * 24 * 3600)
        else:
            self.request.session.set_expiry(0)  # ends with the browser
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_providers"] = sso_providers(self.request)
        form = context.get("form")
        context["sso_only"] = bool(form is not None and form.has_error("__all__", "sso_only"))
        return context


# --- invitations -----------------------------------------------------------------------------


def _unusable(
    request: HttpRequest, reason: str, invitation: AccountInvitation | None = None, token: str = ""
) -> HttpResponse:
    status = {"invalid": 404, "other_user": 403, "sso_only": 403}.get(reason, 410)
    return render(
        request,
        "accounts/invitation_unusable.html",
        {
            "reason": reason,
            "invitation": invitation,
            "token": token,
            "sso_providers": sso_providers(request) if reason == "sso_only" else [],
        },
        status=status,
    )


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link shows the form (a mail scanner's GET uses nothing); choosing a password
    uses the link, signs the person in and opens their course."""
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        return _unusable(request, "invalid")
    now = timezone.now()
    state = rules.invitation_state(
        now=now,
        expires_at=invitation.expires_at,
        accepted_at=invitation.accepted_at,
        replaced_at=invitation.replaced_at,
    )
    if state != rules.InvitationState.VALID:
        return _unusable(request, state.value, invitation, token)
    if request.user.is_authenticated and request.user.pk != invitation.user_id:
        return _unusable(request, "other_user", invitation)
    if not selectors.local_password_allowed(invitation.user):
        return _unusable(request, "sso_only", invitation)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation_id=invitation.pk,
                password=form.cleaned_data["new_password1"],
                now=now,
            )
        except services.InvitationRefused as refused:
            return _unusable(request, refused.state.value, invitation, token)
        login(request, user, backend=BACKEND)
        request.session.set_expiry(0)
        messages.success(
            request,
            _("Welcome to %(code)s! Your password is set; sign in with %(username)s next time.")
            % {"code": invitation.course.code, "username": user.username},
        )
        return redirect("course_home", code=invitation.course.code)
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form, "invitee": invitation.user},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def invitation_renew(request: HttpRequest, token: str) -> HttpResponse:
    """Ask for a new link from an expired one; the answer never says more than the link did."""
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        return _unusable(request, "invalid")
    state = rules.invitation_state(
        now=timezone.now(),
        expires_at=invitation.expires_at,
        accepted_at=invitation.accepted_at,
        replaced_at=invitation.replaced_at,
    )
    if state != rules.InvitationState.EXPIRED:
        return _unusable(request, state.value, invitation, token)
    services.invitation_renew(invitation=invitation, now=timezone.now())
    return render(request, "accounts/invitation_renewed.html", {"invitation": invitation})


# --- password reset and change ---------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.sessions_end(user=form.user)  # a reset password ends every session
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("account_preferences")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)  # keeps this session under a new key
        key = self.request.session.session_key
        services.session_record(user=form.user, session_key=key)
        ended = services.sessions_end(user=form.user, keep_session_key=key)
        messages.success(
            self.request,
            ngettext(
                "Your password is changed. You were signed out everywhere else (%(n)d session).",
                "Your password is changed. You were signed out everywhere else (%(n)d sessions).",
                ended,
            )
            % {"n": ended},
        )
        return response


# --- the account page ------------------------------------------------------------------------


@login_required
def account_preferences(request: HttpRequest) -> HttpResponse:
    form = AccountPreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your preferences are saved."))
        return redirect("account_preferences")
    linked = list(request.user.socialaccount_set.all())  # type: ignore[union-attr]  # login_required: the user is signed in
    return render(
        request,
        "accounts/preferences.html",
        {
            "form": form,
            "linked_accounts": linked,
            "local_password": selectors.local_password_allowed(request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of the person, this one included (a lost laptop, a shared computer)."""
    ended = services.sessions_end(user=request.user)
    logout(request)
    messages.success(
        request,
        ngettext(
            "You are signed out everywhere (%(n)d session). Sign in again to continue.",
            "You are signed out everywhere (%(n)d sessions). Sign in again to continue.",
            ended,
        )
        % {"n": ended},
    )
    return redirect("login")
