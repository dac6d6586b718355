from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from course.models import Enrolment
from projects import services
from projects.models import (
    Group,
    GroupKind,
    GroupMembership,
    Milestone,
    PaperProposal,
    RubricScore,
    TalkSlot,
)
from tests.factories import CourseFactory
from tests.present import present

TZ = ZoneInfo("America/Montreal")
NOW = datetime(2021, 2, 10, 12, 0, tzinfo=TZ)
P, T = GroupKind.PRESENTATION, GroupKind.PROJECT


@pytest.fixture
def boss(pcourse, make_member):
    user = make_member(pcourse, Enrolment.Role.INSTRUCTOR, username="boss")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_admin_pages_render(client, boss, pcourse, students) -> None:
    services.talk_slots_sync(course=pcourse)
    services.milestones_sync(course=pcourse)
    pg = services.group_create(course=pcourse, kind=P, students=students[:2])
    tg = services.group_create(course=pcourse, kind=T, students=students[:2])
    services.paper_propose(
        group=pg, user=students[0], title="t", url="https://arxiv.org/abs/1", now=NOW
    )
    client.force_login(boss)
    for name, args in [
        ("admin:projects_group_changelist", []),
        ("admin:projects_group_change", [pg.pk]),
        ("admin:projects_group_change", [tg.pk]),
        ("admin:projects_group_add", []),
        ("admin:projects_group_tools", []),
        ("admin:projects_group_grade", [pg.pk]),
        ("admin:projects_paperproposal_changelist", []),
        ("admin:projects_paperproposal_change", [PaperProposal.objects.get().pk]),
        ("admin:projects_talkslot_changelist", []),
        ("admin:projects_talkslot_change", [present(TalkSlot.objects.first()).pk]),
        ("admin:projects_milestone_changelist", []),
        ("admin:projects_milestone_change", [present(Milestone.objects.first()).pk]),
        ("admin:projects_invitation_changelist", []),
        ("admin:projects_slides_changelist", []),
        ("admin:projects_milestonesubmission_changelist", []),
        ("admin:projects_groupdeparture_changelist", []),
    ]:
        r = client.get(reverse(name, args=args))
        assert r.status_code == 200, (name, r.status_code)


def test_tools_list_unpaired_and_pair_them(client, boss, pcourse, students) -> None:
    services.group_create(course=pcourse, kind=P, students=students[:1])
    client.force_login(boss)
    page = client.get(reverse("admin:projects_group_tools")).content.decode()
    assert "5 unpaired students" in page and "6 unpaired students" in page
    r = client.post(
        reverse("admin:projects_group_tools"),
        {"course": pcourse.pk, "kind": "presentation", "op": "pair"},
    )
    assert r.status_code == 302
    sizes = sorted(g.memberships.count() for g in Group.objects.filter(kind=P))
    assert sizes == [1, 2, 3]
    client.post(reverse("admin:projects_group_tools"), {"course": pcourse.pk, "op": "slots"})
    assert TalkSlot.objects.filter(course=pcourse).exists()


def test_rubric_grading_view(client, boss, pcourse, students) -> None:
    g = services.group_create(course=pcourse, kind=P, students=students[:2])
    client.force_login(boss)
    url = reverse("admin:projects_group_grade", args=[g.pk])
    r = client.post(url, {"points_slides": "60", "points_clarity": "40"})
    assert r.status_code == 200 and not RubricScore.objects.exists()  # 60 > 50: refused, no 500
    r = client.post(
        url,
        {
            "points_slides": "45",
            "feedback_slides": "Clear figures",
            "points_clarity": "40",
            "feedback_overall": "Well done",
        },
    )
    assert r.status_code == 302
    assert {s.criterion: s.points for s in RubricScore.objects.all()} == {
        "slides": 45,
        "clarity": 40,
    }
    g.refresh_from_db()
    assert g.feedback == "Well done"


def test_approving_a_held_paper_in_admin_is_refused_cleanly(
    client, boss, pcourse, students
) -> None:
    g1 = services.group_create(course=pcourse, kind=P, students=students[:2])
    g2 = services.group_create(course=pcourse, kind=P, students=students[2:4])
    p1 = services.paper_propose(
        group=g1, user=students[0], title="t", url="https://arxiv.org/abs/5", now=NOW
    )
    p2 = services.paper_propose(
        group=g2, user=students[2], title="t", url="https://arxiv.org/abs/5v2", now=NOW
    )
    services.paper_decide(proposal=p1, approve=True, now=NOW)
    client.force_login(boss)
    r = client.post(
        reverse("admin:projects_paperproposal_change", args=[p2.pk]),
        {"status": "approved", "instructor_comment": "ok"},
    )
    assert r.status_code == 200
    assert "Another group already holds this paper" in r.content.decode()
    r = client.post(
        reverse("admin:projects_paperproposal_change", args=[p2.pk]),
        {"status": "rejected", "instructor_comment": "Taken; pick another."},
    )
    assert r.status_code == 302
    p2.refresh_from_db()
    assert p2.status == "rejected" and p2.decided_at is not None


def test_membership_inline_refuses_student_of_another_group(
    client, boss, pcourse, students
) -> None:
    services.group_create(course=pcourse, kind=P, students=students[:2])
    client.force_login(boss)
    data = {
        "course": pcourse.pk,
        "kind": "presentation",
        "name": "Trio",
        "feedback": "",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-student": students[0].pk,
        "memberships-1-student": students[2].pk,
    }
    r = client.post(reverse("admin:projects_group_add"), data)
    assert r.status_code == 200
    assert "already in another group" in r.content.decode()
    data["memberships-0-student"] = students[3].pk
    r = client.post(reverse("admin:projects_group_add"), data)
    assert r.status_code == 302
    g = Group.objects.get(name="Trio")
    assert {m.course_id for m in g.memberships.all()} == {pcourse.pk}
    assert set(GroupMembership.objects.filter(group=g).values_list("kind", flat=True)) == {
        "presentation"
    }


def test_slot_assign_in_admin(client, boss, pcourse, students) -> None:
    services.talk_slots_sync(course=pcourse)
    g = services.group_create(course=pcourse, kind=T, students=students[:2])
    slot = present(TalkSlot.objects.filter(kind=T).first())
    client.force_login(boss)
    r = client.post(reverse("admin:projects_talkslot_change", args=[slot.pk]), {"group": g.pk})
    assert r.status_code == 302
    slot.refresh_from_db()
    assert slot.group == g
    r = client.post(reverse("admin:projects_talkslot_change", args=[slot.pk]), {"group": ""})
    slot.refresh_from_db()
    assert slot.group is None


def test_setting_a_tba_date_goes_through_the_service(client, boss, pcourse, monkeypatch) -> None:
    services.milestones_sync(course=pcourse)
    poster = Milestone.objects.get(course=pcourse, key="poster")
    calls = []
    real = services.milestone_date_set

    def spy(**kw):
        calls.append(kw)
        return real(**kw)

    monkeypatch.setattr(services, "milestone_date_set", spy)
    client.force_login(boss)
    r = client.post(
        reverse("admin:projects_milestone_change", args=[poster.pk]),
        {"due_0": "2021-04-15", "due_1": "09:00"},
    )
    assert r.status_code == 302
    poster.refresh_from_db()
    assert poster.due == datetime(2021, 4, 15, 9, 0, tzinfo=TZ)
    assert len(calls) == 1 and calls[0]["milestone"].pk == poster.pk


def test_milestone_grade_inline_fills_grader(client, boss, pcourse, students) -> None:
    ms = {m.key: m for m in services.milestones_sync(course=pcourse)}
    g = services.group_create(course=pcourse, kind=T, students=students[:2])
    client.force_login(boss)
    members = list(g.memberships.all())
    data = {
        "name": "",
        "topic": "",
        "project_kind": "",
        "working_title": "",
        "feedback": "",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "2",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "submissions-TOTAL_FORMS": "0",
        "submissions-INITIAL_FORMS": "0",
        "submissions-MIN_NUM_FORMS": "0",
        "submissions-MAX_NUM_FORMS": "1000",
        "milestone_grades-TOTAL_FORMS": "1",
        "milestone_grades-INITIAL_FORMS": "0",
        "milestone_grades-MIN_NUM_FORMS": "0",
        "milestone_grades-MAX_NUM_FORMS": "1000",
        "milestone_grades-0-milestone": ms["proposal"].pk,
        "milestone_grades-0-percent": "88",
        "milestone_grades-0-feedback": "Nice scope",
    }
    for i, m in enumerate(members):
        data[f"memberships-{i}-id"] = m.pk
        data[f"memberships-{i}-group"] = g.pk
        data[f"memberships-{i}-student"] = m.student_id
    r = client.post(reverse("admin:projects_group_change", args=[g.pk]), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    grade = g.milestone_grades.get()
    assert grade.percent == Decimal(88) and grade.graded_by == boss


def test_pair_unpaired_changelist_action(client, boss, pcourse, students) -> None:
    g = services.group_create(course=pcourse, kind=T, students=students[:2])
    client.force_login(boss)
    r = client.post(
        reverse("admin:projects_group_changelist"),
        {"action": "pair_unpaired_action", "_selected_action": [g.pk]},
    )
    assert r.status_code == 302
    assert sorted(x.memberships.count() for x in Group.objects.filter(kind=T)) == [2, 2, 2]
    assert not Group.objects.filter(kind=P).exists()


def test_departures_are_a_read_only_trail_for_the_course_staff(
    client, pcourse, students, make_member
) -> None:
    from projects.models import GroupDeparture

    a, b = students[:2]
    group = services.group_create(course=pcourse, kind=P, students=[a, b])
    services.group_leave(group=group, user=a, now=NOW)
    departure = GroupDeparture.objects.get()
    ta = make_member(pcourse, Enrolment.Role.TA, username="ta")
    other = CourseFactory.create(code="OTH101", title="Other", seat_capacity=5)
    stranger = make_member(other, Enrolment.Role.INSTRUCTOR, username="stranger")
    changelist = reverse("admin:projects_groupdeparture_changelist")
    change = reverse("admin:projects_groupdeparture_change", args=[departure.pk])

    client.force_login(ta)
    page = client.get(changelist)
    assert page.status_code == 200 and str(a) in page.content.decode()
    detail = client.get(change)
    assert detail.status_code == 200 and str(b) in detail.content.decode()
    assert client.post(change, {"group_name": "renamed"}).status_code == 403
    assert client.get(reverse("admin:projects_groupdeparture_add")).status_code == 403

    client.force_login(stranger)
    assert str(a) not in client.get(changelist).content.decode()
    assert client.get(change).status_code in (302, 403, 404)
