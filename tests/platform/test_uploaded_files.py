"""Uploaded files are served sandboxed: opened in the browser, they run no script as the site."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from course.models import Enrolment
from scribing import services
from scribing.models import ScribeSlot
from tests.factories import ScribeAssignmentFactory

pytestmark = pytest.mark.django_db

HOSTILE_PDF = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n"


@pytest.mark.parametrize("kind", ["tex", "pdf"])
def test_scribe_notes_are_served_with_a_sandbox_policy(
    course: Any, make_member: Any, kind: str
) -> None:
    student = make_member(course, Enrolment.Role.STUDENT, username="ada")
    services.slots_sync(course=course)
    slot = ScribeSlot.objects.select_related("session").filter(course=course).first()
    assert slot is not None
    ScribeAssignmentFactory.create(slot=slot, student=student)
    sub = services.notes_submit(
        slot=slot,
        student=student,
        tex=SimpleUploadedFile("notes.tex", b"\\section{Hi} <script>x()</script>"),
        pdf=SimpleUploadedFile("notes.pdf", HOSTILE_PDF),
        now=slot.session.starts_at,
    )
    client = Client()
    client.force_login(student)
    response = client.get(
        reverse("scribing_file", kwargs={"code": course.code, "pk": sub.pk, "kind": kind})
    )
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    # The site's pages keep the full policy.
    page = client.get(reverse("scribing", kwargs={"code": course.code}))
    assert "default-src 'self'" in page["Content-Security-Policy"]
