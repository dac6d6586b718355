"""Shared fixtures: a small course built from a syllabus text, people by role, a browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone, translation

from course import services
from course.models import Course, Enrolment
from course.syllabus.services import load_syllabus_text
from tests.factories import PASSWORD, UserFactory

SMALL_SYLLABUS = """
course:
  code: TST101
  title: Test course
  term: Winter 2021
  seat_capacity: 30
  public: false
calendar:
  term_start: 2021-01-11
  term_end: 2021-04-16
  meetings:
    - {day: wednesday, start: "09:30", end: "11:10"}
    - {day: thursday, start: "09:00", end: "10:40"}
  breaks:
    - {name: Reading week, first: 2021-03-01, last: 2021-03-05}
bibliography:
  - {key: bubeck2015, kind: book, title: "Convex Optimization", resource: true}
  - {key: zhang2017, title: "Rethinking generalization"}
sessions:
  - {date: 2021-01-13, topic: Overview}
  - {date: 2021-01-14, topic: Gradient descent, readings: [bubeck2015]}
  - {date: 2021-01-28, kind: exam, topic: Early exam}
  - {date: 2021-03-17, kind: presentations, topic: Paper presentations I}
grading:
  components:
    - {key: participation, label: Participation, weight: 5, source: participation}
    - {key: scribing, label: Scribing, weight: 10, source: scribing}
    - {key: quizzes, label: Daily quizzes, weight: 15, source: quizzes}
    - {key: early_exam, label: Early in-class exam, weight: 5, source: exam}
    - {key: midterm, label: Midterm, weight: 15, source: exam}
    - {key: presentations, label: Paper presentations, weight: 15, source: presentations}
    - {key: project, label: Research project, weight: 35, source: project}
"""


@pytest.fixture(autouse=True)
def _language_left_as_found() -> Iterator[None]:
    """A page fetched in French leaves French active in the thread (LocaleMiddleware activates
    the reader's language and nothing deactivates it): the next test starts in the default."""
    yield
    translation.deactivate()


@pytest.fixture
def syllabus_text() -> str:
    return SMALL_SYLLABUS


@pytest.fixture
def course(db: Any) -> Course:
    """TST101: Wednesday/Thursday meetings from 2021-01-11 to 2021-04-16, private."""
    return load_syllabus_text(SMALL_SYLLABUS).course


@pytest.fixture
def beat_schedule(db: Any) -> None:
    """The periodic tasks in django-celery-beat's table, as beat writes them when it starts."""
    from django_celery_beat.schedulers import ModelEntry

    from config.celery import app

    # What DatabaseScheduler.update_from_dict does for each entry at start-up. The scheduler
    # itself is not built here: it closes old connections to see other processes' changes, which
    # on PostgreSQL closes the test's own transaction.
    for name, entry in app.conf.beat_schedule.items():
        ModelEntry.from_entry(name, app=app, **entry)


class BrokerOutage:
    """The Celery app's broker is a REAL Redis URL on a closed port of this machine, not eager:
    what a request meets while Redis is away (celery's own publish retries included).
    `back()` ends the outage: tasks run eagerly again, as in the rest of the suite."""

    def __init__(self) -> None:
        from config.celery import app

        self.app = app
        keys = ("broker_write_url", "broker_transport_options", "task_always_eager")
        self.saved = {k: app.conf.get(k) for k in keys}
        # The write URL: tasks are published on it, and it wins over CELERY_BROKER_URL in the
        # environment (which celery reads before its own broker_url setting).
        app.conf.update(
            broker_write_url="redis://127.0.0.1:1/0",
            broker_transport_options={},
            task_always_eager=False,
        )
        self._drop_pools()

    def _drop_pools(self) -> None:
        # Celery has no public way to drop its cached connection and producer pools; it does
        # so itself after a fork (Celery._after_fork).
        self.app._pool = None  # noqa: SLF001
        if "amqp" in self.app.__dict__:
            self.app.amqp._producer_pool = None  # noqa: SLF001

    def back(self) -> None:
        self.app.conf.update(self.saved)
        self._drop_pools()


@pytest.fixture
def broker_down() -> Iterator[BrokerOutage]:
    """The broker is unreachable until `broker_down.back()` or the end of the test. The test's
    on_commit callbacks must run: django_capture_on_commit_callbacks, or transaction=True to
    see what a request tells the user (its callbacks then run inside the request)."""
    outage = BrokerOutage()
    try:
        yield outage
    finally:
        outage.back()


@pytest.fixture
def make_member(db: Any) -> Callable[..., Any]:
    """make_member(course, role, username=...) -> User enrolled with that role (by the service
    that seats registered students and wait-lists auditors), password `factories.PASSWORD`."""
    counter = {"n": 0}

    def make(
        course: Course,
        role: str = Enrolment.Role.STUDENT,
        username: str | None = None,
        now: datetime | None = None,
    ) -> Any:
        counter["n"] += 1
        user = UserFactory.create(username=username or f"{role}{counter['n']}")
        services.enrolment_set(course=course, user=user, role=role, now=now or timezone.now())
        return user

    return make


# --- browser ---------------------------------------------------------------------------------

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright sync API + live_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _browser_missing_reason() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return (
            f"Chromium not found at {CHROMIUM}: browser tests skipped. Install it "
            "(Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH."
        )
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed: browser tests skipped (make install)."
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _browser_missing_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"In CI a skipped browser test is a failure: {reason}")
        pytest.skip(reason)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-US", timezone_id="America/Montreal")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def login(page: Any, live_server: Any) -> Callable[[str, str], Any]:
    """login(username, password) in the browser page; returns the page."""

    def do(username: str, password: str = PASSWORD) -> Any:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        return page

    return do


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say plainly when the browser tests did not run, and how to enable them."""
    skipped = terminalreporter.stats.get("skipped", [])
    browser_skips = [r for r in skipped if "browser" in getattr(r, "keywords", {})]
    if browser_skips:
        reason = _browser_missing_reason() or "see the skip reasons above"
        terminalreporter.write_line(
            f"NOTE: {len(browser_skips)} browser tests were skipped. {reason}", yellow=True
        )
