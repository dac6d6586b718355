"""Under `make run` the demo's welcome announcement really goes out, once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from course.demo import DEMO_PEOPLE, load_demo
from course.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_loading_the_demo_sends_the_welcome_announcement_once(django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        load_demo(now=now)
    welcome = [m for m in mail.outbox if m.subject == "IFT6085: Welcome to IFT 6085"]
    assert len(welcome) == len(DEMO_PEOPLE)
    assert "http://127.0.0.1:8000/c/IFT6085/#announcement-" in welcome[0].body
    with django_capture_on_commit_callbacks(execute=True):
        load_demo(now=now)
    assert len([m for m in mail.outbox if m.subject == "IFT6085: Welcome to IFT 6085"]) == len(
        DEMO_PEOPLE
    )
    assert not OutboxMessage.objects.filter(status="pending").exists()
