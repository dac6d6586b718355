"""Writes of the course: enrolment and seats, roster import, calendar feed addresses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from . import rules
from .accounts import rules as account_rules
from .accounts import services as account_services
from .models import CalendarFeedToken, Course, Enrollment, User
from .roster import RosterError, parse_roster


def seats_rebalance(*, course: Course) -> rules.SeatPlan:
    """Apply the seating rule: registered students first, auditors in request order.

    Runs under a lock on the course row so two concurrent enrolments cannot both take the
    last seat.
    """
    with transaction.atomic():
        Course.objects.select_for_update().get(pk=course.pk)
        registered = Enrollment.objects.filter(
            course=course, role=Enrollment.Role.STUDENT, status=Enrollment.Status.ACTIVE
        ).count()
        auditors = list(
            Enrollment.objects.filter(course=course, role=Enrollment.Role.AUDITOR)
            .exclude(status=Enrollment.Status.DROPPED)
            .order_by("requested_at", "pk")
            .values_list("pk", flat=True)
        )
        plan = rules.allocate_auditor_seats(
            capacity=course.seat_capacity,
            registered_students=registered,
            auditors_by_request=auditors,
        )
        Enrollment.objects.filter(pk__in=plan.admitted).exclude(
            status=Enrollment.Status.ACTIVE
        ).update(status=Enrollment.Status.ACTIVE)
        Enrollment.objects.filter(pk__in=plan.waitlisted).exclude(
            status=Enrollment.Status.WAITLISTED
        ).update(status=Enrollment.Status.WAITLISTED)
    return plan


def enrollment_set(
    *,
    course: Course,
    user: User,
    role: str,
    now: datetime,
    student_id: str = "",
) -> Enrollment:
    """Enrol (or re-enrol, or change the role of) a person, then re-seat the auditors."""
    return enrollment_join(
        course=course, user=user, role=role, now=now, student_id=student_id
    ).enrollment


@dataclass(frozen=True)
class EnrollmentJoin:
    enrollment: Enrollment
    joined: bool  # new in the course, or back after a drop
    welcome: str | None  # "invitation" or "notice" when one was sent


def enrollment_join(
    *,
    course: Course,
    user: User,
    role: str,
    now: datetime,
    student_id: str = "",
    welcome: bool = False,
    invited_by: User | None = None,
) -> EnrollmentJoin:
    """enrollment_set, and with `welcome` a person who just joined is told: an invitation to
    choose a password if they have none, else a notice that they were added."""
    with transaction.atomic():
        enrollment, created = Enrollment.objects.get_or_create(
            course=course,
            user=user,
            defaults={"role": role, "student_id": student_id, "requested_at": now},
        )
        joined = created
        if not created:
            joined = enrollment.status == Enrollment.Status.DROPPED
            changed = enrollment.role != role or joined
            enrollment.role = role
            if student_id:
                enrollment.student_id = student_id
            if changed:
                enrollment.status = Enrollment.Status.ACTIVE
                if role == Enrollment.Role.AUDITOR:
                    enrollment.requested_at = now
            enrollment.save()
        staff_access_grant(user=user, role=role)
        seats_rebalance(course=course)
        sent: str | None = None
        if welcome and joined and user.is_active:
            sent = account_services.person_welcome(
                enrollment=enrollment, invited_by=invited_by, now=now
            ).value
    enrollment.refresh_from_db()
    return EnrollmentJoin(enrollment, joined, sent)


COURSE_APPS = ["course", "quizzes", "scribing", "projects", "grading"]
STAFF_GROUPS: dict[str, str] = {
    Enrollment.Role.INSTRUCTOR: "Instructors",
    Enrollment.Role.TA: "Teaching assistants",
}


def staff_group(role: str) -> Group:
    """The admin group of a staff role, with its permissions (kept in step on every call).

    Instructors may do everything in the course's apps, see and edit people, and edit the
    Celery beat schedule; TAs view everything and grade, but do not change the course itself
    nor delete anything.
    """
    group, _ = Group.objects.get_or_create(name=STAFF_GROUPS[role])
    perms = Permission.objects.filter(content_type__app_label__in=COURSE_APPS)
    if role == Enrollment.Role.INSTRUCTOR:
        perms = perms | Permission.objects.filter(
            Q(content_type__app_label="django_celery_beat")
            | Q(content_type__app_label="course", content_type__model="user")
        )
    else:
        perms = perms.exclude(content_type__app_label="course", codename__startswith="change_")
        perms = perms.exclude(codename__startswith="delete_")
    group.permissions.set(perms)
    return group


def staff_access_grant(*, user: User, role: str) -> None:
    """Instructors and TAs work in the Django admin: staff status and their role's group."""
    if role not in STAFF_GROUPS:
        return
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(staff_group(role))


def enrollment_drop(*, enrollment: Enrollment) -> None:
    with transaction.atomic():
        enrollment.status = Enrollment.Status.DROPPED
        enrollment.save(update_fields=["status", "updated_at"])
        seats_rebalance(course=enrollment.course)


@dataclass
class RosterImportResult:
    created: int
    updated: int
    errors: list[RosterError]
    invitations: int = 0  # sent to people who cannot sign in yet
    notices: int = 0  # "you were added" to people who already can

    @property
    def ok(self) -> bool:
        return not self.errors


def roster_import(
    *, course: Course, text: str, now: datetime, invited_by: User | None = None
) -> RosterImportResult:
    """Create or update every participant; any bad row refuses the whole file.

    Each person new to the course is welcomed: an invitation to choose a password, or a
    notice for someone who can already sign in.
    """
    rows, errors = parse_roster(text)
    errors += [
        RosterError(row.line, problem)
        for row in rows
        if (problem := account_rules.name_problem(f"{row.first_name} {row.last_name}"))
    ]
    if errors:
        return RosterImportResult(0, 0, sorted(errors, key=lambda e: e.line))
    created = updated = invitations = notices = 0
    with transaction.atomic():
        existing = {
            u.email.lower(): u for u in User.objects.filter(email__in=[r.email for r in rows])
        }
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
                user.first_name, user.last_name = row.first_name, row.last_name
                user.save(update_fields=["first_name", "last_name"])
                updated += 1
            join = enrollment_join(
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
    return RosterImportResult(created, updated, [], invitations, notices)


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
