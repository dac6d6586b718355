"""Scribing fixtures: the test course with a slot per lecture, files good and bad."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from course.models import Course, Enrolment, Session
from scribing import services
from scribing.models import ScribeSlot

MTL = ZoneInfo("America/Montreal")
TEX = b"\\documentclass{article}\n\\begin{document}\nNotes \xc3\xa9t\xc3\xa9.\n\\end{document}\n"
PDF = b"%PDF-1.4\n%%EOF\n"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MTL)


@pytest.fixture
def slots(course: Course) -> list[ScribeSlot]:
    services.slots_sync(course=course)
    return list(ScribeSlot.objects.filter(course=course).select_related("session", "course"))


@pytest.fixture
def slot1(slots: list[ScribeSlot]) -> ScribeSlot:
    """Lecture 1, Wednesday 13 Jan 2021 09:30; notes due 20 Jan 23:59."""
    return slots[0]


@pytest.fixture
def student(course: Course, make_member: Callable[..., Any]) -> Any:
    return make_member(course, Enrolment.Role.STUDENT, "stud1", now=at(2021, 1, 1))


@pytest.fixture
def student2(course: Course, make_member: Callable[..., Any]) -> Any:
    return make_member(course, Enrolment.Role.STUDENT, "stud2", now=at(2021, 1, 1))


def tex_file(name: str = "notes.tex", data: bytes = TEX) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/x-tex")


def pdf_file(name: str = "notes.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def zip_bytes(entries: dict[str, bytes], symlink: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16
            zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


def zip_file(entries: dict[str, bytes], name: str = "extras.zip", **kw: Any) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, zip_bytes(entries, **kw), content_type="application/zip")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def lecture_sessions(course: Course) -> list[Session]:
    return list(
        Session.objects.filter(course=course, kind=Session.Kind.LECTURE).order_by("starts_at")
    )
