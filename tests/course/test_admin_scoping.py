"""The admin is scoped per course: a TA of course A never sees, opens or picks course B's rows.

Every ModelAdmin of the course's apps is walked through `admin.site._registry`, so a new admin is
covered (or must be listed in GLOBAL) without touching this file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from course.accounts.models import AccountInvitation, SignedInSession
from course.admin import UserAdmin
from course.admin_scoping import (
    CourseScopedAdminMixin,
    CourseScopedInlineMixin,
    course_lookup,
    course_path_of,
)
from course.deadlines.models import Extension, ExtensionRequest
from course.global_admin import SuperuserOnlyAdminMixin
from course.models import Announcement, CalendarFeedToken, Course, Enrolment, OfficeHour, User
from course.notifications.models import (
    AnnouncementDelivery,
    Notification,
    NotificationPreference,
    OutboxMessage,
)
from course.syllabus.services import load_syllabus_text
from grading.models import (
    ComponentExcusal,
    ExamScore,
    GradebookSnapshot,
    GradeOverride,
    OverrideAuditLog,
    ParticipationScore,
    StudentGradeInputs,
)
from lti.models import GradePost, LineItem, LinkedAccount, LinkedCourse, Platform, ToolKey
from projects.models import (
    Group,
    GroupDeparture,
    GroupKind,
    Invitation,
    Milestone,
    MilestoneSubmission,
    PaperProposal,
    Slides,
)
from quizzes.models import Accommodation, Quiz
from scribing.models import ScribeSlot, Unavailability
from tests.admin_forms import form_data
from tests.factories import (
    AnswerFactory,
    AttemptFactory,
    CourseFactory,
    EnrolmentFactory,
    GroupFactory,
    GroupMembershipFactory,
    NotesSubmissionFactory,
    ScribeAssignmentFactory,
    UserFactory,
)
from tests.present import present
from tests.projects.conftest import PROJECTS_SYLLABUS
from tests.quizzes.conftest import build_quiz

pytestmark = pytest.mark.django_db


def _failed_login_records() -> None:
    """What django-axes writes on a failed login: superusers' only in the admin."""
    when = timezone.now()
    fields = {"username": "ada", "ip_address": "127.0.0.1", "user_agent": "test", "path_info": "/"}
    AccessAttempt.objects.create(**fields, attempt_time=when, failures_since_start=1)
    AccessLog.objects.create(**fields, attempt_time=when)
    AccessFailureLog.objects.create(**fields, attempt_time=when, locked_out=False)


APPS = ["course", "quizzes", "scribing", "projects", "grading", "lti"]
# Admins that are not per course, on purpose: accounts and a person's own settings span courses;
# who may launch as whom from an LMS is the superusers' (the platforms, keys and links).
GLOBAL = {
    User,
    NotificationPreference,
    SignedInSession,
    Platform,
    ToolKey,
    LinkedAccount,
    LinkedCourse,
}


def _scoped_admins() -> list[tuple[type[Model], Any]]:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in APPS and model not in GLOBAL
    ]


def _rows_of(model: type[Model], course: Course) -> Any:
    path = course_path_of(model)
    assert path is not None, model
    return model._default_manager.filter(**{course_lookup(path): [course.pk]})


def _populate(course: Course, student: Any, staff: Any) -> None:
    """One row of every course-bound model in `course` (the syllabus made sessions,
    bibliography, scribe slots, milestones and talk slots)."""
    now = timezone.now()
    OfficeHour.objects.create(course=course, host=f"Host of {course.code}")
    announcement = Announcement.objects.create(
        course=course, title=f"News of {course.code}", body="b", published_at=now
    )
    AnnouncementDelivery.objects.create(announcement=announcement, send_at=now)
    CalendarFeedToken.objects.create(course=course, user=student)
    AccountInvitation.objects.create(
        course=course,
        user=student,
        token_digest=f"digest-of-{course.code}",
        created_at=now,
        expires_at=now,
    )
    request = ExtensionRequest.objects.create(
        course=course, student=student, target_key=f"x:{course.pk}", reason="sick"
    )
    Extension.objects.create(
        course=course, student=student, target_key=f"x:{course.pk}", due_at=now, request=request
    )
    OutboxMessage.objects.create(
        course=course, recipient=student, item_key="i", kind="k", channel="email", subject="s"
    )
    Notification.objects.create(
        course=course, recipient=student, kind="k", item_key="i", subject="s"
    )
    NotificationPreference.objects.get_or_create(user=student, kind="k")
    # quizzes
    quiz = build_quiz(course, title=f"Quiz of {course.code}")
    attempt = AttemptFactory.create(
        quiz=quiz, student=student, started_at=now, deadline=now + timedelta(minutes=10)
    )
    AnswerFactory.create(attempt=attempt, question=present(quiz.questions.first()), saved_at=now)
    Accommodation.objects.create(quiz=quiz, student=student, extra_seconds=60)
    # scribing
    slot = present(ScribeSlot.objects.filter(course=course).first())
    ScribeAssignmentFactory.create(slot=slot, student=student)
    NotesSubmissionFactory.create(slot=slot, submitted_by=student, submitted_at=now)
    Unavailability.objects.create(course=course, student=student, date=date(2021, 2, 3))
    # projects
    group = GroupFactory.create(course=course, kind=GroupKind.PRESENTATION, name="G")
    GroupMembershipFactory.create(group=group, student=student)
    project = GroupFactory.create(course=course, kind=GroupKind.PROJECT, name="P")
    PaperProposal.objects.create(
        course=course, group=group, title="Paper", paper_key=f"p{course.pk}", created_at=now
    )
    milestone = Milestone.objects.filter(course=course).first()
    assert milestone is not None
    MilestoneSubmission.objects.create(
        group=project, milestone=milestone, version=1, submitted_at=now, link="https://x.org"
    )
    Invitation.objects.create(
        course=course, kind=GroupKind.PROJECT, from_user=student, to_user=staff, created_at=now
    )
    Slides.objects.create(group=group, file="slides.pdf", uploaded_at=now)
    GroupDeparture.objects.create(
        course=course, kind=GroupKind.PROJECT, group_name="A team", student=student, left_at=now
    )
    # grading
    ExamScore.objects.create(course=course, component_key="midterm", student=student, score=7)
    ParticipationScore.objects.create(course=course, student=student, percent=Decimal(90))
    ComponentExcusal.objects.create(
        course=course, component_key="midterm", student=student, reason="sick"
    )
    GradeOverride.objects.create(course=course, student=student, value=Decimal(80), reason="r")
    OverrideAuditLog.objects.create(course=course, student=student, reason="r")
    StudentGradeInputs.objects.create(course=course, student=student, computed_at=now)
    GradebookSnapshot.objects.get_or_create(course=course)
    # lti: a grade posted to the LMS course linked to this one
    platform = Platform.objects.create(
        name=f"LMS of {course.code}",
        issuer=f"https://lms.example.org/{course.code}",
        client_id="coursekit",
        deployment_ids="1",
        auth_login_url="https://lms.example.org/auth",
        auth_token_url="https://lms.example.org/token",
        key_set_url="https://lms.example.org/certs",
    )
    link = LinkedCourse.objects.create(
        platform=platform, context_id="c1", deployment_id="1", course=course, bound_at=now
    )
    column = LineItem.objects.create(
        link=link,
        key="final",
        label="Final grade",
        score_maximum=100,
        url="https://x.org/1",
        created_at=now,
    )
    GradePost.objects.create(line_item=column, user=student, score_given=90, attempted_at=now)


@pytest.fixture
def world(make_member: Callable[..., Any]) -> dict[str, Any]:
    a = load_syllabus_text(PROJECTS_SYLLABUS.replace("PRJ101", "AAA101")).course
    b = load_syllabus_text(PROJECTS_SYLLABUS.replace("PRJ101", "BBB101")).course
    ta = make_member(a, Enrolment.Role.TA, username="ta_a")
    instructor = make_member(a, Enrolment.Role.INSTRUCTOR, username="prof_a")
    instructor_b = make_member(b, Enrolment.Role.INSTRUCTOR, username="prof_b")
    student_a = make_member(a, username="stud_a")
    student_b = make_member(b, username="stud_b")
    ta_b = make_member(b, Enrolment.Role.TA, username="ta_b")
    _populate(a, student_a, ta)
    _populate(b, student_b, instructor_b)
    boss = UserFactory.create(superuser=True, username="boss", email="boss@x.org")
    return {
        "a": a,
        "b": b,
        "ta": ta,
        "instructor": instructor,
        "instructor_b": instructor_b,
        "ta_b": ta_b,
        "student_a": student_a,
        "student_b": student_b,
        "boss": boss,
    }


def test_every_admin_of_the_course_apps_is_scoped_or_global() -> None:
    unscoped = [
        model.__name__
        for model, model_admin in _scoped_admins()
        if not isinstance(model_admin, CourseScopedAdminMixin)
    ]
    assert unscoped == []
    inlines = [
        f"{type(model_admin).__name__}.{inline.__name__}"
        for _model, model_admin in _scoped_admins()
        for inline in model_admin.inlines
        if not issubclass(inline, CourseScopedInlineMixin)
    ]
    assert inlines == []


def test_the_ta_enters_the_admin_by_the_enrolment_alone(client: Any, world: dict[str, Any]) -> None:
    """No site-wide flag, group or permission: the TA role of course A opens the admin."""
    ta = world["ta"]
    assert not (ta.is_staff or ta.is_superuser)
    assert not ta.groups.exists() and not ta.user_permissions.exists()
    client.force_login(ta)
    assert client.get(reverse("admin:index")).status_code == 200
    client.force_login(world["student_b"])
    assert client.get(reverse("admin:index")).status_code == 302  # to the admin's login


@pytest.mark.parametrize("who", ["ta", "instructor"])
def test_changelists_show_only_the_own_course(client: Any, world: dict[str, Any], who: str) -> None:
    a, b = world["a"], world["b"]
    client.force_login(world[who])
    for model, _model_admin in _scoped_admins():
        assert _rows_of(model, b).exists(), f"the test world lacks a {model.__name__} of B"
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        if "cl" in response.context:
            shown = list(response.context["cl"].result_list)
        else:  # the gradebook's own list of courses
            shown = [snap for _course, snap in response.context["rows"] if snap is not None]
            assert [c for c, _snap in response.context["rows"]] == [a], url
        assert shown, f"{url}: course A's rows are missing"
        own = set(_rows_of(model, a).values_list("pk", flat=True))
        assert {obj.pk for obj in shown} <= own, url
        # The course filters list course A only.
        assert "BBB101" not in response.content.decode(), url


def test_another_courses_object_is_refused_and_a_superuser_opens_it(
    client: Any, world: dict[str, Any]
) -> None:
    a, b = world["a"], world["b"]
    for model, _model_admin in _scoped_admins():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_change"
        theirs = reverse(name, args=[_rows_of(model, b).first().pk])
        ours = reverse(name, args=[_rows_of(model, a).first().pk])
        client.force_login(world["ta"])
        assert client.get(theirs).status_code in (403, 404), theirs
        assert client.get(ours).status_code in (200, 302), ours  # 302: the gradebook's
        history = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_history",
            args=[_rows_of(model, b).first().pk],
        )
        assert client.get(history).status_code in (403, 404), history
        client.force_login(world["boss"])
        assert client.get(theirs).status_code in (200, 302), theirs


def _choice_querysets(response: Any) -> list[tuple[str, Any]]:
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.empty_form)
    # Not the formsets' hidden row id: Django looks rows up in the inline's own queryset.
    return [
        (name, field.queryset)
        for form in forms
        for name, field in form.fields.items()
        if getattr(field, "queryset", None) is not None and name != form._meta.model._meta.pk.name
    ]


@pytest.mark.parametrize("who", ["ta", "instructor"])
def test_add_and_change_forms_offer_only_the_own_courses_objects(
    client: Any, world: dict[str, Any], who: str
) -> None:
    a, b, student_b = world["a"], world["b"], world["student_b"]
    client.force_login(world[who])
    checked = 0
    for model, _model_admin in _scoped_admins():
        opts = model._meta
        pages = [reverse(f"admin:{opts.app_label}_{opts.model_name}_add")]
        pages.append(
            reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[_rows_of(model, a).first().pk],
            )
        )
        for url in pages:
            response = client.get(url)
            if response.status_code != 200 or "adminform" not in (response.context or {}):
                continue
            for name, queryset in _choice_querysets(response):
                related = queryset.model
                if related is get_user_model():
                    if name != "user":  # an enrolment may enrol anybody
                        assert not queryset.filter(pk=student_b.pk).exists(), (url, name)
                    continue
                path = course_path_of(related)
                if path is not None:
                    assert not queryset.filter(**{course_lookup(path): [b.pk]}).exists(), (
                        url,
                        name,
                    )
                    checked += 1
    assert checked >= 5  # the walk did look at some choices


def test_a_ta_cannot_add_a_row_to_another_course(client: Any, world: dict[str, Any]) -> None:
    b, student_b = world["b"], world["student_b"]
    client.force_login(world["ta"])
    quiz_b = Quiz.objects.get(course=b)
    before = Accommodation.objects.count()
    response = client.post(
        reverse("admin:quizzes_accommodation_add"),
        {"quiz": quiz_b.pk, "student": student_b.pk, "extra_seconds": 30},
    )
    assert response.status_code == 200  # the form again, with errors
    assert response.context["adminform"].form.errors.keys() >= {"quiz", "student"}
    assert Accommodation.objects.count() == before
    response = client.post(
        reverse("admin:grading_examscore_add"),
        {"course": b.pk, "student": student_b.pk, "component_key": "midterm", "score": "5"},
    )
    assert ExamScore.objects.filter(course=b).count() == 1


def test_actions_ignore_another_courses_rows(client: Any, world: dict[str, Any]) -> None:
    b = world["b"]
    client.force_login(world["instructor"])
    theirs = ExtensionRequest.objects.get(course=b)
    client.post(
        reverse("admin:course_extensionrequest_changelist"),
        {"action": "approve", "_selected_action": [theirs.pk]},
    )
    theirs.refresh_from_db()
    assert theirs.status == ExtensionRequest.Status.PENDING


def test_custom_views_refuse_another_course(client: Any, world: dict[str, Any]) -> None:
    a, b = world["a"], world["b"]
    quiz_a, quiz_b = Quiz.objects.get(course=a), Quiz.objects.get(course=b)
    group_a = Group.objects.get(course=a, kind=GroupKind.PRESENTATION)
    group_b = Group.objects.get(course=b, kind=GroupKind.PRESENTATION)
    client.force_login(world["instructor"])
    for name, args, ok in [
        ("admin:course_roster_import", [b.pk], False),
        ("admin:course_syllabus_upload", [b.pk], False),
        ("admin:course_syllabus_download", [b.pk], False),
        ("admin:course_syllabus_download", [a.pk], True),
        ("admin:quizzes_quiz_stats", [quiz_b.pk], False),
        ("admin:quizzes_quiz_stats", [quiz_a.pk], True),
        ("admin:quizzes_quiz_export", [quiz_b.pk], False),
        ("admin:quizzes_quiz_export", [quiz_a.pk], True),
        ("admin:projects_group_grade", [group_b.pk], False),
        ("admin:projects_group_grade", [group_a.pk], True),
        ("admin:scribing_auto_assign", [b.pk], False),
        ("admin:scribing_auto_assign", [a.pk], True),
        ("admin:grading_gradebook", [b.pk], False),
        ("admin:grading_gradebook", [a.pk], True),
        ("admin:grading_gradebook_student", [b.pk, world["student_b"].pk], False),
        ("admin:grading_gradebook_export", [b.pk], False),
        ("admin:grading_gradebook_moodle", [b.pk], False),
        ("admin:grading_exam_import", [b.pk], False),
    ]:
        status = client.get(reverse(name, args=args)).status_code
        assert (status == 200) if ok else (status in (403, 404)), (name, args, status)
    assert client.post(reverse("admin:scribing_sync", args=[b.pk])).status_code == 403
    assert client.post(reverse("admin:grading_gradebook_recompute", args=[b.pk])).status_code == 403
    tools = reverse("admin:projects_group_tools")
    page = client.get(tools).content.decode()
    assert "AAA101" in page and "BBB101" not in page
    assert client.post(tools, {"course": b.pk, "op": "slots"}).status_code == 404


def test_a_syllabus_file_of_another_course_is_refused(
    client: Any, world: dict[str, Any], settings: Any
) -> None:
    a, b = world["a"], world["b"]
    prof = world["instructor"]
    client.force_login(prof)
    text = PROJECTS_SYLLABUS.replace("PRJ101", "BBB101").replace("Projects test", "Hijacked")
    url = reverse("admin:course_syllabus_upload", args=[a.pk])
    html = client.post(url, {"file": SimpleUploadedFile("s.yaml", text.encode())}).content
    assert "This file is the syllabus of BBB101, not of AAA101." in html.decode()
    b.refresh_from_db()
    assert b.title != "Hijacked course"


def test_the_course_admin_lists_own_courses_and_only_a_superuser_adds_one(
    client: Any, world: dict[str, Any]
) -> None:
    client.force_login(world["instructor"])
    response = client.get(reverse("admin:course_course_changelist"))
    assert [c.code for c in response.context["cl"].result_list] == ["AAA101"]
    assert client.get(reverse("admin:course_course_add")).status_code == 403
    client.force_login(world["boss"])
    response = client.get(reverse("admin:course_course_changelist"))
    assert {c.code for c in response.context["cl"].result_list} == {"AAA101", "BBB101"}


@pytest.mark.parametrize(
    "changelist",
    ["admin:grading_examscore_changelist", "admin:course_enrolment_changelist"],
)
def test_a_changelists_queries_do_not_grow_with_the_courses(
    client: Any,
    make_member: Callable[..., Any],
    django_assert_max_num_queries: Any,
    changelist: str,
) -> None:
    """The TA of 2 courses and the TA of 8 courses load the list in the same number of queries."""
    base = load_syllabus_text(PROJECTS_SYLLABUS).course
    ta = make_member(base, Enrolment.Role.TA, username="busy_ta")
    client.force_login(ta)
    url = reverse(changelist)
    for n in (2, 8):
        while Enrolment.objects.filter(user=ta).count() < n:
            k = Enrolment.objects.filter(user=ta).count()
            other = CourseFactory.create(code=f"EXT{k}", title="Extra", seat_capacity=10)
            EnrolmentFactory.create(course=other, user=ta, role=Enrolment.Role.TA)
            student = make_member(other, username=f"s_ext{k}")
            ExamScore.objects.create(
                course=other, component_key="midterm", student=student, score=5
            )
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


# --- staff powers end at their own course (issue #14, items 1 and 3) ---------------------------


def test_every_admin_is_course_scoped_superusers_only_or_the_user_admin() -> None:
    """A new admin must say which it is: scoped per course, or a superuser's."""
    loose = [
        model.__name__
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, CourseScopedAdminMixin | SuperuserOnlyAdminMixin | UserAdmin)
    ]
    assert loose == []


@pytest.fixture
def site_wide(world: dict[str, Any]) -> dict[str, Any]:
    """The global rows an attacker would go for: the beat schedule, a group with powers."""
    every = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES)
    task = PeriodicTask.objects.create(
        name="Dispatch due reminders", task="course.tasks.dispatch_reminders", interval=every
    )
    CrontabSchedule.objects.create(minute="0", hour="7")
    SolarSchedule.objects.create(event="sunrise", latitude=45.5, longitude=-73.6)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    _failed_login_records()
    operators = AuthGroup.objects.create(name="Site operators")
    operators.permissions.set(Permission.objects.filter(codename__startswith="change_"))
    return {**world, "task": task, "operators": operators}


def _privileges(a: Course, b: Course) -> dict[str, Any]:
    """Everything that gives access (each account's login, password, flags, groups and
    permissions; the groups' permissions; the beat schedule) and every row of both courses."""
    users = get_user_model().objects.prefetch_related("groups", "user_permissions")
    rows = {}
    for model, _model_admin in _scoped_admins():
        for course in (a, b):
            values = _rows_of(model, course).order_by("pk").values()
            rows[f"{model._meta.label}:{course.code}"] = [
                {k: v for k, v in row.items() if k not in ("updated_at", "last_login")}
                for row in values
            ]
    return {
        "users": [
            (
                u.pk,
                u.username,
                u.password,
                u.email,
                u.first_name,
                u.is_superuser,
                u.is_staff,
                u.is_active,
                sorted(g.pk for g in u.groups.all()),
                sorted(p.pk for p in u.user_permissions.all()),
            )
            for u in users.order_by("pk")
        ],
        "groups": [
            (g.pk, g.name, sorted(g.permissions.values_list("pk", flat=True)))
            for g in AuthGroup.objects.order_by("pk")
        ],
        "beat": [
            list(model.objects.order_by("pk").values())
            for model in (
                PeriodicTask,
                IntervalSchedule,
                CrontabSchedule,
                SolarSchedule,
                ClockedSchedule,
            )
        ],
        "preferences": list(NotificationPreference.objects.order_by("pk").values()),
        "rows": rows,
    }


def _escalation(world: dict[str, Any]) -> dict[str, Any]:
    """Every privilege-bearing field an attacker adds to a form they may post."""
    return {
        "is_superuser": "on",
        "is_staff": "on",
        "is_active": "on",
        "groups": [str(world["operators"].pk)],
        "user_permissions": [
            str(pk) for pk in Permission.objects.order_by("pk").values_list("pk", flat=True)
        ],
        "password": "pbkdf2_sha256$1000000$salt$hijacked",
        "password1": "Hijacked-password-1",
        "password2": "Hijacked-password-1",
        "usable_password": "true",
        "username": "hijacked",
        "course": str(world["b"].pk),  # moving a row to the other course
        "user": str(world["boss"].pk),
        "enabled": "",
    }


def _post_everywhere(client: Any, world: dict[str, Any], who: str) -> int:
    """Post every admin's add, change and delete form with the escalation set; the number of
    forms that were shown (and so posted back with their own fields)."""
    a, b, me = world["a"], world["b"], world[who]
    escalation = _escalation(world)
    shown = 0
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        if model is get_user_model():
            targets = [me, world["student_a"], world["student_b"], world["boss"]]
        elif isinstance(model_admin, CourseScopedAdminMixin):
            targets = [_rows_of(model, a).first(), _rows_of(model, b).first()]
        else:
            targets = [model._default_manager.order_by("pk").first()]
        pages = [reverse(f"{name}_add")]
        pages += [reverse(f"{name}_change", args=[t.pk]) for t in targets if t is not None]
        for url in pages:
            page = client.get(url)
            data = form_data(page.content.decode()) if page.status_code == 200 else {}
            shown += page.status_code == 200
            client.post(url, {**data, **escalation})
        for target in targets:
            if target is None:
                continue
            own = b if who.endswith("_b") else a
            own_row = isinstance(model_admin, CourseScopedAdminMixin) and target.pk == getattr(
                _rows_of(model, own).first(), "pk", None
            )
            if own_row and who.startswith("instructor"):
                continue  # an instructor may delete their own course's rows
            client.post(reverse(f"{name}_delete", args=[target.pk]), {"post": "yes"})
    return shown


@pytest.mark.parametrize("who", ["ta", "instructor", "instructor_b", "ta_b"])
def test_no_admin_form_posted_by_course_staff_gives_access_or_reaches_another_course(
    client: Any, site_wide: dict[str, Any], who: str
) -> None:
    """Walk the admin registry: every add, change and delete form, posted by each course staff
    role with every privilege-bearing field set, changes no account's access, no group, no
    beat schedule, nobody's preferences and no row of a course where the role lacks the power
    (for the staff of A: course B; for the staff of B: A; for a TA, also their own course's
    configuration and any deletion)."""
    a, b = site_wide["a"], site_wide["b"]
    client.force_login(site_wide[who])
    before = _privileges(a, b)
    shown = _post_everywhere(client, site_wide, who)
    after = _privileges(a, b)
    other = b if who in ("ta", "instructor") else a
    for key in ("users", "groups", "beat", "preferences"):
        assert after[key] == before[key], key
    for key, rows in before["rows"].items():
        if key.endswith(other.code) or (who.startswith("ta") and key.startswith("course.")):
            assert after["rows"][key] == rows, key
        elif who.startswith("ta"):  # a TA grades in their course, and deletes nothing
            assert {r["id"] for r in after["rows"][key]} >= {r["id"] for r in rows}, key
    assert shown >= 20, "the walk did open the forms the role may use"


def test_an_instructor_cannot_make_themselves_superuser(client: Any, world: dict[str, Any]) -> None:
    """Finding 1, replayed: the instructor's own user page, posted with is_superuser=on."""
    prof = world["instructor"]
    client.force_login(prof)
    url = reverse("admin:course_user_change", args=[prof.pk])
    data = form_data(client.get(url).content.decode())
    assert set(data) >= {"first_name", "last_name", "email"}
    assert not {"is_superuser", "is_staff", "groups", "user_permissions", "password"} & set(data)
    response = client.post(url, {**data, "is_superuser": "on", "is_staff": "on"})
    assert response.status_code == 200
    assert "Only a superuser may change staff status, superuser status." in (
        response.content.decode()
    )
    prof.refresh_from_db()
    assert not (prof.is_superuser or prof.is_staff)
    # Without them, the same page saves the name.
    response = client.post(url, {**data, "first_name": "Prof"})
    assert response.status_code == 302
    prof.refresh_from_db()
    assert prof.first_name == "Prof"


def test_course_staff_set_no_password_and_delete_no_account(
    client: Any, world: dict[str, Any]
) -> None:
    """Finding 1, replayed: setting the password of a user of another course (or of one's own
    course), and the delete page of any user."""
    client.force_login(world["instructor"])
    for victim in (world["student_b"], world["student_a"], world["boss"]):
        url = reverse("admin:auth_user_password_change", args=[victim.pk])
        page = client.get(url)
        assert page.status_code in (403, 404), url
        response = client.post(url, {"password1": "Stolen-pass-1", "password2": "Stolen-pass-1"})
        assert response.status_code in (403, 404)
        victim.refresh_from_db()
        assert not victim.check_password("Stolen-pass-1")
        delete = reverse("admin:course_user_delete", args=[victim.pk])
        assert client.get(delete).status_code in (403, 404), delete
    page = client.get(reverse("admin:auth_user_password_change", args=[world["student_a"].pk]))
    assert "Only a superuser may set another person&#x27;s password." in page.content.decode()
    assert get_user_model().objects.filter(pk=world["student_b"].pk).exists()


def test_the_user_admin_lists_the_people_of_the_managed_courses_only(
    client: Any, world: dict[str, Any]
) -> None:
    client.force_login(world["instructor"])
    response = client.get(reverse("admin:course_user_changelist"))
    shown = {u.username for u in response.context["cl"].result_list}
    assert shown == {"ta_a", "prof_a", "stud_a"}
    assert "is_superuser" not in response.content.decode()  # no flag filters nor columns
    theirs = reverse("admin:course_user_change", args=[world["student_b"].pk])
    assert client.get(theirs).status_code == 403
    assert client.get(reverse("admin:course_user_add")).status_code == 403
    # A TA manages no course: no accounts at all.
    client.force_login(world["ta"])
    assert client.get(reverse("admin:course_user_changelist")).status_code == 403


def test_an_account_shared_with_another_course_is_view_only(
    client: Any, world: dict[str, Any]
) -> None:
    """The staff of A change name and e-mail only of accounts that belong to A alone: an
    account of B too is B's as well (an e-mail change would hand over its password reset)."""
    student = world["student_a"]
    client.force_login(world["instructor"])
    url = reverse("admin:course_user_change", args=[student.pk])
    assert b'name="_save"' in client.get(url).content
    EnrolmentFactory.create(course=world["b"], user=student)
    page = client.get(url)
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert "AAA101" in page.content.decode() and "BBB101" not in page.content.decode()
    data = {"first_name": "Renamed", "last_name": "X", "email": "attacker@x.org"}
    assert client.post(url, data).status_code == 403
    student.refresh_from_db()
    assert student.email == "stud_a@example.org"


@pytest.mark.parametrize("who", ["instructor", "ta"])
def test_the_beat_schedule_groups_and_preferences_are_superusers_only(
    client: Any, site_wide: dict[str, Any], who: str
) -> None:
    """Finding 3, replayed: the instructor disables, then deletes, the reminder dispatcher."""
    task = site_wide["task"]
    client.force_login(site_wide[who])
    change = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    assert client.post(change, {"name": task.name, "enabled": ""}).status_code == 403
    delete = reverse("admin:django_celery_beat_periodictask_delete", args=[task.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    task.refresh_from_db()
    assert task.enabled
    for name in [
        "django_celery_beat_periodictask",
        "django_celery_beat_intervalschedule",
        "django_celery_beat_crontabschedule",
        "auth_group",
        "course_notificationpreference",
    ]:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403, name
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/django_celery_beat/" not in index and "/admin/auth/" not in index
    client.force_login(site_wide["boss"])
    assert client.get(change).status_code == 200


def test_the_user_admins_list_does_not_grow_in_queries_with_the_class(
    client: Any, make_member: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    """The instructor's *Users* list of a class of 3 and of 30 takes the same queries."""
    course = load_syllabus_text(PROJECTS_SYLLABUS).course
    prof = make_member(course, Enrolment.Role.INSTRUCTOR, username="busy_prof")
    client.force_login(prof)
    url = reverse("admin:course_user_changelist")
    for size in (3, 30):
        while Enrolment.objects.filter(course=course).count() < size + 1:
            make_member(course)
        with django_assert_max_num_queries(8):
            response = client.get(url)
        assert len(response.context["cl"].result_list) == size + 1
