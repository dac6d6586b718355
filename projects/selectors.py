"""Reads of presentations and projects, with their joins built in; gradebook items for grading/."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from course.deadlines import rules as deadlines
from course.deadlines.selectors import due_changes_by_target
from course.extensions import ScheduleItem
from course.models import Course, Session
from course.permissions import Action, can
from course.scores import ScoreItem, ScoresByStudent, ScoreStatus
from course.selectors import active_students, course_policy
from course.syllabus.hooks import Watched
from course.syllabus.schema import LatePenalty
from course.texts import Percent, Text

from . import rules
from .models import (
    Group,
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
from .policy import PresentationPolicy, ProjectPolicy


def group_size_for(course: Course, kind: str) -> int:
    if kind == GroupKind.PRESENTATION:
        return course_policy(course, PresentationPolicy).group_size
    return course_policy(course, ProjectPolicy).group_size


def slides_due(course: Course, slot: TalkSlot | None) -> dt.datetime | None:
    """When a pair's slides are due: some hours before its talk; no slot, no due date."""
    if slot is None:
        return None
    hours = course_policy(course, PresentationPolicy).slides_due_hours_before
    return rules.slides_due_at(slot.starts_at, hours)


def slides_late(due_at: dt.datetime | None, when: dt.datetime) -> bool:
    """Slides uploaded at `when` are late by the course's one meaning of late. The slides of
    the course give presentations no late penalty and no grace (the rubric grades the slides
    and the talk), so the flag only tells the grader; no due date (no slot yet) is never late."""
    return due_at is not None and deadlines.is_late(when, due_at)


def members_prefetch(lookup: str = "memberships") -> Prefetch:
    """A group's members with their user rows: one query for any number of groups
    (`lookup` is the path to the memberships, e.g. "group__memberships" from a slot)."""
    return Prefetch(lookup, queryset=GroupMembership.objects.select_related("student"))


def member_names(group: Group) -> str:
    """The members as the staff read them, from the prefetched memberships."""
    return ", ".join(str(m.student) for m in group.memberships.all())


def groups_of_course(course: Course, kind: str) -> QuerySet[Group]:
    return (
        Group.objects.filter(course=course, kind=kind)
        .prefetch_related(members_prefetch())
        .order_by("pk")
    )


def group_of(course: Course, kind: str, user: Any) -> Group | None:
    """The user's group of that kind with its members (two queries), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Group.objects.filter(course=course, kind=kind, memberships__student=user)
        .select_related("course")
        .prefetch_related(members_prefetch())
        .first()
    )


def unpaired_students(course: Course, kind: str) -> QuerySet[Any]:
    """Active registered students without a group of this kind."""
    User = get_user_model()
    taken = GroupMembership.objects.filter(course=course, kind=kind).values("student_id")
    return (
        User.objects.filter(pk__in=active_students(course).values("user_id"))
        .exclude(pk__in=taken)
        .order_by("last_name", "first_name", "username")
    )


def invitations_received(course: Course, kind: str, user: Any) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        course=course, kind=kind, to_user=user, status=Invitation.Status.PENDING
    ).select_related("from_user")


def invitations_sent(course: Course, kind: str, user: Any) -> QuerySet[Invitation]:
    return Invitation.objects.filter(course=course, kind=kind, from_user=user).select_related(
        "to_user"
    )[:20]


def proposals_of(group: Group) -> QuerySet[PaperProposal]:
    return (
        PaperProposal.objects.filter(group=group)
        .select_related("bib_entry")
        .order_by("-created_at")
    )


def approved_paper(group: Group) -> PaperProposal | None:
    return PaperProposal.objects.filter(group=group, status=PaperProposal.Status.APPROVED).first()


def taken_paper_keys(course: Course) -> set[str]:
    return set(
        PaperProposal.objects.filter(
            course=course, status=PaperProposal.Status.APPROVED
        ).values_list("paper_key", flat=True)
    )


def slots_of(course: Course, kind: str) -> QuerySet[TalkSlot]:
    return (
        TalkSlot.objects.filter(course=course, kind=kind)
        .select_related("session", "group")
        .order_by("starts_at")
    )


def slot_of(group: Group) -> TalkSlot | None:
    return TalkSlot.objects.filter(group=group).select_related("session").first()


def slides_of(group: Group) -> QuerySet[Slides]:
    return Slides.objects.filter(group=group).select_related("uploaded_by").order_by("-uploaded_at")


def rubric_scores_of(group: Group) -> QuerySet[RubricScore]:
    return RubricScore.objects.filter(group=group)


def leave_message(reason: rules.LeaveRefusal) -> str:
    messages = {
        rules.LeaveRefusal.NOT_MEMBER: _("You are not in this group."),
        rules.LeaveRefusal.GRADED: _(
            "Your group has already been graded; only the instructor can change it."
        ),
        rules.LeaveRefusal.SUBMISSIONS: _(
            "Your team has already handed in a milestone; only the instructor can change it."
        ),
        rules.LeaveRefusal.SLIDES: _(
            "Your pair has already uploaded slides; only the instructor can change it."
        ),
        rules.LeaveRefusal.TALK_SLOT: _(
            "Your group holds a talk slot; only the instructor can change it."
        ),
        rules.LeaveRefusal.PAPER_APPROVED: _(
            "Your pair's paper is approved; only the instructor can change it."
        ),
        rules.LeaveRefusal.PAPER_PROPOSED: _(
            "Your pair has proposed a paper; wait for the instructor's answer or ask them."
        ),
    }
    return str(messages[reason])


_LEAVE_FLAGS = (
    "is_member",
    "is_paper_approved",
    "is_paper_proposed",
    "is_talk_slot",
    "is_slides",
    "is_submissions",
    "is_scored",
    "is_milestone_graded",
    "is_overridden",
)


def leave_check(group: Group, user: Any) -> rules.LeaveRefusal | None:
    """The rule applied to the group's state now, read in one query."""
    here = {"group": OuterRef("pk")}
    row = (
        Group.objects.filter(pk=group.pk)
        .annotate(
            is_member=Exists(GroupMembership.objects.filter(**here, student_id=user.pk)),
            is_paper_approved=Exists(
                PaperProposal.objects.filter(**here, status=PaperProposal.Status.APPROVED)
            ),
            is_paper_proposed=Exists(
                PaperProposal.objects.filter(**here, status=PaperProposal.Status.PROPOSED)
            ),
            is_talk_slot=Exists(TalkSlot.objects.filter(**here)),
            is_slides=Exists(Slides.objects.filter(**here)),
            is_submissions=Exists(MilestoneSubmission.objects.filter(**here)),
            is_scored=Exists(RubricScore.objects.filter(**here)),
            is_milestone_graded=Exists(MilestoneGrade.objects.filter(**here)),
            is_overridden=Exists(
                GroupMembership.objects.filter(**here, grade_override__isnull=False)
            ),
        )
        .values(*_LEAVE_FLAGS)
        .first()
    )
    if row is None:  # dissolved meanwhile
        return rules.LeaveRefusal.NOT_MEMBER
    bindings = rules.GroupBindings(
        paper_approved=row["is_paper_approved"],
        paper_proposed=row["is_paper_proposed"],
        talk_slot=row["is_talk_slot"],
        slides=row["is_slides"],
        submissions=row["is_submissions"],
        graded=row["is_scored"] or row["is_milestone_graded"] or row["is_overridden"],
    )
    return rules.leave_refusal(is_member=row["is_member"], bindings=bindings)


def leave_refusal(group: Group, user: Any) -> str | None:
    """The message saying why `user` may not leave `group` now, or None (no lock: for pages)."""
    reason = leave_check(group, user)
    return None if reason is None else leave_message(reason)


def milestones_of(course: Course) -> QuerySet[Milestone]:
    return Milestone.objects.filter(course=course).order_by("order")


# --- what the student pages show -------------------------------------------------------------


def group_page(course: Course, kind: str, user: Any) -> dict[str, Any]:
    """What both group pages show of the user's group of this kind and its invitations."""
    group = group_of(course, kind, user)
    members = list(group.memberships.all()) if group else []
    page: dict[str, Any] = {
        "group": group,
        "members": members,
        "received": list(invitations_received(course, kind, user)),
        "sent": list(invitations_sent(course, kind, user)),
    }
    if group is not None:
        page["leave_refusal"] = leave_refusal(group, user)
        page["group_full"] = rules.group_is_full(len(members), group_size_for(course, kind))
    return page


def presentation_page(
    course: Course, group: Group, members: Sequence[GroupMembership], user: Any, now: dt.datetime
) -> dict[str, Any]:
    """A pair's paper, proposals, talk slot, slides and rubric, as its page shows them."""
    policy = course_policy(course, PresentationPolicy)
    proposals = list(proposals_of(group))
    paper = approved_paper(group)
    slot = slot_of(group)
    scores = {s.criterion: s for s in rubric_scores_of(group)}
    return {
        "proposals": proposals,
        "paper": paper,
        "open_proposal": any(p.status == PaperProposal.Status.PROPOSED for p in proposals),
        "slot": slot,
        # A pair picks its slot once its paper is approved.
        "slots": list(slots_of(course, GroupKind.PRESENTATION).filter(starts_at__gt=now))
        if paper
        else [],
        "slides": list(slides_of(group)),
        "slides_due": slides_due(course, slot),
        "rubric": [{"criterion": c, "score": scores.get(c.key)} for c in policy.rubric],
        "graded": rules.rubric_complete(scores, (c.key for c in policy.rubric)),
        "my_override": next(
            (m for m in members if m.student_id == user.pk and m.grade_override is not None),
            None,
        ),
    }


def team_page(course: Course, group: Group, now: dt.datetime) -> dict[str, Any]:
    """A team's milestones and talk slot, as its page shows them."""
    return {
        "rows": team_milestones(group, now),
        "slot": slot_of(group),
        "slots": list(slots_of(course, GroupKind.PROJECT).filter(starts_at__gt=now)),
    }


@dataclass
class MilestoneRow:
    milestone: Milestone
    submissions: list[MilestoneSubmission] = field(default_factory=list)
    grade: MilestoneGrade | None = None
    due: dt.datetime | None = None  # the team's due date, extensions included
    if_now: deadlines.Lateness | None = None  # a hand-in right now: late? at what cost?
    # The penalty that counts for each version (pk -> percent), an extension granted later
    # included.
    counted: dict[int, Decimal] = field(default_factory=dict)

    @property
    def latest(self) -> MilestoneSubmission | None:
        return self.submissions[0] if self.submissions else None

    @property
    def versions(self) -> list[tuple[MilestoneSubmission, Decimal]]:
        return [(s, self.counted.get(s.pk, s.penalty_percent)) for s in self.submissions]

    @property
    def final_percent(self) -> Decimal | None:
        if self.grade is None:
            return None
        latest = self.latest
        penalty = self.counted.get(latest.pk, latest.penalty_percent) if latest else Decimal(0)
        return deadlines.apply_penalty(self.grade.percent, 100, penalty)


def team_milestones(group: Group, now: dt.datetime | None = None) -> list[MilestoneRow]:
    """Each milestone with the team's due date, versions (latest first), the penalty that
    counts for each, what a hand-in now would cost, and the grade: five queries."""
    now = now or timezone.now()
    course = group.course
    milestones = list(milestones_of(course))
    policy = course_policy(course, ProjectPolicy).late_penalty
    keys = {m.pk: milestone_key(m.pk) for m in milestones}
    changes = due_changes_by_target(course, keys.values())
    member_ids = [m.student_id for m in group.memberships.all()]
    rows: dict[int, MilestoneRow] = {}
    for m in milestones:
        due = team_due_of(m, changes[keys[m.pk]], member_ids)
        rows[m.pk] = MilestoneRow(
            m,
            due=due,
            if_now=deadlines.assess_lateness(now, due, policy, tz=course.time_zone)
            if due is not None
            else None,
        )
    for sub in (
        MilestoneSubmission.objects.filter(group=group)
        .select_related("submitted_by")
        .order_by("-version")
    ):
        row = rows.get(sub.milestone_id)
        if row is not None:
            row.submissions.append(sub)
            lateness = counted_lateness(sub, row.due, policy, course.time_zone)
            row.counted[sub.pk] = lateness.penalty_percent if lateness else sub.penalty_percent
    for grade in MilestoneGrade.objects.filter(group=group):
        if grade.milestone_id in rows:
            rows[grade.milestone_id].grade = grade
    return list(rows.values())


# --- the staff's views of the class -----------------------------------------------------------


@dataclass
class ClassPair:
    """One presentation pair as the staff's page shows it."""

    group: Group
    paper: PaperProposal | None = None  # the approved paper
    waiting: PaperProposal | None = None  # the latest proposal awaiting an answer
    slot: TalkSlot | None = None
    slides: int = 0
    slides_late: bool = False
    graded: bool = False


@dataclass
class ClassPresentations:
    pairs: list[ClassPair]
    slots: list[TalkSlot]
    unpaired: list[Any]


def class_presentations(course: Course) -> ClassPresentations:
    """Every pair with its paper, slot, slides and grade; every slot; who has no pair.

    Seven queries whatever the class size.
    """
    kind = GroupKind.PRESENTATION
    pairs = {g.pk: ClassPair(g) for g in groups_of_course(course, kind)}
    for p in PaperProposal.objects.filter(course=course, group__kind=kind).order_by("created_at"):
        row = pairs.get(p.group_id)
        if row is None:
            continue
        if p.status == PaperProposal.Status.APPROVED:
            row.paper = p
        elif p.status == PaperProposal.Status.PROPOSED:
            row.waiting = p
    slots = list(slots_of(course, kind))
    for slot in slots:
        if slot.group_id in pairs:
            pairs[slot.group_id].slot = slot
    for s in Slides.objects.filter(group__course=course).only("group_id", "is_late"):
        if s.group_id in pairs:
            pairs[s.group_id].slides += 1
            pairs[s.group_id].slides_late = pairs[s.group_id].slides_late or s.is_late
    graded = set(
        RubricScore.objects.filter(group__course=course, group__kind=kind).values_list(
            "group_id", flat=True
        )
    )
    for pk in graded:
        if pk in pairs:
            pairs[pk].graded = True
    return ClassPresentations(list(pairs.values()), slots, list(unpaired_students(course, kind)))


@dataclass
class ClassTeam:
    """One project team and, per milestone (in the course's order), its latest hand-in and
    grade."""

    group: Group
    cells: list[tuple[MilestoneSubmission | None, MilestoneGrade | None]] = field(
        default_factory=list
    )


@dataclass
class ClassProjects:
    milestones: list[Milestone]
    teams: list[ClassTeam]
    unpaired: list[Any]


def class_projects(course: Course) -> ClassProjects:
    """Every team with its topic and, per milestone, the latest version and the grade; who
    has no team. Six queries whatever the class size."""
    kind = GroupKind.PROJECT
    milestones = list(milestones_of(course))
    groups = list(groups_of_course(course, kind))
    latest: dict[tuple[int, int], MilestoneSubmission] = {}
    for sub in MilestoneSubmission.objects.filter(group__course=course).order_by("version"):
        latest[(sub.group_id, sub.milestone_id)] = sub
    grades = {
        (g.group_id, g.milestone_id): g for g in MilestoneGrade.objects.filter(group__course=course)
    }
    teams = [
        ClassTeam(
            g,
            [(latest.get((g.pk, m.pk)), grades.get((g.pk, m.pk))) for m in milestones],
        )
        for g in groups
    ]
    return ClassProjects(milestones, teams, list(unpaired_students(course, kind)))


# --- schedule annotator ----------------------------------------------------------------------


def schedule_talks(
    course: Course, sessions: Sequence[Session], user: Any
) -> dict[int, list[ScheduleItem]]:
    """On presentations sessions each talk (paper, presenters, slides once given); on
    project-talks sessions the teams. At most five queries whatever the number of sessions.

    Students' names and slides are for the course's people only: on a public schedule an
    anonymous visitor sees the papers and the working titles."""
    wanted = [
        s.pk for s in sessions if s.kind in (Session.Kind.PRESENTATIONS, Session.Kind.PROJECT_TALKS)
    ]
    if not wanted:
        return {}
    now = timezone.now()
    slots = list(
        TalkSlot.objects.filter(session_id__in=wanted, group__isnull=False)
        .select_related("group")
        .prefetch_related(members_prefetch("group__memberships"))
        .order_by("starts_at")
    )
    group_ids = [s.group_id for s in slots]
    papers = {
        p.group_id: p
        for p in PaperProposal.objects.filter(
            group_id__in=group_ids, status=PaperProposal.Status.APPROVED
        )
    }
    latest_slides: dict[int, Slides] = {}
    for sl in Slides.objects.filter(group_id__in=group_ids).order_by("group_id", "-uploaded_at"):
        latest_slides.setdefault(sl.group_id, sl)
    insider = can(user, Action.VIEW_COURSE, course)
    zone = ZoneInfo(course.time_zone)
    result: dict[int, list[ScheduleItem]] = defaultdict(list)
    for slot in slots:
        group = slot.group
        if group is None:  # a free slot: no talk to show
            continue
        names = member_names(group)
        at = timezone.localtime(slot.starts_at, zone).strftime("%H:%M")
        if slot.kind == GroupKind.PRESENTATION:
            paper = papers.get(group.pk)
            title = paper.title if paper else _("paper to be announced")
            if insider:
                label = _("%(at)s · %(title)s — presented by %(names)s") % {
                    "at": at,
                    "title": title,
                    "names": names,
                }
            else:
                label = f"{at} · {title}"
            result[slot.session_id].append(
                ScheduleItem(label=label, url=paper.url if paper else "", css="talk")
            )
            slides = latest_slides.get(group.pk)
            if insider and slides is not None and slot.ends_at <= now:
                result[slot.session_id].append(
                    ScheduleItem(
                        label=_("Slides: %(title)s") % {"title": title},
                        url=reverse(
                            "projects_slides_file", kwargs={"code": course.code, "pk": slides.pk}
                        ),
                        css="talk-slides",
                    )
                )
        else:
            title = group.working_title or str(group)
            label = (
                _("%(at)s · %(title)s — %(names)s") % {"at": at, "title": title, "names": names}
                if insider
                else f"{at} · {title}"
            )
            result[slot.session_id].append(ScheduleItem(label=label, css="project-talk"))
    return dict(result)


# --- gradebook -------------------------------------------------------------------------------


def presentation_gradebook_items(course: Course) -> ScoresByStudent:
    """One item per student in a pair: the rubric total (or their own override). Four queries."""
    policy = course_policy(course, PresentationPolicy)
    possible = [c.points for c in policy.rubric]
    keys = {c.key for c in policy.rubric}
    scores: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for group_id, criterion, points in RubricScore.objects.filter(
        group__course=course, group__kind=GroupKind.PRESENTATION
    ).values_list("group_id", "criterion", "points"):
        if criterion in keys:
            scores[group_id][criterion] = points
    late = set(
        Slides.objects.filter(group__course=course, is_late=True).values_list("group_id", flat=True)
    )
    result: ScoresByStudent = {}
    label = Text(gettext_noop("Paper presentation"))
    for m in GroupMembership.objects.filter(course=course, kind=GroupKind.PRESENTATION):
        got = scores.get(m.group_id, {})
        note: str | Text = Text(gettext_noop("slides uploaded late")) if m.group_id in late else ""
        if m.grade_override is not None:
            item = ScoreItem(
                key="presentation",
                label=label,
                status=ScoreStatus.GRADED,
                percent=m.grade_override,
                raw_percent=m.grade_override,
                note=m.override_note or Text(gettext_noop("own grade set by the instructor")),
            )
        elif rules.rubric_complete(got, keys):
            pct = rules.rubric_percent(got.values(), possible)
            item = ScoreItem(
                key="presentation",
                label=label,
                status=ScoreStatus.GRADED,
                percent=pct,
                raw_percent=pct,
                note=note,
            )
        else:
            item = ScoreItem(key="presentation", label=label, status=ScoreStatus.PENDING)
        result[m.student_id] = [item]
    return result


def project_gradebook_items(course: Course, now: dt.datetime | None = None) -> ScoresByStudent:
    """One item per milestone per team member, carrying the milestone's weight. Five queries.

    Graded: the grade less the late penalty that counts for the latest version
    (course.deadlines.rules.penalty_that_counts: its own, lowered by a later extension). Missing: the date has passed and
    the team handed nothing in. Pending otherwise (to be announced, not due yet, not graded).
    """
    now = now or timezone.now()
    milestones = list(milestones_of(course))
    latest: dict[tuple[int, int], MilestoneSubmission] = {}
    for sub in MilestoneSubmission.objects.filter(group__course=course).order_by(
        "group_id", "milestone_id", "-version"
    ):
        latest.setdefault((sub.group_id, sub.milestone_id), sub)
    grades = {
        (g.group_id, g.milestone_id): g for g in MilestoneGrade.objects.filter(group__course=course)
    }
    memberships = list(
        GroupMembership.objects.filter(course=course, kind=GroupKind.PROJECT)
        .order_by("pk")
        .values_list("group_id", "student_id")
    )
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, student_id in memberships:
        members[group_id].append(student_id)
    changes = due_changes_by_target(course, [milestone_key(ms.pk) for ms in milestones])
    policy = course_policy(course, ProjectPolicy).late_penalty
    by_group: dict[int, list[ScoreItem]] = {}
    for group_id, ids in members.items():
        by_group[group_id] = [
            _milestone_item(
                ms,
                latest.get((group_id, ms.pk)),
                grades.get((group_id, ms.pk)),
                now,
                due=team_due_of(ms, changes[milestone_key(ms.pk)], ids),
                policy=policy,
                tz=course.time_zone,
            )
            for ms in milestones
        ]
    return {student_id: list(by_group[group_id]) for group_id, student_id in memberships}


def milestone_key(milestone_id: int) -> str:
    """The deadline target of a milestone, for course.deadlines extensions."""
    return deadlines.target_key("projects", "milestone", milestone_id)


def team_due_of(
    milestone: Milestone, changes: Sequence[deadlines.DueChange], member_ids: Sequence[int]
) -> dt.datetime | None:
    """The milestone's due date after extensions granted to the team or any of its members."""
    if milestone.due is None:
        return None
    return max(
        (deadlines.effective_due(milestone.due, changes, student_id=s) for s in member_ids),
        default=milestone.due,
    )


def counted_lateness(
    sub: MilestoneSubmission, due: dt.datetime | None, policy: LatePenalty, tz: str
) -> deadlines.Lateness | None:
    """The lateness that counts for a hand-in (course.deadlines.rules.penalty_that_counts)."""
    if due is None:
        return None
    return deadlines.penalty_that_counts(sub.penalty_percent, sub.submitted_at, due, policy, tz=tz)


def _milestone_item(
    milestone: Milestone,
    sub: MilestoneSubmission | None,
    grade: MilestoneGrade | None,
    now: dt.datetime,
    *,
    due: dt.datetime | None,
    policy: LatePenalty,
    tz: str,
) -> ScoreItem:
    key = f"milestone-{milestone.key}"
    if grade is not None:
        lateness = counted_lateness(sub, due, policy, tz) if sub else None
        penalty = (
            lateness.penalty_percent if lateness else (sub.penalty_percent if sub else Decimal(0))
        )
        note = Text(gettext_noop("late: %(p)s penalty"), p=Percent(penalty)) if penalty else ""
        return ScoreItem(
            key=key,
            label=milestone.label,
            status=ScoreStatus.GRADED,
            percent=deadlines.apply_penalty(grade.percent, 100, penalty),
            raw_percent=grade.percent,
            penalty_percent=penalty,
            weight=milestone.weight,
            note=note,
        )
    if sub is None and milestone.due is not None and milestone.due < now:
        return ScoreItem(
            key=key,
            label=milestone.label,
            status=ScoreStatus.MISSING,
            weight=milestone.weight,
            note=Text(gettext_noop("nothing handed in")),
        )
    return ScoreItem(
        key=key, label=milestone.label, status=ScoreStatus.PENDING, weight=milestone.weight
    )


def gradebook_items(course: Course) -> ScoresByStudent:
    """Both components together (keys "presentation" and "milestone-*"); grading/ should prefer
    presentation_gradebook_items and project_gradebook_items, one per grade component."""
    merged: ScoresByStudent = defaultdict(list)
    for part in (presentation_gradebook_items(course), project_gradebook_items(course)):
        for student, items in part.items():
            merged[student].extend(items)
    return dict(merged)


def watched_milestones(course: Course) -> dict[str, Watched]:
    """For the syllabus loader: every milestone's date; moving one with hand-ins needs the
    instructor's confirmation (its weight is the policy's, shown with the policies)."""
    tz = ZoneInfo(course.time_zone)
    out = {}
    for m in (
        Milestone.objects.filter(course=course)
        .annotate(n_submissions=Count("submissions"))
        .order_by("pk")
    ):
        # Compared before and after a load in the same request: read in its language.
        due = (
            _("due %(due)s") % {"due": f"{m.due.astimezone(tz):%Y-%m-%d %H:%M}"}
            if m.due
            else _("to be announced")
        )
        out[f"milestone:{m.pk}"] = Watched(
            label=_("Milestone “%(label)s”") % {"label": m.label},
            state=due,
            work=_("%(n)s hand-ins") % {"n": m.n_submissions} if m.n_submissions else "",
        )
    return out
