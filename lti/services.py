"""Writes of LTI: accept a verified launch (account, course link, enrolment), rotate the keys."""

from __future__ import annotations

import dataclasses
import hashlib
import typing as t
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from course import services as course_services
from course.models import Course, Enrolment, User
from course.queueing import queue_on_commit

from . import extensions, rules
from .models import (
    GradePost,
    LaunchNonce,
    LineItem,
    LinkedAccount,
    LinkedCourse,
    Platform,
    ToolKey,
)
from .protocol import (
    LaunchClaims,
    Member,
    ServiceError,
    ags_line_item,
    ags_score_post,
    dynamic_register,
    new_key_pair,
    nrps_members,
)
from .rules import LaunchRefused


@dataclass(frozen=True)
class LaunchOutcome:
    user: User
    course: Course
    enrolment: Enrolment
    landing_path: str
    course_bound: bool


def launch_accept(*, claims: LaunchClaims, target_path: str, now: datetime) -> LaunchOutcome:
    """Sign-in side of a verified launch, in one transaction: a refusal changes nothing."""
    role = rules.course_role(claims.roles)
    if role is None:
        raise LaunchRefused(
            "roles",
            _(
                "Your role in this LMS course gives no access to Coursekit (instructor, teaching assistant or learner)."
            ),
            status=403,
        )
    with transaction.atomic():
        platform = Platform.objects.get(pk=claims.platform_id)
        link = (
            LinkedCourse.objects.select_related("course")
            .filter(platform=platform, context_id=claims.context_id)
            .first()
        )
        user = _account_for_launch(platform=platform, claims=claims, now=now)
        bound = False
        if link is None:
            code = str(claims.custom.get("course") or "") or rules.course_code_in_path(target_path)
            link = _course_bind(
                platform=platform, claims=claims, user=user, role=role, code=code, now=now
            )
            bound = True
        _service_urls_keep(link=link, claims=claims)
        course = link.course
        current = Enrolment.objects.filter(course=course, user=user).first()
        apply = rules.role_to_apply(
            lms_role=role,
            current_role=current.role if current else None,
            current_dropped=bool(current and current.status == Enrolment.Status.DROPPED),
        )
        if apply is not None:
            enrolment = course_services.enrolment_set(course=course, user=user, role=apply, now=now)
        elif current is not None:
            enrolment = current
        else:
            raise RuntimeError("role_to_apply keeps only an enrolment that exists")
        landing = rules.landing_path(
            target_path=target_path,
            course_code=course.code,
            course_home_path=reverse("course_home", args=[course.code]),
        )
    return LaunchOutcome(user, course, enrolment, landing, bound)


def _account_for_launch(
    *, platform: Platform, claims: LaunchClaims | Member, now: datetime, launched: bool = True
) -> User:
    """The account linked to the LMS user id; the first time, the roster's account with the
    same e-mail, or a new account."""
    linked = (
        LinkedAccount.objects.select_related("user")
        .filter(platform=platform, subject=claims.subject)
        .first()
    )
    if linked is not None:
        if launched:
            LinkedAccount.objects.filter(pk=linked.pk).update(last_launch_at=now)
        return linked.user
    user = None
    if claims.email:
        matches = list(User.objects.filter(email__iexact=claims.email)[:2])
        if len(matches) > 1:
            raise LaunchRefused(
                "email",
                _(
                    "Several Coursekit accounts have the e-mail %(email)s: ask the instructor to merge them before launching."
                )
                % {"email": claims.email},
                status=409,
            )
        if matches:
            user = matches[0]
            if user.is_superuser:
                # A platform vouches for its users' e-mails, not for Coursekit's administrators.
                raise LaunchRefused(
                    "email",
                    _(
                        "The e-mail %(email)s belongs to a Coursekit administrator account, which is never signed in from an LMS."
                    )
                    % {"email": claims.email},
                    status=403,
                )
    if user is None:
        user = User(
            username=_free_username(claims),
            email=claims.email,
            first_name=claims.given_name[:150],
            last_name=claims.family_name[:150],
        )
        user.set_unusable_password()
        user.save()
    LinkedAccount.objects.create(
        platform=platform,
        subject=claims.subject,
        user=user,
        linked_at=now,
        last_launch_at=now if launched else None,
    )
    return user


def _free_username(claims: LaunchClaims | Member) -> str:
    if claims.email:
        base = claims.email.split("@")[0][:140] or "user"
    else:
        base = "lms-" + hashlib.sha256(claims.subject.encode()).hexdigest()[:12]
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _course_bind(
    *,
    platform: Platform,
    claims: LaunchClaims,
    user: User,
    role: str,
    code: str | None,
    now: datetime,
) -> LinkedCourse:
    """The first launch from an LMS course binds it to the Coursekit course its link points to
    (or that its instructor picks when adding a link), when its instructor launches it."""
    if role != rules.INSTRUCTOR:
        raise LaunchRefused(
            "context",
            _(
                "This LMS course is not linked to a Coursekit course yet: its instructor must launch it once first."
            ),
            status=403,
        )
    course = Course.objects.filter(code=code).first() if code else None
    if course is None:
        raise LaunchRefused(
            "context",
            _(
                "The link does not point to a Coursekit course: make its URL a course page, such as /c/IFT6085/."
            ),
        )
    is_instructor = Enrolment.objects.filter(
        course=course, user=user, role=Enrolment.Role.INSTRUCTOR, status=Enrolment.Status.ACTIVE
    ).exists()
    if not is_instructor:
        raise LaunchRefused(
            "context",
            _(
                "Only an instructor of %(code)s in Coursekit may link it to an LMS course, and your account is not one."
            )
            % {"code": course.code},
            status=403,
        )
    return LinkedCourse.objects.create(
        platform=platform,
        context_id=claims.context_id,
        context_title=claims.context_title[:255],
        deployment_id=claims.deployment_id,
        course=course,
        bound_by=user,
        bound_at=now,
    )


def tool_key_rotate(*, now: datetime) -> ToolKey:
    """A new signing key. The one it replaces stays published, so a platform that cached it
    still verifies what was signed with it; older ones are retired."""
    with transaction.atomic():
        kept = list(ToolKey.objects.select_for_update().filter(retired_at__isnull=True)[:1])
        ToolKey.objects.filter(retired_at__isnull=True).exclude(pk__in=[k.pk for k in kept]).update(
            retired_at=now
        )
        kid, pem, public = new_key_pair()
        return ToolKey.objects.create(
            kid=kid, private_key_pem=pem, public_jwk=public, created_at=now
        )


@dataclass(frozen=True)
class DeepLinkStart:
    user: User
    linked_course: Course | None
    courses: list[Course]


def deep_link_begin(*, claims: LaunchClaims, now: datetime) -> DeepLinkStart:
    """An instructor adds a Coursekit link in the LMS: sign them in and say which courses they
    may link (the one already linked to this LMS course, or those they teach)."""
    if rules.course_role(claims.roles) != rules.INSTRUCTOR:
        raise LaunchRefused(
            "roles", _("Only the LMS course's instructor may add a Coursekit link."), status=403
        )
    with transaction.atomic():
        platform = Platform.objects.get(pk=claims.platform_id)
        user = _account_for_launch(platform=platform, claims=claims, now=now)
        link = (
            LinkedCourse.objects.select_related("course")
            .filter(platform=platform, context_id=claims.context_id)
            .first()
        )
    if link is not None:
        return DeepLinkStart(user, link.course, [link.course])
    courses = list(
        Course.objects.filter(
            enrolments__user=user,
            enrolments__role=Enrolment.Role.INSTRUCTOR,
            enrolments__status=Enrolment.Status.ACTIVE,
        ).order_by("code")
    )
    if not courses:
        raise LaunchRefused(
            "context",
            _(
                "Your account is not the instructor of any Coursekit course, so there is nothing to link yet."
            ),
            status=403,
        )
    return DeepLinkStart(user, None, courses)


def deep_link_choose(*, claims: LaunchClaims, user: User, code: str, now: datetime) -> Course:
    """The instructor's pick: the course it opens, linked to the LMS course if it was not yet."""
    with transaction.atomic():
        platform = Platform.objects.get(pk=claims.platform_id)
        link = (
            LinkedCourse.objects.select_related("course")
            .filter(platform=platform, context_id=claims.context_id)
            .first()
        )
        if link is None:
            link = _course_bind(
                platform=platform,
                claims=claims,
                user=user,
                role=rules.INSTRUCTOR,
                code=code,
                now=now,
            )
        if link.course.code != code:
            raise LaunchRefused(
                "context",
                _("This LMS course is linked to %(code)s: its links open pages of that course.")
                % {"code": link.course.code},
            )
        return link.course


def platform_get(platform_id: int) -> Platform:
    return Platform.objects.get(pk=platform_id)


def _service_urls_keep(*, link: LinkedCourse, claims: LaunchClaims) -> None:
    """Remember the roster and grade services the LMS offers this course (the latest launch)."""
    fields = {}
    if claims.memberships_url and claims.memberships_url != link.memberships_url:
        fields["memberships_url"] = claims.memberships_url
    if claims.lineitems_url and claims.lineitems_url != link.lineitems_url:
        fields["lineitems_url"] = claims.lineitems_url
    if fields:
        LinkedCourse.objects.filter(pk=link.pk).update(**fields)
        for name, value in fields.items():
            setattr(link, name, value)


@dataclass
class RosterSyncReport:
    added: list[str] = field(default_factory=list)
    role_changed: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    error: str = ""

    def as_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)

    def summary(self) -> str:
        if self.error:
            return _("Roster sync failed: %(error)s") % {"error": self.error}
        return _(
            "Roster sync: %(added)d added, %(changed)d role changes, %(dropped)d dropped, %(skipped)d skipped."
        ) % {
            "added": len(self.added),
            "changed": len(self.role_changed),
            "dropped": len(self.dropped),
            "skipped": len(self.skipped),
        }


def roster_sync(*, link: LinkedCourse, now: datetime) -> RosterSyncReport:
    """Make the course's roster follow the LMS's membership (NRPS), with the rules of the CSV
    import (people added are enrolled and welcomed: invited, or told they were added); the report of what changed is kept on the link. A failure of the LMS changes
    nothing and is reported (and raised for the task to retry)."""
    report = RosterSyncReport()
    if not link.memberships_url:
        report.error = _(
            "the LMS has not offered its roster service for this course: check that the tool shares the roster (Moodle: IMS LTI Names and Role Provisioning), then launch once."
        )
        _report_keep(link=link, report=report, now=now)
        return report
    try:
        members = nrps_members(platform=link.platform, memberships_url=link.memberships_url)
    except ServiceError as exc:
        report.error = str(exc)
        _report_keep(link=link, report=report, now=now)
        raise
    with transaction.atomic():
        lms_roles: dict[int, str] = {}
        names: dict[int, str] = {}
        for member in members:
            if not member.active:
                continue
            role = rules.course_role(member.roles)
            if role is None:
                continue
            try:
                user = _account_for_launch(
                    platform=link.platform, claims=member, now=now, launched=False
                )
            except LaunchRefused as refused:
                report.skipped.append(f"{member.email or member.subject}: {refused.reason}")
                continue
            lms_roles[user.pk] = role
            names[user.pk] = user.email or user.username
        enrolments = {
            e.user_id: e
            for e in Enrolment.objects.filter(course=link.course).select_related("user")
        }
        current = {
            uid: (e.role, e.status == Enrolment.Status.DROPPED) for uid, e in enrolments.items()
        }
        for user_id, kind, role in rules.roster_plan(current=current, lms=lms_roles):
            if kind == rules.DROPPED:
                enrolment = enrolments[user_id]
                course_services.enrolment_drop(enrolment=enrolment)
                report.dropped.append(enrolment.user.email or enrolment.user.username)
                continue
            user = User.objects.get(pk=user_id)
            # Someone added is told as the roster import tells them: an invitation to choose
            # a password if they have none, else a notice that they were added.
            course_services.enrolment_join(
                course=link.course, user=user, role=role, now=now, welcome=kind == rules.ADDED
            )
            label = f"{names[user_id]} ({role})"
            (report.added if kind == rules.ADDED else report.role_changed).append(label)
        _report_keep(link=link, report=report, now=now)
    return report


def _report_keep(*, link: LinkedCourse, report: RosterSyncReport, now: datetime) -> None:
    link.roster_synced_at = now
    link.roster_sync_report = report.as_dict()
    link.save(update_fields=["roster_synced_at", "roster_sync_report"])


@dataclass
class GradePassbackReport:
    posted: int = 0
    unchanged: int = 0
    not_linked: int = 0
    errors: list[str] = field(default_factory=list)


def grades_post(
    *, course: Course, grades: t.Sequence[rules.LmsGrade], now: datetime
) -> GradePassbackReport:
    """Post released grades to the LMS gradebook of every LMS course linked to `course` (AGS):
    each column created once, each score posted only when it differs from the one last posted.
    Failures are kept per student and raised at the end (ServiceError) so the task retries
    only what is left."""
    report = GradePassbackReport()
    links = (
        LinkedCourse.objects.filter(course=course)
        .exclude(lineitems_url="")
        .select_related("platform")
    )
    for link in links:
        subjects = dict(
            LinkedAccount.objects.filter(
                platform=link.platform, user_id__in={g.user_id for g in grades}
            ).values_list("user_id", "subject")
        )
        columns = {c.key: c for c in LineItem.objects.filter(link=link)}
        posts = {
            (p.line_item_id, p.user_id): p for p in GradePost.objects.filter(line_item__link=link)
        }
        for grade in grades:
            subject = subjects.get(grade.user_id)
            if subject is None:
                report.not_linked += 1  # never launched nor synced: the LMS id is unknown
                continue
            try:
                column = columns.get(grade.key) or _line_item_create(
                    link=link, grade=grade, now=now
                )
            except ServiceError as exc:
                report.errors.append(str(exc))
                continue
            columns[grade.key] = column
            post = posts.get((column.pk, grade.user_id))
            if post is not None and not rules.grade_needs_post(
                last_posted=post.score_given if post.posted_at else None,
                last_error=post.error,
                score=grade.score,
            ):
                report.unchanged += 1
                continue
            error = ""
            try:
                ags_score_post(
                    platform=link.platform,
                    lineitems_url=link.lineitems_url,
                    lineitem_url=column.url,
                    subject=subject,
                    score=float(grade.score),
                    maximum=float(grade.maximum),
                    now=now,
                )
                report.posted += 1
            except ServiceError as exc:
                error = str(exc)
                report.errors.append(error)
            GradePost.objects.update_or_create(
                line_item=column,
                user_id=grade.user_id,
                defaults={
                    "score_given": grade.score,
                    "attempted_at": now,
                    "error": error,
                    **({"posted_at": now} if not error else {}),
                },
            )
    if report.errors:
        raise ServiceError("; ".join(report.errors))
    return report


GRADES_POST_COUNTDOWN = 30  # seconds a queued post waits, so the recomputes of a burst ride on it
# A queued post older than this is presumed lost with its worker (it is well above the countdown
# and the task's time limit), and the next recompute queues another.
GRADES_POST_STALE = timedelta(minutes=15)


def grades_post_schedule(*, course: Course, now: datetime) -> bool:
    """After a recompute or a release: queue one post of the course's released grades to its
    LMS gradebooks, unless one is queued already (a burst of recomputes gives one post). One
    query, and nothing queued, for a course linked to no LMS gradebook. True if this queued it."""
    from .tasks import grades_post as grades_post_task

    queued = (
        LinkedCourse.objects.filter(course=course)
        .exclude(lineitems_url="")
        .filter(Q(grades_queued_at__isnull=True) | Q(grades_queued_at__lt=now - GRADES_POST_STALE))
        .update(grades_queued_at=now)
    )
    if not queued:
        return False
    # Not queued (broker down): the mark stays, and lti.grades_posts_requeue (beat) queues the
    # post again once it is older than GRADES_POST_STALE.
    queue_on_commit(grades_post_task, course.pk, countdown=GRADES_POST_COUNTDOWN)
    return True


def grades_posts_requeue(*, now: datetime) -> list[int]:
    """The courses whose grade post was queued more than GRADES_POST_STALE ago and has not
    started (the broker was down, or the worker was lost): mark them queued again (now) and
    return them, for the beat task to queue."""
    stale = LinkedCourse.objects.exclude(lineitems_url="").filter(
        grades_queued_at__lte=now - GRADES_POST_STALE
    )
    with transaction.atomic():
        ids = sorted(
            set(stale.select_for_update(skip_locked=True).values_list("course_id", flat=True))
        )
        if ids:
            stale.filter(course_id__in=ids).update(grades_queued_at=now)
    return ids


def released_grades_post(*, course: Course, now: datetime) -> GradePassbackReport:
    """The queued post: the course's released grades (as the apps above register them) to its
    LMS gradebooks, only those that differ from what the LMS last received. The queue marker is
    cleared first, so a recompute made during the post queues the next one."""
    LinkedCourse.objects.filter(course=course).update(grades_queued_at=None)
    return grades_post(course=course, grades=extensions.released_grades(course), now=now)


def _line_item_create(*, link: LinkedCourse, grade: rules.LmsGrade, now: datetime) -> LineItem:
    url = ags_line_item(
        platform=link.platform,
        lineitems_url=link.lineitems_url,
        tag=f"coursekit:{grade.key}",
        resource_id=f"{link.course.code}:{grade.key}",
        label=grade.label,
        maximum=float(grade.maximum),
    )
    column, _created = LineItem.objects.get_or_create(
        link=link,
        key=grade.key,
        defaults={
            "label": grade.label,
            "score_maximum": grade.maximum,
            "url": url,
            "created_at": now,
        },
    )
    return column


CONTINUATION_SALT = "lti.continue"
CONTINUATION_MAX_AGE = 120  # seconds: the link is opened at once, from the launch page


def continuation_issue(*, user: User, path: str, now: datetime) -> str:
    """A single-use link that signs `user` in on `path` in a new window (out of the iframe)."""
    nonce = "continue-" + get_random_string(32)
    LaunchNonce.objects.create(nonce=nonce, issued_at=now)
    return signing.dumps({"user": user.pk, "path": path, "nonce": nonce}, salt=CONTINUATION_SALT)


def continuation_redeem(*, token: str, now: datetime) -> tuple[User, str]:
    try:
        data = signing.loads(token, salt=CONTINUATION_SALT, max_age=CONTINUATION_MAX_AGE)
    except signing.BadSignature as exc:  # also SignatureExpired
        raise LaunchRefused(
            "continue", _("This link has expired or is not Coursekit's: launch again from the LMS.")
        ) from exc
    spent = LaunchNonce.objects.filter(nonce=data["nonce"], used_at__isnull=True).update(
        used_at=now
    )
    if spent != 1:
        raise LaunchRefused("continue", _("This link was already used: launch again from the LMS."))
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    if user is None:
        raise LaunchRefused("continue", _("This account is no longer active."), status=403)
    return user, str(data["path"])


def launch_nonces_prune(*, now: datetime) -> int:
    """Forget the nonces of logins more than a day old: spent or expired, they prove nothing."""
    deleted, _ = LaunchNonce.objects.filter(issued_at__lt=now - timedelta(days=1)).delete()
    return deleted


REGISTRATION_SALT = "lti.register"
REGISTRATION_MAX_AGE = 12 * 3600  # seconds a dynamic registration URL stays usable


def registration_url_issue(*, now: datetime) -> str:
    """A single-use dynamic registration token, for a superuser to paste into Moodle."""
    nonce = "register-" + get_random_string(32)
    LaunchNonce.objects.create(nonce=nonce, issued_at=now)
    return signing.dumps({"nonce": nonce}, salt=REGISTRATION_SALT)


def platform_register_dynamic(
    *,
    token: str,
    site: str,
    host: str,
    openid_configuration: str,
    registration_token: str,
    now: datetime,
) -> Platform:
    """LTI Dynamic Registration: register with the platform that opened a superuser's
    single-use URL, and record the platform as it answered."""
    try:
        nonce = signing.loads(token, salt=REGISTRATION_SALT, max_age=REGISTRATION_MAX_AGE)["nonce"]
    except (signing.BadSignature, KeyError, TypeError) as exc:
        raise LaunchRefused(
            "registration",
            _(
                "This registration URL has expired or is not Coursekit's: a superuser makes a new one under Admin → LTI platforms."
            ),
            status=403,
        ) from exc
    if not LaunchNonce.objects.filter(nonce=nonce, used_at__isnull=True).exists():
        raise LaunchRefused(
            "registration",
            _(
                "This registration URL was already used: a superuser makes a new one under Admin → LTI platforms."
            ),
            status=403,
        )
    if not openid_configuration:
        raise LaunchRefused("registration", _("The platform sent no openid_configuration address."))
    try:
        answer = dynamic_register(
            site=site,
            host=host,
            openid_configuration=openid_configuration,
            registration_token=registration_token,
        )
    except ServiceError as exc:
        raise LaunchRefused(
            "registration",
            _("The platform refused the registration: %(error)s") % {"error": exc},
            status=502,
        ) from exc
    with transaction.atomic():
        if LaunchNonce.objects.filter(nonce=nonce, used_at__isnull=True).update(used_at=now) != 1:
            raise LaunchRefused(
                "registration", _("This registration URL was already used."), status=403
            )
        platform = Platform.objects.filter(issuer=answer.issuer, client_id=answer.client_id).first()
        if platform is None:
            platform = Platform(issuer=answer.issuer, client_id=answer.client_id, deployment_ids="")
        platform.name = platform.name or answer.name
        platform.auth_login_url = answer.auth_login_url
        platform.auth_token_url = answer.auth_token_url
        platform.key_set_url = answer.key_set_url
        if answer.deployment_id and answer.deployment_id not in platform.deployment_id_list:
            platform.deployment_ids = "\n".join(
                [*platform.deployment_id_list, answer.deployment_id]
            )
        platform.full_clean()
        platform.save()
    return platform
