"""The syllabus file says one thing and the course does it (issue #17 items 1-6, #14 items 7-8).

Times and dates are read as written, every key of the schema has its effect, a dump loads back
to the same file, an unchanged reload changes nothing, and hostile files are refused with the
key and the line before anything is stored.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import json
import re
import typing
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, RootModel

from course.models import Announcement, Course, DayOff, MeetingTime, Session
from course.selectors import course_policy
from course.syllabus import schema as syllabus_schema
from course.syllabus.hooks import POLICIES, SECTIONS
from course.syllabus.parsing import SyllabusError, parse_syllabus
from course.syllabus.schema import Syllabus, clock_time
from course.syllabus.selectors import dump_syllabus
from course.syllabus.services import SyllabusNeedsConfirmation, load_syllabus_text
from course.syllabus.yaml_file import read_yaml
from scribing.policy import ScribingPolicy
from tests.conftest import SMALL_SYLLABUS
from tests.factories import AttemptFactory, GroupFactory, NotesSubmissionFactory
from tests.present import present

ROOT = Path(__file__).resolve().parents[2]
MONTREAL = ZoneInfo("America/Montreal")

# A term that uses every key of the schema (a test below checks it still does). Times are
# written unquoted on purpose: YAML 1.1 would read them as base-60 integers.
FULL_SYLLABUS = """\
course:
  code: FUL101
  title: Every key of the syllabus
  term: Winter 2021
  language: fr
  instructor: Ada Lovelace
  description: A course that says everything.
  room: Z-110
  seat_capacity: 20
  time_zone: America/Montreal
  public: true
  website: https://example.org/ful101/
  lms: https://studium.example.org/ful101
  slack: https://ful101.slack.com/
  email_subject_prefix: "[FUL] "
  auditors_may_take_quizzes: true
calendar:
  term_start: 2021-01-11
  term_end: 2021-04-16
  add_drop_deadline: 2021-01-22
  meetings:
    - {day: wednesday, start: 9:30, end: 11:10, room: Z-110}
    - {day: thursday, start: 9:00, end: 10:40}
  breaks:
    - {name: Reading week, first: 2021-03-01, last: 2021-03-05}
  days_off:
    - 2021-02-11
sessions:
  - {date: 2021-01-13, topic: Overview, note: Bring a laptop, room: B-2245, readings: [bubeck2015]}
  - {date: 2021-01-14, topic: Gradient descent, readings: [{key: bubeck2015, detail: "Ch. 3"}, {key: zhang2017, required: false}]}
  - {date: 2021-01-28, kind: exam, topic: Early exam}
  - {date: 2021-03-17, kind: presentations, topic: Paper presentations I}
  - {date: 2021-03-18, kind: project_talks, topic: Progress talks}
  - {date: 2021-04-14, kind: poster, topic: Posters}
  - {date: 2021-04-15, kind: no_class, topic: Study day}
bibliography:
  - {key: bubeck2015, kind: book, title: "Convex Optimization", authors: Sébastien Bubeck, year: 2015, venue: FnT, url: "https://arxiv.org/abs/1405.4980", topic: Optimization, resource: true, note: A classic.}
  - {key: zhang2017, title: "Rethinking generalization"}
office_hours:
  - {host: Ada Lovelace, day: tuesday, start: 14:00, end: 15:30, location: AA-3243, note: Or by appointment}
announcements:
  - title: Welcome
    published: 2021-01-13
    body: The first quiz is a self-assessment.
  - title: Staff meeting
    published: 2021-01-20T14:30:00
    audience: staff
    body: Grading the early exam.
grading:
  components:
    - {key: participation, label: Participation, weight: 5, source: participation}
    - {key: scribing, label: Scribing, weight: 10, source: scribing}
    - {key: quizzes, label: Daily quizzes, weight: 15, source: quizzes}
    - {key: early_exam, label: Early in-class exam, weight: 5, source: exam}
    - {key: midterm, label: Midterm, weight: 15, source: exam}
    - {key: presentations, label: Paper presentations, weight: 15, source: presentations}
    - {key: project, label: Research project, weight: 35, source: project}
  letter_scale:
    - {letter: A, min_percent: 85}
    - {letter: F, min_percent: 0}
  rounding_decimals: 1
quizzes:
  expected_min: 2
  expected_max: 3
  best_n: 1
  duration_minutes: 8
  opens_minutes_after_start: 5
  window_minutes: 20
  grace_seconds: 10
  first_is_self_assessment: true
  require_access_code: true
  show_answers_after_close: false
scribing:
  scribes_per_lecture: 3
  due_after_days: 6
  due_time: 23:59
  change_cutoff_days: 3
  late_penalty: {kind: per_day, percent: 10, max_percent: 50, grace_minutes: 15, cutoff_days: 7}
  template_url: https://example.org/template.tex
presentations:
  group_size: 3
  talk_minutes: 25
  changeover_minutes: 5
  first_allowed_week: 6
  slides_due_hours_before: 2
  rubric:
    - {key: slides, label: Quality of slides, points: 40}
    - {key: clarity, label: Clarity of presentation, points: 60}
project:
  group_size: 3
  topics: [Optimization, Generalization]
  kinds: [Literature review, Prototype]
  late_penalty: {kind: flat, percent: 5}
  milestones:
    - {key: proposal, label: Proposal, kind: document, due: 2021-02-19, weight: 20}
    - {key: progress, label: Progress talk, kind: talk, due: 2021-03-18T09:00:00, talk_minutes: 5, weight: 10, accepts: [pdf, link]}
    - {key: poster, label: Poster, kind: poster, due: null, weight: 20, accepts: [link]}
    - {key: report, label: Final report, kind: report, weight: 50}
quiz_bank:
  - date: 2021-01-13
    title: Prerequisites
    questions:
      - {kind: single, prompt: "Is $x^2$ convex?", points: 2, choices: [{text: "yes", correct: true}, {text: "no"}]}
  - date: 2021-01-14
    title: Gradient descent
    self_assessment: false
    duration_minutes: 5
    opens: 9:10
    window_minutes: 30
    grace_seconds: 3
    access_code: false
    show_answers_after_close: true
    shuffle_questions: true
    shuffle_choices: true
    release: manual
    regrade_days: 3
    questions:
      - {kind: multiple, prompt: Pick the norms, choices: [{text: L1, correct: true}, {text: L2, correct: true}, {text: L0}]}
      - {kind: numeric, prompt: "Condition number of diag(1, 4)?", answer: 4, tolerance: 0.01, explanation: "4 / 1"}
      - {kind: text, prompt: "Why?"}
      - {kind: single, pool: rate, prompt: "GD on smooth convex: rate?", choices: [{text: "$O(1/t)$", correct: true}, {text: "$O(1/t^2)$"}]}
      - {kind: single, pool: rate, prompt: "GD on strongly convex: rate?", choices: [{text: linear, correct: true}, {text: sublinear}]}
      - {kind: numeric, prompt: "Compute $a b$.", parameters: {a: {min: 2, max: 9}, b: {min: 0.5, max: 3, step: 0.5}}, formula: a * b, tolerance: 0.01}
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(SyllabusError) as info:
        parse_syllabus(text)
    return info.value.problems


def local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(MONTREAL)


# --- 1. times read as the instructor wrote them -------------------------------------------------


@pytest.mark.django_db
def test_unquoted_times_are_the_times_written():
    text = SMALL_SYLLABUS.replace('start: "09:30", end: "11:10"', "start: 9:30, end: 11:10")
    text += "scribing: {due_time: 23:59}\n"
    course = load_syllabus_text(text).course
    wednesday = Session.objects.get(course=course, date="2021-01-13")
    assert (local(wednesday.starts_at).time(), local(wednesday.ends_at).time()) == (
        dt.time(9, 30),
        dt.time(11, 10),
    )
    assert MeetingTime.objects.get(course=course, weekday=2).start_time == dt.time(9, 30)
    assert course_policy(course, ScribingPolicy).due_time == dt.time(23, 59)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (
            "start: 10:40am",
            "line 12: calendar.meetings[0].start: '10:40am' is not a time on the 24-hour clock: write 10:40",
        ),
        ("start: 1:15 pm", "'1:15 pm' is not a time on the 24-hour clock: write 13:15"),
        ("start: 25:00", "line 12: calendar.meetings[0].start: '25:00' is not a time of day"),
        ("start: 930", "line 12: calendar.meetings[0].start: 930 is not a time of day"),
    ],
)
def test_a_time_that_is_not_a_time_is_refused_about_the_time(written, expected):
    found = problems_of(SMALL_SYLLABUS.replace('start: "09:30"', written))
    assert any(expected in p for p in found), found
    assert not any("zone" in p for p in found), found


@given(st.integers(0, 23), st.integers(0, 59), st.booleans())
def test_every_clock_time_reads_as_written(hours, minutes, padded):
    written = f"{hours:02d}:{minutes:02d}" if padded else f"{hours}:{minutes:02d}"
    data, _ = read_yaml(f"due_time: {written}\n")
    assert data["due_time"] == written  # YAML 1.2: text, not a base-60 integer
    assert clock_time(data["due_time"]) == dt.time(hours, minutes)


def test_yaml_1_1_words_and_octals_are_not_reinterpreted():
    data, _ = read_yaml("a: no\nb: on\nc: 010\nd: 0o10\ne: true\nf: 1e3\ng: 2021-01-13\n")
    assert data == {
        "a": "no",
        "b": "on",
        "c": 10,
        "d": 8,
        "e": True,
        "f": 1000.0,
        "g": dt.date(2021, 1, 13),
    }


# --- 2. messages instead of crashes ------------------------------------------------------------


def test_an_impossible_date_is_refused_with_the_key_and_line():
    found = problems_of(SMALL_SYLLABUS.replace("date: 2021-01-14", "date: 2021-02-30"))
    assert found == [
        "line 21: sessions[1].date: '2021-02-30' is not a date of the calendar "
        "(day value is outside expected range)"
    ]
    found = problems_of(SMALL_SYLLABUS.replace("term_end: 2021-04-16", "term_end: 2021-04-31"))
    assert any(p.startswith("line 10: calendar.term_end: '2021-04-31'") for p in found), found


def test_a_duplicated_date_points_at_where_it_is_repeated():
    text = SMALL_SYLLABUS.replace("date: 2021-01-28, kind: exam", "date: 2021-01-14, kind: exam")
    assert problems_of(text) == [
        "line 22: sessions[2].date: 2021-01-14 is listed twice (first at line 21, sessions[1])"
    ]
    text = SMALL_SYLLABUS.replace(
        "  breaks:\n", "  days_off: [2021-02-10, 2021-02-10]\n  breaks:\n"
    )
    assert any("calendar.days_off[1]: 2021-02-10 is listed twice" in p for p in problems_of(text))


def test_a_key_written_twice_is_refused_with_both_lines():
    text = SMALL_SYLLABUS.replace(
        "  seat_capacity: 30\n", "  seat_capacity: 30\n  seat_capacity: 3\n"
    )
    assert problems_of(text) == [
        "line 7: course.seat_capacity: written twice in the same mapping (first at line 6)"
    ]


# --- 3. every key has its effect ---------------------------------------------------------------


def _schema_models() -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in found:
                found.append(annotation)
                for f in annotation.model_fields.values():
                    visit(f.annotation)
            return
        for arg in typing.get_args(annotation):
            visit(arg)

    visit(Syllabus)
    for schema in [*(s.schema for s in SECTIONS.values()), *(p.schema for p in POLICIES.values())]:
        visit(schema)
    return found


def test_every_schema_field_is_read_somewhere():
    """A field that no code outside the schema reads is a key that does nothing."""
    read: set[str] = set()
    # The modules that declare the core schema and the policies (their validators read fields).
    models: list[type[BaseModel]] = [Syllabus, *(policy.schema for policy in POLICIES.values())]
    schema_files = {Path(inspect.getfile(schema)).resolve() for schema in models}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in (".venv", "tests", "bench", "var") or "migrations" in parts:
            continue
        if path.resolve() in schema_files:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                read.add(node.attr)
    for path in (ROOT / "templates").rglob("*.html"):
        read |= set(re.findall(r"\.(\w+)", path.read_text(encoding="utf-8")))
    unread = [
        f"{model.__name__}.{name}"
        for model in _schema_models()
        if not issubclass(model, RootModel)
        for name in model.model_fields
        if name not in read
    ]
    assert unread == []


def test_the_full_file_uses_every_key_of_the_schema():
    """So the round-trip test below covers every key (update FULL_SYLLABUS with the schema)."""
    raw, _ = read_yaml(FULL_SYLLABUS)
    used: set[tuple[str, str]] = set()

    def walk(data: Any, annotation: Any) -> None:
        models = _models_in(annotation)
        if isinstance(data, dict):
            for model in models:
                if model is Syllabus:  # the apps' sections are walked below
                    data = {k: v for k, v in data.items() if k in Syllabus.model_fields}
                if set(data) <= set(model.model_fields):
                    for key, value in data.items():
                        used.add((model.__name__, key))
                        walk(value, model.model_fields[key].annotation)
                    return
        elif isinstance(data, list):
            for item in data:
                for model in models:
                    if issubclass(model, RootModel):
                        walk(item, model.model_fields["root"].annotation)
                        break
                else:
                    walk(item, annotation)

    walk(raw, Syllabus)
    schemas = [(n, s.schema) for n, s in SECTIONS.items()] + [
        (n, p.schema) for n, p in POLICIES.items()
    ]
    for name, schema in schemas:
        walk(raw[name], schema)
    expected = {
        (m.__name__, f)
        for m in _schema_models()
        if not issubclass(m, RootModel)
        for f in m.model_fields
    }
    assert sorted(expected - used) == []


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def test_removed_scribing_keys_are_refused_with_the_reason():
    found = problems_of(SMALL_SYLLABUS + "scribing:\n  due_after_days: 7\n  times_per_student: 2\n")
    assert found == [
        "line 35: scribing.times_per_student: times_per_student is not a setting: every student scribes exactly "
        "one lecture and each lecture takes up to scribes_per_lecture; remove the key"
    ]


BANK = """
quiz_bank:
  - date: 2021-01-14
    title: Second
    questions: [{kind: text, prompt: "Why?"}]
  - date: 2021-01-13
    title: First
    questions: [{kind: text, prompt: "Why?"}]
"""


@pytest.mark.django_db
@pytest.mark.parametrize(("policy", "first_is_self"), [("true", True), ("false", False)])
def test_first_is_self_assessment_makes_the_terms_first_quiz_ungraded(policy, first_is_self):
    from quizzes.models import Quiz

    load_syllabus_text(SMALL_SYLLABUS + f"quizzes: {{first_is_self_assessment: {policy}}}\n" + BANK)
    assert Quiz.objects.get(title="First").is_self_assessment is first_is_self
    assert Quiz.objects.get(title="Second").is_self_assessment is False


@pytest.mark.django_db
def test_the_quiz_page_says_how_many_quizzes_and_whether_the_first_counts(
    client, course, make_member
):
    from django.urls import reverse

    student = make_member(course, "student")
    client.force_login(student)
    page = client.get(reverse("quiz_list", args=[course.code])).content.decode()
    assert "Between 14 and 18 quizzes this term." in page
    assert "the first quiz is an ungraded self-assessment" in page
    load_syllabus_text(
        SMALL_SYLLABUS
        + "quizzes: {expected_min: 3, expected_max: 4, best_n: 2, first_is_self_assessment: false}\n"
    )
    page = client.get(reverse("quiz_list", args=[course.code])).content.decode()
    assert "Between 3 and 4 quizzes this term." in page
    assert "self-assessment" not in page


# --- 4. what the file says comes back ----------------------------------------------------------


@pytest.mark.django_db
def test_dump_load_into_a_new_course_dump_is_byte_identical():
    first = load_syllabus_text(FULL_SYLLABUS).course
    dumped = dump_syllabus(first)
    assert "days_off:\n  - 2021-02-11" in dumped
    assert "title: Staff meeting" in dumped and "audience: staff" in dumped
    copy = dumped.replace("code: FUL101", "code: FUL102")
    second = load_syllabus_text(copy).course
    assert second.pk != first.pk
    assert dump_syllabus(second) == copy
    # And the file read back says what the original said: the core and the policies as
    # validated, the apps' other sections by their effect.
    sections = set(SECTIONS) | set(POLICIES)
    (core_back, sections_back), (core, sections_written) = (
        parse_syllabus(dumped),
        parse_syllabus(FULL_SYLLABUS),
    )
    assert core_back.model_dump(exclude=sections) == core.model_dump(exclude=sections)
    assert {name: sections_back[name].model_dump() for name in POLICIES} == {
        name: sections_written[name].model_dump() for name in POLICIES
    }


@pytest.mark.django_db
def test_a_day_off_stays_off_after_dump_and_reload():
    course = load_syllabus_text(FULL_SYLLABUS).course
    assert list(DayOff.objects.filter(course=course).values_list("date", flat=True)) == [
        dt.date(2021, 2, 11)
    ]
    assert not Session.objects.filter(course=course, date="2021-02-11").exists()
    dumped = dump_syllabus(course).replace("code: FUL101", "code: FUL102")
    course = load_syllabus_text(dumped).course
    assert course.code == "FUL102"
    assert not Session.objects.filter(course=course, date="2021-02-11").exists()
    staff = Announcement.objects.get(course=course, title="Staff meeting")
    assert local(staff.published_at) == dt.datetime(2021, 1, 20, 14, 30, tzinfo=MONTREAL)
    assert staff.audience == "staff"


@pytest.mark.django_db
def test_a_milestone_due_on_a_day_stays_due_at_the_end_of_that_day():
    from projects.models import Milestone

    course = load_syllabus_text(FULL_SYLLABUS).course
    proposal = Milestone.objects.get(course=course, key="proposal")
    assert local(present(proposal.due)) == dt.datetime(2021, 2, 19, 23, 59, tzinfo=MONTREAL)


# --- 5. reloading the same file changes nothing; edits to work are confirmed --------------------


def _rows() -> dict[str, list[dict[str, Any]]]:
    """Every row of every model of the project's apps (what a reload must leave alone)."""
    from django.apps import apps

    out = {}
    for model in apps.get_models():
        if model._meta.app_label not in ("course", "quizzes", "scribing", "projects"):
            continue
        out[model._meta.label] = list(model._default_manager.order_by("pk").values())
    return out


@pytest.mark.django_db
def test_reloading_the_downloaded_file_changes_nothing_even_mid_term():
    """The demo, with quizzes opened by hand (one open now, attempts under way), hand-ins and
    grades: its own dump loads back without changing a single row."""
    from django.utils import timezone

    from course.demo import load_demo
    from quizzes.models import Attempt, Quiz

    report, _ = load_demo(now=timezone.now())
    course = report.course
    assert Attempt.objects.filter(quiz__course=course).exists()
    open_now = Quiz.objects.get(opens_at__lte=timezone.now(), closes_at__gte=timezone.now())
    before = _rows()
    again = load_syllabus_text(dump_syllabus(course))
    assert again.changes == [] and again.sessions_created == again.sessions_updated == 0
    assert _rows() == before
    open_now.refresh_from_db()
    assert open_now.opens_at <= timezone.now() <= open_now.closes_at


def _quiz_with_an_attempt(make_member: Any, title: str = "Gradient descent") -> Any:
    from quizzes.models import Quiz

    course = load_syllabus_text(FULL_SYLLABUS).course
    quiz = Quiz.objects.get(course=course, title=title)
    student = make_member(course, "student")
    AttemptFactory.create(quiz=quiz, student=student, deadline=quiz.closes_at)
    return quiz


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "edit", "says"),
    [
        ("Gradient descent", ("opens: 9:10", "opens: 9:40"), "opens 2021-01-14 09:10"),  # moved
        (
            "Gradient descent",
            ("    duration_minutes: 5\n", "    duration_minutes: 3\n"),
            "5 min 00 s",
        ),  # shortened
        (
            "Gradient descent",
            ("window_minutes: 30", "window_minutes: 10"),
            "start by 2021-01-14 09:40",
        ),  # closed earlier
        (
            "Prerequisites",
            ("day: wednesday, start: 9:30", "day: wednesday, start: 9:45"),
            "opens 2021-01-13 09:35",
        ),  # its session moved
    ],
)
def test_an_edit_that_moves_shortens_or_closes_a_quiz_with_attempts_needs_confirming(
    make_member, title, edit, says
):
    from quizzes.models import Quiz

    quiz = _quiz_with_an_attempt(make_member, title)
    before = (quiz.opens_at, quiz.closes_at, quiz.duration_seconds)
    edited = FULL_SYLLABUS.replace(*edit)
    assert edited != FULL_SYLLABUS
    with pytest.raises(SyllabusNeedsConfirmation) as info:
        load_syllabus_text(edited)
    message = "\n".join(info.value.problems)
    assert f"Quiz “{title}” ({quiz.session.date}) (1 attempts)" in message
    assert "confirm to apply" in message
    assert says in message
    quiz.refresh_from_db()
    assert (quiz.opens_at, quiz.closes_at, quiz.duration_seconds) == before
    report = load_syllabus_text(edited, confirm=True)
    assert report.changes_needing_confirmation
    quiz = Quiz.objects.get(pk=quiz.pk)
    assert (quiz.opens_at, quiz.closes_at, quiz.duration_seconds) != before


@pytest.mark.django_db
def test_an_edit_to_a_quiz_without_attempts_or_to_the_text_needs_no_confirmation(make_member):
    _quiz_with_an_attempt(make_member)
    report = load_syllabus_text(
        FULL_SYLLABUS.replace("title: Prerequisites", "title: Prerequisites!").replace(
            "topic: Overview", "topic: Overview and logistics"
        )
    )
    assert report.changes and not report.changes_needing_confirmation


@pytest.mark.django_db
def test_moving_a_deadline_with_hand_ins_needs_confirming(make_member):
    from projects.models import GroupKind, Milestone, MilestoneSubmission

    course = load_syllabus_text(FULL_SYLLABUS).course
    student = make_member(course, "student")
    milestone = Milestone.objects.get(course=course, key="proposal")
    group = GroupFactory.create(course=course, kind=GroupKind.PROJECT, name="Team")
    MilestoneSubmission.objects.create(
        group=group,
        milestone=milestone,
        submitted_by=student,
        version=1,
        link="https://example.org/proposal",
        submitted_at=present(milestone.due),
        due_at=milestone.due,
    )
    edited = FULL_SYLLABUS.replace("due: 2021-02-19,", "due: 2021-02-12,")
    with pytest.raises(SyllabusNeedsConfirmation) as info:
        load_syllabus_text(edited)
    assert "Milestone “Proposal” (1 hand-ins): due 2021-02-19 23:59" in info.value.problems[0]
    milestone.refresh_from_db()
    assert local(present(milestone.due)).date() == dt.date(2021, 2, 19)
    load_syllabus_text(edited, confirm=True)
    milestone.refresh_from_db()
    assert local(present(milestone.due)).date() == dt.date(2021, 2, 12)


@pytest.mark.django_db
def test_a_preview_reports_the_changes_and_changes_nothing(make_member):
    quiz = _quiz_with_an_attempt(make_member)
    before = _rows()
    report = load_syllabus_text(FULL_SYLLABUS.replace("opens: 9:10", "opens: 9:40"), preview=True)
    assert not report.applied
    assert [c.label for c in report.changes_needing_confirmation] == [
        f"Quiz “{quiz.title}” (2021-01-14)"
    ]
    assert _rows() == before


# --- 6. accepted without a word ----------------------------------------------------------------


def test_presentations_before_the_first_allowed_week_are_refused_with_the_line():
    text = SMALL_SYLLABUS.replace(
        "date: 2021-01-28, kind: exam, topic: Early exam",
        "date: 2021-01-28, kind: presentations, topic: Too early",
    )
    assert problems_of(text) == [
        "line 22: sessions[2].kind: a presentations session on 2021-01-28 (week 3) is before "
        "presentations.first_allowed_week (5)"
    ]


@pytest.mark.django_db
def test_term_dates_wider_than_the_sessions_are_reported(tmp_path):
    report = load_syllabus_text(SMALL_SYLLABUS)
    assert report.notes == [
        "calendar.term_end (2021-04-16) is after the last listed session (2021-03-17): "
        "9 class day(s) become lectures without a topic: 2021-03-18, 2021-03-24, 2021-03-25, "
        "2021-03-31, 2021-04-01, 2021-04-07, 2021-04-08, 2021-04-14, 2021-04-15"
    ]
    early = SMALL_SYLLABUS.replace("term_start: 2021-01-11", "term_start: 2021-01-04")
    path = tmp_path / "s.yaml"
    path.write_text(early)
    from io import StringIO

    out = StringIO()
    call_command("load_syllabus", str(path), "--confirm", stdout=out)
    assert (
        "Note: calendar.term_start (2021-01-04) is before the first listed session "
        "(2021-01-13): 2 class day(s) become lectures without a topic: 2021-01-06, 2021-01-07"
    ) in out.getvalue()


@pytest.mark.django_db
def test_the_command_refuses_work_changes_without_confirm(tmp_path, make_member):
    _quiz_with_an_attempt(make_member)
    path = tmp_path / "s.yaml"
    path.write_text(FULL_SYLLABUS.replace("opens: 9:10", "opens: 9:40"))
    with pytest.raises(CommandError, match="run again with --confirm"):
        call_command("load_syllabus", str(path))


# --- #14 items 7-8: hostile files ------------------------------------------------------------


BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            BILLION_LAUGHS,
            "line 2: YAML aliases (*a) are not accepted in a syllabus file",
        ),
        (
            SMALL_SYLLABUS + "sessions_extra: " + "[" * 5000 + "]" * 5000 + "\n",
            "line 33: nested 13 levels deep; a syllabus file never needs more than 12",
        ),
        (
            SMALL_SYLLABUS.replace("title: Test course", 'title: "Test\\0course"'),
            "line 4: course.title: holds the character U+0000",
        ),
        (
            SMALL_SYLLABUS.replace("title: Test course", "title: Test\0course"),
            "line 4: the file holds the character U+0000",
        ),
        (
            SMALL_SYLLABUS.replace("topic: Overview", 'topic: "Over\\ud800view"'),
            "line 20: sessions[0].topic: holds the character U+D800",
        ),
    ],
    ids=["aliases", "deep", "escaped-nul", "raw-nul", "surrogate"],
)
def test_hostile_files_are_refused_with_the_line_and_nothing_is_stored(text, expected):
    with pytest.raises(SyllabusError) as info:
        load_syllabus_text(text)
    assert any(expected in p for p in info.value.problems), info.value.problems
    assert not Course.objects.exists()


@pytest.mark.django_db
def test_the_admin_refuses_a_hostile_upload_with_a_message(client, course, make_member):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    instructor = make_member(course, "instructor")
    instructor.is_staff = instructor.is_superuser = True
    instructor.save()
    client.force_login(instructor)
    url = reverse("admin:course_syllabus_upload", args=[course.pk])
    deep = SMALL_SYLLABUS.replace("topic: Overview", "topic: " + "[" * 5000 + "]" * 5000)
    response = client.post(url, {"file": SimpleUploadedFile("s.yaml", deep.encode())})
    assert response.status_code == 200
    assert "nested 13 levels deep" in response.content.decode()
    nul = SMALL_SYLLABUS.replace("topic: Overview", 'topic: "Over\\0view"')
    response = client.post(url, {"file": SimpleUploadedFile("s.yaml", nul.encode())})
    assert "sessions[0].topic: holds the character U+0000" in response.content.decode()
    assert Session.objects.get(course=course, date="2021-01-13").topic == "Overview"
    big = SimpleUploadedFile("s.yaml", b"#" * (1024 * 1024 + 1))
    response = client.post(url, {"file": big})
    assert "larger than 1 MB" in response.content.decode()


# Eight mistakes an author makes, each a different kind of problem (pydantic's own messages,
# the schema's, an app's policy, the parser's).
BROKEN_SYLLABUS = (
    SMALL_SYLLABUS.replace("seat_capacity: 30", "seat_capacity: many")
    .replace("public: false", "public: false\n  favourite: 3")
    .replace("day: thursday", "day: thursdy")
    .replace('start: "09:30"', "start: 25:00")
    .replace("date: 2021-01-14", "date: 2021-02-30")
    .replace("  title: Test course\n", "")
    .replace("weight: 35", "weight: 30")
    + "scribing: {times_per_student: 2}\ncolour: blue\n"
)
KNOWN_SECTIONS = (
    "announcements, bibliography, calendar, course, grading, office_hours, presentations, "
    "project, quiz_bank, quizzes, scribing, sessions"
)
NB = "\u00a0"


def _upload_problems(client: Any, course: Course, make_member: Any, language: str) -> list[str]:
    from html import unescape

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    instructor = make_member(course, "instructor")
    instructor.is_staff = instructor.is_superuser = True
    instructor.save()
    client.force_login(instructor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(
        reverse("admin:course_syllabus_upload", args=[course.pk]),
        {"file": SimpleUploadedFile("s.yaml", BROKEN_SYLLABUS.encode())},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    found = re.search(
        r'<ul class="errorlist" id="syllabus-errors">(.*?)</ul>', response.text, re.DOTALL
    )
    assert found, response.text
    return [unescape(li) for li in re.findall(r"<li>(.*?)</li>", found.group(1), re.DOTALL)]


@pytest.mark.django_db
def test_the_admin_upload_names_every_problem_with_its_line_in_english(client, course, make_member):
    assert _upload_problems(client, course, make_member, "en") == [
        "line 3: course.title: Field required",
        "line 5: course.seat_capacity: Input should be a valid integer, unable to parse string "
        "as an integer",
        "line 7: course.favourite: Extra inputs are not permitted",
        "line 12: calendar.meetings[0].start: '25:00' is not a time of day: write it on the "
        "24-hour clock as HH:MM, e.g. 09:30",
        "line 13: calendar.meetings[1].day: Input should be 'monday', 'tuesday', 'wednesday', "
        "'thursday', 'friday', 'saturday' or 'sunday'",
        "line 21: sessions[1].date: '2021-02-30' is not a date of the calendar (day value is "
        "outside expected range)",
        "line 25: grading: grade weights must sum to 100, they sum to 95",
        "line 33: scribing.times_per_student: times_per_student is not a setting: every student "
        "scribes exactly one lecture and each lecture takes up to scribes_per_lecture; remove "
        "the key",
        f"line 34: colour: unknown section (known: {KNOWN_SECTIONS})",
    ]


@pytest.mark.django_db
def test_a_french_instructor_reads_every_problem_in_french_with_its_line(
    client, course, make_member
):
    """Issue #21: the refused upload's problems in the reader's language; the file's keys
    (course.title, scribing.times_per_student, the weekdays) stay as the file writes them."""
    assert _upload_problems(client, course, make_member, "fr") == [
        f"ligne 3{NB}: course.title{NB}: Clé obligatoire",
        f"ligne 5{NB}: course.seat_capacity{NB}: Un nombre entier est attendu{NB}: ce texte n’en "
        "est pas un",
        f"ligne 7{NB}: course.favourite{NB}: Cette clé n’est pas prévue ici",
        f"ligne 12{NB}: calendar.meetings[0].start{NB}: '25:00' n’est pas une heure{NB}: "
        "écrivez-la sur 24 heures en HH:MM, par exemple 09:30",
        f"ligne 13{NB}: calendar.meetings[1].day{NB}: Valeur attendue{NB}: 'monday', 'tuesday', "
        "'wednesday', 'thursday', 'friday', 'saturday' ou 'sunday'",
        f"ligne 21{NB}: sessions[1].date{NB}: '2021-02-30' n’est pas une date du calendrier (ce "
        "jour n’existe pas dans ce mois)",
        f"ligne 25{NB}: grading{NB}: la somme des poids des notes doit être 100, elle est de 95",
        f"ligne 33{NB}: scribing.times_per_student{NB}: times_per_student n’est pas un "
        f"réglage{NB}: chaque étudiant·e est scribe d’un seul cours et chaque cours prend au plus "
        f"scribes_per_lecture scribes{NB}; retirez la clé",
        f"ligne 34{NB}: colour{NB}: section inconnue (connues{NB}: {KNOWN_SECTIONS})",
    ]


@pytest.mark.django_db
def test_a_french_instructor_reads_the_yaml_and_calendar_problems_and_notes_in_french(
    client, course, make_member
):
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    instructor = make_member(course, "instructor")
    instructor.is_staff = instructor.is_superuser = True
    instructor.save()
    client.force_login(instructor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    url = reverse("admin:course_syllabus_upload", args=[course.pk])

    def upload(text: str) -> str:
        file = SimpleUploadedFile("s.yaml", text.encode())
        return client.post(url, {"file": file}, HTTP_ACCEPT_LANGUAGE="fr").text

    deep = SMALL_SYLLABUS.replace("topic: Overview", "topic: " + "[" * 20 + "]" * 20)
    assert (
        f"ligne 20{NB}: imbriqué sur 13 niveaux{NB}; un fichier de syllabus n’en demande "
        "jamais plus de 12"
    ) in upload(deep)
    twice = SMALL_SYLLABUS.replace("date: 2021-01-28, kind: exam", "date: 2021-01-14, kind: exam")
    assert (
        f"ligne 22{NB}: sessions[2].date{NB}: 2021-01-14 figure deux fois (d’abord à la ligne "
        "21, sessions[1])"
    ) in upload(twice)
    early = SMALL_SYLLABUS.replace(
        "date: 2021-01-28, kind: exam, topic: Early exam",
        "date: 2021-01-28, kind: presentations, topic: Too early",
    )
    assert (
        f"ligne 22{NB}: sessions[2].kind{NB}: une séance de présentations le 2021-01-28 "
        "(semaine 3) précède presentations.first_allowed_week (5)"
    ) in upload(early)
    preview = upload(SMALL_SYLLABUS)
    assert (
        "calendar.term_end (2021-04-16) suit la dernière séance listée (2021-03-17)"
        f"{NB}: 9 jours de cours deviennent des cours sans sujet{NB}: 2021-03-18"
    ) in preview


@pytest.mark.django_db
def test_the_admin_previews_then_applies_with_confirmation(client, make_member):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from quizzes.models import Quiz

    quiz = _quiz_with_an_attempt(make_member)
    course = quiz.course
    instructor = make_member(course, "instructor")
    instructor.is_staff = instructor.is_superuser = True
    instructor.save()
    client.force_login(instructor)
    url = reverse("admin:course_syllabus_upload", args=[course.pk])

    same = client.post(url, {"file": SimpleUploadedFile("s.yaml", dump_syllabus(course).encode())})
    assert "Nothing would change" in same.content.decode()

    edited = FULL_SYLLABUS.replace("opens: 9:10", "opens: 9:40")
    page = client.post(url, {"file": SimpleUploadedFile("s.yaml", edited.encode())})
    html = page.content.decode()
    assert "What loading this file would change" in html and "needs-confirmation" in html
    before = Quiz.objects.get(pk=quiz.pk).opens_at
    text = page.context["apply_form"].initial["text"]
    refused = client.post(url, {"text": text.replace("\n", "\r\n")})
    assert "tick the confirmation" in refused.content.decode()
    assert Quiz.objects.get(pk=quiz.pk).opens_at == before
    applied = client.post(url, {"text": text, "confirm": "on"})
    assert applied.status_code == 302
    assert local(Quiz.objects.get(pk=quiz.pk).opens_at).time() == dt.time(9, 40)


@pytest.mark.django_db
def test_a_french_instructor_reads_what_a_load_would_change_in_french(client, make_member):
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from django.utils import translation

    quiz = _quiz_with_an_attempt(make_member)
    instructor = make_member(quiz.course, "instructor")
    instructor.is_staff = instructor.is_superuser = True
    instructor.save()
    client.force_login(instructor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    edited = FULL_SYLLABUS.replace("opens: 9:10", "opens: 9:40")
    page = client.post(
        reverse("admin:course_syllabus_upload", args=[quiz.course.pk]),
        {"file": SimpleUploadedFile("s.yaml", edited.encode())},
        HTTP_ACCEPT_LANGUAGE="fr",
    ).text
    assert f"Quiz «{NB}Gradient descent{NB}» (2021-01-14)" in page
    assert f"tentatives{NB}: 1" in page
    assert "ouvre le 2021-01-14 09:10, à commencer avant le 2021-01-14 09:40" in page
    with translation.override("fr"), pytest.raises(SyllabusNeedsConfirmation) as info:
        load_syllabus_text(edited)
    assert info.value.problems[0].startswith(
        f"Quiz «{NB}Gradient descent{NB}» (2021-01-14) (tentatives{NB}: 1){NB}: ouvre le "
    )
    assert info.value.problems[0].endswith(
        f"{NB}; du travail d’étudiant·e·s en dépend{NB}: confirmez pour appliquer"
    )


def test_schema_module_has_the_time_type_for_every_time():
    """Every time of day in the schema goes through the 24-hour-clock reader."""

    def has_time(annotation: Any) -> bool:
        return annotation is dt.time or any(has_time(a) for a in typing.get_args(annotation))

    times = [
        (model.__name__, name, f)
        for model in _schema_models()
        for name, f in model.model_fields.items()
        if has_time(f.annotation)
    ]
    assert len(times) >= 6  # meetings, office hours, due_time, a quiz's opening
    for model_name, name, f in times:
        assert "clock_time" in repr(f) + repr(f.annotation), f"{model_name}.{name} is a bare time"
    assert syllabus_schema.clock_time("9:05") == dt.time(9, 5)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_title_is_loaded_as_written_or_refused_with_a_message(title):
    """Hostile text (NUL, surrogates, RTL marks, formula prefixes) in a quoted value."""
    quoted = json.dumps(title)  # a JSON string is a YAML double-quoted scalar
    try:
        syllabus, _ = parse_syllabus(
            SMALL_SYLLABUS.replace("title: Test course", f"title: {quoted}")
        )
    except SyllabusError as exc:  # either outcome is right; a refusal must say where
        assert all(p.startswith("line ") for p in exc.problems), exc.problems  # noqa: PT017
    else:
        assert syllabus.course.title == title


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_appended_to_a_file_is_refused_with_a_message_or_loads(tail):
    try:
        parse_syllabus(SMALL_SYLLABUS + tail)
    except SyllabusError as exc:  # either outcome is right; a refusal must say why
        assert exc.problems  # noqa: PT017


@pytest.mark.django_db
def test_moving_the_notes_deadline_of_a_lecture_with_notes_handed_in_needs_confirming(
    make_member,
):
    from scribing.models import ScribeSlot

    course = load_syllabus_text(FULL_SYLLABUS).course
    student = make_member(course, "student")
    slot = ScribeSlot.objects.get(course=course, session__date="2021-01-13")
    NotesSubmissionFactory.create(
        slot=slot,
        submitted_by=student,
        tex_file="notes/lecture1.tex",
        submitted_at=dt.datetime(2021, 1, 18, 12, tzinfo=MONTREAL),
        due_at=dt.datetime(2021, 1, 19, 23, 59, tzinfo=MONTREAL),
    )
    edited = FULL_SYLLABUS.replace("due_after_days: 6", "due_after_days: 3")
    with pytest.raises(SyllabusNeedsConfirmation) as info:
        load_syllabus_text(edited)
    assert (
        "Scribe notes of the lecture of 2021-01-13 (1 versions handed in): "
        "due 2021-01-19 23:59 → due 2021-01-16 23:59"
    ) in info.value.problems[0]
    assert course_policy(Course.objects.get(pk=course.pk), ScribingPolicy).due_after_days == 6
    load_syllabus_text(edited, confirm=True)
    assert course_policy(Course.objects.get(pk=course.pk), ScribingPolicy).due_after_days == 3
