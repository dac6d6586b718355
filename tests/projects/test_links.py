"""A student's links (paper proposal, milestone hand-in) are http(s) only, with a form error
naming the field; nothing is stored otherwise, and a stored bad link is not rendered as one."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services
from projects.models import GroupKind, MilestoneSubmission, PaperProposal

NOW = datetime(2021, 2, 10, 12, 0, tzinfo=ZoneInfo("America/Montreal"))
BAD = ["javascript:alert(document.cookie)", "data:text/html,hi", "ftp://example.org/paper.pdf"]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def url(name: str, course, **kw) -> str:
    return reverse(name, kwargs={"code": course.code, **kw})


@pytest.mark.parametrize("link", BAD)
def test_a_proposal_link_must_be_a_web_address(client, pcourse, students, link):
    services.group_create(course=pcourse, kind=GroupKind.PRESENTATION, students=students[:2])
    client.force_login(students[0])
    r = client.post(url("projects_propose", pcourse), {"title": "A paper", "url": link})
    assert r.status_code == 400
    assert b"http:// or https://" in r.content or b"https://" in r.content
    assert not PaperProposal.objects.exists()


@pytest.mark.parametrize("link", BAD)
def test_a_milestone_link_must_be_a_web_address(client, pcourse, students, link):
    services.group_create(course=pcourse, kind=GroupKind.PROJECT, students=students[:2])
    milestone = {m.key: m for m in services.milestones_sync(course=pcourse)}["progress"]
    client.force_login(students[0])
    r = client.post(
        url("projects_milestone_submit", pcourse, pk=milestone.pk), {f"m{milestone.pk}-link": link}
    )
    assert r.status_code == 400
    assert b"https://" in r.content
    assert not MilestoneSubmission.objects.exists()


def test_the_service_refuses_a_bad_link_too(pcourse, students):
    group = services.group_create(
        course=pcourse, kind=GroupKind.PRESENTATION, students=students[:2]
    )
    with pytest.raises(ValidationError) as info:
        services.paper_propose(
            group=group, user=students[0], title="t", url="javascript:alert(1)", now=NOW
        )
    assert "url" in info.value.message_dict


def test_a_stored_bad_link_is_shown_as_text(client, pcourse, students, pdf_bytes):
    team = services.group_create(course=pcourse, kind=GroupKind.PROJECT, students=students[:2])
    milestone = {m.key: m for m in services.milestones_sync(course=pcourse)}["progress"]
    sub = services.milestone_submit(
        group=team, milestone=milestone, user=students[0], now=NOW, link="https://example.org/s"
    )
    MilestoneSubmission.objects.filter(pk=sub.pk).update(link="javascript:alert(1)")
    pair = services.group_create(course=pcourse, kind=GroupKind.PRESENTATION, students=students[:2])
    prop = services.paper_propose(
        group=pair, user=students[0], title="Paper", url="https://arxiv.org/abs/1", now=NOW
    )
    PaperProposal.objects.filter(pk=prop.pk).update(url="javascript:alert(2)")
    client.force_login(students[0])
    team_page = client.get(url("projects_team", pcourse)).content
    assert b'href="javascript:' not in team_page and b"javascript:alert(1)" in team_page
    talks = client.get(url("projects_presentations", pcourse)).content
    assert b'href="javascript:' not in talks
