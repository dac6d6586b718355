"""The syllabus file: validated whole with line numbers, idempotent, never deletes student work."""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from course.models import Course, Session
from course.syllabus.parsing import SyllabusError, parse_syllabus
from course.syllabus.selectors import dump_syllabus
from course.syllabus.services import load_syllabus_text
from grading.policy import GradingPolicy
from projects.policy import PresentationPolicy, ProjectPolicy
from quizzes.policy import QuizPolicy
from scribing.policy import ScribingPolicy
from tests.conftest import SMALL_SYLLABUS

DEMO = Path(__file__).resolve().parents[2] / "course" / "demo" / "ift6085-winter2021.yaml"


def problems_of(text: str) -> list[str]:
    with pytest.raises(SyllabusError) as info:
        parse_syllabus(text)
    return info.value.problems


def test_demo_syllabus_holds_the_slides_rules():
    syllabus, sections = parse_syllabus(DEMO.read_text())
    grading, quizzes, scribing = sections["grading"], sections["quizzes"], sections["scribing"]
    presentations, project = sections["presentations"], sections["project"]
    assert isinstance(grading, GradingPolicy) and isinstance(quizzes, QuizPolicy)
    assert isinstance(scribing, ScribingPolicy) and isinstance(presentations, PresentationPolicy)
    assert isinstance(project, ProjectPolicy)
    weights = {c.key: int(c.weight) for c in grading.components}
    assert weights == {
        "participation": 5,
        "scribing": 10,
        "quizzes": 15,
        "early_exam": 5,
        "midterm": 15,
        "presentations": 15,
        "project": 35,
    }
    assert quizzes.best_n == 8
    assert (quizzes.expected_min, quizzes.expected_max) == (14, 18)
    assert quizzes.first_is_self_assessment
    assert 5 <= quizzes.duration_minutes <= 10
    assert scribing.due_after_days == 7
    assert scribing.late_penalty.percent == 5
    assert scribing.scribes_per_lecture == 2
    assert presentations.talk_minutes == 20 and presentations.group_size == 2
    assert presentations.first_allowed_week == 5
    assert [m.key for m in project.milestones] == [
        "proposal",
        "progress",
        "poster",
        "report",
    ]
    assert syllabus.course.language == "en" and syllabus.course.email_subject_prefix == "IFT6085: "
    meetings = [
        (m.day, m.start.isoformat("minutes"), m.end.isoformat("minutes"))
        for m in syllabus.calendar.meetings
    ]
    assert meetings == [("wednesday", "09:30", "11:10"), ("thursday", "09:00", "10:40")]
    presentation_days = [s for s in syllabus.sessions if s.kind == "presentations"]
    assert len(presentation_days) == 4


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda s: s.replace("weight: 35", "weight: 30"),
            "grade weights must sum to 100, they sum to 95",
        ),
        (
            lambda s: s.replace('start: "09:30", end: "11:10"', 'start: "11:30", end: "11:10"'),
            "line 12: calendar.meetings[0]",
        ),
        (lambda s: s.replace("day: thursday", "day: thursdy"), "line 13: calendar.meetings[1].day"),
        (
            lambda s: s.replace("seat_capacity: 30", "seat_capacity: many"),
            "line 6: course.seat_capacity",
        ),
        (lambda s: s.replace("  title: Test course\n", ""), "course.title: Field required"),
        (
            lambda s: s.replace("readings: [bubeck2015]", "readings: [nosuchbook]"),
            "'nosuchbook', which is not in the bibliography",
        ),
        (
            lambda s: s.replace(
                "date: 2021-01-13, topic: Overview", "date: 2021-01-15, topic: Overview"
            ),
            "line 20: sessions[0].date: 2021-01-15 (friday) is not a class day",
        ),
        (
            lambda s: s.replace("date: 2021-03-17", "date: 2021-03-03"),
            "2021-03-03 (wednesday) is not a class day",
        ),
        (lambda s: s + "colour: blue\n", "colour: unknown section"),
        (
            lambda s: s.replace("public: false", "public: false\n  favourite: 3"),
            "line 8: course.favourite: Extra inputs are not permitted",
        ),
        (
            lambda s: s.replace("term_end: 2021-04-16", "term_end: 2020-04-16"),
            "term_end is before term_start",
        ),
        (lambda s: s.replace("title: Test course", "title: [unclosed"), "not valid YAML"),
        (
            lambda s: s + "quizzes: {best_n: 30}\n",
            "best_n is larger than the number of quizzes expected",
        ),
    ],
)
def test_bad_files_are_refused_with_the_key_and_line(change, expected):
    text = change(SMALL_SYLLABUS)
    found = problems_of(text)
    assert any(expected in p for p in found), found


def test_a_file_that_is_not_a_mapping_is_refused():
    assert "must be a mapping" in problems_of("- just\n- a list\n")[0]


@pytest.mark.django_db
def test_a_refused_file_changes_nothing(course):
    before = list(Session.objects.filter(course=course).values_list("pk", "starts_at", "topic"))
    with pytest.raises(SyllabusError):
        load_syllabus_text(
            SMALL_SYLLABUS.replace("topic: Overview", "topic: Changed").replace(
                "weight: 35", "weight: 1"
            )
        )
    after = list(Session.objects.filter(course=course).values_list("pk", "starts_at", "topic"))
    assert before == after


@pytest.mark.django_db
def test_loading_twice_changes_nothing(course):
    snapshot = list(Session.objects.order_by("pk").values())
    report = load_syllabus_text(SMALL_SYLLABUS)
    assert not report.created and report.sessions_created == 0
    assert list(Session.objects.order_by("pk").values()) == snapshot
    assert Course.objects.count() == 1


@pytest.mark.django_db
def test_an_edited_file_updates_sessions_in_place(course):
    first = Session.objects.get(course=course, date="2021-01-13")
    edited = SMALL_SYLLABUS.replace("topic: Overview", "topic: Overview and logistics").replace(
        'start: "09:30", end: "11:10"', 'start: "10:00", end: "11:40"'
    )
    load_syllabus_text(edited)
    first.refresh_from_db()
    assert first.topic == "Overview and logistics"
    assert first.starts_at.astimezone().hour in (10, 15)  # same row, moved to 10:00 local
    assert first.starts_at.isoformat().startswith("2021-01-13T15:00")  # 10:00 EST == 15:00 UTC


@pytest.mark.django_db
def test_a_session_with_work_attached_is_kept_cancelled_not_deleted(
    course, monkeypatch, client, make_member
):
    """A break added over a session that student work refers to (a PROTECT foreign key in
    another app) cancels the session instead of deleting it; the schedule says why, in the
    reader's language."""
    from django.db.models import ProtectedError

    session = Session.objects.get(course=course, date="2021-01-14")
    real_delete = Session.delete

    def delete(self, *args, **kwargs):
        if self.pk == session.pk:
            raise ProtectedError("a quiz refers to it", {self})
        return real_delete(self, *args, **kwargs)

    monkeypatch.setattr(Session, "delete", delete)
    report = load_syllabus_text(
        SMALL_SYLLABUS.replace(
            "  - {date: 2021-01-14, topic: Gradient descent, readings: [bubeck2015]}\n", ""
        ).replace(
            "breaks:\n", "breaks:\n    - {name: Storm, first: 2021-01-14, last: 2021-01-14}\n"
        )
    )
    kept = Session.objects.get(pk=session.pk)
    assert kept.kind == Session.Kind.NO_CLASS
    assert report.sessions_kept_cancelled == 1
    client.force_login(make_member(course, "student"))
    schedule = f"/c/{course.code}/schedule/"
    assert (
        "Removed from the syllabus; kept because work refers to it."
        in client.get(schedule).content.decode()
    )
    french = client.get(schedule, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Retiré du plan de cours\xa0; gardé parce que des travaux y renvoient." in french


@pytest.mark.django_db
def test_dump_then_load_gives_back_the_same_course(course):
    text = dump_syllabus(course)
    data = yaml.safe_load(text)
    assert data["course"]["code"] == "TST101"
    assert (
        sum(
            c["weight"]
            for c in [{"weight": float(c["weight"])} for c in data["grading"]["components"]]
        )
        == 100
    )
    sessions_before = list(
        Session.objects.order_by("starts_at").values_list("starts_at", "kind", "topic")
    )
    report = load_syllabus_text(text)
    assert report.sessions_created == 0
    assert (
        list(Session.objects.order_by("starts_at").values_list("starts_at", "kind", "topic"))
        == sessions_before
    )


@pytest.mark.django_db
def test_load_syllabus_command_reports_errors_and_shift(tmp_path):
    good = tmp_path / "s.yaml"
    good.write_text(SMALL_SYLLABUS)
    call_command("load_syllabus", str(good), "--shift-weeks", "2")
    course = Course.objects.get(code="TST101")
    assert str(course.term_start) == "2021-01-25"
    assert Session.objects.filter(course=course, date="2021-01-27", topic="Overview").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL_SYLLABUS.replace("weight: 35", "weight: 36"))
    with pytest.raises(CommandError, match="sum to 101"):
        call_command("load_syllabus", str(bad))
