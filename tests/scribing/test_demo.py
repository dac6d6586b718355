"""The demo hook: slots for all lectures, most students assigned, two graded notes; idempotent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from course.demo import load_demo
from course.models import Course, Session
from scribing import selectors
from scribing.demo import add_demo_scribing
from scribing.models import NotesSubmission, ScribeAssignment, ScribeSlot

pytestmark = pytest.mark.django_db


def test_demo_scribing(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    now = timezone.now()
    load_demo(now=now)
    course = Course.objects.get(code="IFT6085")
    lectures = Session.objects.filter(course=course, kind="lecture").count()
    assert ScribeSlot.objects.filter(course=course).count() == lectures
    assert ScribeAssignment.objects.filter(course=course).count() == 10  # 12 students, 2 left
    subs = list(NotesSubmission.objects.filter(slot__course=course).order_by("penalty_percent"))
    assert [s.penalty_percent for s in subs] == [Decimal(0), Decimal(5)]
    assert subs[0].is_published and not subs[1].is_published
    items = selectors.gradebook_items(course, now=now)
    graded = [i for items_ in items.values() for i in items_ if i.status == "graded"]
    assert any(i.penalty_percent == 5 and "2 days late" in i.note for i in graded)
    counts = (
        ScribeSlot.objects.count(),
        ScribeAssignment.objects.count(),
        NotesSubmission.objects.count(),
    )
    add_demo_scribing(course, now)
    load_demo(now=now)
    assert (
        ScribeSlot.objects.count(),
        ScribeAssignment.objects.count(),
        NotesSubmission.objects.count(),
    ) == counts
