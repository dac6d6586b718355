"""Reminders and the staff digest for course.notifications, computed from the live data.

The dispatcher keeps the reminders whose `due_at <= now < expires_at` and sends each
(recipient, item_key, kind) once, so these functions may list reminders not yet due or already
sent. Each runs a fixed number of queries whatever the class size.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from course.deadlines.selectors import due_changes_by_target
from course.models import Course
from course.notifications import DigestLine, DueReminder, deadline_reminders
from course.texts import Text

from .models import (
    GroupDeparture,
    GroupKind,
    GroupMembership,
    Invitation,
    Milestone,
    MilestoneGrade,
    MilestoneSubmission,
    PaperProposal,
    RubricScore,
    Slides,
    TalkSlot,
)
from .selectors import milestone_key, team_due_of

WEEK = dt.timedelta(days=7)


def _when(at: dt.datetime, course: Course) -> str:
    return timezone.localtime(at, ZoneInfo(course.time_zone)).strftime("%Y-%m-%d %H:%M")


def _due_soon_subject(label: str, kind: str) -> Text:
    return Text(gettext_noop("Due soon: %(label)s"), label=label)


def _group_page(course: Course, kind: str) -> str:
    """The page of a group of this kind: the presentations page for a pair, else the team's."""
    name = "projects_presentations" if kind == GroupKind.PRESENTATION else "projects_team"
    return reverse(name, kwargs={"code": course.code})


def _group_noun(kind: str) -> Text:
    if kind == GroupKind.PRESENTATION:
        return Text(gettext_noop("presentation pair"))
    return Text(gettext_noop("project team"))


def project_reminders(course: Course, now: dt.datetime) -> Iterable[DueReminder]:
    yield from _milestone_reminders(course, now)
    yield from _talk_reminders(course, now)
    yield from _invitation_reminders(course, now)
    yield from _grade_reminders(course, now)
    yield from _departure_reminders(course, now)


def _grade_reminders(course: Course, now: dt.datetime) -> Iterable[DueReminder]:
    """A grade released: a milestone graded, or the pair's talk graded on the rubric (once)."""
    since = now - WEEK
    graded: list[tuple[str, int, dt.datetime, str | Text, str]] = []
    for pk, group_id, at, label in MilestoneGrade.objects.filter(
        group__course=course, graded_at__gt=since
    ).values_list("pk", "group_id", "graded_at", "milestone__label"):
        graded.append((f"projects:milestone-grade:{pk}", group_id, at, label, "projects_team"))
    talks: dict[int, dt.datetime] = {}
    for group_id, at in RubricScore.objects.filter(
        group__course=course, graded_at__gt=since
    ).values_list("group_id", "graded_at"):
        talks[group_id] = max(at, talks.get(group_id, at))
    for group_id, at in talks.items():
        graded.append(
            (
                f"projects:talk-grade:{group_id}",
                group_id,
                at,
                Text(gettext_noop("Paper presentation")),
                "projects_presentations",
            )
        )
    if not graded:
        return
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, student_id in GroupMembership.objects.filter(
        group_id__in={entry[1] for entry in graded}
    ).values_list("group_id", "student_id"):
        members[group_id].append(student_id)
    for item_key, group_id, at, graded_what, url_name in graded:
        for s in members[group_id]:
            yield DueReminder(
                recipient_user_id=s,
                item_key=item_key,
                kind="grade_released",
                due_at=at,
                expires_at=at + WEEK,
                subject=Text(gettext_noop("Graded: %(label)s"), label=graded_what),
                body=Text(gettext_noop("“%(label)s” has a grade and feedback."), label=graded_what),
                url=reverse(url_name, kwargs={"code": course.code}),
            )


def _milestone_reminders(course: Course, now: dt.datetime) -> Iterable[DueReminder]:
    milestones = list(Milestone.objects.filter(course=course, due__isnull=False))
    if not milestones:
        return
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, student_id in GroupMembership.objects.filter(
        course=course, kind=GroupKind.PROJECT
    ).values_list("group_id", "student_id"):
        members[group_id].append(student_id)
    handed_in = set(
        MilestoneSubmission.objects.filter(group__course=course).values_list(
            "group_id", "milestone_id"
        )
    )
    keys = {m.pk: milestone_key(m.pk) for m in milestones}
    changes = due_changes_by_target(course, keys.values())
    url = reverse("projects_team", kwargs={"code": course.code})
    for m in milestones:
        if m.due is None:  # to be announced: nothing is due yet
            continue
        for group_id, students in members.items():
            team_due = team_due_of(m, changes[keys[m.pk]], students)
            if team_due is None:  # only an undated milestone has none, skipped above
                continue
            if m.due_set_at is not None:
                for s in students:
                    yield DueReminder(
                        recipient_user_id=s,
                        item_key=f"projects:milestone:{m.pk}:date:{m.due.isoformat()}",
                        kind="milestone_date_set",
                        due_at=m.due_set_at,
                        expires_at=m.due,
                        subject=Text(gettext_noop("Date set: %(label)s"), label=m.label),
                        body=Text(
                            gettext_noop(
                                "“%(label)s” of your research project is now due %(when)s."
                            ),
                            label=m.label,
                            when=_when(m.due, course),
                        ),
                        url=url,
                    )
            if (group_id, m.pk) in handed_in:
                continue
            # Only the latest reminder still ahead fires: a date set 5 days before the deadline
            # sends "due in 48 h" later, never "due in 7 days" at once.
            for s in students:
                yield from deadline_reminders(
                    recipient_user_id=s,
                    item_key=f"projects:milestone:{m.pk}:group:{group_id}",
                    due_at=team_due,
                    before=[
                        ("milestone_due_7d", WEEK),
                        ("milestone_due_48h", dt.timedelta(hours=48)),
                    ],
                    subject=functools.partial(_due_soon_subject, m.label),
                    body=Text(
                        gettext_noop(
                            "“%(label)s” is due %(when)s; your team has not handed it in yet."
                        ),
                        label=m.label,
                        when=_when(team_due, course),
                    ),
                    url=url,
                )


def _talk_reminders(course: Course, now: dt.datetime) -> Iterable[DueReminder]:
    slots = list(
        TalkSlot.objects.filter(course=course, group__isnull=False, starts_at__gt=now)
        .select_related("session")
        .annotate(has_slides=Exists(Slides.objects.filter(group=OuterRef("group"))))
    )
    if not slots:
        return
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, student_id in GroupMembership.objects.filter(
        group_id__in=[s.group_id for s in slots]
    ).values_list("group_id", "student_id"):
        members[group_id].append(student_id)
    for slot in slots:
        if slot.group_id is None:  # a free slot: nobody to remind
            continue
        is_paper = slot.kind == GroupKind.PRESENTATION
        url = _group_page(course, slot.kind)
        for s in members[slot.group_id]:
            yield DueReminder(
                recipient_user_id=s,
                item_key=f"projects:slot:{slot.pk}:{slot.starts_at.isoformat()}",
                kind="presentation_in_3d",
                due_at=slot.starts_at - dt.timedelta(days=3),
                expires_at=slot.starts_at,
                subject=Text(gettext_noop("Your talk in 3 days")),
                body=Text(
                    gettext_noop("Your talk is on %(when)s (%(session)s)."),
                    when=_when(slot.starts_at, course),
                    session=slot.session.topic,
                ),
                url=url,
            )
            if is_paper and not slot.has_slides:
                yield DueReminder(
                    recipient_user_id=s,
                    item_key=f"projects:slot:{slot.pk}:{slot.starts_at.isoformat()}",
                    kind="slides_missing_24h",
                    due_at=slot.starts_at - dt.timedelta(hours=24),
                    expires_at=slot.starts_at,
                    subject=Text(gettext_noop("Slides missing for your talk tomorrow")),
                    body=Text(
                        gettext_noop(
                            "Your talk is on %(when)s; upload your slides (PDF) before it."
                        ),
                        when=_when(slot.starts_at, course),
                    ),
                    url=url,
                )


def _invitation_reminders(course: Course, now: dt.datetime) -> Iterable[DueReminder]:
    for inv in Invitation.objects.filter(
        course=course, status=Invitation.Status.PENDING, created_at__gt=now - WEEK
    ).select_related("from_user"):
        yield DueReminder(
            recipient_user_id=inv.to_user_id,
            item_key=f"projects:invitation:{inv.pk}",
            kind="pair_invitation",
            due_at=inv.created_at,
            expires_at=inv.created_at + WEEK,
            subject=Text(
                gettext_noop("%(name)s invites you to work together"), name=str(inv.from_user)
            ),
            body=Text(
                gettext_noop(
                    "%(name)s invites you to their %(what)s. Accept or decline on the course site."
                ),
                name=str(inv.from_user),
                what=_group_noun(inv.kind),
            ),
            url=_group_page(course, inv.kind),
        )


def _departure_reminders(course: Course, now: dt.datetime) -> Iterable[DueReminder]:
    """A member left: the ones who stayed are told (and told they are now without a partner
    when the pair dissolved)."""
    departures = list(
        GroupDeparture.objects.filter(course=course, left_at__gt=now - WEEK).select_related(
            "student"
        )
    )
    if not departures:
        return
    stayed: dict[int, list[int]] = defaultdict(list)
    for departure_id, user_id in GroupDeparture.remaining.through.objects.filter(
        groupdeparture_id__in=[d.pk for d in departures]
    ).values_list("groupdeparture_id", "user_id"):
        stayed[departure_id].append(user_id)
    for d in departures:
        what = _group_noun(d.kind)
        name = str(d.student)
        if d.dissolved:
            body = Text(
                gettext_noop(
                    "%(name)s left your %(what)s, which is dissolved: you have no partner for it "
                    "now. Invite someone, or the instructor will pair you."
                ),
                name=name,
                what=what,
            )
        else:
            body = Text(
                gettext_noop("%(name)s left your %(what)s “%(group)s”."),
                name=name,
                what=what,
                group=d.group_name,
            )
        url = _group_page(course, d.kind)
        for user_id in stayed[d.pk]:
            yield DueReminder(
                recipient_user_id=user_id,
                item_key=f"projects:departure:{d.pk}",
                kind="group_member_left",
                due_at=d.left_at,
                expires_at=d.left_at + WEEK,
                subject=Text(gettext_noop("%(name)s left your %(what)s"), name=name, what=what),
                body=body,
                url=url,
            )


def project_digest(course: Course, now: dt.datetime) -> Iterable[DigestLine]:
    proposals = PaperProposal.objects.filter(
        course=course, status=PaperProposal.Status.PROPOSED
    ).count()
    yield DigestLine(
        label=Text(gettext_noop("Paper proposals to approve or reject: %(n)s"), n=proposals),
        count=proposals,
        url=reverse("admin:projects_paperproposal_changelist") + "?status__exact=proposed",
    )
    graded = MilestoneGrade.objects.filter(group=OuterRef("group"), milestone=OuterRef("milestone"))
    to_grade = (
        MilestoneSubmission.objects.filter(group__course=course)
        .exclude(Exists(graded))
        .values("group_id", "milestone_id")
        .distinct()
        .count()
    )
    yield DigestLine(
        label=Text(gettext_noop("Project milestones handed in and not graded: %(n)s"), n=to_grade),
        count=to_grade,
        url=reverse("admin:projects_milestonesubmission_changelist"),
    )
