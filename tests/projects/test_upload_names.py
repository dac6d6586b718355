"""A 300-character file name on a milestone hand-in or slides is a form error naming the file
field; nothing is stored."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects import services
from projects.models import GroupKind, MilestoneSubmission, Slides

NOW = datetime(2021, 2, 10, 12, 0, tzinfo=ZoneInfo("America/Montreal"))
LONG = "report-" + "x" * 289 + ".pdf"  # 300 characters


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_milestone_file_with_a_300_character_name(client, pcourse, students, pdf_bytes):
    services.group_create(course=pcourse, kind=GroupKind.PROJECT, students=students[:2])
    m = {m.key: m for m in services.milestones_sync(course=pcourse)}["proposal"]
    client.force_login(students[0])
    r = client.post(
        reverse("projects_milestone_submit", kwargs={"code": pcourse.code, "pk": m.pk}),
        {f"m{m.pk}-file": SimpleUploadedFile(LONG, pdf_bytes)},
    )
    assert r.status_code == 400
    assert "is too long" in r.content.decode()
    assert not MilestoneSubmission.objects.exists()


def test_slides_with_a_300_character_name(client, pcourse, students, pdf_bytes):
    services.talk_slots_sync(course=pcourse)
    g = services.group_create(course=pcourse, kind=GroupKind.PRESENTATION, students=students[:2])
    p = services.paper_propose(
        group=g, user=students[0], title="t", url="https://arxiv.org/abs/9", now=NOW
    )
    services.paper_decide(proposal=p, approve=True, now=NOW)
    client.force_login(students[0])
    r = client.post(
        reverse("projects_slides_upload", kwargs={"code": pcourse.code}),
        {"file": SimpleUploadedFile(LONG, pdf_bytes)},
    )
    assert r.status_code == 400
    assert "is too long" in r.content.decode()
    assert not Slides.objects.exists()
