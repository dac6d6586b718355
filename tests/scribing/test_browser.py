"""In headless Chromium: sign up, upload on time; another scribe uploads late and sees the
penalty; the instructor publishes and the notes appear on the schedule."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from course import rules
from course.models import Enrolment, Session
from course.syllabus.services import load_syllabus_text
from scribing import services
from scribing.models import NotesSubmission, ScribeSlot

from ..conftest import SMALL_SYLLABUS
from .conftest import PDF, TEX

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_upload_late_penalty_publish(
    live_server: Any, page: Any, login: Any, make_member: Any, tmp_path: Any
) -> None:
    today = timezone.localdate()
    # The test course moved so that today falls in week 6: past and future lectures both exist.
    shift = rules.weeks_to_shift(date(2021, 1, 11), today, target_week=6)
    course = load_syllabus_text(SMALL_SYLLABUS, shift_weeks=shift).course
    services.slots_sync(course=course)
    now = timezone.now()
    lectures = list(
        ScribeSlot.objects.filter(course=course)
        .select_related("session", "course")
        .order_by("session__starts_at")
    )
    past = [s for s in lectures if s.session.date.toordinal() < today.toordinal() - 9]
    future = [s for s in lectures if s.session.starts_at > now + timedelta(days=4)]
    assert past and future
    ana = make_member(course, Enrolment.Role.STUDENT, "ana")
    bob = make_member(course, Enrolment.Role.STUDENT, "bob")
    make_member(course, Enrolment.Role.INSTRUCTOR, "prof")
    services.scribe_slot_claim(slot=past[-1], student=bob, now=now, by_instructor=True)

    tex = tmp_path / "notes.tex"
    tex.write_bytes(TEX)
    pdf = tmp_path / "notes.pdf"
    pdf.write_bytes(PDF)

    # Ana signs up for a lecture ahead and hands in notes: on time.
    login("ana")
    page.goto(f"{live_server.url}/c/{course.code}/")
    page.click("nav >> text=Scribing")
    number = future[0].session.number
    page.click(f"#slot-{number} button.claim")
    page.wait_for_selector("#my-assignment")
    assert f"You scribe lecture {number}" in page.locator(".messages").inner_text()
    assert "on time" in page.locator("#lateness-status").inner_text()
    page.set_input_files("#id_tex_file", str(tex))
    page.set_input_files("#id_pdf_file", str(pdf))
    page.click("#notes-form button[type=submit]")
    page.wait_for_selector("table.versions")
    assert "Version 1 received, on time." in page.locator(".messages").inner_text()
    assert "on time" in page.locator("table.versions .submission-status").first.inner_text()
    page.click("button:has-text('Log out')")

    # Bob's lecture was more than a week ago: the page warns before he submits.
    login("bob")
    page.goto(f"{live_server.url}/c/{course.code}/scribing/")
    status = page.locator("#lateness-status").inner_text()
    assert "late: 5% penalty" in status
    page.set_input_files("#id_tex_file", str(tex))
    from playwright.sync_api import expect

    expect(page.locator("#lateness-status")).to_contain_text("late", timeout=10_000)
    page.click("#notes-form button[type=submit]")
    page.wait_for_selector("table.versions")
    assert "late: 5% penalty" in page.locator(".messages").inner_text()
    assert "5% penalty" in page.locator("table.versions .submission-status").first.inner_text()
    page.click("button:has-text('Log out')")

    # The instructor publishes Ana's notes; the schedule links them beside the lecture.
    services.notes_publish(
        submissions=NotesSubmission.objects.filter(submitted_by=ana), now=timezone.now()
    )
    login("bob")
    page.goto(f"{live_server.url}/c/{course.code}/schedule/")
    session = Session.objects.get(pk=future[0].session_id)
    row = page.locator(f"#session-{session.number}")
    link = row.locator("a:has-text('Scribed notes (PDF)')")
    assert link.count() == 1
    assert "Scribes: Ana Test" in row.inner_text()
    with page.expect_download() as dl:  # the PDF is served inline; ask for it as a download
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; a.download = 'n.pdf'; document.body.appendChild(a); a.click(); }",
            link.get_attribute("href"),
        )
    assert dl.value.path().read_bytes().startswith(b"%PDF-")
