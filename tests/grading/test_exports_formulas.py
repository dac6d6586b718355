"""The gradebook CSV and the Moodle export never hand a spreadsheet a formula."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D
from typing import Any

import pytest
from django.urls import reverse

from grading import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_names_and_keys_starting_a_formula_are_quoted(
    client: Any, course: Any, make_member: Any
) -> None:
    eve = make_member(course, "student", username="eve")
    eve.first_name = '=HYPERLINK("https://evil.example","x")'
    eve.last_name = "@SUM(A1)"
    eve.email = "=cmd@example.org"
    eve.save()
    services.exam_score_set(
        course=course, student_id=eve.pk, component_key="midterm", score=D(40), out_of=D(50)
    )
    client.force_login(
        UserFactory.create(superuser=True, username="root", email="root@example.org")
    )
    client.post(reverse("admin:grading_gradebook_recompute", args=[course.pk]))
    export = client.get(reverse("admin:grading_gradebook_export", args=[course.pk]))
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    row = next(r for r in rows if r[0] == "eve")
    assert row[1] == "'@SUM(A1)" and row[2] == '\'=HYPERLINK("https://evil.example","x")'
    assert row[3] == "'=cmd@example.org"
    assert row[rows[0].index("Midterm (15%)")] == "80.00"  # numbers stay numbers
    moodle = client.get(reverse("admin:grading_gradebook_moodle", args=[course.pk]))
    lines = list(csv.reader(io.StringIO(moodle.content.decode())))
    assert [r[0] for r in lines if "cmd@" in r[0]] == ["'=cmd@example.org"]
    for r in rows + lines:
        for cell in r:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
