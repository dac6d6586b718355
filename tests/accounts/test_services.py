"""Invitations and notices through the outbox, accepting once, sessions ended."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from course import services
from course.accounts import rules
from course.accounts import services as account_services
from course.accounts.models import AccountInvitation
from course.models import Enrolment
from course.notifications import services as notification_services
from course.notifications.models import OutboxMessage
from tests.present import present

from .conftest import link_in, path_of

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_a_roster_import_invites_each_new_person_through_the_outbox(
    course, instructor, roster_text, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.roster_import(
            course=course, text=roster_text, now=timezone.now(), invited_by=instructor
        )
    assert (result.created, result.invitations, result.notices) == (2, 2, 0)
    outbox = OutboxMessage.objects.filter(kind="invitation").order_by("recipient__email")
    assert [present(m.recipient).email for m in outbox] == ["ada@example.org", "alan@example.org"]
    assert {m.status for m in outbox} == {OutboxMessage.Status.SENT}
    assert len(mail.outbox) == 2
    message = next(m for m in mail.outbox if m.to == ["ada@example.org"])
    assert message.subject == "TST101: Your invitation to TST101 — Test course"
    assert "Prof Test added you to TST101 — Test course (Winter 2021)" in message.body
    assert "Your username: ada" in message.body
    link = link_in(message.body)
    invitation = AccountInvitation.objects.get(user__email="ada@example.org")
    assert invitation.token_digest == rules.token_digest(path_of(link).split("/")[3])
    assert invitation.expires_at == invitation.created_at + timedelta(days=14)
    assert not User.objects.get(email="ada@example.org").has_usable_password()


def test_importing_the_same_file_again_sends_nothing_more(
    course, roster_text, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.roster_import(course=course, text=roster_text, now=timezone.now())
        again = services.roster_import(course=course, text=roster_text, now=timezone.now())
    assert (again.updated, again.invitations, again.notices) == (2, 0, 0)
    assert len(mail.outbox) == 2


def test_someone_who_can_sign_in_gets_a_notice_instead(
    course, make_member, roster_text, django_capture_on_commit_callbacks
):
    User.objects.create_user("ada", "ada@example.org", "an-old-password", first_name="Ada")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.roster_import(course=course, text=roster_text, now=timezone.now())
    assert (result.invitations, result.notices) == (1, 1)
    notice = next(m for m in mail.outbox if m.to == ["ada@example.org"])
    assert notice.subject == "TST101: You were added to TST101 — Test course"
    assert "/accounts/invitation/" not in notice.body and "/c/TST101/" in notice.body
    assert not AccountInvitation.objects.filter(user__email="ada@example.org").exists()


def test_the_invitation_is_in_the_recipients_language(course, django_capture_on_commit_callbacks):
    user = User.objects.create_user("eloise", "eloise@example.org", preferred_language="fr")
    user.set_unusable_password()
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_join(
            course=course, user=user, role="student", now=timezone.now(), welcome=True
        )
    (message,) = mail.outbox
    assert message.subject == "TST101: Votre invitation à TST101 — Test course"
    assert "Choisissez votre mot de passe" in message.body
    assert message.extra_headers["Content-Language"] == "fr"


def test_a_name_smuggling_headers_refuses_the_file_and_changes_nothing(
    course, django_capture_on_commit_callbacks
):
    text = (
        "name,email,role\n"
        "Ada Lovelace,ada@example.org,student\n"
        '"Mallory\r\nBcc: everyone@example.org",mallory@example.org,student\n'
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = services.roster_import(course=course, text=text, now=timezone.now())
    assert [str(e) for e in result.errors] == [
        "line 4: the name contains a line break or a control character"
    ]
    assert not User.objects.filter(email__in=["ada@example.org", "mallory@example.org"]).exists()
    assert not OutboxMessage.objects.exists() and mail.outbox == []


def test_accepting_sets_the_password_once(course, django_capture_on_commit_callbacks):
    user = User.objects.create_user("ada", "ada@example.org")
    sent = account_services.invitation_send(
        course=course, user=user, invited_by=None, now=timezone.now()
    )
    account_services.invitation_accept(
        invitation_id=sent.invitation.pk, password="a-good-long-passphrase", now=timezone.now()
    )
    user.refresh_from_db()
    assert user.check_password("a-good-long-passphrase")
    with pytest.raises(account_services.InvitationRefused) as refused:
        account_services.invitation_accept(
            invitation_id=sent.invitation.pk, password="another-passphrase", now=timezone.now()
        )
    assert refused.value.state == rules.InvitationState.USED
    user.refresh_from_db()
    assert user.check_password("a-good-long-passphrase")


def test_an_invitation_is_refused_after_two_weeks(course):
    user = User.objects.create_user("ada", "ada@example.org")
    with time_machine.travel("2026-12-01 09:00 -05:00", tick=False):
        sent = account_services.invitation_send(
            course=course, user=user, invited_by=None, now=timezone.now()
        )
    with (
        time_machine.travel("2026-12-15 09:00 -05:00", tick=False),
        pytest.raises(account_services.InvitationRefused) as refused,
    ):
        account_services.invitation_accept(
            invitation_id=sent.invitation.pk, password="a-good-long-passphrase", now=timezone.now()
        )
    assert refused.value.state == rules.InvitationState.EXPIRED
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_resending_replaces_the_old_link_and_skips_who_joined(course, make_member):
    ada = User.objects.create_user("ada", "ada@example.org")
    services.enrolment_set(course=course, user=ada, role="student", now=timezone.now())
    joined = make_member(course, "student")  # has a password
    first = account_services.invitation_send(
        course=course, user=ada, invited_by=None, now=timezone.now()
    )
    sent = account_services.invitations_resend(
        course=course, user_ids=[ada.pk, joined.pk], invited_by=None, now=timezone.now()
    )
    assert sent == 1
    first.invitation.refresh_from_db()
    assert first.invitation.replaced_at is not None
    assert AccountInvitation.objects.filter(user=ada, replaced_at__isnull=True).count() == 1
    assert not AccountInvitation.objects.filter(user=joined).exists()


def test_an_invitation_that_failed_to_send_is_retried_and_sent_once(
    course, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.accounts.test_services.RefusingBackend"
    user = User.objects.create_user("ada", "ada@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        account_services.invitation_send(
            course=course, user=user, invited_by=None, now=timezone.now()
        )
    msg = OutboxMessage.objects.get(kind="invitation")
    assert msg.status == OutboxMessage.Status.PENDING and msg.attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + timedelta(hours=1)
    assert msg.pk in notification_services.claim_pending(now=later)  # the dispatcher's re-queue
    assert notification_services.outbox_send(outbox_id=msg.pk, now=later).status == "sent"
    assert notification_services.outbox_send(outbox_id=msg.pk, now=later).status == "skipped"
    assert len(mail.outbox) == 1


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the SMTP server is down")


def test_dropped_and_added_again_is_welcomed_again(course, make_member):
    user = make_member(course, "student")
    enrolment = Enrolment.objects.get(user=user)
    services.enrolment_drop(enrolment=enrolment)
    join = services.enrolment_join(
        course=course, user=user, role="student", now=timezone.now(), welcome=True
    )
    assert join.joined and join.welcome == "notice"


def test_sessions_end_everywhere_but_here(client, course, make_member):
    from django.test import Client

    user = make_member(course, "student")
    laptop, phone = Client(), Client()
    for c in (laptop, phone):  # signing in through the page, as a person does
        response = c.post(
            "/accounts/login/", {"username": user.username, "password": "pw-for-tests"}
        )
        assert response.status_code == 302, response.content
    keep = laptop.session.session_key
    assert account_services.sessions_end(user=user, keep_session_key=keep) == 1
    assert laptop.get("/accounts/preferences/").status_code == 200
    assert phone.get("/accounts/preferences/").status_code == 302


def test_sessions_past_any_lifetime_are_forgotten_at_the_next_sign_in(course, make_member):
    from course.accounts.models import SignedInSession

    user = make_member(course, "student")
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        account_services.session_record(user=user, session_key="long-gone")
    account_services.session_record(user=user, session_key="today")
    assert list(SignedInSession.objects.values_list("session_key", flat=True)) == ["today"]


def test_people_new_to_a_french_course_are_invited_in_french(
    course, roster_text, django_capture_on_commit_callbacks
):
    course.instruction_language = "fr"
    course.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.roster_import(course=course, text=roster_text, now=timezone.now())
    assert {m.subject for m in mail.outbox} == {"TST101: Votre invitation à TST101 — Test course"}
    assert User.objects.get(email="ada@example.org").preferred_language == "fr"
