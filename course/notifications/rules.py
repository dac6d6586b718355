"""Pure rules of reminders: when each one is due, who may get it, how long to wait before a retry.

No ORM, no clock, no settings: callers pass `now`, the deadlines and the course's time zone.
Offsets in hours ("48 h before") are real elapsed hours; offsets in days ("the morning of",
"3 days before") keep the local wall clock across a daylight-saving change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SCHEDULE = "schedule"
ANNOUNCEMENT = "announcement"
WORK = "work"
STAFF = "staff"

AUDITOR_CATEGORIES = frozenset({SCHEDULE, ANNOUNCEMENT})


@dataclass(frozen=True)
class Firing:
    """When a reminder of `kind` is sent, and until when it still makes sense."""

    kind: str
    send_at: datetime
    expires_at: datetime | None


def local_at(day: date, at: time, tz: str) -> datetime:
    """The aware instant of `at` o'clock on `day` in the zone (wall clock kept across DST)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz))


def local_date(instant: datetime, tz: str) -> date:
    return instant.astimezone(ZoneInfo(tz)).date()


def morning_of(instant: datetime, tz: str, at: time = time(7, 0)) -> datetime:
    """`at` local time on the local day of `instant`: "the morning of the lecture at 7:00"."""
    return local_at(local_date(instant, tz), at, tz)


def local_days_before(instant: datetime, days: int, tz: str) -> datetime:
    """The same local wall-clock time `days` calendar days earlier (not days*24 hours)."""
    local = instant.astimezone(ZoneInfo(tz))
    return local_at(local.date() - timedelta(days=days), local.time().replace(tzinfo=None), tz)


def is_due(send_at: datetime, now: datetime, expires_at: datetime | None = None) -> bool:
    """Sent from `send_at` on (late is better than lost), until it expires (exclusive)."""
    if send_at > now:
        return False
    return expires_at is None or now < expires_at


def deadline_firings(
    due_at: datetime,
    before: Sequence[tuple[str, timedelta]],
    *,
    overdue_kind: str | None = None,
    overdue_until: datetime | None = None,
) -> list[Firing]:
    """Reminders before a deadline, e.g. [("scribe_due_48h", 48h), ("scribe_due_24h", 24h)].

    Each one expires when the next one becomes due (a deadline set 20 h ahead sends only the
    24 h reminder, not both), the last one at the deadline. The overdue kind fires at the
    deadline and lasts until `overdue_until` (None: as long as the source yields it).
    """
    ordered = sorted(before, key=lambda pair: pair[1], reverse=True)
    firings: list[Firing] = []
    for i, (kind, delta) in enumerate(ordered):
        next_at = due_at - ordered[i + 1][1] if i + 1 < len(ordered) else due_at
        firings.append(Firing(kind, due_at - delta, next_at))
    if overdue_kind:
        firings.append(Firing(overdue_kind, due_at, overdue_until))
    return firings


def due_firings(firings: Sequence[Firing], now: datetime) -> list[Firing]:
    return [f for f in firings if is_due(f.send_at, now, f.expires_at)]


def role_may_receive(role: str | None, category: str) -> bool:
    """Students and staff get their kinds; auditors only schedule and announcements."""
    if role is None:
        return False
    if role == "auditor":
        return category in AUDITOR_CATEGORIES
    if category == STAFF:
        return role in ("instructor", "ta")
    return True


def backoff_seconds(attempt: int, *, base: int = 30, cap: int = 3600) -> int:
    """Exponential back-off after the `attempt`-th failure (1, 2, ...): 30 s, 60 s, 120 s ... 1 h."""
    return int(min(cap, base * 2 ** max(0, attempt - 1)))


def needs_requeue(queued_at: datetime | None, now: datetime, after: timedelta) -> bool:
    """A pending message whose task was queued long ago was lost (worker killed): queue again."""
    return queued_at is None or queued_at <= now - after


def subject_line(prefix: str, subject: str) -> str:
    """Every subject starts with the course prefix ("IFT6085: "), on one line."""
    # Line breaks and runs of spaces go; the no-break spaces of French typography stay.
    text = re.sub(r"[ \t\r\n\f\v]+", " ", str(subject)).strip(" ")
    if prefix and not text.startswith(prefix.strip()):
        text = f"{prefix}{text}"
    return text[:300]


def digest_send_at(
    now: datetime, tz: str, at: time = time(7, 0)
) -> tuple[date, datetime, datetime]:
    """The digest of the local day of `now`: (day, send at `at` local, expires at local midnight)."""
    day = local_date(now, tz)
    return day, local_at(day, at, tz), local_at(day + timedelta(days=1), time(0, 0), tz)
