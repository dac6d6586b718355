"""Writes of the course: enrolment and seats, roster import, calendar feed addresses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from . import rules
from .accounts import rules as account_rules
from .accounts import services as account_services
from .models import CalendarFeedToken, Course, Enrolment, User
from .permissions import account_editable_by
from .roster import RosterError, parse_roster


def seats_rebalance(*, course: Course) -> rules.SeatPlan:
    """Apply the seating rule: registered students first, auditors in request order.

    Runs under a lock on the course row so two concurrent enrolments cannot both take the
    last seat.
    """
    with transaction.atomic():
        Course.objects.select_for_update().get(pk=course.pk)
        registered = Enrolment.objects.filter(
            course=course, role=Enrolment.Role.STUDENT, status=Enrolment.Status.ACTIVE
        ).count()
        auditors = list(
            Enrolment.objects.filter(course=course, role=Enrolment.Role.AUDITOR)
            .exclude(status=Enrolment.Status.DROPPED)
            .order_by("requested_at", "pk")
            .values_list("pk", flat=True)
        )
        plan = rules.allocate_auditor_seats(
            capacity=course.seat_capacity,
            registered_students=registered,
            auditors_by_request=auditors,
        )
        Enrolment.objects.filter(pk__in=plan.admitted).exclude(
            status=Enrolment.Status.ACTIVE
        ).update(status=Enrolment.Status.ACTIVE)
        Enrolment.objects.filter(pk__in=plan.waitlisted).exclude(
            status=Enrolment.Status.WAITLISTED
        ).update(status=Enrolment.Status.WAITLISTED)
    return plan


def enrolment_set(
    *,
    course: Course,
    user: User,
    role: str,
    now: datetime,
    student_id: str = "",
) -> Enrolment:
    """Enrol (or re-enrol, or change the role of) a person, then re-seat the auditors.

    The account itself is left alone: an instructor or TA role opens the admin for this course
    through the enrolment (course/admin_scoping.py), never through site-wide flags or groups.
    """
    return enrolment_join(
        course=course, user=user, role=role, now=now, student_id=student_id
    ).enrolment


@dataclass(frozen=True)
class EnrolmentJoin:
    enrolment: Enrolment
    joined: bool  # new in the course, or back after a drop
    welcome: str | None  # "invitation" or "notice" when one was sent


def enrolment_join(
    *,
    course: Course,
    user: User,
    role: str,
    now: datetime,
    student_id: str = "",
    welcome: bool = False,
    invited_by: User | None = None,
) -> EnrolmentJoin:
    """enrolment_set, and with `welcome` a person who just joined is told: an invitation to
    choose a password if they have none, else a notice that they were added. The account
    itself is left alone: an instructor or TA role opens the admin for this course through the
    enrolment (course/admin_scoping.py), never through site-wide flags or groups."""
    with transaction.atomic():
        enrolment, created = Enrolment.objects.get_or_create(
            course=course,
            user=user,
            defaults={"role": role, "student_id": student_id, "requested_at": now},
        )
        joined = created
        if not created:
            joined = enrolment.status == Enrolment.Status.DROPPED
            changed = enrolment.role != role or joined
            enrolment.role = role
            if student_id:
                enrolment.student_id = student_id
            if changed:
                enrolment.status = Enrolment.Status.ACTIVE
                if role == Enrolment.Role.AUDITOR:
                    enrolment.requested_at = now
            enrolment.save()
        seats_rebalance(course=course)
        sent: str | None = None
        if welcome and joined and user.is_active:
            sent = account_services.person_welcome(
                enrolment=enrolment, invited_by=invited_by, now=now
            ).value
    enrolment.refresh_from_db()
    return EnrolmentJoin(enrolment, joined, sent)


def enrolment_drop(*, enrolment: Enrolment) -> None:
    with transaction.atomic():
        enrolment.status = Enrolment.Status.DROPPED
        enrolment.save(update_fields=["status", "updated_at"])
        seats_rebalance(course=enrolment.course)


@dataclass
class RosterImportResult:
    created: int
    updated: int
    errors: list[RosterError]
    # Accounts that also belong to other courses (or are site staff): enrolled, but their
    # name is theirs and the other courses' too, so the file's name was not applied.
    names_kept: int = 0
    invitations: int = 0  # sent to people who cannot sign in yet
    notices: int = 0  # "you were added" to people who already can

    @property
    def ok(self) -> bool:
        return not self.errors


def roster_import(
    *, course: Course, text: str, now: datetime, invited_by: User | None = None
) -> RosterImportResult:
    """Create or update every participant; any bad row refuses the whole file.

    A person is matched by e-mail. The import sets enrolments in its own course only; it
    renames an existing account only when that account belongs to no other course and gives
    no site-wide access (``account_editable_by``). Each person new to the course is welcomed:
    an invitation to choose a password, or a notice for someone who can already sign in.
    """
    rows, errors = parse_roster(text, max_lengths=ROSTER_MAX_LENGTHS)
    errors += [
        RosterError(row.line, problem)
        for row in rows
        if (problem := account_rules.name_problem(f"{row.first_name} {row.last_name}"))
    ]
    if errors:
        return RosterImportResult(0, 0, sorted(errors, key=lambda e: e.line))
    created = updated = names_kept = invitations = notices = 0
    with transaction.atomic():
        existing = {
            u.email.lower(): u for u in User.objects.filter(email__in=[r.email for r in rows])
        }
        courses_of: dict[int, set[int]] = {}
        for user_id, course_id in Enrolment.objects.filter(
            user__in=list(existing.values())
        ).values_list("user_id", "course_id"):
            courses_of.setdefault(user_id, set()).add(course_id)
        for row in rows:
            user = existing.get(row.email)
            if user is None:
                user = User.objects.create_user(
                    username=_free_username(row.email),
                    email=row.email,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    # Until they choose, they hear from the course in its own language.
                    preferred_language=course.instruction_language,
                )
                created += 1
            else:
                if account_editable_by(
                    privileged=user.is_staff or user.is_superuser,
                    account_course_ids=courses_of.get(user.pk, set()),
                    editor_course_ids={course.pk},
                ):
                    user.first_name, user.last_name = row.first_name, row.last_name
                    user.save(update_fields=["first_name", "last_name"])
                else:
                    names_kept += 1
                updated += 1
            join = enrolment_join(
                course=course,
                user=user,
                role=row.role,
                now=now,
                student_id=row.student_id,
                welcome=True,
                invited_by=invited_by,
            )
            invitations += join.welcome == account_rules.Welcome.INVITATION
            notices += join.welcome == account_rules.Welcome.NOTICE
    return RosterImportResult(created, updated, [], names_kept, invitations, notices)


def _max_length(model: type[Any], name: str) -> int:
    return int(model._meta.get_field(name).max_length)


# What an account and an enrolment hold: a longer value in the file is that line's error.
ROSTER_MAX_LENGTHS = {
    "first_name": _max_length(User, "first_name"),
    "last_name": _max_length(User, "last_name"),
    "email": _max_length(User, "email"),
    "student_id": _max_length(Enrolment, "student_id"),
}


def _free_username(email: str) -> str:
    base = email.split("@")[0][:140] or "user"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def feed_token_get_or_create(*, course: Course, user: User) -> CalendarFeedToken:
    token = CalendarFeedToken.objects.filter(
        course=course, user=user, revoked_at__isnull=True
    ).first()
    return token or CalendarFeedToken.objects.create(course=course, user=user)


def feed_token_revoke(*, course: Course, user: User, now: datetime) -> CalendarFeedToken:
    """Revoke the current secret address and issue a new one."""
    with transaction.atomic():
        CalendarFeedToken.objects.filter(course=course, user=user, revoked_at__isnull=True).update(
            revoked_at=now
        )
        return CalendarFeedToken.objects.create(course=course, user=user)
