"""Pure rules of paper presentations and research projects: plain values in, plain values out.

No ORM, no clock, no settings: callers pass `now`, datetimes and the policy values.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

T = TypeVar("T")

HUNDRED = Decimal(100)


# --- talk slots ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotTime:
    index: int
    starts_at: datetime
    ends_at: datetime


def talk_slot_times(
    starts_at: datetime, ends_at: datetime, *, talk_minutes: int, changeover_minutes: int
) -> list[SlotTime]:
    """As many talks as fit in the session, each followed by a change-over except the last.

    n talks need n*talk + (n-1)*changeover minutes, so n = floor((L + c) / (t + c)).
    """
    if talk_minutes <= 0:
        raise ValueError("talk_minutes must be positive")
    if changeover_minutes < 0:
        raise ValueError("changeover_minutes must not be negative")
    length = ends_at - starts_at
    talk = timedelta(minutes=talk_minutes)
    step = talk + timedelta(minutes=changeover_minutes)
    if length < talk:
        return []
    count = (length + step - talk) // step
    return [
        SlotTime(index=i, starts_at=starts_at + i * step, ends_at=starts_at + i * step + talk)
        for i in range(count)
    ]


def slides_due_at(talk_starts_at: datetime, hours_before: int) -> datetime:
    return talk_starts_at - timedelta(hours=hours_before)


# --- papers ----------------------------------------------------------------------------------

_ARXIV = re.compile(r"^/(?:abs|pdf)/(?P<id>[^/]+?)(?:v\d+)?(?:\.pdf)?/?$")
_TRACKING = ("utm_", "fbclid", "gclid")


def normalize_paper_url(url: str) -> str:
    """One key per paper link: scheme, www., case of the host, fragments, tracking and arXiv
    versions (abs/pdf, v2) do not make two papers different."""
    raw = url.strip()
    if not raw:
        return ""
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    host = parts.netloc.lower()
    host = host.removeprefix("www.")
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if host in ("arxiv.org", "export.arxiv.org"):
        host = "arxiv.org"
        match = _ARXIV.match(path)
        if match:
            return f"arxiv.org/abs/{match.group('id')}"
    if len(path) > 1:
        path = path.rstrip("/")
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith(_TRACKING)
        )
    )
    return urlunsplit(("", host, path, query, "")).lstrip("/")


def paper_key(*, url: str, bib_entry_id: int | None, bib_entry_url: str = "") -> str:
    """The key two groups cannot both hold approved: the paper's link when known, else the
    bibliography entry."""
    link = normalize_paper_url(bib_entry_url or url)
    if link:
        return f"url:{link}"[:500]
    if bib_entry_id is not None:
        return f"bib:{bib_entry_id}"
    raise ValueError("a paper needs a link or a bibliography entry")


# --- pairing ---------------------------------------------------------------------------------


def pair_unpaired(students: Sequence[T], group_size: int, seed: int | str) -> list[list[T]]:
    """Split the students left without a group into groups of `group_size`.

    The order is shuffled with `seed` (same seed, same groups). The remainder joins the last
    groups one each (two students of size 2 and an odd class give one trio), so nobody is left
    alone unless the whole class is a single student.
    """
    if group_size < 1:
        raise ValueError("group_size must be at least 1")
    pool = list(students)
    if not pool:
        return []
    random.Random(seed).shuffle(pool)  # noqa: S311 - a plan repeatable from its seed, no secret
    count = max(1, len(pool) // group_size)
    groups = [pool[i * group_size : (i + 1) * group_size] for i in range(count)]
    rest = pool[count * group_size :]
    for i, student in enumerate(rest):
        groups[-1 - (i % count)].append(student)
    return groups


@dataclass(frozen=True)
class GroupBindings:
    """What already binds a group to its members (plain facts read by the caller)."""

    paper_approved: bool = False
    paper_proposed: bool = False  # waiting for the instructor's answer
    talk_slot: bool = False  # picked by the group or assigned by the instructor
    slides: bool = False
    submissions: bool = False  # a milestone version handed in
    graded: bool = False  # a rubric score, a milestone grade or a member's own grade


class LeaveRefusal(StrEnum):
    NOT_MEMBER = "not_member"
    PAPER_APPROVED = "paper_approved"
    PAPER_PROPOSED = "paper_proposed"
    TALK_SLOT = "talk_slot"
    SLIDES = "slides"
    SUBMISSIONS = "submissions"
    GRADED = "graded"


def leave_refusal(*, is_member: bool, bindings: GroupBindings) -> LeaveRefusal | None:
    """Why a student may not leave their group, or None when they may.

    A group can be left only while nothing binds it: no paper proposed or approved, no talk
    slot, no slides, no milestone version handed in, no grade. A rejected proposal or the
    project's topic choice do not bind. The most committing reason is named first.
    """
    if not is_member:
        return LeaveRefusal.NOT_MEMBER
    checks = (
        (bindings.graded, LeaveRefusal.GRADED),
        (bindings.submissions, LeaveRefusal.SUBMISSIONS),
        (bindings.slides, LeaveRefusal.SLIDES),
        (bindings.talk_slot, LeaveRefusal.TALK_SLOT),
        (bindings.paper_approved, LeaveRefusal.PAPER_APPROVED),
        (bindings.paper_proposed, LeaveRefusal.PAPER_PROPOSED),
    )
    return next((reason for bound, reason in checks if bound), None)


def group_is_full(members: int, group_size: int) -> bool:
    """A group takes no one more once it has the syllabus's group size (the instructor may
    still form a larger one by hand)."""
    return members >= group_size


def dissolves_group(remaining_members: int) -> bool:
    """Once someone leaves, a group of fewer than two is dissolved: the one left is unpaired
    (free to invite someone else or be paired by the instructor)."""
    return remaining_members < 2


# --- scores ----------------------------------------------------------------------------------


def rubric_complete(scored: Iterable[str], criteria: Iterable[str]) -> bool:
    """A talk is graded once every criterion of the rubric has its points (a score kept for a
    criterion since removed from the rubric does not count)."""
    return set(criteria) <= set(scored)


def rubric_percent(points: Iterable[Decimal], possible: Iterable[Decimal]) -> Decimal:
    total = sum(possible, Decimal(0))
    if total <= 0:
        raise ValueError("the rubric has no points")
    return _round(sum(points, Decimal(0)) * HUNDRED / total)


@dataclass(frozen=True)
class MilestoneScore:
    weight: Decimal
    percent: Decimal | None  # None: not graded yet


def weighted_project_score(scores: Sequence[MilestoneScore]) -> Decimal | None:
    """Milestone-weighted project score (0-100) over the graded milestones, None if none is.

    Weights are renormalised over what is graded, so a grade so far reads on the same scale.
    """
    graded = [s for s in scores if s.percent is not None and s.weight > 0]
    total = sum((s.weight for s in graded), Decimal(0))
    if not graded or total <= 0:
        return None
    return _round(
        sum((s.weight * s.percent for s in graded if s.percent is not None), Decimal(0)) / total
    )


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
