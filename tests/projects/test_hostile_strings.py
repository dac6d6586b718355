"""Hostile strings in the students' project forms (paper proposal, team choice, milestone link):
a 4xx or form error, or stored exactly as a browser sent them; never a 500."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from projects import services
from projects.models import Group, GroupKind, MilestoneSubmission, PaperProposal
from tests.hostile import as_sent, hostile_text

NOW = datetime(2021, 2, 10, 12, 0, tzinfo=ZoneInfo("America/Montreal"))
PROPERTY = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _client(user) -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


@PROPERTY
@given(title=hostile_text, authors=hostile_text, link=hostile_text, why=hostile_text)
def test_the_proposal_form(pcourse, students, title, authors, link, why):
    pair = Group.objects.filter(course=pcourse, kind=GroupKind.PRESENTATION).first()
    if pair is None:
        pair = services.group_create(
            course=pcourse, kind=GroupKind.PRESENTATION, students=students[:2]
        )
    PaperProposal.objects.all().delete()
    sent = {"title": title, "authors": authors, "url": link, "why": why}
    r = _client(students[0]).post(
        reverse("projects_propose", kwargs={"code": pcourse.code}),
        {k: as_sent(v) for k, v in sent.items()},
    )
    assert r.status_code in (302, 400), r.status_code
    if r.status_code == 302:
        stored = PaperProposal.objects.get()
        assert stored.title == as_sent(title).strip()
        assert stored.why == as_sent(why).strip()
    else:
        assert not PaperProposal.objects.exists()


@PROPERTY
@given(topic=hostile_text, kind=hostile_text, working_title=hostile_text)
def test_the_team_choice_form(pcourse, students, topic, kind, working_title):
    team = Group.objects.filter(course=pcourse, kind=GroupKind.PROJECT).first()
    if team is None:
        team = services.group_create(course=pcourse, kind=GroupKind.PROJECT, students=students[:2])
    r = _client(students[0]).post(
        reverse("projects_team_choice", kwargs={"code": pcourse.code}),
        {
            "topic": as_sent(topic) or "Optimization",
            "project_kind": "Prototype",
            "working_title": as_sent(working_title),
        },
    )
    assert r.status_code in (302, 400), r.status_code
    if r.status_code == 302:
        team.refresh_from_db()
        assert team.working_title == as_sent(working_title).strip()


@PROPERTY
@given(link=hostile_text)
def test_the_milestone_link(pcourse, students, link):
    team = Group.objects.filter(course=pcourse, kind=GroupKind.PROJECT).first()
    if team is None:
        team = services.group_create(course=pcourse, kind=GroupKind.PROJECT, students=students[:2])
    m = {m.key: m for m in services.milestones_sync(course=pcourse)}["progress"]
    before = MilestoneSubmission.objects.count()
    r = _client(students[0]).post(
        reverse("projects_milestone_submit", kwargs={"code": pcourse.code, "pk": m.pk}),
        {f"m{m.pk}-link": as_sent(link)},
    )
    assert r.status_code in (302, 400), r.status_code
    if r.status_code == 302:
        stored = MilestoneSubmission.objects.latest("pk").link
        assert stored in (as_sent(link).strip(), "https://" + as_sent(link).strip())
    else:
        assert MilestoneSubmission.objects.count() == before
