"""The permission matrix: every route of the URLconf and every page of the admin registry, for
every kind of visitor, against the expected answer written in the tables below.

A route or an admin model without an expected answer fails the test, so a new page cannot be
forgotten. Answers: ``+`` allowed (2xx/3xx, or 4xx about the input once the check passed), ``L``
sent to log in (or 401), ``-`` refused (403/404). A route whose GET answers 405 is posted
(empty body). Objects are course A's; "other" is a second student of A opening the first
student's things; ``ta_b``/``ins_b`` are the staff of course B.

Set ``PERMISSION_MATRIX_PRINT=1`` to print the answers seen, as table rows, for a new route.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from course.accounts.models import SignedInSession
from course.admin_scoping import CourseScopedAdminMixin
from course.models import CalendarFeedToken, Course, Enrolment
from course.syllabus.services import load_syllabus_text
from grading.models import StudentGradeInputs
from lti.models import GradePost, LineItem, LinkedAccount, LinkedCourse, Platform, ToolKey
from projects.models import (
    Group,
    GroupKind,
    Invitation,
    Milestone,
    MilestoneSubmission,
    Slides,
    TalkSlot,
)
from quizzes.models import Quiz
from scribing.models import NotesSubmission, ScribeSlot
from tests.course.test_admin_scoping import _populate, _rows_of
from tests.factories import GroupMembershipFactory, UserFactory
from tests.present import present
from tests.projects.conftest import PROJECTS_SYLLABUS

pytestmark = pytest.mark.django_db


def _site_wide_records() -> None:
    """What django-axes and django-allauth write, and the signed-in sessions: superusers' only."""
    when = timezone.now()
    fields = {"username": "ada", "ip_address": "127.0.0.1", "user_agent": "test", "path_info": "/"}
    AccessAttempt.objects.create(**fields, attempt_time=when, failures_since_start=1)
    AccessLog.objects.create(**fields, attempt_time=when)
    AccessFailureLog.objects.create(**fields, attempt_time=when, locked_out=False)
    someone = present(get_user_model().objects.order_by("pk").first())
    SignedInSession.objects.create(user=someone, session_key="k" * 40)
    # django-allauth's: e-mail addresses and single sign-on accounts, apps and tokens.
    EmailAddress.objects.create(user=someone, email="someone@example.org")
    app = SocialApp.objects.create(provider="openid_connect", name="University", client_id="c")
    account = SocialAccount.objects.create(user=someone, provider="openid_connect", uid="u1")
    SocialToken.objects.create(app=app, account=account, token="t")


def _lti_records(course: Course, instructor: Any, student: Any) -> None:
    """The LTI registration and what launches, roster syncs and grade posts leave."""
    when = timezone.now()
    platform = Platform.objects.create(
        name="StudiUM",
        issuer="https://studium.example.org",
        client_id="coursekit",
        deployment_ids="1",
        auth_login_url="https://studium.example.org/auth",
        auth_token_url="https://studium.example.org/token",
        key_set_url="https://studium.example.org/certs",
    )
    ToolKey.objects.create(kid="k1", private_key_pem="-", public_jwk={}, created_at=when)
    LinkedAccount.objects.create(platform=platform, subject="s1", user=student, linked_at=when)
    link = LinkedCourse.objects.create(
        platform=platform,
        context_id="c1",
        deployment_id="1",
        course=course,
        bound_by=instructor,
        bound_at=when,
    )
    item = LineItem.objects.create(
        link=link,
        key="final",
        label="Final",
        score_maximum=100,
        url="https://studium.example.org/li/1",
        created_at=when,
    )
    GradePost.objects.create(line_item=item, user=student, score_given=90, attempted_at=when)


ROLES = (
    "anonymous",
    "auditor",
    "waitlisted",
    "student",
    "other",
    "ta",
    "instructor",
    "ta_b",
    "ins_b",
    "superuser",
)

# fmt: off
# Pages and API routes, and the admin's own pages (by URL name).
#                                        anon aud  wait stu  oth  ta   ins  ta_b insb su
ROUTES: dict[str, str] = {
    "api_quiz_answer":                  "L    -    -    +    +    -    -    -    -    -",
    "api_quizzes":                      "L    -    -    +    +    -    -    -    -    -",
    "api_quiz":                         "L    -    -    +    +    -    -    -    -    -",
    "api_quiz_attempt":                 "L    -    -    +    -    -    -    -    -    -",
    "api_quiz_submit":                  "L    -    -    +    -    -    -    -    -    -",
    "api_quiz_result":                  "L    -    -    +    +    -    -    -    -    -",
    "api_schedule":                     "L    +    +    +    +    +    +    -    -    +",
    "api_my_enrolments":               "L    +    +    +    +    +    +    +    +    +",
    "api_scribe_slots":                 "L    -    -    +    +    -    -    -    -    -",
    "api_scribe_claim":                 "L    -    -    +    +    -    -    -    -    -",
    "api_scribe_mine":                  "L    -    -    +    -    -    -    -    -    -",
    "api_my_grades":                    "L    -    -    +    +    -    -    -    -    -",
    "api_course_grades":                "L    -    -    -    -    +    +    -    -    +",
    "api_schema":                       "+    +    +    +    +    +    +    +    +    +",
    "api_docs":                         "+    +    +    +    +    +    +    +    +    +",
    "admin:index":                      "L    L    L    L    L    +    +    +    +    +",
    "admin:login":                      "+    +    +    +    +    +    +    +    +    +",
    "admin:password_change":            "L    L    L    L    L    +    +    +    +    +",
    "admin:password_change_done":       "L    L    L    L    L    +    +    +    +    +",
    "admin:autocomplete":               "L    L    L    L    L    -    +    -    +    +",
    "admin:jsi18n":                     "L    L    L    L    L    +    +    +    +    +",
    "admin:view_on_site":               "L    L    L    L    L    -    -    -    -    -",
    "admin:auth_user_password_change":  "L    L    L    L    L    -    -    -    -    +",
    "admin:course_roster_import":       "L    L    L    L    L    -    +    -    -    +",
    "admin:course_syllabus_upload":     "L    L    L    L    L    -    +    -    -    +",
    "admin:course_syllabus_download":   "L    L    L    L    L    +    +    -    -    +",
    "admin:quizzes_quiz_stats":         "L    L    L    L    L    +    +    -    -    +",
    "admin:quizzes_quiz_export":        "L    L    L    L    L    +    +    -    -    +",
    "admin:scribing_auto_assign":       "L    L    L    L    L    -    +    -    -    +",
    "admin:scribing_sync":              "L    L    L    L    L    -    +    -    -    +",
    "admin:projects_group_tools":       "L    L    L    L    L    +    +    +    +    +",
    "admin:projects_group_grade":       "L    L    L    L    L    +    +    -    -    +",
    "admin:grading_gradebook":          "L    L    L    L    L    +    +    -    -    +",
    "admin:grading_gradebook_student":  "L    L    L    L    L    +    +    -    -    +",
    "admin:grading_gradebook_recompute":"L    L    L    L    L    +    +    -    -    +",
    "admin:grading_gradebook_export":   "L    L    L    L    L    +    +    -    -    +",
    "admin:grading_gradebook_release":  "L    L    L    L    L    -    +    -    -    +",
    "admin:grading_gradebook_moodle":   "L    L    L    L    L    +    +    -    -    +",
    "admin:grading_exam_import":        "L    L    L    L    L    +    +    -    -    +",
    "admin:app_list":                   "L    L    L    L    L    +    +    +    +    +",
    "login":                            "+    +    +    +    +    +    +    +    +    +",
    "set_language":                     "+    +    +    +    +    +    +    +    +    +",
    "javascript-catalog":               "+    +    +    +    +    +    +    +    +    +",
    "quiz_list":                        "L    -    -    +    +    +    +    -    -    +",
    "quiz_detail":                      "L    -    -    +    +    -    -    -    -    -",
    "quiz_start":                       "L    -    -    +    +    -    -    -    -    -",
    "quiz_take":                        "L    -    -    +    +    -    -    -    -    -",
    "quiz_submit":                      "L    -    -    +    +    -    -    -    -    -",
    "quiz_result":                      "L    -    -    +    +    -    -    -    -    -",
    "quiz_access_code":                 "L    -    -    -    -    -    +    -    -    +",
    "scribing":                         "L    -    -    +    +    +    +    -    -    +",
    "scribing_claim":                   "L    -    -    +    +    -    -    -    -    -",
    "scribing_drop":                    "L    -    -    +    +    -    -    -    -    -",
    "scribing_unavailable":             "L    -    -    +    +    -    -    -    -    -",
    "scribing_submit":                  "L    -    -    +    +    -    -    -    -    -",
    "scribing_lateness":                "L    -    -    +    -    -    -    -    -    -",
    "scribing_extension":               "L    -    -    +    +    -    -    -    -    -",
    "scribing_template":                "L    +    +    +    +    +    +    -    -    +",
    "scribing_file":                    "L    -    -    +    -    +    +    -    -    +",
    "projects_presentations":           "L    -    -    +    +    +    +    -    -    +",
    "projects_propose":                 "L    -    -    +    -    -    -    -    -    -",
    "projects_slides_upload":           "L    -    -    +    -    -    -    -    -    -",
    "projects_slides_file":             "L    -    -    +    -    +    +    -    -    +",
    "projects_team":                    "L    -    -    +    +    +    +    -    -    +",
    "projects_team_choice":             "L    -    -    +    -    -    -    -    -    -",
    "projects_milestone_submit":        "L    -    -    +    -    -    -    -    -    -",
    "projects_submission_file":         "L    -    -    +    -    +    +    -    -    +",
    "projects_invite":                  "L    -    -    +    +    -    -    -    -    -",
    "projects_group_leave":             "L    -    -    +    +    -    -    -    -    -",
    "projects_invitation_answer":       "L    -    -    +    -    -    -    -    -    -",
    "projects_slot_pick":               "L    -    -    +    -    -    -    -    -    -",
    "my_grades":                        "L    -    -    +    +    +    +    -    -    +",
    "home":                             "+    +    +    +    +    +    +    +    +    +",
    "course_home":                      "L    +    +    +    +    +    +    -    -    +",
    "schedule":                         "L    +    +    +    +    +    +    -    -    +",
    "resources":                        "L    +    +    +    +    +    +    -    -    +",
    "calendar_feed_settings":           "L    +    +    +    +    +    +    -    -    +",
    "course_public_feed":               "-    -    -    -    -    -    -    -    -    -",
    "personal_feed":                    "+    +    +    +    +    +    +    +    +    +",
    "notification_list":                "L    +    +    +    +    +    +    -    -    +",
    "notification_mark_read":           "L    +    +    +    +    +    +    -    -    +",
    "notification_preferences":         "L    +    +    +    +    +    +    -    -    +",
    "admin:logout":                     "+    +    +    +    +    +    +    +    +    +",
    "logout":                           "+    +    +    +    +    +    +    +    +    +",
    "password_reset":                   "+    +    +    +    +    +    +    +    +    +",
    "password_reset_done":              "+    +    +    +    +    +    +    +    +    +",
    "password_reset_confirm":           "+    +    +    +    +    +    +    +    +    +",
    "password_reset_complete":          "+    +    +    +    +    +    +    +    +    +",
    "password_change":                  "L    +    +    +    +    +    +    +    +    +",
    "password_change_done":             "L    +    +    +    +    +    +    +    +    +",
    "account_preferences":              "L    +    +    +    +    +    +    +    +    +",
    "account_sign_out_everywhere":      "L    L    L    L    L    L    L    L    L    L",
    "invitation_accept":                "-    -    -    -    -    -    -    -    -    -",
    "invitation_renew":                 "-    -    -    -    -    -    -    -    -    -",
    "openid_connect_login":             "-    -    -    -    -    -    -    -    -    -",
    "openid_connect_callback":          "-    -    -    -    -    -    -    -    -    -",
    "saml_acs":                         "+    +    +    +    +    +    +    +    +    +",
    "saml_finish_acs":                  "-    -    -    -    -    -    -    -    -    -",
    "saml_sls":                         "-    -    -    -    -    -    -    -    -    -",
    "saml_metadata":                    "-    -    -    -    -    -    -    -    -    -",
    "saml_login":                       "-    -    -    -    -    -    -    -    -    -",
    "socialaccount_login_cancelled":    "+    +    +    +    +    +    +    +    +    +",
    "socialaccount_login_error":        "+    +    +    +    +    +    +    +    +    +",
    "socialaccount_signup":             "+    +    +    +    +    +    +    +    +    +",
    "admin:lti_platform_dynamic_registration": "L    L    L    L    L    -    -    -    -    +",
    "lti_login":                        "+    +    +    +    +    +    +    +    +    +",
    "lti_launch":                       "+    +    +    +    +    +    +    +    +    +",
    "lti_continue":                     "+    +    +    +    +    +    +    +    +    +",
    "lti_deep_link":                    "+    +    +    +    +    +    +    +    +    +",
    "lti_register":                     "-    -    -    -    -    -    -    -    -    -",
    "lti_lms_link":                     "L    -    -    -    -    -    +    -    -    +",
    "lti_jwks":                         "+    +    +    +    +    +    +    +    +    +",
    "socialaccount_connections":        "+    +    +    +    +    +    +    +    +    +",
}

# What each page of a registered admin answers, by the admin model's profile.
#                                        anon aud  wait stu  oth  ta   ins  ta_b insb su
ADMIN_PROFILES: dict[str, dict[str, str]] = {
    # Accounts: the instructors see and edit the people of their courses (account_editable_by).
    "user": {
        "changelist":                   "L    L    L    L    L    -    +    -    +    +",
        "add":                          "L    L    L    L    L    -    -    -    -    +",
        "change":                       "L    L    L    L    L    -    +    -    -    +",
        "delete":                       "L    L    L    L    L    -    -    -    -    +",
        "history":                      "L    L    L    L    L    -    +    -    -    +",
    },
    # The course itself: a superuser creates it, its instructor changes and deletes it.
    "course": {
        "changelist":                   "L    L    L    L    L    +    +    +    +    +",
        "add":                          "L    L    L    L    L    -    -    -    -    +",
        "change":                       "L    L    L    L    L    +    +    -    -    +",
        "delete":                       "L    L    L    L    L    -    +    -    -    +",
        "history":                      "L    L    L    L    L    +    +    -    -    +",
    },
    # A course's configuration: TAs view, instructors add, change and delete.
    "configuration": {
        "changelist":                   "L    L    L    L    L    +    +    +    +    +",
        "add":                          "L    L    L    L    L    -    +    -    +    +",
        "change":                       "L    L    L    L    L    +    +    -    -    +",
        "delete":                       "L    L    L    L    L    -    +    -    -    +",
        "history":                      "L    L    L    L    L    +    +    -    -    +",
    },
    # Quizzes, scores, groups...: TAs add and change in their course, only instructors delete.
    "coursework": {
        "changelist":                   "L    L    L    L    L    +    +    +    +    +",
        "add":                          "L    L    L    L    L    +    +    +    +    +",
        "change":                       "L    L    L    L    L    +    +    -    -    +",
        "delete":                       "L    L    L    L    L    -    +    -    -    +",
        "history":                      "L    L    L    L    L    +    +    -    -    +",
    },
    # Rows the students or the app make (attempts, submissions, messages): never added here.
    "made_elsewhere": {
        "changelist":                   "L    L    L    L    L    +    +    +    +    +",
        "add":                          "L    L    L    L    L    -    -    -    -    -",
        "change":                       "L    L    L    L    L    +    +    -    -    +",
        "delete":                       "L    L    L    L    L    -    +    -    -    +",
        "history":                      "L    L    L    L    L    +    +    -    -    +",
    },
    # Grade overrides: added and changed with a reason, never deleted (the audit log).
    "append_only": {
        "changelist":                   "L    L    L    L    L    +    +    +    +    +",
        "add":                          "L    L    L    L    L    +    +    +    +    +",
        "change":                       "L    L    L    L    L    +    +    -    -    +",
        "delete":                       "L    L    L    L    L    -    -    -    -    -",
        "history":                      "L    L    L    L    L    +    +    -    -    +",
    },
    # Computed or logged rows: read, never added nor deleted.
    "computed": {
        "changelist":                   "L    L    L    L    L    +    +    +    +    +",
        "add":                          "L    L    L    L    L    -    -    -    -    -",
        "change":                       "L    L    L    L    L    +    +    -    -    +",
        "delete":                       "L    L    L    L    L    -    -    -    -    -",
        "history":                      "L    L    L    L    L    +    +    -    -    +",
    },
    # Site-wide (groups, the beat schedule, everyone's preferences): superusers only.
    "superusers_only": {
        "changelist":                   "L    L    L    L    L    -    -    -    -    +",
        "add":                          "L    L    L    L    L    -    -    -    -    +",
        "change":                       "L    L    L    L    L    -    -    -    -    +",
        "delete":                       "L    L    L    L    L    -    -    -    -    +",
        "history":                      "L    L    L    L    L    -    -    -    -    +",
    },
    # Site-wide records written by the app alone (django-axes' failed logins): superusers read
    # and delete them (deleting an access attempt unlocks the account).
    "superusers_read_only": {
        "changelist":                   "L    L    L    L    L    -    -    -    -    +",
        "add":                          "L    L    L    L    L    -    -    -    -    -",
        "change":                       "L    L    L    L    L    -    -    -    -    +",
        "delete":                       "L    L    L    L    L    -    -    -    -    +",
        "history":                      "L    L    L    L    L    -    -    -    -    +",
    },
    # Site-wide records superusers look at and never add nor delete (the signed-in sessions:
    # "sign out everywhere" is their action).
    "superusers_view_only": {
        "changelist":                   "L    L    L    L    L    -    -    -    -    +",
        "add":                          "L    L    L    L    L    -    -    -    -    -",
        "change":                       "L    L    L    L    L    -    -    -    -    +",
        "delete":                       "L    L    L    L    L    -    -    -    -    -",
        "history":                      "L    L    L    L    L    -    -    -    -    +",
    },
}

# Every admin model and its profile.
ADMIN_MODELS: dict[str, str] = {
    "course.User": "user",
    "course.Course": "course",
    "course.Enrolment": "configuration",
    "course.Session": "configuration",
    "course.BibliographyEntry": "configuration",
    "course.Announcement": "configuration",
    "course.OfficeHour": "configuration",
    "course.CalendarFeedToken": "configuration",
    "course.Notification": "configuration",
    "course.Extension": "coursework",
    "quizzes.Quiz": "coursework",
    "quizzes.Question": "coursework",
    "quizzes.Accommodation": "coursework",
    "scribing.ScribeSlot": "coursework",
    "scribing.Unavailability": "coursework",
    "projects.Group": "coursework",
    "grading.ExamScore": "coursework",
    "grading.ParticipationScore": "coursework",
    "grading.ComponentExcusal": "coursework",
    "course.ExtensionRequest": "made_elsewhere",
    "course.OutboxMessage": "made_elsewhere",
    "course.AnnouncementDelivery": "made_elsewhere",
    "quizzes.Attempt": "made_elsewhere",
    "quizzes.Answer": "made_elsewhere",
    "scribing.NotesSubmission": "made_elsewhere",
    "projects.PaperProposal": "made_elsewhere",
    "projects.TalkSlot": "made_elsewhere",
    "projects.Milestone": "made_elsewhere",
    "projects.MilestoneSubmission": "made_elsewhere",
    "projects.Invitation": "made_elsewhere",
    "projects.GroupDeparture": "made_elsewhere",
    "projects.Slides": "made_elsewhere",
    "grading.GradeOverride": "append_only",
    "grading.OverrideAuditLog": "computed",
    "grading.StudentGradeInputs": "computed",
    "grading.GradebookSnapshot": "computed",
    "auth.Group": "superusers_only",
    "django_celery_beat.PeriodicTask": "superusers_only",
    "django_celery_beat.IntervalSchedule": "superusers_only",
    "django_celery_beat.CrontabSchedule": "superusers_only",
    "django_celery_beat.SolarSchedule": "superusers_only",
    "django_celery_beat.ClockedSchedule": "superusers_only",
    "axes.AccessAttempt": "superusers_read_only",
    "axes.AccessLog": "superusers_read_only",
    "axes.AccessFailureLog": "superusers_read_only",
    "account.EmailAddress": "superusers_only",
    "socialaccount.SocialApp": "superusers_only",
    "socialaccount.SocialAccount": "superusers_only",
    "socialaccount.SocialToken": "superusers_only",
    "course.AccountInvitation": "made_elsewhere",
    "course.SignedInSession": "superusers_view_only",
    "lti.Platform": "superusers_only",
    "lti.LinkedCourse": "superusers_read_only",
    "lti.LinkedAccount": "superusers_read_only",
    "lti.ToolKey": "superusers_read_only",
    "lti.GradePost": "computed",
    "course.NotificationPreference": "superusers_only",
}
# fmt: on

ADMIN_PAGES = ("changelist", "add", "change", "delete", "history")
# Routes without a name are not walked: Django's admin has two, an object's bare address
# (a redirect to its change page) and the catch-all (a redirect to the login, or 404).


def _routes() -> Iterator[tuple[str, str, list[str]]]:
    """(name, route, parameters) of every named URL pattern, namespaces included."""

    def walk(patterns: Any, prefix: str, ns: str) -> Iterator[tuple[str, str, list[str]]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = f"{ns}{p.namespace}:" if p.namespace else ns
                yield from walk(p.url_patterns, prefix + str(p.pattern), inner)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{ns}{p.name}", prefix + str(p.pattern), list(p.pattern.regex.groupindex)

    seen: set[str] = set()
    for name, route, params in walk(get_resolver().url_patterns, "", ""):
        if name not in seen:
            seen.add(name)
            yield name, route, params


def _admin_model_pages() -> dict[str, tuple[str, str]]:
    """URL name -> (model label, page kind) of the registry's standard pages."""
    pages = {}
    for model in admin.site._registry:
        opts = model._meta
        for kind in ADMIN_PAGES:
            pages[f"admin:{opts.app_label}_{opts.model_name}_{kind}"] = (opts.label, kind)
    return pages


@pytest.fixture
def world(make_member: Callable[..., Any]) -> dict[str, Any]:
    """Course A with one of everything (the first student's work in it), course B with its
    own staff, and one person of each kind."""
    a = load_syllabus_text(PROJECTS_SYLLABUS.replace("PRJ101", "AAA101")).course
    b = load_syllabus_text(PROJECTS_SYLLABUS.replace("PRJ101", "BBB101")).course
    Course.objects.filter(pk=a.pk).update(seat_capacity=3)
    a.refresh_from_db()
    people: dict[str, Any] = {
        "student": make_member(a, username="student"),
        "other": make_member(a, username="other"),
        "ta": make_member(a, Enrolment.Role.TA, username="ta"),
        "instructor": make_member(a, Enrolment.Role.INSTRUCTOR, username="instructor"),
        "ta_b": make_member(b, Enrolment.Role.TA, username="ta_b"),
        "ins_b": make_member(b, Enrolment.Role.INSTRUCTOR, username="ins_b"),
    }
    people["filler"] = make_member(a, username="filler")
    people["auditor"] = make_member(a, Enrolment.Role.AUDITOR, username="auditor")
    people["waitlisted"] = make_member(a, Enrolment.Role.AUDITOR, username="waitlisted")
    assert Enrolment.objects.get(user=people["waitlisted"]).status == "waitlisted"
    people["superuser"] = UserFactory.create(superuser=True, username="root", email="root@x.org")
    student = people["student"]
    _populate(a, student, people["ta"])
    _populate(b, make_member(b, username="student_b"), people["ins_b"])

    notes = NotesSubmission.objects.get(slot__course=a)
    notes.tex_file.save("notes.tex", ContentFile(b"\\section{Notes}"), save=True)
    presentation = Group.objects.get(course=a, kind=GroupKind.PRESENTATION)
    slides = Slides.objects.get(group=presentation)
    slides.file.save("slides.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    team = Group.objects.get(course=a, kind=GroupKind.PROJECT)
    GroupMembershipFactory.create(group=team, student=student)
    submission = MilestoneSubmission.objects.get(group=team)
    submission.file.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    invitation = Invitation.objects.create(
        course=a,
        kind=GroupKind.PROJECT,
        from_user=people["filler"],
        to_user=student,
        created_at=timezone.now(),
    )
    # The stored grade row of the populated world is a stand-in: it belongs to the filler.
    StudentGradeInputs.objects.filter(course=a).update(student=people["filler"])
    every = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.create(
        name="Dispatch", task="course.tasks.dispatch_reminders", interval=every
    )
    CrontabSchedule.objects.create(minute="0", hour="7")
    SolarSchedule.objects.create(event="sunrise", latitude=45.5, longitude=-73.6)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    _site_wide_records()
    _lti_records(a, people["instructor"], people["student"])
    AuthGroup.objects.create(name="Site operators")
    quiz = Quiz.objects.get(course=a)
    return {
        "a": a,
        "b": b,
        "people": people,
        "quiz": quiz,
        "question": quiz.questions.first(),
        "slot": ScribeSlot.objects.filter(course=a).first(),
        "notes": notes,
        "slides": slides,
        "submission": submission,
        "milestone": Milestone.objects.filter(course=a).first(),
        "invitation": invitation,
        "talk_slot": TalkSlot.objects.filter(session__course=a).first(),
        "group": presentation,
        "token": CalendarFeedToken.objects.get(course=a, user=student),
    }


def _kwargs(name: str, params: list[str], w: dict[str, Any]) -> dict[str, Any]:
    a = w["a"]
    by_name: dict[str, dict[str, Any]] = {
        "api_quiz_answer": {"pk": w["quiz"].pk, "question_id": w["question"].pk},
        "scribing_file": {"pk": w["notes"].pk, "kind": "tex"},
        "projects_slides_file": {"pk": w["slides"].pk},
        "projects_submission_file": {"pk": w["submission"].pk},
        "projects_milestone_submit": {"pk": w["milestone"].pk},
        "projects_invitation_answer": {"pk": w["invitation"].pk},
        "projects_slot_pick": {"pk": w["talk_slot"].pk},
        "scribing_claim": {"pk": w["slot"].pk},
        "api_scribe_claim": {"pk": w["slot"].pk},
        "personal_feed": {"token": w["token"].token},
        # A link's token that is no invitation (the flows with real ones: tests/accounts/).
        "invitation_accept": {"token": "not-an-invitation"},
        "invitation_renew": {"token": "not-an-invitation"},
        "password_reset_confirm": {"uidb64": "MQ", "token": "not-a-token"},
        # No identity provider is configured here (tests/accounts/ sign in through one).
        **{
            f"saml_{page}": {"organization_slug": "university"}
            for page in ("acs", "finish_acs", "sls", "metadata", "login")
        },
        "admin:quizzes_quiz_stats": {"pk": w["quiz"].pk},
        "admin:quizzes_quiz_export": {"pk": w["quiz"].pk},
        "admin:projects_group_grade": {"pk": w["group"].pk},
        "admin:grading_gradebook_student": {"user_id": w["people"]["student"].pk},
        "admin:auth_user_password_change": {"id": w["people"]["student"].pk},
        "admin:app_list": {"app_label": "course"},
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(Course).pk,
            "object_id": a.pk,
        },
    }
    kwargs: dict[str, Any] = dict(by_name.get(name, {}))
    for param in params:
        if param in kwargs:
            continue
        if param == "code":
            kwargs[param] = a.code
        elif param == "provider_id":
            kwargs[param] = "university"  # no identity provider is configured here
        elif param == "kind":
            kwargs[param] = GroupKind.PROJECT
        elif param in ("pk", "course_id") and name.startswith("admin:"):
            kwargs[param] = a.pk  # the custom admin pages of a course
        elif param == "quiz_id" or (param == "pk" and "quiz" in name):
            kwargs[param] = w["quiz"].pk
        else:
            raise AssertionError(f"{name}: say in _kwargs which object its {param!r} names")
    return kwargs


def _admin_object(label: str, w: dict[str, Any]) -> Any:
    model = next(m for m in admin.site._registry if m._meta.label == label)
    if model is get_user_model():
        return w["people"]["student"]
    if isinstance(admin.site.get_model_admin(model), CourseScopedAdminMixin):
        return _rows_of(model, w["a"]).first()
    return model._default_manager.order_by("pk").first()


POSTED = {"admin:scribing_sync"}  # an action that refuses GET with 403, not 405
QUERY = {"admin:autocomplete": "?app_label=course&model_name=enrolment&field_name=user"}
# They end the session: asked last.
LAST = ("logout", "admin:logout", "account_sign_out_everywhere")


def _answer(response: Any) -> str:
    status = response.status_code
    if status == 401:
        return "L"
    if status in (301, 302, 303, 307, 308):
        where = response.get("Location", "")
        return "L" if "/accounts/login/" in where or "/admin/login/" in where else "+"
    if status == 403 and b"credentials were not provided" in response.content:
        return "L"  # the API's "log in first"
    if status in (403, 404):
        return "-"
    if status >= 500:
        return "!"
    return "+"


def _ask(client: Any, url: str, *, post: bool = False) -> str:
    response = client.post(url, {}) if post else client.get(url)
    if response.status_code == 405 and not post:
        response = client.post(url, {})
    return _answer(response)


def _expected(name: str, admin_pages: dict[str, tuple[str, str]]) -> str | None:
    if name in ROUTES:
        return ROUTES[name]
    if name in admin_pages:
        label, kind = admin_pages[name]
        profile = ADMIN_MODELS.get(label)
        return None if profile is None else ADMIN_PROFILES[profile][kind]
    return None


def test_every_route_and_admin_model_has_an_expected_answer() -> None:
    admin_pages = _admin_model_pages()
    missing = [name for name, _r, _p in _routes() if _expected(name, admin_pages) is None]
    unknown_models = sorted({label for label, _k in admin_pages.values()} - ADMIN_MODELS.keys())
    assert unknown_models == [], "add these admin models to ADMIN_MODELS"
    assert missing == [], "add these routes to ROUTES"
    names = {name for name, _r, _p in _routes()}
    assert set(ROUTES) <= names, f"no such route: {sorted(set(ROUTES) - names)}"
    for row in [*ROUTES.values(), *(k for p in ADMIN_PROFILES.values() for k in p.values())]:
        assert len(row.split()) == len(ROLES) and set(row.split()) <= {"+", "-", "L"}, row


def _walk(client: Any, world: dict[str, Any], role: str) -> list[tuple[str, str, str]]:
    """(route name, url, answer) of every route for one kind of visitor."""
    admin_pages = _admin_model_pages()
    person = world["people"].get(role)
    client.logout()
    if person is not None:
        client.force_login(person)
    seen = []
    for name, _route, params in sorted(_routes(), key=lambda r: r[0] in LAST):
        if name in admin_pages:
            label, kind = admin_pages[name]
            if kind in ("change", "delete", "history"):
                obj = _admin_object(label, world)
                if obj is None:
                    raise AssertionError(f"the test world lacks a {label} for {name}")
                url = reverse(name, args=[obj.pk])
            else:
                url = reverse(name)
        else:
            url = reverse(name, kwargs=_kwargs(name, params, world)) + QUERY.get(name, "")
        seen.append((name, url, _ask(client, url, post=name in POSTED)))
    return seen


def test_the_permission_matrix(client: Any, world: dict[str, Any]) -> None:
    """Each kind of visitor walks every route in the same world (what one visitor's posts
    change is rolled back before the next)."""
    admin_pages = _admin_model_pages()
    wrong = []
    for column, role in enumerate(ROLES):
        with transaction.atomic():
            seen = _walk(client, world, role)
            transaction.set_rollback(True)
        if os.environ.get("PERMISSION_MATRIX_PRINT"):
            print(f"\n#ROLE {role}")
            for name, _url, got in seen:
                print(f"#SEEN {name} {got}")
        for name, url, got in seen:
            row = _expected(name, admin_pages)
            want = row.split()[column] if row else "?"
            if got != want:
                wrong.append(f"{role} on {name} {url}: expected {want}, got {got}")
    assert wrong == []
