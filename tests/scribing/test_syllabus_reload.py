"""Reloading the syllabus never loses scribing work; empty slots follow their sessions."""

from __future__ import annotations

from typing import Any

import pytest

from course.models import Session
from course.syllabus.services import load_syllabus_text
from scribing import services
from scribing.models import ScribeSlot

from ..conftest import SMALL_SYLLABUS
from .conftest import at, tex_file

pytestmark = pytest.mark.django_db


def test_removed_day_with_work_is_kept_cancelled(course: Any, slots: list, student: Any) -> None:
    jan13, jan14 = slots[0], slots[1]
    services.scribe_slot_claim(slot=jan13, student=student, now=at(2021, 1, 1))
    services.notes_submit(slot=jan13, student=student, tex=tex_file(), now=at(2021, 1, 14))
    text = (
        SMALL_SYLLABUS.replace("  breaks:\n", "  days_off: [2021-01-13, 2021-01-14]\n  breaks:\n")
        .replace("  - {date: 2021-01-13, topic: Overview}\n", "")
        .replace("  - {date: 2021-01-14, topic: Gradient descent, readings: [bubeck2015]}\n", "")
    )
    load_syllabus_text(text)
    kept = Session.objects.get(pk=jan13.session_id)
    assert kept.kind == Session.Kind.NO_CLASS  # kept because notes hang on it
    assert not Session.objects.filter(pk=jan14.session_id).exists()  # its empty slot went with it
    assert not ScribeSlot.objects.filter(pk=jan14.pk).exists()
