"""The course home's quiz notices: "quiz open now", "in progress — resume", the staff's live
counts; who sees what and when; the page's query count does not grow with the class."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from course.extensions import HomeNotice, home_notices
from quizzes import home, services
from quizzes.models import Attempt, Quiz

from .conftest import questions

pytestmark = pytest.mark.django_db

MTL = ZoneInfo("America/Montreal")
OPENS = datetime(2021, 1, 14, 9, 0, tzinfo=MTL)  # the quiz of Thursday's session
NOW = OPENS + timedelta(minutes=5)  # window 09:00-09:15, 10 minutes once started


@pytest.fixture
def open_quiz(make_quiz: Callable[..., Quiz]) -> Quiz:
    return make_quiz(opens_at=OPENS, window_minutes=15, title="Gradient descent quiz")


def urls(notices: list[HomeNotice]) -> list[str]:
    return [n.url for n in notices]


def detail_url(quiz: Quiz) -> str:
    return reverse("quiz_detail", kwargs={"code": quiz.course.code, "pk": quiz.pk})


def take_url(quiz: Quiz) -> str:
    return reverse("quiz_take", kwargs={"code": quiz.course.code, "pk": quiz.pk})


# --- the provider ----------------------------------------------------------------------------


def test_open_quiz_is_shown_with_the_time_left(open_quiz: Quiz, student: Any) -> None:
    notices = home.quiz_notices(open_quiz.course, student, NOW)
    assert len(notices) == 1
    notice = notices[0]
    assert notice.label == "Quiz open now: Gradient descent quiz"
    assert notice.url == detail_url(open_quiz) and notice.action == "Open the quiz"
    assert "until 09:15" in notice.detail and "10\xa0minutes left" in notice.detail
    assert "10 minutes once started" in notice.detail
    # The course's registered providers give the same notice.
    assert home_notices(open_quiz.course, student, NOW) == notices


@pytest.mark.parametrize(
    "moment",
    [
        OPENS - timedelta(seconds=1),  # not open yet
        OPENS + timedelta(minutes=15, seconds=1),  # the window closed (no attempt started)
        OPENS + timedelta(days=1),
    ],
)
def test_not_shown_outside_the_window(open_quiz: Quiz, student: Any, moment: datetime) -> None:
    assert home.quiz_notices(open_quiz.course, student, moment) == []


def test_shown_at_the_window_bounds(open_quiz: Quiz, student: Any) -> None:
    for moment in (OPENS, open_quiz.closes_at):
        assert urls(home.quiz_notices(open_quiz.course, student, moment)) == [detail_url(open_quiz)]


def test_attempt_in_progress_offers_resume_then_nothing_once_submitted(
    open_quiz: Quiz, student: Any
) -> None:
    attempt, _ = services.attempt_start(quiz=open_quiz, student=student, now=NOW)
    later = NOW + timedelta(minutes=3)
    notices = home.quiz_notices(open_quiz.course, student, later)
    assert len(notices) == 1  # resume, not "open" as well
    assert notices[0].label == "Quiz in progress: Gradient descent quiz"
    assert notices[0].url == take_url(open_quiz) and notices[0].action == "Resume the quiz"
    assert "7\xa0minutes left (until 09:15)" in notices[0].detail
    assert notices[0].css == "quiz-in-progress"
    services.attempt_submit(attempt=attempt, now=later)
    assert home.quiz_notices(open_quiz.course, student, later) == []


def test_attempt_past_its_deadline_is_submitted_when_the_home_reads_it(
    open_quiz: Quiz, student: Any
) -> None:
    attempt, _ = services.attempt_start(quiz=open_quiz, student=student, now=NOW)
    q = questions(open_quiz)["single"]
    right = next(c for c in q.choices.all() if c.is_correct)
    services.answer_save(quiz=open_quiz, student=student, question_id=q.pk, value=right.pk, now=NOW)
    # Within the grace: no banner (the page is submitting it) and still open.
    assert home.quiz_notices(open_quiz.course, student, attempt.deadline) == []
    assert Attempt.objects.get().submitted_at is None
    # Past deadline + grace, the worker down: reading it submits it, at its deadline.
    assert (
        home.quiz_notices(open_quiz.course, student, attempt.deadline + timedelta(seconds=6)) == []
    )
    attempt.refresh_from_db()
    assert attempt.submitted_at == attempt.deadline and attempt.submitted_by_timeout
    assert attempt.points == 1


def test_accommodated_student_sees_the_quiz_in_their_later_window(
    open_quiz: Quiz, student: Any, make_member: Callable
) -> None:
    later_opens = OPENS + timedelta(hours=3)
    services.accommodation_set(
        quiz=open_quiz,
        student=student,
        opens_at=later_opens,
        closes_at=later_opens + timedelta(minutes=30),
        extra_seconds=300,
    )
    other = make_member(open_quiz.course, "student")
    course = open_quiz.course
    assert home.quiz_notices(course, student, NOW) == []  # not in the class's window
    assert urls(home.quiz_notices(course, other, NOW)) == [detail_url(open_quiz)]
    in_window = later_opens + timedelta(minutes=10)
    notices = home.quiz_notices(course, student, in_window)
    assert urls(notices) == [detail_url(open_quiz)]
    assert "until 12:30" in notices[0].detail and "20\xa0minutes left" in notices[0].detail
    assert "15 minutes once started" in notices[0].detail  # 10 + 5 extra
    assert home.quiz_notices(course, other, in_window) == []
    # Started late in their window: the extra time keeps the attempt running past its close.
    services.attempt_start(quiz=open_quiz, student=student, now=later_opens + timedelta(minutes=29))
    resume = home.quiz_notices(course, student, later_opens + timedelta(minutes=33))
    assert urls(resume) == [take_url(open_quiz)]
    assert "until 12:35" in resume[0].detail


def test_excused_student_sees_nothing(open_quiz: Quiz, student: Any) -> None:
    services.accommodation_set(quiz=open_quiz, student=student, excused=True)
    assert home.quiz_notices(open_quiz.course, student, NOW) == []


def test_auditor_sees_it_only_when_auditors_may_take_quizzes(
    open_quiz: Quiz, make_member: Callable
) -> None:
    course = open_quiz.course
    auditor = make_member(course, "auditor")
    course.auditors_may_take_quizzes = False
    course.save()
    assert home.quiz_notices(course, auditor, NOW) == []
    course.auditors_may_take_quizzes = True
    course.save()
    assert urls(home.quiz_notices(course, auditor, NOW)) == [detail_url(open_quiz)]


@pytest.mark.parametrize("role", ["instructor", "ta"])
def test_staff_get_the_live_counts_not_the_take_link(
    open_quiz: Quiz, student: Any, make_member: Callable, role: str
) -> None:
    staff = make_member(open_quiz.course, role)
    other = make_member(open_quiz.course, "student")
    services.attempt_start(quiz=open_quiz, student=student, now=NOW)
    attempt, _ = services.attempt_start(quiz=open_quiz, student=other, now=NOW)
    services.attempt_submit(attempt=attempt, now=NOW)
    notices = home.quiz_notices(open_quiz.course, staff, NOW)
    assert len(notices) == 1
    notice = notices[0]
    assert detail_url(open_quiz) not in notice.url and take_url(open_quiz) not in notice.url
    assert notice.url == reverse("admin:quizzes_quiz_stats", args=[open_quiz.pk])
    assert notice.css == "quiz-live" and notice.action == "Live view"
    assert "Started: 2 · submitted: 1" in notice.detail
    assert (
        home.quiz_notices(open_quiz.course, staff, open_quiz.closes_at + timedelta(seconds=1)) == []
    )


def test_self_assessment_says_it_is_not_graded(make_quiz: Callable, student: Any) -> None:
    quiz = make_quiz(opens_at=OPENS, title="Prerequisites", self_assessment=True)
    [notice] = home.quiz_notices(quiz.course, student, NOW)
    assert notice.label == "Quiz open now: Prerequisites (not graded)"


# --- the course home page ----------------------------------------------------------------------


def home_url(course: Any) -> str:
    return reverse("course_home", kwargs={"code": course.code})


def test_course_home_shows_the_banner_first(client: Any, open_quiz: Quiz, student: Any) -> None:
    client.force_login(student)
    with time_machine.travel(NOW, tick=False):
        html = client.get(home_url(open_quiz.course)).content.decode()
    assert 'id="home-notices"' in html
    banner = html[html.index('id="home-notices"') :]
    assert banner.index("Quiz open now: Gradient descent quiz") < banner.index("Next sessions")
    assert f'<a class="button" href="{detail_url(open_quiz)}">Open the quiz</a>' in html
    with time_machine.travel(OPENS - timedelta(minutes=1), tick=False):
        assert 'id="home-notices"' not in client.get(home_url(open_quiz.course)).content.decode()


def test_course_home_banner_in_french(client: Any, open_quiz: Quiz, student: Any) -> None:
    client.force_login(student)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    with time_machine.travel(NOW, tick=False):
        html = client.get(home_url(open_quiz.course)).content.decode()
        services.attempt_start(quiz=open_quiz, student=student, now=NOW)
        resumed = client.get(home_url(open_quiz.course)).content.decode()
    assert "Quiz ouvert maintenant\u00a0: Gradient descent quiz" in html
    assert "Ouvrir le quiz" in html and "minutes une fois le quiz commencé" in html
    assert "Quiz en cours\u00a0: Gradient descent quiz" in resumed
    assert "Reprendre le quiz" in resumed


def test_course_home_query_count_does_not_grow(
    client: Any,
    course: Any,
    make_quiz: Callable,
    make_member: Callable,
    django_assert_max_num_queries: Any,
) -> None:
    """A student with quizzes open and one in progress, and an instructor: the same number of
    queries (14 for the student, 3 of them the quiz notices) with 2 or 8 quizzes open and 5 or
    35 students who started them."""
    viewer = make_member(course, "student")
    instructor = make_member(course, "instructor")
    counts: dict[str, list[int]] = {"student": [], "instructor": []}
    for n_quizzes, per_quiz in ((1, 4), (5, 6)):
        for _ in range(n_quizzes):  # open quizzes the viewer has not started, others have
            quiz = make_quiz(opens_at=OPENS, title=f"Q{Quiz.objects.count()}")
            for _ in range(per_quiz):
                services.attempt_start(quiz=quiz, student=make_member(course), now=NOW)
        # and one the viewer has started (the "resume" notice)
        quiz = make_quiz(opens_at=OPENS, title=f"Q{Quiz.objects.count()}")
        services.attempt_start(quiz=quiz, student=viewer, now=NOW)
        for who, user in (("student", viewer), ("instructor", instructor)):
            client.force_login(user)
            with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(14) as ctx:
                response = client.get(home_url(course))
            assert response.status_code == 200 and 'id="home-notices"' in response.content.decode()
            counts[who].append(len(ctx.captured_queries))
    assert counts["student"][0] == counts["student"][1], counts
    assert counts["instructor"][0] == counts["instructor"][1], counts


def test_home_notices_with_an_overdue_attempt_stay_bounded(
    course: Any, make_quiz: Callable, make_member: Callable, django_assert_max_num_queries: Any
) -> None:
    """Reading finalises the viewer's overdue attempts in one pass, however many."""
    viewer = make_member(course, "student")
    for i in range(4):
        quiz = make_quiz(opens_at=OPENS, title=f"Q{i}", duration_seconds=60)
        services.attempt_start(quiz=quiz, student=viewer, now=NOW)
    with django_assert_max_num_queries(12):
        assert home.quiz_notices(course, viewer, NOW + timedelta(minutes=2)) == []
    assert not Attempt.objects.filter(submitted_at__isnull=True).exists()
