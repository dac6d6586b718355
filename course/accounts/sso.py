"""django-allauth's adapters: single sign-on links to the roster's account, never creates one.

The first sign-in of an identity finds the account the roster created, by the e-mail the
identity provider verified or by the student-id claim (COURSEKIT_SSO_STUDENT_ID_CLAIM); someone
on no roster gets a page saying so, and no account. Nobody signs up through allauth.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render

from ..models import Enrolment, User
from . import rules, selectors


class NoSignupAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # accounts come from the roster (and the admin)


def _first(value: Any) -> str:
    """A claim's value: SAML attributes are lists, OpenID Connect claims plain values."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return "" if value is None else str(value).strip()


def identity_claims(sociallogin: Any) -> tuple[str, str]:
    """(verified e-mail or "", student id or "") of the identity signing in."""
    account = sociallogin.account
    kind = (
        account.get_provider().id
    )  # "openid_connect" or "saml" (account.provider is the app's id)
    data = account.extra_data or {}
    if kind == "openid_connect":
        data = {**data.get("id_token", {}), **data.get("userinfo", {})} or data
    verified = [
        a.email for a in sociallogin.email_addresses if a.verified and a.email
    ]  # OpenID Connect: email_verified; SAML: its own email_verified attribute
    if not verified and kind == "saml" and settings.COURSEKIT_SSO_SAML_EMAIL_VERIFIED:
        verified = [a.email for a in sociallogin.email_addresses if a.email]
    claim = settings.COURSEKIT_SSO_STUDENT_ID_CLAIM
    student_id = _first(data.get(claim)) if claim else ""
    return (verified[0].strip().lower() if verified else ""), student_id


def _not_enrolled(request: HttpRequest, reason: str) -> ImmediateHttpResponse:
    return ImmediateHttpResponse(
        render(request, "accounts/sso_not_enrolled.html", {"reason": reason}, status=403)
    )


def _on_a_roster(user: User) -> bool:
    return (
        user.is_superuser
        or Enrolment.objects.filter(user=user).exclude(status=Enrolment.Status.DROPPED).exists()
    )


class RosterSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        if sociallogin.is_existing:
            if not sociallogin.user.is_active or not _on_a_roster(sociallogin.user):
                raise _not_enrolled(request, rules.SsoMatch.NOT_ENROLLED.value)
            return
        email, student_id = identity_claims(sociallogin)
        found = selectors.roster_user_ids(email=email, student_id=student_id)
        candidates = [
            rules.SsoCandidate(user_id, by) for by, ids in found.items() for user_id in ids
        ]
        match, user_id = rules.sso_match(candidates)
        if match != rules.SsoMatch.LINK or user_id is None:
            raise _not_enrolled(request, match.value)
        sociallogin.connect(request, User.objects.get(pk=user_id))
