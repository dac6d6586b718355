"""Launches from the test platform: who arrives signed in, enrolled how, and every bad token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from course.models import Course, Enrolment, User
from lti.models import LinkedAccount, LinkedCourse, Platform

from .conftest import launch, start_login
from .platform import INSTRUCTOR, LEARNER, TA, LtiPlatform, Member, SigningKey

pytestmark = pytest.mark.django_db


def people_and_links() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Enrolment.objects.count(),
        LinkedAccount.objects.count(),
        LinkedCourse.objects.count(),
    )


@pytest.mark.parametrize(
    ("lms_roles", "role"),
    [(LEARNER, "student"), (TA, "ta"), (INSTRUCTOR, "instructor")],
    ids=["learner", "teaching-assistant", "instructor"],
)
def test_a_launch_signs_the_person_in_enrolled_with_the_lms_role(
    bound_course: Course, lms: LtiPlatform, do_launch: Any, lms_roles: list[str], role: str
) -> None:
    lms.members["newcomer"] = Member("lms-77", "newcomer@example.org", "Noa", "Newcomer", lms_roles)
    client = Client()

    response = do_launch("newcomer", client=client)

    assert response.status_code == 302
    assert response["Location"] == "/c/TST101/"
    user = User.objects.get(lti_accounts__subject="lms-77")
    assert (user.email, user.first_name, user.last_name) == (
        "newcomer@example.org",
        "Noa",
        "Newcomer",
    )
    assert not user.has_usable_password()
    enrolment = Enrolment.objects.get(course=bound_course, user=user)
    assert (enrolment.role, enrolment.status) == (role, Enrolment.Status.ACTIVE)
    # Staff reach the admin by their enrolment in this course, never by a site-wide flag.
    assert not user.is_staff
    home = client.get("/c/TST101/")
    assert home.status_code == 200
    assert home.wsgi_request.user == user


def test_first_launch_matches_the_roster_account_by_email_then_the_lms_user_id(
    bound_course: Course, lms: LtiPlatform, do_launch: Any, make_member: Any
) -> None:
    ada = make_member(bound_course, Enrolment.Role.STUDENT, username="ada")
    lms.members["ada"] = Member("lms-ada", "ADA@example.org", "Ada", "Lovelace", LEARNER)

    assert do_launch("ada").status_code == 302
    assert LinkedAccount.objects.get(subject="lms-ada").user == ada

    # The e-mail may change in the LMS afterwards: the LMS user id still finds her.
    lms.members["ada"].email = "ada.lovelace@example.org"
    assert do_launch("ada").status_code == 302
    assert User.objects.filter(username__startswith="ada").count() == 1
    assert Enrolment.objects.filter(user=ada).count() == 1


def test_an_auditor_the_lms_lists_as_learner_stays_an_auditor(
    bound_course: Course, lms: LtiPlatform, do_launch: Any, make_member: Any
) -> None:
    auditor = make_member(bound_course, Enrolment.Role.AUDITOR, username="aud")
    lms.members["aud"] = Member("lms-aud", "aud@example.org", "Au", "Ditor", LEARNER)

    assert do_launch("aud").status_code == 302
    assert Enrolment.objects.get(user=auditor).role == Enrolment.Role.AUDITOR


def test_a_link_to_a_course_page_lands_on_that_page(
    bound_course: Course, lms: LtiPlatform, do_launch: Any
) -> None:
    lms.target_link_uri = "http://testserver/c/TST101/schedule/"
    lms.members["s"] = Member("lms-s", "s@example.org", "S", "Tudent", LEARNER)
    assert do_launch("s")["Location"] == "/c/TST101/schedule/"

    lms.target_link_uri = "https://elsewhere.example/c/TST101/schedule/"
    assert do_launch("s")["Location"] == "/c/TST101/"


def test_the_instructors_first_launch_binds_the_course(
    course: Course, registered: Platform, lms: LtiPlatform, make_member: Any, do_launch: Any
) -> None:
    prof = make_member(course, Enrolment.Role.INSTRUCTOR, username="prof")
    lms.members["prof"] = Member("lms-prof", "prof@example.org", "Pat", "Prof", INSTRUCTOR)

    assert do_launch("prof")["Location"] == "/c/TST101/"

    link = LinkedCourse.objects.get()
    assert (link.course, link.context_id, link.bound_by) == (course, lms.context_id, prof)
    assert link.context_title == lms.context_title


def test_a_learner_cannot_launch_a_course_its_instructor_has_not_linked(
    course: Course, registered: Platform, lms: LtiPlatform, do_launch: Any
) -> None:
    lms.members["s"] = Member("lms-s", "s@example.org", "S", "Tudent", LEARNER)
    before = people_and_links()

    response = do_launch("s")

    assert response.status_code == 403
    assert b"its instructor must launch it once first" in response.content
    assert people_and_links() == before


def test_an_lms_instructor_who_is_not_the_courses_instructor_cannot_bind_it(
    course: Course, registered: Platform, lms: LtiPlatform, do_launch: Any
) -> None:
    lms.members["x"] = Member("lms-x", "x@example.org", "X", "Teacher", INSTRUCTOR)
    before = people_and_links()

    response = do_launch("x")

    assert response.status_code == 403
    assert b"Only an instructor of TST101" in response.content
    assert people_and_links() == before


def test_an_lms_role_without_access_is_refused(
    bound_course: Course, lms: LtiPlatform, do_launch: Any
) -> None:
    lms.members["m"] = Member(
        "lms-m",
        "m@example.org",
        "M",
        "Mentor",
        ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"],
    )
    before = people_and_links()
    response = do_launch("m")
    assert response.status_code == 403
    assert b"roles" in response.content
    assert people_and_links() == before


# --- bad tokens: each refused with its reason, nothing created -----------------------------


@pytest.fixture
def learner(bound_course: Course, lms: LtiPlatform) -> str:
    lms.members["lee"] = Member("lms-lee", "lee@example.org", "Lee", "Learner", LEARNER)
    return "lee"


def refused_check(response: Any) -> str:
    import re

    match = re.search(rb'data-check="([^"]+)"', response.content)
    assert match, response.content
    return match.group(1).decode()


def test_a_replayed_launch_is_refused_by_its_spent_nonce(lms: LtiPlatform, learner: str) -> None:
    client = Client()
    first, fields = launch(client, lms, learner)
    assert first.status_code == 302
    before = people_and_links()

    replay = client.post("/lti/launch/", fields)

    assert replay.status_code == 400
    assert refused_check(replay) == "nonce"
    assert b"already used" in replay.content
    assert people_and_links() == before


def test_an_expired_token_is_refused(lms: LtiPlatform, learner: str) -> None:
    before = people_and_links()
    response, _ = launch(Client(), lms, learner, issued_ago=600, expires_in=300)
    assert response.status_code == 400
    assert refused_check(response) == "expiry"
    assert b"expired" in response.content
    assert people_and_links() == before


def test_a_token_for_another_audience_is_refused(lms: LtiPlatform, learner: str) -> None:
    before = people_and_links()
    response, _ = launch(Client(), lms, learner, aud="some-other-tool")
    assert response.status_code == 400
    assert refused_check(response) == "audience"
    assert b"some-other-tool" in response.content
    assert people_and_links() == before


def test_a_token_signed_by_another_key_under_the_platforms_kid_is_refused(
    lms: LtiPlatform, learner: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    genuine = lms.keys[0]
    lms.jwks()  # the platform publishes the genuine key...
    forger = SigningKey.new()
    forger.kid = genuine.kid
    published = lms.jwks()
    lms.keys = [forger]  # ...and the forger signs under its kid
    monkeypatch.setattr(lms, "jwks", lambda: published)
    before = people_and_links()

    response, _ = launch(Client(), lms, learner)

    assert response.status_code == 400
    assert refused_check(response) == "signature"
    assert people_and_links() == before


def test_an_unknown_deployment_is_refused(lms: LtiPlatform, learner: str) -> None:
    response, _ = launch(Client(), lms, learner, deployment_id="99")
    assert response.status_code == 400
    assert refused_check(response) == "deployment"
    assert b"99" in response.content


def test_a_launch_from_another_browser_has_no_state_and_is_refused(
    lms: LtiPlatform, learner: str
) -> None:
    _, fields = launch(Client(), lms, learner, expires_in=300)
    before = people_and_links()
    # An attacker who got hold of a posted form replays it in a browser that never logged in.
    response = Client().post("/lti/launch/", fields)
    assert response.status_code == 400
    assert refused_check(response) == "state"
    assert people_and_links() == before


def test_a_login_from_an_unregistered_issuer_is_refused(db: Any, lms: LtiPlatform) -> None:
    response = start_login(Client(), lms, "anyone")
    assert response.status_code == 400
    assert refused_check(response) == "issuer"


def test_a_launch_without_id_token_is_a_clear_400(db: Any) -> None:
    response = Client().post("/lti/launch/", {"state": "x"})
    assert response.status_code == 400
    assert refused_check(response) == "id_token"


# --- the platform's keyset -------------------------------------------------------------------


def test_the_platform_keyset_is_cached_and_fetched_again_for_an_unknown_kid(
    lms: LtiPlatform, learner: str, do_launch: Any
) -> None:
    fetched = lms.jwks_requests  # the instructor's binding launch fetched it once
    assert fetched == 1
    assert do_launch(learner).status_code == 302
    assert lms.jwks_requests == 1

    lms.rotate_keys()
    assert do_launch(learner).status_code == 302
    assert lms.jwks_requests == 2
    assert Platform.objects.get().key_set == lms.jwks()


# --- cookies ---------------------------------------------------------------------------------


def test_over_https_the_state_cookie_is_samesite_none_secure_for_the_lti_endpoints_only(
    registered: Platform, lms: LtiPlatform
) -> None:
    lms.tool_launch_url = "https://testserver/lti/launch/"
    response = start_login(Client(), lms, "anyone", secure=True)

    assert response.status_code == 302
    assert "redirect_uri=https%3A%2F%2Ftestserver%2Flti%2Flaunch%2F" in response["Location"]
    state_cookies = [c for name, c in response.cookies.items() if "state" in name]
    assert len(state_cookies) == 1
    cookie = state_cookies[0]
    assert (cookie["samesite"], cookie["secure"], cookie["path"], cookie["httponly"]) == (
        "None",
        True,
        "/lti/",
        True,
    )


def test_a_refusal_is_said_in_french_to_a_french_browser(db: Any, lms: LtiPlatform) -> None:
    response = start_login(Client(HTTP_ACCEPT_LANGUAGE="fr"), lms, "anyone")
    assert response.status_code == 400
    text = response.content.decode()
    assert "pas pu accepter ce lancement" in text
    assert "Aucune plateforme n" in text


def test_in_the_lms_iframe_the_person_continues_in_a_window_with_a_single_use_link(
    bound_course: Course, lms: LtiPlatform
) -> None:
    import re
    from urllib.parse import parse_qs, urlsplit

    from .conftest import form_fields

    lms.members["s"] = Member("lms-s", "s@example.org", "S", "Tudent", LEARNER)
    iframe = Client(headers={"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "cross-site"})
    login = start_login(iframe, lms, "s")
    query = {k: v[0] for k, v in parse_qs(urlsplit(login["Location"]).query).items()}
    _, body = lms.authorize(query)
    page = iframe.post("/lti/launch/", form_fields(body))

    assert page.status_code == 200
    # The LMS may frame this page (and only the registered LMS); the rest of the site may not.
    assert "X-Frame-Options" not in page
    assert f"frame-ancestors {lms.issuer}" in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in iframe.get("/")["Content-Security-Policy"]
    match = re.search(r'id="lti-open-window" href="([^"]+)" target="_blank"', page.content.decode())
    assert match
    link = match.group(1).replace("&amp;", "&")

    window = Client()  # the new window: Coursekit's own cookies, first-party
    opened = window.get(link)
    assert opened.status_code == 302 and opened["Location"] == "/c/TST101/"
    signed_in = window.get("/c/TST101/").wsgi_request.user
    assert getattr(signed_in, "email", None) == "s@example.org"

    again = Client().get(link)
    assert again.status_code == 400
    assert refused_check(again) == "continue"
