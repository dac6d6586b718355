"""Forms of the way in: sign-in with "keep me signed in", the reset form that mails through the
outbox, the account's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ..models import Enrolment, User
from ..notifications import channels
from . import selectors, services


class SignInForm(AuthenticationForm):
    remember = forms.BooleanField(
        label=_("Keep me signed in"),
        required=False,
        help_text=_(
            "On your own computer only: otherwise you are signed out when the browser closes."
        ),
    )

    def confirm_login_allowed(self, user: Any) -> None:
        """Students whose courses sign them in through the university only (with SSO on)
        are refused here, with the reason; the backend stays Django's ModelBackend, which
        the quiz's answer path relies on."""
        super().confirm_login_allowed(user)
        if not selectors.local_password_allowed(user):
            raise forms.ValidationError(
                _("Students of your course sign in through the university: use the button below."),
                code="sso_only",
            )


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form; the mail leaves through the outbox, in the person's language.

    Like Django's, it says nothing about whether the address exists (the view always shows
    the same page). People invited but not yet joined get a link too: it is how someone who
    lost the invitation gets in.
    """

    def get_users(self, email: str) -> Any:
        users = User.objects.filter(email__iexact=email, is_active=True).filter(
            ~Q(password__startswith="!")  # noqa: S106 - Django's unusable-password mark, no secret
            | Q(
                enrolments__status__in=[
                    Enrolment.Status.ACTIVE,
                    Enrolment.Status.WAITLISTED,
                ]
            )
        )
        return (u for u in users.distinct() if selectors.local_password_allowed(u))

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        path = reverse(
            "password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]}
        )
        context = {
            **context,
            "reset_url": channels.absolute_url(path),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            subject = "".join(render_to_string(subject_template_name, context).splitlines())
            body = render_to_string(email_template_name, context)
        services.password_reset_email(
            user=user, subject=subject, body=body, url="", now=timezone.now()
        )


class AccountPreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["preferred_language"]
        labels = {"preferred_language": _("Language of e-mails from the course")}
