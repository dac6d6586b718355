from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from course.models import Enrolment
from projects import services
from projects.models import (
    GroupKind,
    GroupMembership,
    Invitation,
    MilestoneSubmission,
    PaperProposal,
    Slides,
    TalkSlot,
)
from tests.present import present

TZ = ZoneInfo("America/Montreal")
NOW = datetime(2021, 2, 10, 12, 0, tzinfo=TZ)
P, T = GroupKind.PRESENTATION, GroupKind.PROJECT


def url(name: str, course, **kw) -> str:
    return reverse(name, kwargs={"code": course.code, **kw})


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize("name", ["projects_presentations", "projects_team"])
def test_pages_refuse_auditors_and_outsiders(client, pcourse, make_member, name) -> None:
    assert client.get(url(name, pcourse)).status_code == 302  # anonymous: to the login page
    auditor = make_member(pcourse, Enrolment.Role.AUDITOR, username="aud")
    client.force_login(auditor)
    assert client.get(url(name, pcourse)).status_code == 403
    from django.contrib.auth import get_user_model

    outsider = get_user_model().objects.create_user("out", password="x")
    client.force_login(outsider)
    assert client.get(url(name, pcourse)).status_code == 403


def test_posts_refuse_auditors(client, pcourse, students, make_member) -> None:
    auditor = make_member(pcourse, Enrolment.Role.AUDITOR, username="aud")
    client.force_login(auditor)
    r = client.post(
        url("projects_invite", pcourse, kind="presentation"),
        {"presentation-to_user": students[0].pk},
    )
    assert r.status_code == 403
    assert not Invitation.objects.exists()


def test_invite_accept_propose_pick_upload_through_pages(
    client, pcourse, students, pdf_bytes
) -> None:
    a, b = students[:2]
    client.force_login(a)
    page = client.get(url("projects_presentations", pcourse))
    assert page.status_code == 200 and b"Invite a classmate" in page.content
    r = client.post(
        url("projects_invite", pcourse, kind="presentation"), {"presentation-to_user": b.pk}
    )
    assert r.status_code == 302
    inv = Invitation.objects.get()
    client.force_login(b)
    r = client.post(url("projects_invitation_answer", pcourse, pk=inv.pk), {"answer": "accept"})
    assert r.status_code == 302
    r = client.post(
        url("projects_propose", pcourse),
        {"title": "Rethinking", "url": "https://arxiv.org/abs/1611.03530", "why": "Because."},
    )
    assert r.status_code == 302
    proposal = PaperProposal.objects.get()
    services.paper_decide(proposal=proposal, approve=True, comment="Fine", now=NOW)
    page = client.get(url("projects_presentations", pcourse))
    assert b"Fine" in page.content and b"Pick" in page.content
    slot = present(TalkSlot.objects.filter(kind=P).order_by("starts_at").first())
    r = client.post(url("projects_slot_pick", pcourse, pk=slot.pk))
    assert r.status_code == 302
    slot.refresh_from_db()
    assert slot.group is not None
    r = client.post(
        url("projects_slides_upload", pcourse), {"file": SimpleUploadedFile("talk.pdf", pdf_bytes)}
    )
    assert r.status_code == 302
    assert Slides.objects.get().is_late is False


def test_bad_input_is_400_naming_the_field(client, pcourse, students) -> None:
    a, b = students[:2]
    services.group_create(course=pcourse, kind=P, students=[a, b])
    client.force_login(a)
    r = client.post(url("projects_propose", pcourse), {"title": "No link"})
    assert r.status_code == 400
    assert b"Give a link" in r.content
    r = client.post(
        url("projects_slides_upload", pcourse), {"file": SimpleUploadedFile("x.pdf", b"not a pdf")}
    )
    assert r.status_code == 400
    assert b"PDF" in r.content
    r = client.post(url("projects_invitation_answer", pcourse, pk=999))
    assert r.status_code == 404


def test_taken_slot_answers_409(client, pcourse, students) -> None:
    services.talk_slots_sync(course=pcourse)
    groups = []
    for i, (x, y) in enumerate([(0, 1), (2, 3)]):
        g = services.group_create(course=pcourse, kind=P, students=[students[x], students[y]])
        p = services.paper_propose(
            group=g, user=students[x], title="t", url=f"https://arxiv.org/abs/{i}", now=NOW
        )
        services.paper_decide(proposal=p, approve=True, now=NOW)
        groups.append(g)
    slot = present(TalkSlot.objects.filter(kind=P).first())
    services.talk_slot_pick(slot=slot, group=groups[0], user=students[0], now=NOW)
    client.force_login(students[2])
    r = client.post(url("projects_slot_pick", pcourse, pk=slot.pk))
    assert r.status_code == 409
    assert b"taken" in r.content


def test_team_page_choice_and_submission(client, pcourse, students, pdf_bytes) -> None:
    team = services.group_create(course=pcourse, kind=T, students=students[:2])
    client.force_login(students[0])
    page = client.get(url("projects_team", pcourse))
    assert page.status_code == 200
    assert b"to be announced" in page.content
    r = client.post(
        url("projects_team_choice", pcourse),
        {"topic": "Optimization", "project_kind": "Prototype", "working_title": "Heavy ball"},
    )
    assert r.status_code == 302
    team.refresh_from_db()
    assert team.working_title == "Heavy ball"
    r = client.post(
        url("projects_team_choice", pcourse), {"topic": "Cooking", "project_kind": "Prototype"}
    )
    assert r.status_code == 400
    ms = {m.key: m for m in services.milestones_sync(course=pcourse)}
    m = ms["proposal"]
    r = client.post(
        url("projects_milestone_submit", pcourse, pk=m.pk),
        {f"m{m.pk}-file": SimpleUploadedFile("p.pdf", pdf_bytes)},
    )
    assert r.status_code == 302
    r = client.post(url("projects_milestone_submit", pcourse, pk=m.pk), {})
    assert r.status_code == 400
    page = client.get(url("projects_team", pcourse))
    assert b"v1" in page.content


def test_student_sees_only_own_team_files_and_grades(client, pcourse, students, pdf_bytes) -> None:
    ms = {m.key: m for m in services.milestones_sync(course=pcourse)}
    mine = services.group_create(course=pcourse, kind=T, students=students[:2])
    theirs = services.group_create(course=pcourse, kind=T, students=students[2:4])
    sub = services.milestone_submit(
        group=theirs,
        milestone=ms["proposal"],
        user=students[2],
        now=NOW,
        upload=SimpleUploadedFile("p.pdf", pdf_bytes),
    )
    from decimal import Decimal

    services.milestone_grade_set(
        group=theirs, milestone=ms["proposal"], percent=Decimal(77), feedback="Secret note"
    )
    services.milestone_grade_set(
        group=mine, milestone=ms["proposal"], percent=Decimal(91), feedback="Mine note"
    )
    client.force_login(students[0])
    assert client.get(url("projects_submission_file", pcourse, pk=sub.pk)).status_code == 403
    page = client.get(url("projects_team", pcourse)).content
    assert b"Secret note" not in page and b"Mine note" in page
    client.force_login(students[3])
    r = client.get(url("projects_submission_file", pcourse, pk=sub.pk))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert MilestoneSubmission.objects.count() == 1


def test_slides_visible_to_class_only_after_the_talk(
    client, pcourse, students, make_member, pdf_bytes
) -> None:
    services.talk_slots_sync(course=pcourse)
    g = services.group_create(course=pcourse, kind=P, students=students[:2])
    p = services.paper_propose(
        group=g, user=students[0], title="t", url="https://arxiv.org/abs/3", now=NOW
    )
    services.paper_decide(proposal=p, approve=True, now=NOW)
    slot = present(TalkSlot.objects.filter(kind=P).first())
    services.talk_slot_pick(slot=slot, group=g, user=students[0], now=NOW)
    slides = services.slides_upload(
        group=g, user=students[0], upload=SimpleUploadedFile("s.pdf", pdf_bytes), now=NOW
    )
    client.force_login(students[4])
    link = url("projects_slides_file", pcourse, pk=slides.pk)
    assert client.get(link).status_code == 403
    schedule = client.get(reverse("schedule", kwargs={"code": pcourse.code})).content.decode()
    assert "presented by" in schedule and "Slides:" not in schedule
    with time_machine.travel(slot.ends_at + timedelta(minutes=1), tick=False):
        client.force_login(students[4])  # the login session of five weeks ago has expired
        assert client.get(link).status_code == 200
        schedule = client.get(reverse("schedule", kwargs={"code": pcourse.code})).content.decode()
        assert "Slides:" in schedule and link in schedule


# One query more than before the "Leave this group" check, and one on the team page for the
# extensions that set what a hand-in costs; the bound must not grow with the class.
@pytest.mark.parametrize(("kind", "bound"), [("presentations", 17), ("team", 17)])
def test_page_query_count_does_not_grow(
    client, pcourse, make_member, django_assert_max_num_queries, kind, bound
) -> None:
    services.talk_slots_sync(course=pcourse)
    services.milestones_sync(course=pcourse)
    me = make_member(pcourse, Enrolment.Role.STUDENT, username="me")
    other = make_member(pcourse, Enrolment.Role.STUDENT, username="other")
    services.group_create(course=pcourse, kind=P, students=[me, other])
    services.group_create(course=pcourse, kind=T, students=[me, other])
    client.force_login(me)
    name = "projects_presentations" if kind == "presentations" else "projects_team"
    client.get(url(name, pcourse))
    for size in (2, 10):
        people = [make_member(pcourse, Enrolment.Role.STUDENT) for _ in range(size)]
        services.pair_the_unpaired(course=pcourse, kind=P, seed=size)
        for x in people:
            Invitation.objects.create(
                course=pcourse, kind=P, from_user=x, to_user=me, created_at=NOW
            )
        with django_assert_max_num_queries(bound):
            assert client.get(url(name, pcourse)).status_code == 200


def test_schedule_annotator_fixed_queries(pcourse, students, django_assert_max_num_queries) -> None:
    from course.models import Session
    from projects.selectors import schedule_talks

    services.talk_slots_sync(course=pcourse)
    sessions = list(Session.objects.filter(course=pcourse))
    made = 0
    for size in (1, 4):
        while made < size:
            s = students[made]
            g = services.group_create(course=pcourse, kind=P, students=[s])
            p = services.paper_propose(
                group=g, user=s, title="t", url=f"https://arxiv.org/abs/{s.pk}", now=NOW
            )
            services.paper_decide(proposal=p, approve=True, now=NOW)
            slot = present(TalkSlot.objects.filter(kind=P, group__isnull=True).first())
            services.talk_slot_pick(slot=slot, group=g, user=s, now=NOW)
            made += 1
        students[0].__dict__.pop("_coursekit_enrolments", None)
        with django_assert_max_num_queries(5):
            items = schedule_talks(pcourse, sessions, students[0])
        assert sum(len(v) for v in items.values()) == size


def test_pages_in_french(client, pcourse, students) -> None:
    services.group_create(course=pcourse, kind=P, students=students[:2])
    client.force_login(students[0])
    r = client.get(url("projects_presentations", pcourse), headers={"accept-language": "fr"})
    page = r.content.decode()
    assert "Présentations d’articles" in page
    assert "Diapositives" in page
    r = client.get(url("projects_team", pcourse), headers={"accept-language": "fr"})
    assert "Projet de recherche" in r.content.decode()


def test_public_schedule_hides_names_from_visitors(client, pcourse, students) -> None:
    from django.contrib.auth.models import AnonymousUser

    from course.models import Session
    from projects.selectors import schedule_talks

    pcourse.is_public = True
    pcourse.save()
    services.talk_slots_sync(course=pcourse)
    g = services.group_create(course=pcourse, kind=P, students=students[:2])
    p = services.paper_propose(
        group=g, user=students[0], title="Sharp minima", url="https://arxiv.org/abs/4", now=NOW
    )
    services.paper_decide(proposal=p, approve=True, now=NOW)
    services.talk_slot_pick(
        slot=present(TalkSlot.objects.filter(kind=P).first()), group=g, user=students[0], now=NOW
    )
    sessions = list(Session.objects.filter(course=pcourse))
    translation.activate("en")  # an earlier request may have left French active
    public = [
        i.label
        for items in schedule_talks(pcourse, sessions, AnonymousUser()).values()
        for i in items
    ]
    inside = [
        i.label for items in schedule_talks(pcourse, sessions, students[3]).values() for i in items
    ]
    assert public == ["09:30 · Sharp minima"]
    assert inside == [
        f"09:30 · Sharp minima — presented by {students[0]}, {students[1]}"
    ] or inside == [f"09:30 · Sharp minima — presented by {students[1]}, {students[0]}"]


def test_team_picks_a_progress_talk_slot(client, pcourse, students) -> None:
    services.group_create(course=pcourse, kind=T, students=students[:2])
    client.force_login(students[1])
    page = client.get(url("projects_team", pcourse)).content.decode()
    assert "Progress-report talk" in page
    slot = present(TalkSlot.objects.filter(kind=T).order_by("starts_at").first())
    assert client.post(url("projects_slot_pick", pcourse, pk=slot.pk)).status_code == 302
    slot.refresh_from_db()
    assert present(slot.group).memberships.filter(student=students[1]).exists()
    # A pair cannot take a project-talk slot.
    services.group_create(course=pcourse, kind=P, students=students[2:4])
    client.force_login(students[2])
    other = present(TalkSlot.objects.filter(kind=T, group__isnull=True).first())
    assert client.post(url("projects_slot_pick", pcourse, pk=other.pk)).status_code == 403


def test_instructor_cannot_invite(pcourse, students, make_member) -> None:
    from django.core.exceptions import ValidationError

    boss = make_member(pcourse, Enrolment.Role.INSTRUCTOR, username="boss")
    with pytest.raises(ValidationError):
        services.invitation_send(
            course=pcourse, kind=P, from_user=boss, to_user=students[0], now=NOW
        )


# --- leaving a group -------------------------------------------------------------------------


def leave_url(course, kind="presentation") -> str:
    return url("projects_group_leave", course, kind=kind)


def test_leave_is_post_only_and_csrf_protected(pcourse, students) -> None:
    from django.test import Client

    services.group_create(course=pcourse, kind=P, students=students[:2])
    client = Client(enforce_csrf_checks=True)
    client.force_login(students[0])
    assert client.get(leave_url(pcourse)).status_code == 405
    assert client.post(leave_url(pcourse), {"confirm": "yes"}).status_code == 403
    assert GroupMembership.objects.filter(kind=P).count() == 2


def test_leave_refuses_auditors_outsiders_and_other_courses(
    client, pcourse, course, students, make_member
) -> None:
    services.group_create(course=pcourse, kind=P, students=students[:2])
    auditor = make_member(pcourse, Enrolment.Role.AUDITOR, username="aud")
    elsewhere = make_member(course, Enrolment.Role.STUDENT, username="else")
    for user in (auditor, elsewhere):
        client.force_login(user)
        assert client.post(leave_url(pcourse), {"confirm": "yes"}).status_code == 403
    # A student of the pair cannot reach it through another course's address.
    client.force_login(students[0])
    assert client.post(leave_url(course), {"confirm": "yes"}).status_code == 403
    assert client.post(leave_url(pcourse, "nonsense"), {"confirm": "yes"}).status_code == 404
    assert GroupMembership.objects.filter(kind=P).count() == 2


def test_student_leaves_the_pair_through_the_page(client, pcourse, students) -> None:
    a, b = students[:2]
    services.group_create(course=pcourse, kind=T, students=[a, b])
    client.force_login(a)
    page = client.get(url("projects_team", pcourse)).content.decode()
    assert "Leave this group" in page and leave_url(pcourse, "project") in page
    r = client.post(leave_url(pcourse, "project"), {"confirm": "yes"}, follow=True)
    assert r.redirect_chain[-1][0] == url("projects_team", pcourse)
    page = r.content.decode()
    assert "You have left the group" in page
    assert "You are not in a project team yet" in page and "invite-form" in page
    assert not GroupMembership.objects.filter(kind=T).exists()


def test_leave_without_confirmation_is_refused(client, pcourse, students) -> None:
    services.group_create(course=pcourse, kind=P, students=students[:2])
    client.force_login(students[0])
    r = client.post(leave_url(pcourse))
    assert r.status_code == 400 and "Yes, leave this group" in r.content.decode()
    assert GroupMembership.objects.filter(kind=P).count() == 2


def test_leave_refused_when_bound_names_why(client, pcourse, students) -> None:
    a, b = students[:2]
    group = services.group_create(course=pcourse, kind=P, students=[a, b])
    services.paper_propose(group=group, user=a, title="t", url="https://e.org/p", now=NOW)
    client.force_login(b)
    page = client.get(url("projects_presentations", pcourse)).content.decode()
    assert 'id="leave-form"' not in page and "proposed a paper" in page
    r = client.post(leave_url(pcourse), {"confirm": "yes"})
    assert r.status_code == 400
    assert "Your pair has proposed a paper" in r.content.decode()
    assert GroupMembership.objects.filter(kind=P).count() == 2


def test_leave_when_not_in_a_group_is_400(client, pcourse, students) -> None:
    client.force_login(students[0])
    r = client.post(leave_url(pcourse), {"confirm": "yes"})
    assert r.status_code == 400 and "You are not in a group." in r.content.decode()


def test_leave_messages_in_french(client, pcourse, students) -> None:
    """The requests switch the thread to French; override puts it back for the next tests."""
    with translation.override("en"):
        a, b, c, d = students[:4]
        bound = services.group_create(course=pcourse, kind=P, students=[a, b])
        services.paper_propose(group=bound, user=a, title="t", url="https://e.org/p", now=NOW)
        services.group_create(course=pcourse, kind=P, students=[c, d])
        fr = {"accept-language": "fr"}
        client.force_login(a)
        r = client.post(leave_url(pcourse), {"confirm": "yes"}, headers=fr)
        assert r.status_code == 400
        assert "Votre binôme a proposé un article" in r.content.decode()
        client.force_login(c)
        page = client.get(url("projects_presentations", pcourse), headers=fr).content.decode()
        assert "Quitter ce groupe" in page
        r = client.post(leave_url(pcourse), {"confirm": "yes"}, headers=fr, follow=True)
        assert "Vous avez quitté le groupe" in r.content.decode()


def test_grade_shows_only_once_every_rubric_criterion_is_scored(client, pcourse, students) -> None:
    from projects.models import RubricScore

    a, b = students[:2]
    group = services.group_create(course=pcourse, kind=P, students=[a, b])
    # A score kept for a criterion since removed from the rubric, and one of the two real ones.
    RubricScore.objects.create(group=group, criterion="old", points=10)
    services.rubric_score_set(group=group, criterion="slides", points=Decimal(40))
    client.force_login(a)
    page = client.get(url("projects_presentations", pcourse))
    assert b'id="grade"' not in page.content  # as the gradebook: still pending
    services.rubric_score_set(group=group, criterion="clarity", points=Decimal(45))
    page = client.get(url("projects_presentations", pcourse))
    assert b'id="grade"' in page.content
