"""Reads of the way in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q

from ..models import Enrolment
from . import rules
from .models import AccountInvitation


def invitation_by_token(token: str) -> AccountInvitation | None:
    if not token or len(token) > 100:
        return None
    return (
        AccountInvitation.objects.select_related("course", "user")
        .filter(token_digest=rules.token_digest(token))
        .first()
    )


def sso_configured() -> bool:
    return bool(getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}))


def local_password_allowed(user: Any) -> bool:
    """May this person sign in with a password here (see rules.local_password_allowed)?"""
    if not sso_configured():
        return True
    if user.is_superuser:
        return True
    memberships = list(
        Enrolment.objects.filter(user=user)
        .exclude(status=Enrolment.Status.DROPPED)
        .values_list("role", "course__students_sign_in_with_sso_only")
    )
    staff_roles = {Enrolment.Role.INSTRUCTOR, Enrolment.Role.TA}
    return rules.local_password_allowed(
        sso_configured=True,
        is_staff_somewhere=user.is_staff or any(role in staff_roles for role, _ in memberships),
        sso_only_in_all_courses=bool(memberships) and all(only for _, only in memberships),
    )


def roster_user_ids(*, email: str | None, student_id: str | None) -> dict[str, set[int]]:
    """Accounts on a roster (enrolment not dropped) with this e-mail, or this student id."""
    found: dict[str, set[int]] = {"email": set(), "student_id": set()}
    live = Enrolment.objects.exclude(status=Enrolment.Status.DROPPED).filter(user__is_active=True)
    if email:
        found["email"] = set(
            live.filter(user__email__iexact=email).values_list("user_id", flat=True)
        )
    if student_id:
        found["student_id"] = set(
            live.filter(~Q(student_id=""), student_id=student_id).values_list("user_id", flat=True)
        )
    return found
