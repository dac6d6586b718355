"""The loader, the recompute and its coalescing, the gradebook's own inputs."""

from __future__ import annotations

import typing
from datetime import datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from django.utils import timezone

from course.models import Enrolment
from course.scores import ScoreStatus
from grading import selectors, services
from grading.models import ExamScore, GradebookSnapshot, GradeOverride, OverrideAuditLog
from grading.policy import GradeSource
from tests.present import present

pytestmark = pytest.mark.django_db

IN_TERM = timezone.make_aware(datetime(2021, 2, 15, 12))


def test_loader_query_count_does_not_depend_on_class_size(
    course: Any, make_class: Any, fake_providers: dict, django_assert_max_num_queries: Any
) -> None:
    now = IN_TERM
    counts: list[int] = []
    for size, prefix in ((5, "a"), (60, "b")):
        make_class(course, size if not counts else size - 5, prefix=prefix)
        users = list(
            Enrolment.objects.filter(course=course, role="student").values_list(
                "user_id", flat=True
            )
        )
        for uid in users[:3]:
            ExamScore.objects.update_or_create(
                course=course,
                component_key="midterm",
                student_id=uid,
                defaults={"score": 40, "out_of": 50},
            )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            inputs = selectors.load_gradebook_inputs(course, now, providers=fake_providers)
            rows = selectors.compute_rows(inputs)
        counts.append(len(ctx.captured_queries))
        assert len(rows) == len(users)
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        selectors.compute_rows(
            selectors.load_gradebook_inputs(course, now, providers=fake_providers)
        )


def test_unbuilt_apps_are_pending(course: Any, make_member: Any) -> None:
    student = make_member(course, "student")
    providers: dict[str, Any] = {
        "quizzes": None,
        "scribing": None,
        "presentations": None,
        "project": None,
    }
    inputs = selectors.load_gradebook_inputs(course, IN_TERM, providers=providers)
    grade = selectors.student_grade(inputs, student.pk)
    statuses = {c.key: c.status for c in grade.components}
    assert statuses["quizzes"] == ScoreStatus.PENDING and statuses["midterm"] == ScoreStatus.PENDING
    assert grade.final_percent is None and grade.so_far_percent is None


def test_every_grade_source_has_its_provider() -> None:
    sources = set(typing.get_args(GradeSource))
    assert set(selectors.PROVIDERS) | set(selectors.OWN_SOURCES) == sources
    for source in selectors.PROVIDERS:
        assert callable(selectors.item_provider(source))
    assert selectors.item_provider("exam") is None  # the gradebook's own scores
    assert selectors.item_provider("no-such-source") is None


def test_recompute_stores_one_snapshot_idempotently(course: Any, make_member: Any) -> None:
    student = make_member(course, "student")
    services.exam_score_set(
        course=course, student_id=student.pk, component_key="midterm", score=D(41), out_of=D(50)
    )
    first = services.gradebook_recompute(course=course)
    second = services.gradebook_recompute(course=course)
    assert GradebookSnapshot.objects.filter(course=course).count() == 1
    assert first.fingerprint == second.fingerprint
    snap = GradebookSnapshot.objects.get(course=course)
    row = snap.rows[0]
    assert row["components"]["midterm"]["percent"] == "82.00"
    assert not services.gradebook_recompute(course=course, force=False).changed


def test_coalescing_a_burst_queues_one_run(
    course: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from grading import tasks

    queued = []
    monkeypatch.setattr(
        tasks.recompute_gradebook,
        "apply_async",
        lambda args, countdown: queued.append((args, countdown)),
    )
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(300):
            services.gradebook_schedule_recompute(course, now=now + timedelta(seconds=i / 5))
    assert len(queued) == 1
    snap = GradebookSnapshot.objects.get(course=course)
    assert snap.dirty_since is not None and snap.queued_at is not None
    # The run starts: triggers after it queue one more run.
    services.gradebook_recompute(course=course)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(100):
            services.gradebook_schedule_recompute(course, now=now + timedelta(seconds=70 + i / 5))
    assert len(queued) == 2


def test_recompute_runs_on_commit_in_eager_mode(
    course: Any, make_member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    student = make_member(course, "student")
    with django_capture_on_commit_callbacks(execute=True):
        services.exam_score_set(
            course=course,
            student_id=student.pk,
            component_key="early_exam",
            score=D(14),
            out_of=D(20),
        )
    snap = GradebookSnapshot.objects.get(course=course)
    assert snap.computed_at is not None and snap.queued_at is None
    assert snap.rows[0]["components"]["early_exam"]["percent"] == "70.00"


def test_exam_csv_import_all_or_nothing(course: Any, make_member: Any) -> None:
    a = make_member(course, "student", username="ada")
    make_member(course, "student", username="alan")
    bad = "student,score,out_of\nada,18,20\nnobody,10,20\nalan,25,20\nalan,x,20\n"
    report = services.exam_scores_import_csv(course=course, text=bad, component_key="early_exam")
    assert report.applied == 0
    assert [(e.line, e.field) for e in report.errors] == [
        (3, "student"),
        (4, "score"),
        (5, "score"),
    ]
    assert not ExamScore.objects.exists()
    good = "student,score,out_of,note\nada@example.org,18,20,\nalan,15.5,20,late start\n"
    report = services.exam_scores_import_csv(course=course, text=good, component_key="early_exam")
    assert report.applied == 2 and not report.errors
    assert ExamScore.objects.get(student=a).percent == 90
    assert (
        services.exam_scores_import_csv(course=course, text="who,what\n").errors[0].field
        == "header"
    )


def test_override_requires_reason_and_logs(course: Any, make_member: Any) -> None:
    student = make_member(course, "student")
    staff = make_member(course, "instructor")
    with pytest.raises(services.GradingError) as exc:
        services.override_set(
            course=course,
            student_id=student.pk,
            component_key="midterm",
            value=D(90),
            reason=" ",
            actor=staff,
        )
    assert exc.value.field == "reason"
    services.override_set(
        course=course,
        student_id=student.pk,
        component_key="midterm",
        value=D(90),
        reason="regrade",
        actor=staff,
    )
    services.override_set(
        course=course,
        student_id=student.pk,
        component_key="midterm",
        value=D(95),
        reason="second regrade",
        actor=staff,
    )
    services.override_set(
        course=course,
        student_id=student.pk,
        component_key="",
        value=D(88),
        reason="final decision",
        actor=staff,
    )
    services.override_set(
        course=course,
        student_id=student.pk,
        component_key="midterm",
        value=None,
        reason="back to the exam",
        actor=staff,
    )
    log = list(
        OverrideAuditLog.objects.order_by("pk").values_list(
            "component_key", "old_value", "new_value"
        )
    )
    assert log == [
        ("midterm", None, D(90)),
        ("midterm", D(90), D(95)),
        ("", None, D(88)),
        ("midterm", D(95), None),
    ]
    assert GradeOverride.objects.count() == 1
    entry = present(OverrideAuditLog.objects.first())
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    inputs = selectors.load_gradebook_inputs(course, IN_TERM, providers={})
    assert selectors.student_grade(inputs, student.pk).final_percent == D("88.00")


def test_excusal_rescales(course: Any, make_member: Any) -> None:
    student = make_member(course, "student")
    staff = make_member(course, "instructor")
    services.excusal_set(
        course=course,
        student_id=student.pk,
        component_key="early_exam",
        reason="medical",
        actor=staff,
    )
    inputs = selectors.load_gradebook_inputs(course, IN_TERM, providers={})
    grade = selectors.student_grade(inputs, student.pk)
    comp = {c.key: c for c in grade.components}
    assert comp["early_exam"].status == ScoreStatus.EXCUSED
    assert comp["midterm"].effective_weight == D(15) * 100 / 95


def test_after_term_missing_counts_zero(
    course: Any, make_member: Any, fake_providers: dict
) -> None:
    student = make_member(course, "student")
    after = timezone.make_aware(datetime(2021, 5, 1, 12))
    inputs = selectors.load_gradebook_inputs(course, after, providers=fake_providers)
    grade = selectors.student_grade(inputs, student.pk)
    # participation, early exam, midterm missing (0); quizzes 90, scribing 85, talk 87, project 75
    # (15x90 + 10x85 + 15x87 + 35x75) / 100 = (1350 + 850 + 1305 + 2625) / 100 = 61.30
    assert grade.final_percent == D("61.30")
    assert set(grade.missing) == {"participation", "early_exam", "midterm"}


def test_loader_with_the_real_apps_has_a_fixed_query_count(
    course: Any, make_class: Any, django_assert_max_num_queries: Any
) -> None:
    """The other apps' real gradebook_items, at two sizes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size, prefix in ((3, "a"), (40, "b")):
        make_class(course, size, prefix=prefix)
        with CaptureQueriesContext(connection) as ctx:
            selectors.compute_rows(selectors.load_gradebook_inputs(course, IN_TERM))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        selectors.compute_rows(selectors.load_gradebook_inputs(course, IN_TERM))


def test_periodic_refresh_recomputes_only_changed_courses(
    course: Any, make_member: Any, beat_schedule: None
) -> None:
    from django_celery_beat.models import PeriodicTask

    from grading import tasks

    assert PeriodicTask.objects.filter(task="grading.tasks.refresh_gradebooks").exists()
    student = make_member(course, "student")
    now = timezone.make_aware(datetime(2021, 3, 10, 12))
    import time_machine

    with time_machine.travel(now, tick=False):
        assert tasks.refresh_gradebooks() == [course.pk]
        assert tasks.refresh_gradebooks() == []
        ExamScore.objects.create(
            course=course, component_key="midterm", student=student, score=30, out_of=50
        )
        assert tasks.refresh_gradebooks() == [course.pk]


def test_demo_hook_is_idempotent(course: Any, make_member: Any) -> None:
    from grading.demo import add_demo_grades

    make_member(course, "student", username="ada")
    now = timezone.make_aware(datetime(2021, 3, 10, 12))
    add_demo_grades(course, now)
    add_demo_grades(course, now)
    assert ExamScore.objects.filter(component_key="early_exam").count() == 1
    assert ExamScore.objects.get(component_key="early_exam").percent == 70
    assert GradebookSnapshot.objects.filter(course=course).count() == 1


def test_300_triggers_in_a_minute_give_a_handful_of_runs(
    course: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Simulated clock: a trigger every 0.2 s for 60 s; a queued run starts COALESCE_SECONDS later."""
    from grading import tasks

    queued: list[Any] = []
    monkeypatch.setattr(
        tasks.recompute_gradebook,
        "apply_async",
        lambda args, countdown: queued.append(countdown),
    )
    start = IN_TERM
    due: list[float] = []
    runs = 0
    for step in range(300):
        t = step * 0.2
        while due and due[0] <= t:  # the worker picks up the queued run
            due.pop(0)
            services.gradebook_recompute(course=course, now=start + timedelta(seconds=t))
            runs += 1
        before = len(queued)
        with django_capture_on_commit_callbacks(execute=True):  # the trigger's commit
            services.gradebook_schedule_recompute(course, now=start + timedelta(seconds=t))
        if len(queued) > before:
            due.append(t + services.COALESCE_SECONDS)
    assert 3 <= len(queued) <= 7, len(queued)
    assert runs == len(queued) - 1  # the last one is still waiting for its countdown


def test_loading_a_syllabus_schedules_a_recompute(
    course: Any, syllabus_text: str, django_capture_on_commit_callbacks: Any
) -> None:
    from course.syllabus.services import load_syllabus_text

    with django_capture_on_commit_callbacks(execute=True):
        load_syllabus_text(
            syllabus_text.replace(
                "weight: 5, source: participation", "weight: 10, source: participation"
            ).replace("weight: 35, source: project", "weight: 30, source: project")
        )
    snap = GradebookSnapshot.objects.get(course=course)
    assert snap.computed_at is not None and snap.queued_at is None
