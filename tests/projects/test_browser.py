"""Headless Chromium: a pair forms, proposes, is approved in the admin, picks a slot, uploads
slides, and its talk is on the schedule; a team chooses its topic and hands in its proposal."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from course.models import Enrolment
from course.rules import weeks_to_shift
from course.syllabus.services import load_syllabus_text
from projects.models import MilestoneSubmission, PaperProposal, Slides, TalkSlot

from .conftest import PDF, PROJECTS_SYLLABUS


@pytest.fixture
def live_course(db):
    # Today falls in week 5: presentations (weeks 10-11) and the proposal (week 6) are ahead.
    shift = weeks_to_shift(date(2021, 1, 11), timezone.localdate(), target_week=5)
    return load_syllabus_text(PROJECTS_SYLLABUS, shift_weeks=shift).course


@pytest.mark.browser
def test_pair_paper_slot_slides_schedule_and_team_proposal(
    live_server, page, login, live_course, make_member, tmp_path
):
    course = live_course
    ana = make_member(course, Enrolment.Role.STUDENT, username="ana")
    ben = make_member(course, Enrolment.Role.STUDENT, username="ben")
    boss = make_member(course, Enrolment.Role.INSTRUCTOR, username="boss")
    boss.is_staff = boss.is_superuser = True
    boss.save()
    base = f"{live_server.url}/c/{course.code}"

    # Ana invites Ben to be her presentation partner.
    login("ana")
    page.goto(f"{base}/presentations/")
    page.get_by_role("link", name="Presentations").first.wait_for()
    page.select_option("#id_presentation-to_user", label="Ben Test")
    page.click("#invite-form button[type=submit]")
    page.get_by_text("Invitation sent.").wait_for()

    # Ben accepts and proposes a paper from the course bibliography.
    login("ben")
    page.goto(f"{base}/presentations/")
    page.get_by_role("button", name="Accept").click()
    page.get_by_text("You are now in a group.").wait_for()
    page.select_option("#id_bib_entry", label="Rethinking generalization")
    page.fill("#id_why", "It questions what generalization means.")
    page.click("#proposal-form button[type=submit]")
    page.get_by_text("Paper proposed").wait_for()
    proposal = PaperProposal.objects.get()

    # The instructor approves it in the admin, in the browser.
    login("boss")
    page.goto(f"{live_server.url}/admin/projects/paperproposal/")
    page.get_by_role("link", name="Rethinking generalization").click()
    page.select_option("#id_status", "approved")
    page.fill("#id_instructor_comment", "Good choice; focus on section 3.")
    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r"/admin/projects/paperproposal/$"))
    proposal.refresh_from_db()
    assert proposal.status == PaperProposal.Status.APPROVED

    # Ana sees the approval and the comment, picks the first slot and uploads the slides.
    login("ana")
    page.goto(f"{base}/presentations/")
    page.get_by_text("Good choice; focus on section 3.").wait_for()
    page.locator("table.slots button", has_text="Pick").first.click()
    page.get_by_text("Slot booked.").wait_for()
    slides = tmp_path / "talk.pdf"
    slides.write_bytes(PDF)
    page.set_input_files("#slides-form input[type=file]", str(slides))
    page.click("#slides-form button[type=submit]")
    page.get_by_text("Slides uploaded.").wait_for()
    assert Slides.objects.filter(group__memberships__student=ana).exists()
    slot = TalkSlot.objects.get(group__isnull=False)

    # The talk is on the schedule, on its session, with the paper and who presents it.
    page.goto(f"{base}/schedule/")
    row = page.locator(f"#session-{slot.session.number}")
    row.get_by_text(re.compile("Rethinking generalization — presented by")).wait_for()
    assert "Ana Test" in row.inner_text() and "Ben Test" in row.inner_text()

    # Project: Ana invites Ben as a teammate; Ben accepts, chooses the topic and hands in the proposal.
    page.goto(f"{base}/project/")
    page.get_by_text("to be announced").first.wait_for()
    page.select_option("#id_project-to_user", label="Ben Test")
    page.click("#invite-form button[type=submit]")
    page.get_by_text("Invitation sent.").wait_for()
    login("ben")
    page.goto(f"{base}/project/")
    page.get_by_role("button", name="Accept").click()
    page.get_by_text("You are now in a group.").wait_for()
    page.select_option("#id_topic", "Generalization")
    page.select_option("#id_project_kind", "Literature review")
    page.fill("#id_working_title", "Sharp minima, revisited")
    page.click("#choice-form button[type=submit]")
    page.get_by_text("Your team's choice is saved.").wait_for()
    proposal_pdf = tmp_path / "proposal.pdf"
    proposal_pdf.write_bytes(PDF)
    row = page.locator("#milestone-proposal")
    row.locator("input[type=file]").set_input_files(str(proposal_pdf))
    row.get_by_role("button", name="Hand in").click()
    page.get_by_text(re.compile("Version 1 of .Project proposal. handed in")).wait_for()
    sub = MilestoneSubmission.objects.get()
    assert sub.submitted_by == ben and not sub.is_late
    page.locator("#milestone-proposal").get_by_text("v1").wait_for()


@pytest.mark.browser
def test_student_leaves_the_team_and_can_invite_again(
    live_server, page, login, live_course, make_member
):
    from projects import services
    from projects.models import Group, GroupKind, Invitation

    course = live_course
    ana = make_member(course, Enrolment.Role.STUDENT, username="ana")
    ben = make_member(course, Enrolment.Role.STUDENT, username="ben")
    make_member(course, Enrolment.Role.STUDENT, username="cleo")
    services.group_create(course=course, kind=GroupKind.PROJECT, students=[ana, ben])

    login("ana")
    page.goto(f"{live_server.url}/c/{course.code}/project/")
    page.get_by_role("heading", name="Your team").wait_for()
    assert not page.get_by_role("button", name="Yes, leave this group").is_visible()
    page.get_by_text("Leave this group", exact=True).click()  # opens the confirmation
    page.get_by_text("The group will be dissolved").wait_for()
    page.get_by_role("button", name="Yes, leave this group").click()
    page.get_by_text("You have left the group").wait_for()
    page.get_by_text("You are not in a project team yet").wait_for()
    assert not Group.objects.exists()

    # Ana is free again: she invites Cleo.
    page.select_option("#id_project-to_user", label="Cleo Test")
    page.click("#invite-form button[type=submit]")
    page.get_by_text("Invitation sent.").wait_for()
    assert Invitation.objects.filter(from_user=ana, to_user__username="cleo").exists()

    # Ben, left without a partner, is told so in the course's notifications.
    from course.notifications.services import dispatch_due

    dispatch_due(now=timezone.now(), courses=[course])
    page.context.clear_cookies()
    login("ben")
    page.goto(f"{live_server.url}/c/{course.code}/notifications/")
    page.get_by_text(f"{course.code}: Ana Test left your project team", exact=True).wait_for()
    page.get_by_text("which is dissolved: you have no partner for it now").wait_for()
