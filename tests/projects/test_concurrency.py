"""Races decided by the database: run on PostgreSQL (DATABASE_URL=postgres://...)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from projects import services
from projects.models import (
    Group,
    GroupKind,
    GroupMembership,
    Invitation,
    PaperProposal,
    TalkSlot,
)

NOW = datetime(2021, 2, 10, 12, 0, tzinfo=ZoneInfo("America/Montreal"))
P = GroupKind.PRESENTATION


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment in threads; each result is a value or the exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the test inspects it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency tests run on PostgreSQL")


def _approved_pair(course: Any, a: Any, b: Any, url: str) -> Any:
    group = services.group_create(course=course, kind=P, students=[a, b])
    p = services.paper_propose(group=group, user=a, title="t", url=url, now=NOW)
    services.paper_decide(proposal=p, approve=True, now=NOW)
    return group


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_pairs_one_slot_one_wins(postgres_only, pcourse, students, attempt) -> None:
    services.talk_slots_sync(course=pcourse)
    g1 = _approved_pair(pcourse, students[0], students[1], "https://arxiv.org/abs/1")
    g2 = _approved_pair(pcourse, students[2], students[3], "https://arxiv.org/abs/2")
    slot = TalkSlot.objects.filter(kind=P).order_by("starts_at")[attempt]
    results = race(
        lambda: services.talk_slot_pick(slot=slot, group=g1, user=students[0], now=NOW),
        lambda: services.talk_slot_pick(slot=slot, group=g2, user=students[2], now=NOW),
    )
    wins = [r for r in results if isinstance(r, TalkSlot)]
    losses = [r for r in results if isinstance(r, ValidationError)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert "taken" in str(losses[0])
    slot.refresh_from_db()
    assert slot.group_id == wins[0].group_id
    assert TalkSlot.objects.filter(group__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_pair_two_slots_at_once_holds_one(postgres_only, pcourse, students) -> None:
    services.talk_slots_sync(course=pcourse)
    g1 = _approved_pair(pcourse, students[0], students[1], "https://arxiv.org/abs/1")
    s1, s2 = TalkSlot.objects.filter(kind=P).order_by("starts_at")[:2]
    results = race(
        lambda: services.talk_slot_pick(slot=s1, group=g1, user=students[0], now=NOW),
        lambda: services.talk_slot_pick(slot=s2, group=g1, user=students[1], now=NOW),
    )
    assert TalkSlot.objects.filter(group=g1).count() == 1, results


@pytest.mark.django_db(transaction=True)
def test_accepting_two_invitations_at_once_joins_one_group(
    postgres_only, pcourse, students
) -> None:
    a, b, c = students[:3]
    i1 = services.invitation_send(course=pcourse, kind=P, from_user=a, to_user=b, now=NOW)
    i2 = services.invitation_send(course=pcourse, kind=P, from_user=c, to_user=b, now=NOW)
    results = race(
        lambda: services.invitation_accept(invitation=i1, user=b, now=NOW),
        lambda: services.invitation_accept(invitation=i2, user=b, now=NOW),
    )
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert GroupMembership.objects.filter(student=b, kind=P).count() == 1
    assert Invitation.objects.filter(status=Invitation.Status.ACCEPTED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_one_paper_at_once(postgres_only, pcourse, students) -> None:
    g1 = services.group_create(course=pcourse, kind=P, students=students[:2])
    g2 = services.group_create(course=pcourse, kind=P, students=students[2:4])
    p1 = services.paper_propose(
        group=g1, user=students[0], title="t", url="https://arxiv.org/abs/7", now=NOW
    )
    p2 = services.paper_propose(
        group=g2, user=students[2], title="t", url="https://arxiv.org/abs/7v1", now=NOW
    )
    results = race(
        lambda: services.paper_decide(proposal=p1, approve=True, now=NOW),
        lambda: services.paper_decide(proposal=p2, approve=True, now=NOW),
    )
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results


@pytest.mark.django_db(transaction=True)
def test_two_invitees_of_one_inviter_at_once_make_one_pair(
    postgres_only, pcourse, students
) -> None:
    a, b, d = students[0], students[1], students[3]
    i1 = services.invitation_send(course=pcourse, kind=P, from_user=a, to_user=b, now=NOW)
    i2 = services.invitation_send(course=pcourse, kind=P, from_user=a, to_user=d, now=NOW)
    results = race(
        lambda: services.invitation_accept(invitation=i1, user=b, now=NOW),
        lambda: services.invitation_accept(invitation=i2, user=d, now=NOW),
    )
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert GroupMembership.objects.filter(kind=P).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_both_partners_leaving_at_once_leave_no_orphan(
    postgres_only, pcourse, students, attempt
) -> None:
    a, b = students[:2]
    group = services.group_create(course=pcourse, kind=P, students=[a, b])
    results = race(
        lambda: services.group_leave(group=group, user=a, now=NOW),
        lambda: services.group_leave(group=group, user=b, now=NOW),
    )
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and results.count(None) == 1, results
    assert not GroupMembership.objects.filter(kind=P).exists()
    assert not Group.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_leaving_while_a_partner_accepts_an_invitation(
    postgres_only, pcourse, students, attempt
) -> None:
    """A trio member leaves while another member's invitee accepts: no deadlock, no lost row."""
    a, b, c, d = students[:4]
    group = services.group_create(course=pcourse, kind=P, students=[a, b, c])
    inv = Invitation.objects.create(course=pcourse, kind=P, from_user=a, to_user=d, created_at=NOW)
    results = race(
        lambda: services.group_leave(group=group, user=c, now=NOW),
        lambda: services.invitation_accept(invitation=inv, user=d, now=NOW),
    )
    left, accepted = results
    assert not isinstance(left, Exception), results
    assert isinstance(accepted, ValidationError), (
        results
    )  # the trio is full, or the invitation gone
    members = set(GroupMembership.objects.filter(kind=P).values_list("student_id", flat=True))
    assert members == {a.pk, b.pk}
    inv.refresh_from_db()
    assert inv.status == Invitation.Status.CANCELLED


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
@pytest.mark.parametrize("who", ["partner", "leaver"])
def test_leaving_while_the_pair_proposes_a_paper(
    postgres_only, pcourse, students, attempt, who
) -> None:
    """One of the two wins: a proposal never lands on a group its proposer has left or that
    is gone, and no deadlock (the proposal's row refers to its proposer, whom a leave locks)."""
    a, b, c = students[:3]
    trio = who == "leaver"
    group = services.group_create(course=pcourse, kind=P, students=[a, b, c] if trio else [a, b])
    proposer = a if trio else b
    left, proposed = race(
        lambda: services.group_leave(group=group, user=a, now=NOW),
        lambda: services.paper_propose(
            group=group, user=proposer, title="t", url=f"https://x.org/{attempt}", now=NOW
        ),
    )
    assert all(
        r is None or not isinstance(r, Exception) or isinstance(r, ValidationError)
        for r in (left, proposed)
    ), (left, proposed)
    if isinstance(proposed, ValidationError):
        assert not isinstance(left, Exception), (left, proposed)
        assert not PaperProposal.objects.exists()
        assert not GroupMembership.objects.filter(student=a, kind=P).exists()
    else:
        assert isinstance(left, ValidationError), (left, proposed)
        assert PaperProposal.objects.get().proposed_by == proposer
        assert GroupMembership.objects.filter(group=group, student=a).exists()
