"""On a phone, the tables a student reads most (the grade breakdown, the quiz list) are one card
per row: every value on the screen and named, none cut inside a box that scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from course.demo import DEMO_PASSWORD, load_demo
from course.models import Course
from grading import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 360


def _demo_on_a_phone(page: Any, live_server: Any, username: str) -> Any:
    now = timezone.now()
    load_demo(now=now)
    services.gradebook_recompute(course=Course.objects.get(code="IFT6085"), now=now)
    page.set_viewport_size({"width": WIDTH, "height": 740})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    return page


@pytest.fixture
def ada_on_a_phone(page: Any, live_server: Any) -> Any:
    return _demo_on_a_phone(page, live_server, "ada")


def _on_screen(locator: Any) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH


def _named_cells(row: Any) -> list[str]:
    return [
        " ".join(cell.split())
        for cell in row.locator("td[data-label]").evaluate_all(
            "cells => cells.map(c => getComputedStyle(c, '::before').content + c.innerText)"
        )
    ]


def test_the_grade_breakdown_is_one_card_per_component_with_its_items(
    ada_on_a_phone: Any, live_server: Any
) -> None:
    page = ada_on_a_phone
    page.goto(f"{live_server.url}/c/IFT6085/grades/")
    quizzes = page.locator("#component-quizzes")
    items = quizzes.locator(".grade-items")
    assert items.is_visible() and _on_screen(items) and "counted" in items.inner_text()
    named = _named_cells(quizzes)
    assert named[0] == '"Weight: "15%'
    assert named[1].startswith('"Score: "92.71%')
    assert page.locator("#grades-table thead").bounding_box()["height"] <= 1


def test_the_quiz_list_shows_each_quizs_score_on_the_screen(
    ada_on_a_phone: Any, live_server: Any
) -> None:
    page = ada_on_a_phone
    page.goto(f"{live_server.url}/c/IFT6085/quizzes/")
    graded = page.locator("tr.state-closed", has_text="Quiz 1:")
    score = graded.locator("td").last
    assert score.is_visible() and _on_screen(score)
    assert _named_cells(graded)[1:] == ['"Status: "Submitted', '"Score: "66.7% counted']


def test_a_milestone_is_handed_in_from_its_card(ada_on_a_phone: Any, live_server: Any) -> None:
    page = ada_on_a_phone
    page.goto(f"{live_server.url}/c/IFT6085/project/")
    report = page.locator("#milestone-report")
    hand_in = report.get_by_role("button", name="Hand in")
    assert hand_in.is_visible() and _on_screen(hand_in)
    assert _named_cells(report)[:2] == ['"Due: "to be announced', '"Weight: "50%']


def test_every_lecture_s_scribe_slot_and_its_button_are_on_the_screen(
    ada_on_a_phone: Any, live_server: Any
) -> None:
    page = ada_on_a_phone
    page.goto(f"{live_server.url}/c/IFT6085/scribing/")
    rows = page.locator("table.scribe-slots tbody tr")
    assert rows.count() > 10
    claims = page.locator("table.scribe-slots button.claim")
    assert claims.count() > 0
    for i in range(claims.count()):
        assert _on_screen(claims.nth(i))
    assert _named_cells(rows.first)[0].startswith('"Date: "')


def test_the_ta_reads_each_quiz_s_counts_on_the_screen(page: Any, live_server: Any) -> None:
    _demo_on_a_phone(page, live_server, "ta")
    page.goto(f"{live_server.url}/c/IFT6085/quizzes/")
    first = page.locator("#class-quizzes tbody tr").first
    submitted = first.locator("td.n-submitted")
    assert submitted.is_visible() and _on_screen(submitted)
    assert _named_cells(first)[-1].startswith('"Submitted: "')
