"""Hostile strings in the scribing forms (extension request, unavailable date): a form error, or
stored exactly as a browser sent them; never a 500."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from course.deadlines.models import ExtensionRequest
from scribing import services
from scribing.models import ScribeAssignment
from tests.hostile import as_sent, hostile_text

from .conftest import at

pytestmark = pytest.mark.django_db
PROPERTY = settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(2021, 1, 5), tick=False):
        yield


def _client(user: Any) -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


@PROPERTY
@given(reason=hostile_text, due=hostile_text)
def test_the_extension_request(course: Any, slot1: Any, student: Any, reason: str, due: str):
    if not ScribeAssignment.objects.filter(student=student).exists():
        services.scribe_slot_claim(slot=slot1, student=student, now=at(2021, 1, 1))
    ExtensionRequest.objects.all().delete()
    r = _client(student).post(
        reverse("scribing_extension", kwargs={"code": course.code}),
        {"reason": as_sent(reason), "requested_due_at": as_sent(due)},
    )
    assert r.status_code in (302, 400), r.status_code
    if r.status_code == 302:
        assert ExtensionRequest.objects.get().reason == as_sent(reason).strip()
    else:
        assert not ExtensionRequest.objects.exists()


@PROPERTY
@given(day=hostile_text)
def test_the_unavailable_date(course: Any, student: Any, day: str):
    for field in ("date", "remove"):
        r = _client(student).post(
            reverse("scribing_unavailable", kwargs={"code": course.code}), {field: as_sent(day)}
        )
        assert r.status_code in (200, 302, 400), r.status_code
