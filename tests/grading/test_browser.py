"""The instructor enters a midterm score in the admin and exports the CSV; the student sees it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest

from grading import services
from grading.models import GradebookSnapshot


def _prof_and_ada(course: Any, make_member: Any) -> Any:
    """The instructor "prof" (admin rights) and the student "ada", returned."""
    prof = make_member(course, "instructor", username="prof")
    prof.is_staff = prof.is_superuser = True
    prof.save()
    return make_member(course, "student", username="ada")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_midterm_entry_export_and_student_view(
    course: Any, make_member: Any, page: Any, login: Any, live_server: Any
) -> None:
    ada = _prof_and_ada(course, make_member)
    make_member(course, "student", username="alan")

    login("prof")
    page.goto(f"{live_server.url}/admin/grading/gradebooksnapshot/")
    page.click(f"text={course}")
    page.click("text=Enter an exam score")
    page.fill("#id_component_key", "midterm")
    page.select_option("#id_student", str(ada.pk))
    page.fill("#id_score", "41")
    page.fill("#id_out_of", "50")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert "was added successfully" in page.content()

    # Saving scheduled the recompute (run on commit, eagerly in tests).
    snap = GradebookSnapshot.objects.get(course=course)
    assert snap.computed_at is not None
    page.goto(f"{live_server.url}/admin/grading/gradebooksnapshot/course/{course.pk}/")
    assert page.locator("#last-run").inner_text().startswith("Last computed")
    row = page.locator("#gradebook tbody tr", has_text="Ada")
    assert "82.00" in row.inner_text()

    with page.expect_download() as info:
        page.click("#export-csv")
    path = info.value.path()
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.reader(io.StringIO(fh.read())))
    col = rows[0].index("Midterm (15%)")
    assert next(r for r in rows if r[0] == "ada")[col] == "82.00"
    # The test course ended in 2021: an exam without a score is missing work (0).
    assert next(r for r in rows if r[0] == "alan")[col] == "0.00"

    page.context.clear_cookies()
    login("ada")
    page.goto(f"{live_server.url}/c/{course.code}/")
    page.click("text=My grades")
    midterm = page.locator("#component-midterm")
    assert "82.00%" in midterm.inner_text()
    assert "12.30" in midterm.inner_text()  # contribution: 15 x 82 / 100
    # The term is over and nothing is pending (no scribe slot ever given counts as missing):
    # a final grade, so no what-if (tests/grading/test_views.py covers the what-if mid-term).
    assert page.locator("#final-percent").is_visible()
    assert page.locator("#what-if").count() == 0
    final = page.locator("#final-percent").inner_text().rstrip("%")
    assert page.locator("#contributions-total").inner_text().split() == ["Final", "grade", final]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_override_on_the_student_page_shows_at_once_and_reaches_the_table(
    course: Any, make_member: Any, page: Any, login: Any, live_server: Any
) -> None:
    ada = _prof_and_ada(course, make_member)
    services.exam_score_set(
        course=course,
        student_id=ada.pk,
        component_key="midterm",
        score=Decimal(41),
        out_of=Decimal(50),
    )
    login("prof")
    base = f"{live_server.url}/admin/grading/gradebooksnapshot/course/{course.pk}/"
    page.goto(f"{base}student/{ada.pk}/")
    page.select_option("#id_ov-target", "midterm")
    page.fill("#id_ov-value", "90")
    page.fill("#id_ov-reason", "regraded")
    page.click("#override-form input[type=submit]")
    page.wait_for_load_state()
    assert "gradebook is being recomputed" in page.content()
    midterm = page.locator("#student-components tr", has_text="Midterm")
    assert "overridden" in midterm.inner_text() and "90.00" in midterm.inner_text()
    # The recompute the save queued (run on commit, eagerly here) brings it to the table.
    page.goto(base)
    assert "90.00" in page.locator("#gradebook tbody tr", has_text="Ada").inner_text()
