"""Writes of the way in: invitations and notices of enrolment, reset mail, ending sessions.

Every e-mail is an OutboxMessage sent by the outbox's task (course/notifications/), so it is
retried with back-off, re-queued if a worker dies, and sent at most once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any
from zoneinfo import ZoneInfo

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ..models import Course, Enrolment, User
from ..notifications import channels
from ..notifications import rules as notification_rules
from ..notifications.models import OutboxMessage
from ..queueing import queue_on_commit
from . import rules
from .models import AccountInvitation, SignedInSession

INVITATION_KIND = "invitation"
NOTICE_KIND = "enrolment_notice"
RESET_KIND = "password_reset"
ACCOUNT_KINDS = (INVITATION_KIND, NOTICE_KIND, RESET_KIND)


def _language(user: User) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def _queue(outbox: OutboxMessage) -> None:
    from ..tasks import send_message  # the tasks module imports the services: import late

    # Not queued (broker down): the message is pending and was never marked queued, so the next
    # dispatch (course.dispatch_reminders, beat) queues it.
    queue_on_commit(send_message, outbox.pk)


def outbox_email(
    *,
    user: User,
    course: Course | None,
    kind: str,
    item_key: str,
    subject: str,
    body: str,
    url: str,
    now: datetime,
) -> OutboxMessage:
    """Record one e-mail in the outbox (once per item) and queue its send on commit."""
    prefix = course.subject_prefix if course is not None else ""
    outbox, _created = OutboxMessage.objects.get_or_create(
        recipient=user,
        item_key=item_key,
        kind=kind,
        channel=OutboxMessage.Channel.EMAIL,
        defaults={
            "course": course,
            "subject": notification_rules.subject_line(prefix, subject),
            "body": body,
            "url": url,
            "language": _language(user),
            "created_at": now,
        },
    )
    if outbox.status == OutboxMessage.Status.PENDING:
        _queue(outbox)
    return outbox


def _inviter_name(course: Course, invited_by: User | None) -> str:
    if invited_by is not None and (invited_by.get_full_name() or invited_by.username):
        return invited_by.get_full_name() or invited_by.username
    return course.instructor_name or _("The instructor")


def _course_date(course: Course, instant: datetime) -> str:
    local = instant.astimezone(ZoneInfo(course.time_zone))
    return formats.date_format(local, "DATE_FORMAT")


@dataclass(frozen=True)
class SentInvitation:
    invitation: AccountInvitation
    token: str  # only here and in the e-mail: the database keeps its digest

    @property
    def path(self) -> str:
        return reverse("invitation_accept", kwargs={"token": self.token})


def invitation_send(
    *, course: Course, user: User, invited_by: User | None, now: datetime
) -> SentInvitation:
    """A new one-time link for `user` in `course`; earlier links of theirs there stop working."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        AccountInvitation.objects.filter(
            course=course, user=user, accepted_at__isnull=True, replaced_at__isnull=True
        ).update(replaced_at=now)
        invitation = AccountInvitation.objects.create(
            course=course,
            user=user,
            invited_by=invited_by,
            token_digest=rules.token_digest(token),
            created_at=now,
            expires_at=rules.invitation_expiry(now, settings.COURSEKIT_INVITATION_MAX_AGE_DAYS),
        )
        sent = SentInvitation(invitation, token)
        with translation.override(_language(user)):
            subject = _("Your invitation to %(code)s — %(title)s") % {
                "code": course.code,
                "title": course.title,
            }
            body = _(
                "Hello %(name)s,\n\n"
                "%(inviter)s added you to %(code)s — %(title)s (%(term)s) on Coursekit, where "
                "the course's schedule, quizzes, scribing, projects and grades are.\n\n"
                "Choose your password here (the link works once, until %(expires)s):\n"
                "%(url)s\n\n"
                "Your username: %(username)s\n\n"
                "If you did not expect this message, you can ignore it."
            ) % {
                "name": user.get_full_name() or user.username,
                "inviter": _inviter_name(course, invited_by),
                "code": course.code,
                "title": course.title,
                "term": course.term,
                "expires": _course_date(course, invitation.expires_at),
                "url": channels.absolute_url(sent.path),
                "username": user.username,
            }
        outbox_email(
            user=user,
            course=course,
            kind=INVITATION_KIND,
            item_key=f"invitation:{invitation.pk}",
            subject=subject,
            body=body,
            url="",  # the link is in the body only: the outbox's list must not show it
            now=now,
        )
    return sent


def enrolment_notice_send(
    *, enrolment: Enrolment, invited_by: User | None, now: datetime
) -> OutboxMessage:
    """ "You were added to IFT6085": for a person who can already sign in."""
    course, user = enrolment.course, enrolment.user
    url = reverse("course_home", kwargs={"code": course.code})
    with translation.override(_language(user)):
        subject = _("You were added to %(code)s — %(title)s") % {
            "code": course.code,
            "title": course.title,
        }
        body = _(
            "Hello %(name)s,\n\n"
            "%(inviter)s added you to %(code)s — %(title)s (%(term)s) as %(role)s. "
            "Sign in with your usual account to find it:\n%(url)s"
        ) % {
            "name": user.get_full_name() or user.username,
            "inviter": _inviter_name(course, invited_by),
            "code": course.code,
            "title": course.title,
            "term": course.term,
            "role": Enrolment.Role(enrolment.role).label,
            "url": channels.absolute_url(url),
        }
    return outbox_email(
        user=user,
        course=course,
        kind=NOTICE_KIND,
        # Added again after a drop is news again; the same import run twice is not.
        item_key=f"enrolment:{enrolment.pk}:{int(now.timestamp())}",
        subject=subject,
        body=body,
        url=url,
        now=now,
    )


def person_welcome(
    *, enrolment: Enrolment, invited_by: User | None, now: datetime
) -> rules.Welcome:
    """Someone just joined a course: an invitation if they cannot sign in yet, else a notice."""
    user = enrolment.user
    welcome = rules.welcome_for(
        has_usable_password=user.has_usable_password(),
        has_sso_account=SocialAccount.objects.filter(user=user).exists(),
    )
    if welcome == rules.Welcome.INVITATION:
        invitation_send(course=enrolment.course, user=user, invited_by=invited_by, now=now)
    else:
        enrolment_notice_send(enrolment=enrolment, invited_by=invited_by, now=now)
    return welcome


def invitations_resend(
    *, course: Course, user_ids: list[int], invited_by: User | None, now: datetime
) -> int:
    """A fresh link to each of these people who still cannot sign in (the others are skipped)."""
    sent = 0
    enrolments = (
        Enrolment.objects.filter(course=course, user_id__in=user_ids)
        .exclude(status=Enrolment.Status.DROPPED)
        .select_related("user")
    )
    linked = set(
        SocialAccount.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )
    for enrolment in enrolments:
        user = enrolment.user
        if not user.is_active or user.has_usable_password() or user.pk in linked:
            continue
        invitation_send(course=course, user=user, invited_by=invited_by, now=now)
        sent += 1
    return sent


class InvitationRefused(Exception):
    """The link cannot be used (any more); `state` says why."""

    def __init__(self, state: rules.InvitationState) -> None:
        super().__init__(state.value)
        self.state = state


def invitation_accept(*, invitation_id: int, password: str, now: datetime) -> User:
    """Choose the password with the link, once: two submissions at the same time, one wins."""
    with transaction.atomic():
        invitation = (
            AccountInvitation.objects.select_for_update()
            .select_related("user")
            .get(pk=invitation_id)
        )
        state = rules.invitation_state(
            now=now,
            expires_at=invitation.expires_at,
            accepted_at=invitation.accepted_at,
            replaced_at=invitation.replaced_at,
        )
        if state != rules.InvitationState.VALID:
            raise InvitationRefused(state)
        user = invitation.user
        user.set_password(password)
        user.save(update_fields=["password"])
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
        # Other courses' open links for the same person would set the password again.
        AccountInvitation.objects.filter(
            user=user, accepted_at__isnull=True, replaced_at__isnull=True
        ).update(replaced_at=now)
    return user


def invitation_renew(*, invitation: AccountInvitation, now: datetime) -> SentInvitation | None:
    """ "Send me a new link" from an expired one: only to the address on file, only while the
    person still cannot sign in and is still on the course."""
    user = invitation.user
    if invitation.accepted_at is not None or user.has_usable_password() or not user.is_active:
        return None
    on_course = (
        Enrolment.objects.filter(course=invitation.course, user=user)
        .exclude(status=Enrolment.Status.DROPPED)
        .exists()
    )
    if not on_course:
        return None
    return invitation_send(course=invitation.course, user=user, invited_by=None, now=now)


def password_reset_email(
    *, user: User, subject: str, body: str, url: str, now: datetime
) -> OutboxMessage:
    """The reset link through the outbox (an account's mail: no course)."""
    return outbox_email(
        user=user,
        course=None,
        kind=RESET_KIND,
        item_key=f"password_reset:{user.pk}:{secrets.token_hex(8)}",
        subject=subject,
        body=body,
        url="",  # the link is in the body only: the outbox list must not show it
        now=now,
    )


# --- sessions --------------------------------------------------------------------------------


def session_record(*, user: Any, session_key: str | None, now: datetime | None = None) -> None:
    """Remember a session the person signed in with; forget theirs older than any session
    can live (they have expired), so the table stays the size of the sessions alive."""
    if not session_key:
        return
    longest = max(settings.SESSION_COOKIE_AGE, settings.COURSEKIT_REMEMBER_ME_DAYS * 24 * 3600)
    oldest = (now or timezone.now()) - timedelta(seconds=longest)
    SignedInSession.objects.filter(user=user, created_at__lt=oldest).delete()
    SignedInSession.objects.get_or_create(session_key=session_key, defaults={"user": user})


def sessions_end(*, user: Any, keep_session_key: str | None = None) -> int:
    """End every session the person signed in with, except `keep_session_key` (this one)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    records = SignedInSession.objects.filter(user=user)
    if keep_session_key:
        records = records.exclude(session_key=keep_session_key)
    keys = list(records.values_list("session_key", flat=True))
    ended = 0
    for key in keys:
        session = store(session_key=key)
        if session.exists(key):  # not already ended (signed out, expired, key rotated)
            session.delete()  # the cache too, with cached_db
            ended += 1
    SignedInSession.objects.filter(session_key__in=keys).delete()
    return ended
