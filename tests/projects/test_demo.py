from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import course.demo as demo
from projects.demo import demo_projects
from projects.models import Group, GroupMembership, MilestoneSubmission, PaperProposal, TalkSlot


@pytest.mark.django_db
def test_demo_hook_is_idempotent(monkeypatch) -> None:
    monkeypatch.setattr(demo, "_hooks", {"projects": demo_projects})
    now = datetime(2026, 11, 27, 12, 0, tzinfo=ZoneInfo("America/Montreal"))
    demo.load_demo(now=now)
    counts = (
        Group.objects.count(),
        GroupMembership.objects.count(),
        PaperProposal.objects.count(),
        TalkSlot.objects.count(),
        TalkSlot.objects.filter(group__isnull=False).count(),
        MilestoneSubmission.objects.count(),
    )
    demo.load_demo(now=now)
    assert counts == (
        Group.objects.count(),
        GroupMembership.objects.count(),
        PaperProposal.objects.count(),
        TalkSlot.objects.count(),
        TalkSlot.objects.filter(group__isnull=False).count(),
        MilestoneSubmission.objects.count(),
    )
    assert PaperProposal.objects.filter(status="approved").count() == 3
    assert TalkSlot.objects.filter(group__isnull=False, kind="presentation").count() == 2
    assert TalkSlot.objects.filter(group__isnull=False, kind="project").count() == 2
    assert MilestoneSubmission.objects.count() == 2
    teams = Group.objects.filter(kind="project").exclude(topic="")
    assert teams.count() == 3
