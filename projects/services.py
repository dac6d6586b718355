"""Writes of presentations and projects: each in one transaction, concurrency decided by the DB.

Every function raises django.core.exceptions.ValidationError with a dict naming the field when
the input or the state refuses the write; views turn that into a 400 with the message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from course.deadlines import rules as deadlines
from course.deadlines.selectors import due_changes_by_target
from course.links import link_problem
from course.models import BibliographyEntry, Course, Session
from course.permissions import is_registered_student
from course.rules import local_datetime, week_allows_talks
from course.selectors import course_policy
from course.uploads.validation import UploadRefused, validate_upload

from . import rules
from .models import (
    Group,
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
from .policy import PresentationPolicy, ProjectPolicy
from .selectors import (
    group_size_for,
    leave_check,
    leave_message,
    milestone_key,
    slides_due,
    slides_late,
    team_due_of,
)


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _membership(course: Course, kind: str, user: Any) -> GroupMembership | None:
    return (
        GroupMembership.objects.filter(course=course, kind=kind, student=user)
        .select_related("group")
        .first()
    )


def is_member(group: Group, user: Any) -> bool:
    return GroupMembership.objects.filter(group=group, student=user).exists()


def _lock_as_member(group: Group, user: Any, field: str, message: str) -> None:
    """Inside a transaction: lock `group` as group_leave locks it, and check that `user` is
    still in it. What binds a group (a proposal, slides, a slot, a milestone version) is then
    added either before a leave, which refuses, or after it, which this refuses. The student,
    then the group, in group_leave's order: the two never deadlock."""
    list(get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk))
    locked = Group.objects.select_for_update().filter(pk=group.pk).first()
    if locked is None or not is_member(locked, user):
        raise _fail(field, message)


# --- groups and invitations ------------------------------------------------------------------


def invitation_send(
    *, course: Course, kind: str, from_user: Any, to_user: Any, now: dt.datetime
) -> Invitation:
    if from_user == to_user:
        raise _fail("to_user", _("You cannot invite yourself."))
    if not is_registered_student(from_user, course):
        raise _fail("to_user", _("Only registered students form groups."))
    if not is_registered_student(to_user, course):
        raise _fail("to_user", _("Only registered students of the course can be invited."))
    if _membership(course, kind, to_user) is not None:
        raise _fail("to_user", _("This student is already in a group."))
    own = _membership(course, kind, from_user)
    if own is not None:
        size = GroupMembership.objects.filter(group=own.group).count()
        if rules.group_is_full(size, group_size_for(course, kind)):
            raise _fail("to_user", _("Your group is already complete."))
    try:
        with transaction.atomic():
            return Invitation.objects.create(
                course=course, kind=kind, from_user=from_user, to_user=to_user, created_at=now
            )
    except IntegrityError:
        raise _fail("to_user", _("You have already invited this student.")) from None


def invitation_accept(*, invitation: Invitation, user: Any, now: dt.datetime) -> Group:
    """The invitee joins the inviter's group (made now if the inviter had none).

    Fails cleanly when either is already in a full group or the invitee in any group of that
    kind: the unique (course, kind, student) constraint decides under concurrency.
    """
    try:
        with transaction.atomic():
            # Lock both people (in id order, so two acceptances never deadlock): whatever else
            # either of them accepts at the same moment waits, then sees the new group.
            people = sorted({invitation.from_user_id, invitation.to_user_id})
            list(get_user_model().objects.select_for_update().filter(pk__in=people).order_by("pk"))
            inv = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if inv.to_user_id != user.pk:
                raise _fail("invitation", _("This invitation is not addressed to you."))
            if inv.status != Invitation.Status.PENDING:
                raise _fail("invitation", _("This invitation has already been answered."))
            course, kind = inv.course, inv.kind
            if _membership(course, kind, user) is not None:
                raise _fail("invitation", _("You are already in a group."))
            own = _membership(course, kind, inv.from_user)
            if own is not None:
                group = Group.objects.select_for_update().get(pk=own.group_id)
                size = GroupMembership.objects.filter(group=group).count()
                if rules.group_is_full(size, group_size_for(course, kind)):
                    raise _fail("invitation", _("That group is already complete."))
            else:
                group = Group.objects.create(course=course, kind=kind)
                GroupMembership.objects.create(
                    group=group, course=course, kind=kind, student=inv.from_user
                )
            GroupMembership.objects.create(group=group, course=course, kind=kind, student=user)
            inv.status = Invitation.Status.ACCEPTED
            inv.responded_at = now
            inv.save(update_fields=["status", "responded_at"])
            # Nobody else can still bring the invitee into another group of this kind.
            Invitation.objects.filter(
                course=course, kind=kind, to_user=user, status=Invitation.Status.PENDING
            ).update(status=Invitation.Status.CANCELLED, responded_at=now)
            size = GroupMembership.objects.filter(group=group).count()
            if rules.group_is_full(size, group_size_for(course, kind)):
                Invitation.objects.filter(
                    course=course,
                    kind=kind,
                    from_user__in=group.memberships.values("student"),
                    status=Invitation.Status.PENDING,
                ).update(status=Invitation.Status.CANCELLED, responded_at=now)
            return group
    except IntegrityError:
        raise _fail(
            "invitation",
            _("One of you has just joined another group; the invitation cannot be accepted."),
        ) from None


def _invitation_close(
    *,
    invitation: Invitation,
    now: dt.datetime,
    status: str,
    may: Callable[[Invitation], bool],
    refusal: str,
) -> Invitation:
    """A pending invitation closed by one of its two people (`may` says who), under lock."""
    with transaction.atomic():
        inv = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not may(inv):
            raise _fail("invitation", refusal)
        if inv.status != Invitation.Status.PENDING:
            raise _fail("invitation", _("This invitation has already been answered."))
        inv.status = status
        inv.responded_at = now
        inv.save(update_fields=["status", "responded_at"])
        return inv


def invitation_decline(*, invitation: Invitation, user: Any, now: dt.datetime) -> Invitation:
    return _invitation_close(
        invitation=invitation,
        now=now,
        status=Invitation.Status.DECLINED,
        may=lambda inv: inv.to_user_id == user.pk,
        refusal=_("This invitation is not addressed to you."),
    )


def invitation_cancel(*, invitation: Invitation, user: Any, now: dt.datetime) -> Invitation:
    return _invitation_close(
        invitation=invitation,
        now=now,
        status=Invitation.Status.CANCELLED,
        may=lambda inv: inv.from_user_id == user.pk,
        refusal=_("Only the sender can withdraw an invitation."),
    )


def group_create(*, course: Course, kind: str, students: Sequence[Any], name: str = "") -> Group:
    """The instructor forms a group of any size (a trio, a solo)."""
    if not students:
        raise _fail("students", _("A group needs at least one student."))
    try:
        with transaction.atomic():
            group = Group.objects.create(course=course, kind=kind, name=name)
            GroupMembership.objects.bulk_create(
                GroupMembership(group=group, course=course, kind=kind, student=s) for s in students
            )
            return group
    except IntegrityError:
        raise _fail("students", _("A student is already in a group of this kind.")) from None


def group_leave(*, group: Group, user: Any, now: dt.datetime) -> Group | None:
    """`user` leaves `group` while nothing binds it; returns the group, or None if dissolved.

    Locks the members (in id order, as invitation_accept does, so the two never deadlock)
    and then the group, and checks the rule again under the lock. A group left with fewer
    than two members is deleted: the partner is unpaired. Pending invitations sent by or to
    the members for this kind of group are withdrawn. The departure is recorded
    (GroupDeparture): the members who stay are told, and the admin keeps the trail.
    """
    with transaction.atomic():
        people = sorted(
            {
                user.pk,
                *GroupMembership.objects.filter(group=group).values_list("student_id", flat=True),
            }
        )
        list(get_user_model().objects.select_for_update().filter(pk__in=people).order_by("pk"))
        locked = Group.objects.select_for_update().filter(pk=group.pk).first()
        if locked is None:
            raise _fail("group", leave_message(rules.LeaveRefusal.NOT_MEMBER))
        members = list(
            GroupMembership.objects.filter(group=locked).values_list("student_id", flat=True)
        )
        reason = leave_check(locked, user)
        if reason is not None:
            raise _fail("group", leave_message(reason))
        Invitation.objects.filter(
            Q(from_user_id__in=members) | Q(to_user_id__in=members),
            course_id=locked.course_id,
            kind=locked.kind,
            status=Invitation.Status.PENDING,
        ).update(status=Invitation.Status.CANCELLED, responded_at=now)
        GroupMembership.objects.filter(group=locked, student=user).delete()
        dissolved = rules.dissolves_group(len(members) - 1)
        departure = GroupDeparture.objects.create(
            course_id=locked.course_id,
            kind=locked.kind,
            group=None if dissolved else locked,
            group_name=str(locked)[:200],
            student=user,
            dissolved=dissolved,
            left_at=now,
        )
        departure.remaining.set([pk for pk in members if pk != user.pk])
        if dissolved:
            locked.delete()
            return None
        return locked


def pair_the_unpaired(*, course: Course, kind: str, seed: int | str) -> list[Group]:
    """Every active student without a group of this kind is put in one (a trio when odd)."""
    from .selectors import unpaired_students

    with transaction.atomic():
        students = list(unpaired_students(course, kind))
        groups = rules.pair_unpaired(students, group_size_for(course, kind), seed)
        return [group_create(course=course, kind=kind, students=g) for g in groups]


def project_choice_set(*, group: Group, topic: str, project_kind: str, working_title: str) -> Group:
    if group.kind != GroupKind.PROJECT:
        raise _fail("topic", _("Only a project team chooses a topic."))
    policy = course_policy(group.course, ProjectPolicy)
    if policy.topics and topic not in policy.topics:
        raise _fail("topic", _("Choose one of the course's topic areas."))
    if policy.kinds and project_kind not in policy.kinds:
        raise _fail("project_kind", _("Choose one of the kinds of project."))
    working_title = working_title.strip()
    if len(working_title) > 300:
        raise _fail("working_title", _("The working title is too long (300 characters at most)."))
    group.topic, group.project_kind, group.working_title = topic, project_kind, working_title
    group.save(update_fields=["topic", "project_kind", "working_title"])
    return group


# --- papers ----------------------------------------------------------------------------------


def paper_propose(
    *,
    group: Group,
    user: Any,
    title: str,
    authors: str = "",
    url: str = "",
    why: str = "",
    bib_entry: BibliographyEntry | None = None,
    now: dt.datetime,
) -> PaperProposal:
    if group.kind != GroupKind.PRESENTATION:
        raise _fail("title", _("Only a presentation pair proposes a paper."))
    if bib_entry is not None:
        if bib_entry.course_id != group.course_id:
            raise _fail("bib_entry", _("This entry is not in the course bibliography."))
        title = title.strip() or bib_entry.title
        authors = authors.strip() or bib_entry.authors
        url = url.strip() or bib_entry.url
    title = title.strip()
    if not title:
        raise _fail("title", _("Give the paper's title."))
    if not url.strip() and bib_entry is None:
        raise _fail("url", _("Give a link to the paper or choose it from the bibliography."))
    if url.strip() and link_problem(url.strip()) is not None:
        raise _fail("url", _("Give a full link starting with https://."))
    key = rules.paper_key(
        url=url,
        bib_entry_id=bib_entry.pk if bib_entry else None,
        bib_entry_url=bib_entry.url if bib_entry else "",
    )
    course = group.course
    if PaperProposal.objects.filter(group=group, status=PaperProposal.Status.APPROVED).exists():
        raise _fail("title", _("Your pair already has an approved paper."))
    if PaperProposal.objects.filter(
        course=course, paper_key=key, status=PaperProposal.Status.APPROVED
    ).exists():
        raise _fail("url", _("Another pair already presents this paper; choose another one."))
    try:
        with transaction.atomic():
            _lock_as_member(group, user, "title", _("You are not in this group."))
            return PaperProposal.objects.create(
                course=course,
                group=group,
                title=title[:400],
                authors=authors.strip()[:400],
                url=url.strip()[:500],
                why=why.strip(),
                bib_entry=bib_entry,
                paper_key=key,
                proposed_by=user,
                created_at=now,
            )
    except IntegrityError:
        raise _fail(
            "title", _("Your pair already has a proposal waiting for the instructor's answer.")
        ) from None


def paper_decide(
    *, proposal: PaperProposal, approve: bool, comment: str = "", now: dt.datetime
) -> PaperProposal:
    """Approve or reject; two groups can never hold the same approved paper (DB constraint)."""
    try:
        with transaction.atomic():
            p = PaperProposal.objects.select_for_update().get(pk=proposal.pk)
            p.status = PaperProposal.Status.APPROVED if approve else PaperProposal.Status.REJECTED
            p.instructor_comment = comment.strip()
            p.decided_at = now
            p.save(update_fields=["status", "instructor_comment", "decided_at"])
            return p
    except IntegrityError:
        raise _fail(
            "status",
            _("Another pair already holds this paper, or this pair already has an approved paper."),
        ) from None


def group_has_approved_paper(group: Group) -> bool:
    return PaperProposal.objects.filter(group=group, status=PaperProposal.Status.APPROVED).exists()


# --- talk slots ------------------------------------------------------------------------------


def _talk_minutes(course: Course, kind: str) -> int | None:
    if kind == GroupKind.PRESENTATION:
        return course_policy(course, PresentationPolicy).talk_minutes
    for m in course_policy(course, ProjectPolicy).milestones:
        if m.kind == "talk" and m.talk_minutes:
            return m.talk_minutes
    return None


def talk_slots_sync(*, course: Course) -> int:
    """Make the slots of every presentations and project-talks session; idempotent.

    Presentation sessions before the syllabus's first allowed week get no slot. Slots that no
    longer fit (a session shortened) are removed only when nobody holds them.
    """
    policy = course_policy(course, PresentationPolicy)
    wanted: list[TalkSlot] = []
    sessions = Session.objects.filter(
        course=course, kind__in=[Session.Kind.PRESENTATIONS, Session.Kind.PROJECT_TALKS]
    )
    for session in sessions:
        if session.kind == Session.Kind.PRESENTATIONS:
            kind = GroupKind.PRESENTATION
            if not week_allows_talks(course.term_start, session.date, policy.first_allowed_week):
                continue
        else:
            kind = GroupKind.PROJECT
        minutes = _talk_minutes(course, kind)
        if not minutes:
            continue
        for t in rules.talk_slot_times(
            session.starts_at,
            session.ends_at,
            talk_minutes=minutes,
            changeover_minutes=policy.changeover_minutes,
        ):
            wanted.append(
                TalkSlot(
                    course=course,
                    session=session,
                    kind=kind,
                    index=t.index,
                    starts_at=t.starts_at,
                    ends_at=t.ends_at,
                )
            )
    with transaction.atomic():
        keep = {(s.session_id, s.starts_at) for s in wanted}
        stale = [
            s.pk
            for s in TalkSlot.objects.filter(course=course, group__isnull=True)
            if (s.session_id, s.starts_at) not in keep
        ]
        if stale:
            TalkSlot.objects.filter(pk__in=stale, group__isnull=True).delete()
        existing = set(
            TalkSlot.objects.filter(course=course).values_list("session_id", "starts_at")
        )
        new = [s for s in wanted if (s.session_id, s.starts_at) not in existing]
        TalkSlot.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def after_syllabus_load(course: Course) -> None:
    """Run in the syllabus-loading transaction: milestones and talk slots follow the file."""
    milestones_sync(course=course)
    talk_slots_sync(course=course)


def _claim(*, slot: TalkSlot, group: Group, now: dt.datetime) -> TalkSlot:
    try:
        with transaction.atomic():
            TalkSlot.objects.filter(group=group).exclude(pk=slot.pk).update(
                group=None, taken_at=None
            )
            won = TalkSlot.objects.filter(pk=slot.pk, group__isnull=True).update(
                group=group, taken_at=now
            )
            if not won and not TalkSlot.objects.filter(pk=slot.pk, group=group).exists():
                raise _fail("slot", _("Another group has just taken this slot; pick another one."))
    except IntegrityError:
        raise _fail("slot", _("Your group already holds a slot.")) from None
    return TalkSlot.objects.select_related("session", "group").get(pk=slot.pk)


def talk_slot_pick(*, slot: TalkSlot, group: Group, user: Any, now: dt.datetime) -> TalkSlot:
    """A group picks (or moves to) a free slot; of two groups racing for one slot, one wins."""
    if not is_member(group, user):
        raise _fail("slot", _("You are not in this group."))
    if slot.course_id != group.course_id or slot.kind != group.kind:
        raise _fail("slot", _("This slot is not for your kind of talk."))
    if group.kind == GroupKind.PRESENTATION and not group_has_approved_paper(group):
        raise _fail("slot", _("Your pair can pick a slot once its paper is approved."))
    if slot.starts_at <= now:
        raise _fail("slot", _("This slot is in the past."))
    with transaction.atomic():
        _lock_as_member(group, user, "slot", _("You are not in this group."))
        return _claim(slot=slot, group=group, now=now)


def talk_slot_assign(*, slot: TalkSlot, group: Group | None, now: dt.datetime) -> TalkSlot:
    """The instructor gives a slot to a group (moving it from its previous one) or frees it."""
    if group is None:
        TalkSlot.objects.filter(pk=slot.pk).update(group=None, taken_at=None)
        slot.refresh_from_db()
        return slot
    if slot.kind != group.kind or slot.course_id != group.course_id:
        raise _fail("group", _("This slot is not for this kind of group."))
    if slot.group_id and slot.group_id != group.pk:
        raise _fail("group", _("This slot is held by another group; free it first."))
    return _claim(slot=slot, group=group, now=now)


# --- uploads (validated by the shared course.uploads) -----------------------------------------


def validate_pdf(upload: UploadedFile, field: str = "file") -> None:
    try:
        validate_upload(upload, "pdf")
    except UploadRefused as exc:
        raise ValidationError({field: exc.messages}) from None


def slides_upload(*, group: Group, user: Any, upload: UploadedFile, now: dt.datetime) -> Slides:
    if group.kind != GroupKind.PRESENTATION:
        raise _fail("file", _("Only a presentation pair uploads slides."))
    if not is_member(group, user):
        raise _fail("file", _("You are not in this group."))
    validate_pdf(upload)
    due = slides_due(group.course, TalkSlot.objects.filter(group=group).first())
    with transaction.atomic():
        _lock_as_member(group, user, "file", _("You are not in this group."))
        return Slides.objects.create(
            group=group,
            file=upload,
            original_name=(upload.name or "slides.pdf")[:255],
            uploaded_by=user,
            uploaded_at=now,
            due_at=due,
            is_late=slides_late(due, now),
        )


def rubric_score_set(
    *, group: Group, criterion: str, points: Decimal, feedback: str = "", by: Any = None
) -> RubricScore:
    rubric = {c.key: c for c in course_policy(group.course, PresentationPolicy).rubric}
    if criterion not in rubric:
        raise _fail("criterion", _("This criterion is not in the rubric."))
    if points < 0 or points > rubric[criterion].points:
        raise _fail(
            "points",
            _("Points must be between 0 and %(max)s.") % {"max": rubric[criterion].points},
        )
    score, _created = RubricScore.objects.update_or_create(
        group=group,
        criterion=criterion,
        defaults={"points": points, "feedback": feedback, "graded_by": by},
    )
    return score


# --- milestones ------------------------------------------------------------------------------


def _aware_due(course: Course, due: dt.datetime | dt.date | None) -> dt.datetime | None:
    if due is None:
        return None
    if isinstance(due, dt.datetime):
        if due.tzinfo is None:
            return local_datetime(due.date(), due.time(), course.time_zone)
        return due
    return local_datetime(due, dt.time(23, 59), course.time_zone)


def milestones_sync(*, course: Course) -> list[Milestone]:
    """Milestones from the syllabus policy; a date given in the admin for a TBA one is kept.

    A milestone dropped from the file is deleted, or kept with weight 0 when the teams already
    handed something in or were graded (their work is never deleted by a reload)."""
    specs = course_policy(course, ProjectPolicy).milestones
    existing = {m.key: m for m in Milestone.objects.filter(course=course)}
    result = []
    with transaction.atomic():
        for order, spec in enumerate(specs):
            due = _aware_due(course, spec.due)
            values = {
                "label": spec.label,
                "kind": spec.kind,
                "weight": spec.weight,
                "talk_minutes": spec.talk_minutes,
                "accepts_pdf": "pdf" in spec.accepts,
                "accepts_link": "link" in spec.accepts,
                "order": order,
            }
            m = existing.get(spec.key)
            if m is None:
                m = Milestone.objects.create(course=course, key=spec.key, due=due, **values)
            else:
                for k, v in values.items():
                    setattr(m, k, v)
                if due is not None:
                    m.due = due
                m.save()
            result.append(m)
        # Dropped from the file: deleted when nothing hangs on it, else kept with weight 0.
        gone = [m for key, m in existing.items() if key not in {s.key for s in specs}]
        for m in gone:
            if m.submissions.exists() or m.grades.exists():
                if m.weight:
                    m.weight = Decimal(0)
                    m.save(update_fields=["weight"])
            else:
                m.delete()
    return result


def milestone_date_set(
    *, milestone: Milestone, due: dt.datetime | None, now: dt.datetime
) -> Milestone:
    """Set (or move) a milestone's date, e.g. one that was to be announced.

    The single place where a date changes by hand. `due_set_at` records when, and the
    notifications reminder source (projects.reminders) tells every team member once per date.
    """
    milestone.due = due
    milestone.due_set_at = now if due is not None else None
    milestone.save(update_fields=["due", "due_set_at"])
    return milestone


def team_due(group: Group, milestone: Milestone) -> dt.datetime | None:
    """The milestone's due date after extensions granted to the team or any of its members."""
    if milestone.due is None:
        return None
    key = milestone_key(milestone.pk)
    changes = due_changes_by_target(group.course, [key])[key]
    members = list(group.memberships.values_list("student_id", flat=True))
    return team_due_of(milestone, changes, members)


def milestone_submit(
    *,
    group: Group,
    milestone: Milestone,
    user: Any,
    now: dt.datetime,
    upload: UploadedFile | None = None,
    link: str = "",
) -> MilestoneSubmission:
    """One member hands in a new version for the team; the latest version counts."""
    if group.kind != GroupKind.PROJECT or milestone.course_id != group.course_id:
        raise _fail("milestone", _("This milestone is not your team's."))
    if not is_member(group, user):
        raise _fail("milestone", _("You are not in this team."))
    link = link.strip()
    if upload is None and not link:
        raise _fail("file", _("Upload a PDF or give a link."))
    if upload is not None and not milestone.accepts_pdf:
        raise _fail("file", _("This milestone takes a link, not a file."))
    if link and not milestone.accepts_link:
        raise _fail("link", _("This milestone takes a PDF, not a link."))
    if upload is not None:
        validate_pdf(upload)
    if link and link_problem(link) is not None:
        raise _fail("link", _("Give a full link starting with https://."))
    due = team_due(group, milestone)
    penalty = Decimal(0)
    late = False
    if due is not None:
        policy = course_policy(group.course, ProjectPolicy).late_penalty
        assessed = deadlines.assess_lateness(now, due, policy, tz=group.course.time_zone)
        if not assessed.accepted:
            raise _fail("file", _("The deadline's cut-off has passed; nothing more is accepted."))
        late, penalty = assessed.is_late, assessed.penalty_percent
    with transaction.atomic():
        _lock_as_member(group, user, "milestone", _("You are not in this team."))
        last = MilestoneSubmission.objects.filter(group=group, milestone=milestone).aggregate(
            v=Max("version")
        )["v"]
        sub = MilestoneSubmission(
            group=group,
            milestone=milestone,
            version=(last or 0) + 1,
            link=link[:500],
            submitted_by=user,
            submitted_at=now,
            due_at=due,
            is_late=late,
            penalty_percent=penalty,
        )
        if upload is not None:
            sub.original_name = (upload.name or "submission.pdf")[:255]
            sub.file.save(upload.name or "submission.pdf", upload, save=False)
        sub.save()
        return sub


def milestone_grade_set(
    *, group: Group, milestone: Milestone, percent: Decimal, feedback: str = "", by: Any = None
) -> MilestoneGrade:
    _check_percent(percent)
    grade, _created = MilestoneGrade.objects.update_or_create(
        group=group,
        milestone=milestone,
        defaults={"percent": percent, "feedback": feedback, "graded_by": by},
    )
    return grade


def milestone_grade_change(*, grade: MilestoneGrade, by: Any = None) -> MilestoneGrade:
    """A grade row edited in place (its milestone, percent or feedback), by the grader `by`."""
    _check_percent(grade.percent)
    grade.graded_by = by
    try:
        with transaction.atomic():
            grade.save()
    except IntegrityError:
        raise _fail("milestone", _("This milestone already has a grade.")) from None
    return grade


def _check_percent(percent: Decimal) -> None:
    if not Decimal(0) <= percent <= Decimal(100):
        raise _fail("percent", _("A grade is between 0 and 100."))


def milestone_grade_remove(*, grade: MilestoneGrade) -> None:
    MilestoneGrade.objects.filter(pk=grade.pk).delete()


def membership_save(*, group: Group, membership: GroupMembership) -> GroupMembership:
    """The instructor puts a student in `group`, or sets a member's own grade: the member takes
    the group's course and kind; one group of a kind per student (the database decides)."""
    membership.group = group
    membership.course_id = group.course_id
    membership.kind = group.kind
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise _fail("student", _("A student is already in a group of this kind.")) from None
    return membership


def membership_remove(*, membership: GroupMembership) -> None:
    """The instructor takes a student out of a group (any size stays: the instructor decides)."""
    GroupMembership.objects.filter(pk=membership.pk).delete()
