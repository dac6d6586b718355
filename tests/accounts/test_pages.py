"""The pages of the way in, and their bad input: each a clear message, nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from course import services
from course.accounts import services as account_services
from course.accounts.models import AccountInvitation
from course.models import Enrolment
from course.notifications.models import OutboxMessage
from course.syllabus.services import load_syllabus_text
from tests.conftest import SMALL_SYLLABUS

from .conftest import link_in, path_of

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD = "violet-stapler-meadow"


@pytest.fixture
def invited(course):
    """(user, invitation path) of a student the roster added without a password."""
    user = User.objects.create_user("ada", "ada@example.org", first_name="Ada")
    services.enrolment_set(course=course, user=user, role="student", now=timezone.now())
    sent = account_services.invitation_send(
        course=course, user=user, invited_by=None, now=timezone.now()
    )
    return user, sent.path


def test_the_invitation_page_names_the_course_and_the_username(client, invited):
    _user, path = invited
    html = client.get(path).content.decode()
    assert "Welcome to TST101" in html and 'id="invitee-username">ada<' in html


def test_choosing_a_password_signs_in_and_opens_the_course(client, invited):
    user, path = invited
    response = client.post(path, {"new_password1": GOOD, "new_password2": GOOD})
    assert response.status_code == 302 and response["Location"] == "/c/TST101/"
    user.refresh_from_db()
    assert user.check_password(GOOD)
    assert client.get("/c/TST101/").status_code == 200
    assert AccountInvitation.objects.get(user=user).accepted_at is not None


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("12345", "12345", "This password is too short"),
        ("ada-lovelace", "ada-lovelace", "too similar"),
        ("password123", "password123", "This password is too common"),
        ("83920174659", "83920174659", "This password is entirely numeric"),
        (GOOD, GOOD + "x", "didn’t match"),
    ],
)
def test_a_weak_password_is_refused_with_the_reason(client, invited, password, again, message):
    user, path = invited
    user.email = "ada-lovelace@example.org"
    user.save()
    response = client.post(path, {"new_password1": password, "new_password2": again})
    assert response.status_code == 400
    assert message in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert AccountInvitation.objects.get(user=user).accepted_at is None


def test_a_used_link_says_so(client, invited):
    _user, path = invited
    client.post(path, {"new_password1": GOOD, "new_password2": GOOD})
    other = Client()
    response = other.get(path)
    assert response.status_code == 410
    assert "A password was already chosen with this link" in response.content.decode()
    response = other.post(path, {"new_password1": "x" + GOOD, "new_password2": "x" + GOOD})
    assert response.status_code == 410
    assert User.objects.get(username="ada").check_password(GOOD)


def test_a_late_link_says_so_and_a_new_one_can_be_asked_for(client, invited):
    user, path = invited
    token = path.rstrip("/").rsplit("/", 1)[1]
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.get(path)
        assert response.status_code == 410
        html = response.content.decode()
        assert "This invitation has expired" in html
        assert reverse("invitation_renew", args=[token]) in html
        mail.outbox.clear()
        with_new = client.post(reverse("invitation_renew", args=[token]))
        assert with_new.status_code == 200
        assert "a new invitation is on its way" in with_new.content.decode()
    first, renewal = OutboxMessage.objects.filter(kind="invitation", recipient=user).order_by("pk")
    renewed = path_of(link_in(renewal.body))
    assert renewed != path == path_of(link_in(first.body))
    assert client.get(path).status_code == 410  # the old link now points at the newer one
    assert "A newer invitation was sent" in client.get(path).content.decode()
    assert client.get(renewed).status_code == 200


def test_a_valid_link_cannot_be_renewed_to_spam_the_person(client, invited):
    _user, path = invited
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert client.post(reverse("invitation_renew", args=[token])).status_code == 410
    assert AccountInvitation.objects.count() == 1


@pytest.mark.parametrize(
    "mangle",
    [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: t[:10], lambda t: "x" * 200],
)
def test_a_tampered_token_is_refused_and_changes_nothing(client, invited, mangle):
    user, path = invited
    token = path.rstrip("/").rsplit("/", 1)[1]
    bad = reverse("invitation_accept", args=[mangle(token)])
    response = client.post(bad, {"new_password1": GOOD, "new_password2": GOOD})
    assert response.status_code == 404
    assert "The link is not valid" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_the_invitation_of_another_person_is_refused_to_a_signed_in_user(
    client, invited, course, make_member
):
    user, path = invited
    alan = make_member(course, "student", username="alan")
    client.force_login(alan)
    response = client.post(path, {"new_password1": GOOD, "new_password2": GOOD})
    assert response.status_code == 403
    assert "this invitation is for another person" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


# --- password reset and change ---------------------------------------------------------------


def test_the_login_page_links_to_the_reset_and_offers_to_keep_signed_in(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in html
    assert 'name="remember"' in html


def test_a_reset_goes_through_the_outbox_and_never_tells_whether_the_address_exists(
    client, course, make_member, django_capture_on_commit_callbacks
):
    user = make_member(course, "student", username="grace")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/accounts/password_reset/", {"email": "GRACE@example.org"})
        unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password_reset/done/"
    (msg,) = OutboxMessage.objects.filter(kind="password_reset")
    assert msg.recipient == user and msg.course is None and msg.status == "sent"
    (email,) = mail.outbox
    assert email.to == ["grace@example.org"]
    link = path_of(link_in(email.body))
    follow = client.get(link, follow=True)
    assert "Choose a new password" in follow.content.decode()
    form_url = follow.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": GOOD, "new_password2": GOOD})
    assert done["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password(GOOD)
    # Used once: the same link no longer works.
    again = client.get(link, follow=True).content.decode()
    assert "This link does not work" in again


def test_someone_invited_who_lost_the_invitation_can_reset(
    client, invited, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password_reset/", {"email": "ada@example.org"})
    assert OutboxMessage.objects.filter(kind="password_reset").count() == 1


def test_a_reset_token_of_another_user_is_refused(client, course, make_member):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    victim = make_member(course, "student", username="victim")
    attacker = make_member(course, "student", username="attacker")
    token = default_token_generator.make_token(attacker)
    uid = urlsafe_base64_encode(force_bytes(victim.pk))
    html = client.get(f"/accounts/reset/{uid}/{token}/", follow=True).content.decode()
    assert "This link does not work" in html
    victim.refresh_from_db()
    assert victim.check_password("pw-for-tests")


def test_a_bad_email_on_the_reset_form_names_the_field(client):
    response = client.post("/accounts/password_reset/", {"email": "not an address"})
    assert response.status_code == 200
    assert "E-mail address: Enter a valid email address." in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_changing_the_password_signs_out_everywhere_else(course, make_member):
    user = make_member(course, "student")
    laptop, phone = Client(), Client()
    laptop.post("/accounts/login/", {"username": user.username, "password": "pw-for-tests"})
    phone.post("/accounts/login/", {"username": user.username, "password": "pw-for-tests"})
    response = laptop.post(
        "/accounts/password_change/",
        {"old_password": "pw-for-tests", "new_password1": GOOD, "new_password2": GOOD},
        follow=True,
    )
    assert "You were signed out everywhere else (1 session)" in response.content.decode()
    assert laptop.get("/c/TST101/").status_code == 200
    assert phone.get("/c/TST101/").status_code == 302


def test_a_wrong_current_password_changes_nothing(client, course, make_member):
    user = make_member(course, "student")
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": GOOD, "new_password2": GOOD},
    )
    assert (
        "Current password: Your old password was entered incorrectly" in response.content.decode()
    )
    user.refresh_from_db()
    assert user.check_password("pw-for-tests")


def test_sign_out_everywhere_from_the_account_page(course, make_member):
    user = make_member(course, "student")
    laptop, phone = Client(), Client()
    for c in (laptop, phone):
        c.post("/accounts/login/", {"username": user.username, "password": "pw-for-tests"})
    page = laptop.get("/accounts/preferences/").content.decode()
    assert 'action="/accounts/sign-out-everywhere/"' in page
    response = laptop.post("/accounts/sign-out-everywhere/", follow=True)
    assert "You are signed out everywhere (2 sessions)" in response.content.decode()
    assert laptop.get("/c/TST101/").status_code == 302
    assert phone.get("/c/TST101/").status_code == 302


def test_sign_out_everywhere_refuses_a_get(client, course, make_member):
    client.force_login(make_member(course, "student"))
    assert client.get("/accounts/sign-out-everywhere/").status_code == 405


def test_keep_me_signed_in_lasts_the_term_otherwise_the_browser_session(
    course, make_member, settings
):
    user = make_member(course, "student")
    kept, plain = Client(), Client()
    kept.post(
        "/accounts/login/",
        {"username": user.username, "password": "pw-for-tests", "remember": "on"},
    )
    plain.post("/accounts/login/", {"username": user.username, "password": "pw-for-tests"})
    days = settings.COURSEKIT_REMEMBER_ME_DAYS
    assert kept.cookies["sessionid"]["max-age"] == days * 24 * 3600
    assert plain.cookies["sessionid"]["max-age"] == ""  # ends with the browser


def test_the_header_links_the_account_page(client, course, make_member):
    client.force_login(make_member(course, "student"))
    html = client.get("/c/TST101/").content.decode()
    assert 'class="whoami" href="/accounts/preferences/"' in html
    page = client.get("/accounts/preferences/").content.decode()
    assert 'href="/accounts/password_change/"' in page


def test_a_bad_language_on_the_account_page_names_the_field(client, course, make_member):
    user = make_member(course, "student")
    client.force_login(user)
    response = client.post("/accounts/preferences/", {"preferred_language": "klingon"})
    assert response.status_code == 400
    assert (
        "Language of e-mails from the course: Select a valid choice." in response.content.decode()
    )
    user.refresh_from_db()
    assert user.preferred_language == "en"


# --- the admin -------------------------------------------------------------------------------


def test_the_roster_page_says_how_many_invitations_went_out(
    client, course, instructor, roster_text, django_capture_on_commit_callbacks
):
    client.force_login(instructor)
    url = reverse("admin:course_roster_import", args=[course.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"file": SimpleUploadedFile("r.csv", roster_text.encode())}, follow=True
        )
    assert (
        "Roster imported: 2 people created, 0 updated; 2 invitations sent, 0 people told they "
        "were added." in response.content.decode()
    )
    assert len(mail.outbox) == 2


def test_adding_an_enrolment_in_the_admin_invites_the_person(
    client, course, instructor, django_capture_on_commit_callbacks
):
    # A student of the instructor's other course, who has no password yet: the enrolment form
    # offers the people of the courses its user manages (course/admin.py, EnrolmentAdmin).
    other = load_syllabus_text(SMALL_SYLLABUS.replace("TST101", "TST102")).course
    services.enrolment_set(course=other, user=instructor, role="instructor", now=timezone.now())
    user = User.objects.create_user("hedy", "hedy@example.org")
    services.enrolment_set(course=other, user=user, role="student", now=timezone.now())
    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:course_enrolment_add"),
            {
                "course": course.pk,
                "user": user.pk,
                "role": "student",
                "status": "active",
                "student_id": "",
                "requested_at_0": "2026-12-01",
                "requested_at_1": "10:00:00",
            },
            follow=True,
        )
    assert "was sent an invitation to choose a password" in response.content.decode()
    assert Enrolment.objects.filter(course=course, user=user).exists()
    (email,) = mail.outbox
    assert email.to == ["hedy@example.org"] and email.subject.startswith("TST101: ")


def _roster(course, n):
    text = "name,email,role\n" + "".join(
        f"Student {i},s{i}@example.org,student\n" for i in range(n)
    )
    services.roster_import(course=course, text=text, now=timezone.now())


@pytest.mark.parametrize("size", [3, 12])
def test_the_enrolment_list_shows_invited_and_joined_in_fixed_queries(
    client, course, instructor, size, django_assert_max_num_queries
):
    _roster(course, size)
    first = User.objects.get(email="s0@example.org")
    invitation = AccountInvitation.objects.get(user=first)
    invitation.accepted_at = timezone.now()
    invitation.save()
    client.force_login(instructor)
    url = reverse("admin:course_enrolment_changelist")
    # Flat in the class size; one more than a superuser's: the instructor's courses (scoping).
    with django_assert_max_num_queries(7):
        html = client.get(url).content.decode()
    assert html.count("not yet") == size - 1
    joined = client.get(url, {"invitation": "joined"}).content.decode()
    assert "Student 0" in joined and "Student 1" not in joined
    waiting = client.get(url, {"invitation": "not_joined"}).content.decode()
    assert "Student 0" not in waiting and "Student 1" in waiting


def test_the_admin_action_resends_to_all_who_have_not_joined(
    client, course, instructor, django_capture_on_commit_callbacks
):
    _roster(course, 3)
    client.force_login(instructor)
    one = Enrolment.objects.filter(course=course, user__email="s0@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:course_enrolment_changelist"),
            {"action": "resend_invitations_to_all", "_selected_action": [one.get().pk]},
            follow=True,
        )
    assert "3 invitations sent; people who can already sign in were skipped." in (
        response.content.decode()
    )
    assert AccountInvitation.objects.filter(replaced_at__isnull=True).count() == 3
    assert AccountInvitation.objects.filter(replaced_at__isnull=False).count() == 3


@pytest.mark.parametrize(
    ("changelist", "action", "model"),
    [
        ("admin:course_enrolment_changelist", "resend_invitations", Enrolment),
        ("admin:course_accountinvitation_changelist", "resend", AccountInvitation),
    ],
)
def test_the_admin_actions_resend_only_to_the_selected_rows(
    client, course, instructor, changelist, action, model, django_capture_on_commit_callbacks
):
    _roster(course, 3)
    client.force_login(instructor)
    one = model.objects.filter(course=course, user__email="s0@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(changelist),
            {"action": action, "_selected_action": [one.get().pk]},
            follow=True,
        )
    assert "1 invitation sent; people who can already sign in were skipped." in (
        response.content.decode()
    )
    replaced = AccountInvitation.objects.filter(replaced_at__isnull=False)
    assert list(replaced.values_list("user__email", flat=True)) == ["s0@example.org"]


def test_the_pages_and_the_reset_mail_are_in_french(
    client, course, make_member, django_capture_on_commit_callbacks
):
    user = make_member(course, "student", username="eloise")
    user.preferred_language = "fr"
    user.save()
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Mot de passe oublié\u00a0?" in html and "Rester connecté·e" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password_reset/", {"email": "eloise@example.org"})
    (email,) = mail.outbox
    assert email.subject == "Coursekit\u00a0: choisissez un nouveau mot de passe"
    assert "Choisissez-le ici (le lien sert une seule fois, pendant 72 heures)" in email.body


def test_staff_reading_the_outbox_never_see_a_sign_in_link(
    client, course, instructor, roster_text, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.roster_import(course=course, text=roster_text, now=timezone.now())
    link = link_in(mail.outbox[0].body)
    msg = OutboxMessage.objects.get(recipient__email=mail.outbox[0].to[0])
    client.force_login(instructor)
    html = client.get(reverse("admin:course_outboxmessage_change", args=[msg.pk])).content.decode()
    assert "[link hidden]" in html and "Your username:" in html
    assert path_of(link) not in html
