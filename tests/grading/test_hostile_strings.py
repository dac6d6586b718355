"""Hostile strings in the exam-score CSV import and the what-if form: each row is reported or
stored exactly; never a 500."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from grading import services
from grading.models import ExamScore
from tests.hostile import as_sent, hostile_text

pytestmark = pytest.mark.django_db
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(student=hostile_text, score=hostile_text, out_of=hostile_text, note=hostile_text)
def test_the_exam_import(
    course: Any, make_member: Any, student: str, score: str, out_of: str, note: str
) -> None:
    if not ExamScore.objects.exists() and not course.enrolments.filter(user__username="ada"):
        make_member(course, "student", username="ada")
    ExamScore.objects.all().delete()
    out = io.StringIO()
    csv.writer(out).writerows(
        [
            ["student", "score", "out_of", "note"],
            ["ada", "10", "20", as_sent(note)],
            [as_sent(student), as_sent(score), as_sent(out_of), "x"],
        ]
    )
    report = services.exam_scores_import_csv(
        course=course, text=out.getvalue(), component_key="midterm"
    )
    if report.errors:
        assert report.applied == 0 and not ExamScore.objects.exists()
    else:
        ada = ExamScore.objects.get(student__username="ada")
        assert ada.note == as_sent(note).strip()


@PROPERTY
@given(assume=hostile_text)
def test_the_what_if_form(client: Client, course: Any, make_member: Any, assume: str) -> None:
    student = course.enrolments.filter(user__username="ada").first()
    user = student.user if student else make_member(course, "student", username="ada")
    client.force_login(user)
    r = client.get(reverse("my_grades", kwargs={"code": course.code}), {"assume": as_sent(assume)})
    assert r.status_code in (200, 400), r.status_code
