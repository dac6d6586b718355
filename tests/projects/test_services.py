from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from course.models import BibliographyEntry, Enrolment
from course.scores import ScoreStatus
from projects import selectors, services
from projects.models import (
    Group,
    GroupDeparture,
    GroupKind,
    GroupMembership,
    Invitation,
    Milestone,
    PaperProposal,
    TalkSlot,
)
from tests.factories import GroupFactory, GroupMembershipFactory
from tests.present import present

from .conftest import PDF

TZ = ZoneInfo("America/Montreal")
NOW = datetime(2021, 2, 10, 12, 0, tzinfo=TZ)  # week 5
P = GroupKind.PRESENTATION
T = GroupKind.PROJECT


def pair(course, a, b, kind=P) -> Group:
    inv = services.invitation_send(course=course, kind=kind, from_user=a, to_user=b, now=NOW)
    return services.invitation_accept(invitation=inv, user=b, now=NOW)


def approved(group, user, url="https://arxiv.org/abs/1611.03530") -> PaperProposal:
    p = services.paper_propose(group=group, user=user, title="A paper", url=url, now=NOW)
    return services.paper_decide(proposal=p, approve=True, now=NOW)


# --- groups ----------------------------------------------------------------------------------


def test_invite_accept_forms_a_pair(pcourse, students) -> None:
    a, b, *_ = students
    group = pair(pcourse, a, b)
    assert {m.student for m in group.memberships.all()} == {a, b}
    assert Invitation.objects.get().status == Invitation.Status.ACCEPTED


def test_student_cannot_join_two_groups_of_same_kind(pcourse, students) -> None:
    a, b, c, *_ = students
    pair(pcourse, a, b)
    with pytest.raises(ValidationError) as exc:
        services.invitation_send(course=pcourse, kind=P, from_user=c, to_user=a, now=NOW)
    assert "to_user" in exc.value.message_dict
    # An invitation sent before the pair formed cannot be accepted afterwards.
    group = Group.objects.get()
    inv = Invitation.objects.create(course=pcourse, kind=P, from_user=c, to_user=b, created_at=NOW)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=inv, user=b, now=NOW)
    assert group.memberships.count() == 2


def test_db_constraint_one_group_per_kind(pcourse, students) -> None:
    a, b, c, *_ = students
    g1 = services.group_create(course=pcourse, kind=P, students=[a, b])
    g2 = GroupFactory.create(course=pcourse, kind=P)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMembershipFactory.create(group=g2, student=a)
    # Same student, other kind: allowed, and the teams may differ.
    services.group_create(course=pcourse, kind=T, students=[a, c])
    assert g1.memberships.count() == 2


def test_accept_when_inviter_group_full_fails_cleanly(pcourse, students) -> None:
    a, b, c, *_ = students
    inv = services.invitation_send(course=pcourse, kind=P, from_user=a, to_user=c, now=NOW)
    pair(pcourse, a, b)
    inv.refresh_from_db()
    assert inv.status == Invitation.Status.CANCELLED  # the full pair's other invitations close
    inv.status = Invitation.Status.PENDING
    inv.save()
    with pytest.raises(ValidationError, match="complete"):
        services.invitation_accept(invitation=inv, user=c, now=NOW)
    assert not GroupMembership.objects.filter(student=c).exists()


def test_decline_and_wrong_user(pcourse, students) -> None:
    a, b, c, *_ = students
    inv = services.invitation_send(course=pcourse, kind=P, from_user=a, to_user=b, now=NOW)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=inv, user=c, now=NOW)
    services.invitation_decline(invitation=inv, user=b, now=NOW)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=inv, user=b, now=NOW)


def test_auditor_cannot_be_invited(pcourse, students, make_member) -> None:
    auditor = make_member(pcourse, Enrolment.Role.AUDITOR, username="aud")
    with pytest.raises(ValidationError):
        services.invitation_send(
            course=pcourse, kind=P, from_user=students[0], to_user=auditor, now=NOW
        )


def test_pair_the_unpaired_makes_a_trio_when_odd(pcourse, students) -> None:
    pair(pcourse, students[0], students[1])
    groups = services.pair_the_unpaired(course=pcourse, kind=P, seed=1)  # 4 left
    assert sorted(g.memberships.count() for g in groups) == [2, 2]
    services.group_create(course=pcourse, kind=T, students=[students[0]])
    groups = services.pair_the_unpaired(course=pcourse, kind=T, seed=1)  # 5 left
    assert sorted(g.memberships.count() for g in groups) == [2, 3]
    assert not selectors.unpaired_students(pcourse, T).exists()


# --- papers ----------------------------------------------------------------------------------


def test_two_pairs_cannot_hold_the_same_paper(pcourse, students) -> None:
    g1 = pair(pcourse, students[0], students[1])
    g2 = pair(pcourse, students[2], students[3])
    approved(g1, students[0])
    # Same paper by another link form: refused at proposal time.
    with pytest.raises(ValidationError, match="Another pair"):
        services.paper_propose(
            group=g2, user=students[2], title="x", url="http://arxiv.org/pdf/1611.03530v2", now=NOW
        )
    # Or from the bibliography entry with that link.
    entry = BibliographyEntry.objects.get(course=pcourse, key="zhang2017")
    with pytest.raises(ValidationError):
        services.paper_propose(group=g2, user=students[2], title="", bib_entry=entry, now=NOW)


def test_db_refuses_second_approval_of_same_paper(pcourse, students) -> None:
    g1 = pair(pcourse, students[0], students[1])
    g2 = pair(pcourse, students[2], students[3])
    p1 = services.paper_propose(
        group=g1, user=students[0], title="x", url="https://arxiv.org/abs/1", now=NOW
    )
    p2 = services.paper_propose(
        group=g2, user=students[2], title="x", url="https://arxiv.org/abs/1v2", now=NOW
    )
    services.paper_decide(proposal=p1, approve=True, now=NOW)
    with pytest.raises(ValidationError):
        services.paper_decide(proposal=p2, approve=True, now=NOW)
    p2.refresh_from_db()
    assert p2.status == PaperProposal.Status.PROPOSED


def test_rejected_paper_can_be_reproposed(pcourse, students) -> None:
    g = pair(pcourse, students[0], students[1])
    p = services.paper_propose(
        group=g, user=students[0], title="x", url="https://arxiv.org/abs/9", now=NOW
    )
    with pytest.raises(ValidationError):  # one open proposal at a time
        services.paper_propose(
            group=g, user=students[1], title="y", url="https://arxiv.org/abs/8", now=NOW
        )
    services.paper_decide(proposal=p, approve=False, comment="Too long; pick part of it.", now=NOW)
    again = services.paper_propose(
        group=g, user=students[1], title="x", url="https://arxiv.org/abs/9", now=NOW
    )
    services.paper_decide(proposal=again, approve=True, now=NOW)
    # And once a pair gave up a paper (rejected), another pair can be approved on it.
    assert PaperProposal.objects.filter(status="rejected").count() == 1


def test_proposal_from_bibliography_without_link(pcourse, students) -> None:
    g = pair(pcourse, students[0], students[1])
    entry = BibliographyEntry.objects.get(course=pcourse, key="polyak1964")
    p = services.paper_propose(group=g, user=students[0], title="", bib_entry=entry, now=NOW)
    assert p.title == "Heavy ball" and p.paper_key == f"bib:{entry.pk}"
    with pytest.raises(ValidationError) as exc:
        services.paper_propose(group=g, user=students[0], title="t", now=NOW)
    assert exc.value.message_dict


# --- slots -----------------------------------------------------------------------------------


def test_no_presentation_slot_before_allowed_week(pcourse) -> None:
    from course.syllabus.parsing import SyllabusError, parse_syllabus

    from .conftest import PROJECTS_SYLLABUS

    too_early = PROJECTS_SYLLABUS.replace(
        "sessions:\n", "sessions:\n  - {date: 2021-01-27, kind: presentations, topic: Too early}\n"
    )
    with pytest.raises(SyllabusError, match=r"before presentations\.first_allowed_week"):
        parse_syllabus(too_early)
    services.talk_slots_sync(course=pcourse)
    for slot in TalkSlot.objects.filter(kind=P).select_related("session"):
        assert slot.session.week >= 5
    # 2 allowed presentations sessions of 100 min: 4 slots each; progress talks: 5 min + 5.
    assert TalkSlot.objects.filter(kind=P).count() == 8
    assert TalkSlot.objects.filter(kind=T).count() == 10  # 100 min: n*5 + (n-1)*5 <= 100
    assert services.talk_slots_sync(course=pcourse) == 0  # idempotent


def test_pick_needs_an_approved_paper_and_one_wins(pcourse, students) -> None:
    services.talk_slots_sync(course=pcourse)
    g1 = pair(pcourse, students[0], students[1])
    g2 = pair(pcourse, students[2], students[3])
    slot = present(TalkSlot.objects.filter(kind=P).first())
    with pytest.raises(ValidationError, match="approved"):
        services.talk_slot_pick(slot=slot, group=g1, user=students[0], now=NOW)
    approved(g1, students[0])
    approved(g2, students[2], url="https://arxiv.org/abs/2")
    services.talk_slot_pick(slot=slot, group=g1, user=students[0], now=NOW)
    with pytest.raises(ValidationError, match="taken"):
        services.talk_slot_pick(slot=slot, group=g2, user=students[2], now=NOW)
    # Moving to another slot frees the first.
    other = present(TalkSlot.objects.filter(kind=P).exclude(pk=slot.pk).first())
    services.talk_slot_pick(slot=other, group=g1, user=students[1], now=NOW)
    slot.refresh_from_db()
    assert slot.group is None
    assert TalkSlot.objects.filter(group=g1).count() == 1


def test_pick_refuses_past_and_non_member(pcourse, students) -> None:
    services.talk_slots_sync(course=pcourse)
    g1 = pair(pcourse, students[0], students[1])
    approved(g1, students[0])
    slot = present(TalkSlot.objects.filter(kind=P).first())
    with pytest.raises(ValidationError):
        services.talk_slot_pick(slot=slot, group=g1, user=students[3], now=NOW)
    with pytest.raises(ValidationError, match="past"):
        services.talk_slot_pick(slot=slot, group=g1, user=students[0], now=slot.starts_at)


def test_instructor_assigns_project_talk(pcourse, students) -> None:
    services.talk_slots_sync(course=pcourse)
    team = services.group_create(course=pcourse, kind=T, students=students[:2])
    slot = present(TalkSlot.objects.filter(kind=T).first())
    services.talk_slot_assign(slot=slot, group=team, now=NOW)
    assert selectors.slot_of(team) == slot
    pres_slot = present(TalkSlot.objects.filter(kind=P).first())
    with pytest.raises(ValidationError):
        services.talk_slot_assign(slot=pres_slot, group=team, now=NOW)


def test_slides_late_marking(pcourse, students, pdf_bytes) -> None:
    services.talk_slots_sync(course=pcourse)
    g = pair(pcourse, students[0], students[1])
    approved(g, students[0])
    slot = present(TalkSlot.objects.filter(kind=P).first())
    services.talk_slot_pick(slot=slot, group=g, user=students[0], now=NOW)
    on_time = services.slides_upload(
        group=g,
        user=students[0],
        upload=SimpleUploadedFile("s.pdf", pdf_bytes),
        now=slot.starts_at - timedelta(hours=1),
    )
    late = services.slides_upload(
        group=g,
        user=students[1],
        upload=SimpleUploadedFile("s2.pdf", pdf_bytes),
        now=slot.starts_at - timedelta(minutes=59),
    )
    assert not on_time.is_late and late.is_late
    with pytest.raises(ValidationError) as exc:
        services.slides_upload(
            group=g, user=students[0], upload=SimpleUploadedFile("x.pdf", b"PK\x03\x04zip"), now=NOW
        )
    assert "file" in exc.value.message_dict


def test_rubric_and_member_override_in_gradebook(
    pcourse, students, django_assert_max_num_queries
) -> None:
    g = pair(pcourse, students[0], students[1])
    services.rubric_score_set(group=g, criterion="slides", points=Decimal(40))
    items = selectors.presentation_gradebook_items(pcourse)
    assert items[students[0].pk][0].status == ScoreStatus.PENDING
    services.rubric_score_set(group=g, criterion="clarity", points=Decimal(45), feedback="Clear.")
    with pytest.raises(ValidationError):
        services.rubric_score_set(group=g, criterion="clarity", points=Decimal(51))
    with pytest.raises(ValidationError):
        services.rubric_score_set(group=g, criterion="nope", points=Decimal(1))
    m = GroupMembership.objects.get(student=students[1], kind=P)
    m.grade_override = Decimal(70)
    m.save()
    with django_assert_max_num_queries(4):
        items = selectors.presentation_gradebook_items(pcourse)
    assert items[students[0].pk][0].percent == Decimal("85.00")
    assert items[students[1].pk][0].percent == Decimal(70)
    assert students[2].pk not in items


# --- milestones ------------------------------------------------------------------------------


def test_milestones_sync_keeps_tba_date_set_in_admin(pcourse) -> None:
    ms = {m.key: m for m in services.milestones_sync(course=pcourse)}
    assert ms["poster"].due is None
    assert ms["proposal"].due == datetime(2021, 2, 19, 23, 59, tzinfo=TZ)
    assert ms["progress"].accepts_link and ms["progress"].accepts_pdf
    assert not ms["report"].accepts_link
    when = datetime(2021, 4, 15, 9, 0, tzinfo=TZ)
    services.milestone_date_set(milestone=ms["poster"], due=when, now=NOW)
    again = {m.key: m for m in services.milestones_sync(course=pcourse)}
    assert again["poster"].due == when
    assert Milestone.objects.filter(course=pcourse).count() == 4


def test_submission_versions_and_late_penalty(pcourse, students, pdf_bytes) -> None:
    ms = {m.key: m for m in services.milestones_sync(course=pcourse)}
    team = services.group_create(course=pcourse, kind=T, students=students[:2])
    due = present(ms["proposal"].due)
    v1 = services.milestone_submit(
        group=team,
        milestone=ms["proposal"],
        user=students[0],
        now=due,
        upload=SimpleUploadedFile("p.pdf", pdf_bytes),
    )
    v2 = services.milestone_submit(
        group=team,
        milestone=ms["proposal"],
        user=students[1],
        now=due + timedelta(seconds=1),
        upload=SimpleUploadedFile("p.pdf", pdf_bytes),
    )
    assert (v1.version, v1.is_late, v1.penalty_percent) == (1, False, 0)
    assert (v2.version, v2.is_late, v2.penalty_percent) == (2, True, Decimal(5))
    with pytest.raises(ValidationError) as exc:
        services.milestone_submit(
            group=team, milestone=ms["proposal"], user=students[0], now=due, link="https://x.org"
        )
    assert "link" in exc.value.message_dict
    link = services.milestone_submit(
        group=team, milestone=ms["poster"], user=students[0], now=NOW, link="https://github.com/x/y"
    )
    assert not link.is_late  # to be announced: never late
    with pytest.raises(ValidationError):
        services.milestone_submit(
            group=team, milestone=ms["poster"], user=students[3], now=NOW, link="https://x.org"
        )


def test_project_gradebook_items(
    pcourse, students, pdf_bytes, django_assert_max_num_queries
) -> None:
    ms = {m.key: m for m in services.milestones_sync(course=pcourse)}
    team = services.group_create(course=pcourse, kind=T, students=students[:2])
    services.group_create(course=pcourse, kind=T, students=students[2:4])
    services.milestone_submit(
        group=team,
        milestone=ms["proposal"],
        user=students[0],
        now=present(ms["proposal"].due) + timedelta(days=1),
        upload=SimpleUploadedFile("p.pdf", pdf_bytes),
    )
    services.milestone_grade_set(
        group=team, milestone=ms["proposal"], percent=Decimal(90), feedback="Good."
    )
    with django_assert_max_num_queries(5):
        items = selectors.project_gradebook_items(pcourse, now=datetime(2021, 3, 1, tzinfo=TZ))
    mine = {i.key: i for i in items[students[1].pk]}
    assert mine["milestone-proposal"].status == ScoreStatus.GRADED
    assert mine["milestone-proposal"].percent == Decimal(85)
    assert mine["milestone-proposal"].weight == Decimal(15)
    assert mine["milestone-poster"].status == ScoreStatus.PENDING
    other = {i.key: i for i in items[students[2].pk]}
    assert other["milestone-proposal"].status == ScoreStatus.MISSING
    assert students[5].pk not in items
    with pytest.raises(ValidationError):
        services.milestone_grade_set(group=team, milestone=ms["proposal"], percent=Decimal(101))


def test_gradebook_query_count_does_not_grow(
    pcourse, make_member, django_assert_max_num_queries
) -> None:
    services.milestones_sync(course=pcourse)
    for size in (2, 8):
        people = [make_member(pcourse, Enrolment.Role.STUDENT) for _ in range(size)]
        services.group_create(course=pcourse, kind=T, students=people[: size // 2])
        services.group_create(course=pcourse, kind=P, students=people[size // 2 :])
        with django_assert_max_num_queries(5):  # extensions included
            selectors.project_gradebook_items(pcourse)
        with django_assert_max_num_queries(4):
            selectors.presentation_gradebook_items(pcourse)


def test_team_choice_validated_against_policy(pcourse, students) -> None:
    team = services.group_create(course=pcourse, kind=T, students=students[:2])
    services.project_choice_set(
        group=team, topic="Optimization", project_kind="Prototype", working_title="T"
    )
    with pytest.raises(ValidationError) as exc:
        services.project_choice_set(
            group=team, topic="Cooking", project_kind="Prototype", working_title="T"
        )
    assert "topic" in exc.value.message_dict


def test_loading_the_syllabus_makes_milestones_and_slots(pcourse) -> None:
    assert Milestone.objects.filter(course=pcourse).count() == 4
    assert TalkSlot.objects.filter(course=pcourse, kind=P).count() == 8
    assert TalkSlot.objects.filter(course=pcourse, kind=T).count() == 10


def test_milestone_dropped_from_syllabus(pcourse, students, pdf_bytes) -> None:
    from course.syllabus.services import load_syllabus_text

    from .conftest import PROJECTS_SYLLABUS

    ms = {m.key: m for m in Milestone.objects.filter(course=pcourse)}
    team = services.group_create(course=pcourse, kind=T, students=students[:2])
    services.milestone_submit(
        group=team, milestone=ms["poster"], user=students[0], now=NOW, link="https://x.org/poster"
    )
    text = (
        PROJECTS_SYLLABUS.replace(
            "    - {key: poster, label: Poster, kind: poster, due: null, weight: 25, accepts: [pdf, link]}\n",
            "",
        )
        .replace(
            "    - {key: report, label: Final report, kind: report, due: null, weight: 50}\n",
            "    - {key: report, label: Final report, kind: report, due: null, weight: 75}\n",
        )
        .replace(
            "    - {key: progress, label: Progress report",
            "    - {key: progress2, label: Progress report",
        )
    )
    load_syllabus_text(text)
    left = {m.key: m.weight for m in Milestone.objects.filter(course=pcourse)}
    assert left == {"proposal": 15, "progress2": 10, "poster": 0, "report": 75}


# --- leaving a group -------------------------------------------------------------------------


def test_leaving_a_pair_dissolves_it_and_unpairs_the_partner(pcourse, students) -> None:
    a, b = students[:2]
    group = pair(pcourse, a, b)
    assert services.group_leave(group=group, user=a, now=NOW) is None
    assert not Group.objects.filter(pk=group.pk).exists()
    assert not GroupMembership.objects.filter(student__in=[a, b]).exists()
    unpaired = set(selectors.unpaired_students(pcourse, P))
    assert {a, b} <= unpaired
    # Both may form a group again, with someone else.
    again = pair(pcourse, b, students[2])
    assert set(again.memberships.values_list("student_id", flat=True)) == {b.pk, students[2].pk}


def test_leaving_a_trio_keeps_the_other_two_together(pcourse, students) -> None:
    a, b, c = students[:3]
    group = services.group_create(course=pcourse, kind=T, students=[a, b, c])
    kept = services.group_leave(group=group, user=c, now=NOW)
    assert kept is not None and kept.pk == group.pk
    assert set(group.memberships.values_list("student_id", flat=True)) == {a.pk, b.pk}


def test_each_departure_is_recorded_with_who_stayed(pcourse, students) -> None:
    a, b, c, d = students[:4]
    group = pair(pcourse, a, b)
    services.group_leave(group=group, user=a, now=NOW)
    team = services.group_create(course=pcourse, kind=T, students=[b, c, d])
    services.group_leave(group=team, user=d, now=NOW + timedelta(days=1))
    left_pair, left_team = GroupDeparture.objects.order_by("left_at")
    assert (left_pair.student, left_pair.kind, left_pair.dissolved) == (a, P, True)
    assert left_pair.group is None and left_pair.group_name == str(group)
    assert list(left_pair.remaining.all()) == [b]
    assert (left_team.student, left_team.group, left_team.dissolved) == (d, team, False)
    assert set(left_team.remaining.all()) == {b, c}
    # A refused leave records nothing.
    with pytest.raises(ValidationError):
        services.group_leave(group=team, user=a, now=NOW)
    assert GroupDeparture.objects.count() == 2


def test_the_last_member_of_a_solo_leaves_and_the_group_is_deleted(pcourse, students) -> None:
    group = services.group_create(course=pcourse, kind=T, students=[students[0]])
    assert services.group_leave(group=group, user=students[0], now=NOW) is None
    assert not Group.objects.exists()


def test_leaving_only_touches_that_kind(pcourse, students) -> None:
    a, b = students[:2]
    pres = pair(pcourse, a, b, P)
    team = pair(pcourse, a, b, T)
    services.group_leave(group=pres, user=a, now=NOW)
    assert Group.objects.filter(pk=team.pk).exists()
    assert team.memberships.count() == 2


def test_pending_invitations_of_the_members_are_withdrawn(pcourse, students) -> None:
    a, b, c, d, e = students[:5]
    group = services.group_create(course=pcourse, kind=P, students=[a, b])
    # Sent before the group was made by the instructor: to and from its members.
    to_a = Invitation.objects.create(course=pcourse, kind=P, from_user=c, to_user=a, created_at=NOW)
    from_b = Invitation.objects.create(
        course=pcourse, kind=P, from_user=b, to_user=d, created_at=NOW
    )
    other_kind = Invitation.objects.create(
        course=pcourse, kind=T, from_user=a, to_user=e, created_at=NOW
    )
    unrelated = Invitation.objects.create(
        course=pcourse, kind=P, from_user=d, to_user=e, created_at=NOW
    )
    later = NOW + timedelta(minutes=5)
    services.group_leave(group=group, user=a, now=later)
    for inv in (to_a, from_b):
        inv.refresh_from_db()
        assert inv.status == Invitation.Status.CANCELLED
        assert inv.responded_at == later
    for inv in (other_kind, unrelated):
        inv.refresh_from_db()
        assert inv.status == Invitation.Status.PENDING


def _bind_paper_proposed(group, user, course) -> None:
    services.paper_propose(group=group, user=user, title="t", url="https://example.org/p", now=NOW)


def _bind_paper_approved(group, user, course) -> None:
    approved(group, user)


def _bind_slot(group, user, course) -> None:
    services.talk_slots_sync(course=course)
    slot = present(
        TalkSlot.objects.filter(course=course, kind=group.kind).order_by("starts_at").first()
    )
    services.talk_slot_assign(slot=slot, group=group, now=NOW)


def _bind_slides(group, user, course) -> None:
    upload = SimpleUploadedFile("s.pdf", PDF, content_type="application/pdf")
    services.slides_upload(group=group, user=user, upload=upload, now=NOW)


def _bind_rubric(group, user, course) -> None:
    services.rubric_score_set(group=group, criterion="slides", points=Decimal(40))


def _bind_override(group, user, course) -> None:
    GroupMembership.objects.filter(group=group, student=user).update(grade_override=Decimal(80))


@pytest.mark.parametrize(
    ("bind", "words"),
    [
        (_bind_paper_proposed, "proposed a paper"),
        (_bind_paper_approved, "paper is approved"),
        (_bind_slot, "talk slot"),
        (_bind_slides, "uploaded slides"),
        (_bind_rubric, "graded"),
        (_bind_override, "graded"),
    ],
)
def test_a_bound_pair_cannot_be_left(pcourse, students, bind, words) -> None:
    a, b = students[:2]
    group = pair(pcourse, a, b)
    bind(group, a, pcourse)
    with pytest.raises(ValidationError) as exc:
        services.group_leave(group=group, user=b, now=NOW)
    assert words in exc.value.message_dict["group"][0]
    assert group.memberships.count() == 2


@pytest.mark.parametrize("graded", [False, True])
def test_a_team_with_a_milestone_handed_in_or_graded_cannot_be_left(
    pcourse, students, graded
) -> None:
    a, b = students[:2]
    group = pair(pcourse, a, b, T)
    milestone = Milestone.objects.get(course=pcourse, key="progress")
    if graded:
        services.milestone_grade_set(group=group, milestone=milestone, percent=Decimal(90))
    else:
        services.milestone_submit(
            group=group, milestone=milestone, user=a, now=NOW, link="https://example.org/r"
        )
    with pytest.raises(ValidationError) as exc:
        services.group_leave(group=group, user=a, now=NOW)
    assert ("graded" if graded else "handed in") in exc.value.message_dict["group"][0]


def test_a_rejected_proposal_does_not_bind(pcourse, students) -> None:
    a, b = students[:2]
    group = pair(pcourse, a, b)
    p = services.paper_propose(group=group, user=a, title="t", url="https://e.org/x", now=NOW)
    services.paper_decide(proposal=p, approve=False, now=NOW)
    assert services.group_leave(group=group, user=a, now=NOW) is None


def test_a_non_member_cannot_leave(pcourse, students) -> None:
    group = pair(pcourse, students[0], students[1])
    with pytest.raises(ValidationError) as exc:
        services.group_leave(group=group, user=students[2], now=NOW)
    assert exc.value.message_dict["group"] == ["You are not in this group."]
    assert group.memberships.count() == 2


def test_leaving_a_group_already_dissolved_is_refused(pcourse, students) -> None:
    a, b = students[:2]
    group = pair(pcourse, a, b)
    services.group_leave(group=group, user=a, now=NOW)
    with pytest.raises(ValidationError):
        services.group_leave(group=group, user=b, now=NOW)


def _set_late_policy(course, policy) -> None:
    policies = dict(course.policies)
    policies["project"] = {**policies["project"], "late_penalty": policy}
    course.policies = policies
    course.save(update_fields=["policies"])


def test_one_penalty_rule_for_milestones_under_a_changed_policy(pcourse, students, pdf_bytes):
    """As for scribe notes: a harsher policy keeps the penalty of the hand-in's time, a later
    extension lowers it (course.deadlines.rules.penalty_that_counts)."""
    from course.deadlines import services as deadline_services
    from course.deadlines.rules import target_key

    ms = {m.key: m for m in services.milestones_sync(course=pcourse)}
    team = services.group_create(course=pcourse, kind=T, students=students[:2])
    due = present(ms["proposal"].due)
    services.milestone_submit(
        group=team,
        milestone=ms["proposal"],
        user=students[0],
        now=due + timedelta(days=2),
        upload=SimpleUploadedFile("p.pdf", pdf_bytes),
    )
    services.milestone_grade_set(group=team, milestone=ms["proposal"], percent=Decimal(90))
    _set_late_policy(pcourse, {"kind": "per_day", "percent": 10, "max_percent": 50})
    later = due + timedelta(days=10)
    item = {i.key: i for i in selectors.project_gradebook_items(pcourse, now=later)[students[1].pk]}
    assert (item["milestone-proposal"].penalty_percent, item["milestone-proposal"].percent) == (
        5,
        85,
    )
    deadline_services.extension_grant(
        course=pcourse,
        target_key=target_key("projects", "milestone", ms["proposal"].pk),
        due_at=due + timedelta(days=3),
        student=students[0],
    )
    item = {i.key: i for i in selectors.project_gradebook_items(pcourse, now=later)[students[1].pk]}
    assert (item["milestone-proposal"].penalty_percent, item["milestone-proposal"].percent) == (
        0,
        90,
    )
    team.refresh_from_db()
    (row,) = [r for r in selectors.team_milestones(team, later) if r.milestone.key == "proposal"]
    assert row.final_percent == 90 and row.versions[0][1] == 0
