"""Deadlines, extensions and late penalties: pure rules shared by the apps with hand-ins.

No ORM, no clock, no settings: callers pass the instants (aware datetimes) and the policy.
The database side lives beside it: `models` (Extension, ExtensionRequest), `selectors`
(reads) and `services` (writes).

API
---
``is_late(submitted_at, due_at, *, grace=timedelta(0)) -> bool``
    The course's one meaning of "late": handed in after ``due_at`` plus the grace. Due exactly
    then (or within the grace) is on time. ``assess_lateness`` decides by it; a deadline with
    no late policy (a pair's slides) asks it with no grace.

``assess_lateness(submitted_at, due_at, policy, *, tz=None) -> Lateness``
    Everything about one submission against one deadline: ``is_late`` (after due + grace),
    ``late_by`` (timedelta after ``due_at``, zero when on time), ``units_late`` (started days
    or hours, see below), ``accepted`` (False after the cut-off), ``penalty_percent`` (percent
    of the points possible, capped, 0 when on time) and ``note`` (a sentence kept as data, translated
    when shown: course.texts.Text).

``penalty_percent(submitted_at, due_at, policy, *, tz=None) -> Decimal``
    Shortcut: ``assess_lateness(...).penalty_percent``.

``late_penalty(points_possible, submitted_at, due_at, policy, *, tz=None) -> Decimal``
    The deduction in the unit of ``points_possible`` (as Canvas: a percent of the points
    possible, not of the score). Pass ``Decimal(100)`` to get the penalty in percent.
    A submission past the cut-off is refused by the caller (see ``Lateness.accepted``); if one
    is graded anyway, its deduction is the whole ``points_possible``.

``apply_penalty(raw_points, points_possible, penalty_pct) -> Decimal``
    ``raw - points_possible * penalty_pct / 100``, never below zero (and ``raw`` itself when no
    penalty).

``penalty_that_counts(recorded_percent, submitted_at, due_at, policy, *, tz=None) -> Lateness``
    The one rule for work already handed in, whatever changed since: the hand-in keeps the
    penalty announced when it was made (``recorded_percent``, stored with it), and a later
    change can only lower it: an extension granted afterwards (``due_at`` is the due date in
    force now) or a lighter policy re-price it; a harsher policy never does.

``effective_due(due_at, extensions, *, student_id=None) -> datetime``
    The due instant after extensions: the latest of ``due_at`` and every applicable
    ``DueChange`` (one with ``student_id`` None applies to everyone; otherwise only to that
    student). An extension never moves a deadline earlier.

``DueChange(due_at, student_id=None)``
    A plain value for one granted extension (``course.deadlines.selectors`` builds them).

``target_key(app, kind, pk) -> str``
    The string that names what a deadline belongs to, e.g. ``"scribing:lecture:42"`` or
    ``"projects:milestone:7"``.

Policy (``course.syllabus.schema.LatePenalty``)
-----------------------------------------------
- ``kind``: ``none`` (never a penalty), ``flat`` (``percent`` once, whatever the delay),
  ``per_day`` (``percent`` per *started* day late), ``per_hour`` (per started hour late).
- ``grace_minutes``: a submission up to ``due_at + grace`` is on time. After the grace, the
  delay is counted from ``due_at`` itself (the grace forgives, it does not move the deadline).
- ``max_percent``: the cap of the deduction (and 100 is the absolute cap).
- ``cutoff_days``: after ``due_at + cutoff_days`` days nothing is accepted (``None``: no cut-off).

Days are counted on the wall clock of the course's time zone (``tz``, default the zone of
``due_at``): due Saturday 23:59, handed in Sunday 23:59 is one day late, even across the
spring-forward night where that Sunday has 23 hours. Hours are elapsed real hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_noop

from ..syllabus.schema import LatePenalty
from ..texts import Percent, Text, ngettext_noop

UTC = ZoneInfo("UTC")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Lateness:
    is_late: bool
    late_by: timedelta
    units_late: int
    accepted: bool
    penalty_percent: Decimal
    note: Text  # translated when shown


@dataclass(frozen=True)
class DueChange:
    """One granted extension as a plain value: everyone's (student_id None) or one student's."""

    due_at: datetime
    student_id: int | None = None


def target_key(app: str, kind: str, pk: object) -> str:
    return f"{app}:{kind}:{pk}"


def _zone(due_at: datetime, tz: str | tzinfo | None) -> tzinfo:
    if tz is None:
        if due_at.tzinfo is None:
            raise ValueError("due_at must be an aware datetime")
        return due_at.tzinfo
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _require_aware(*values: datetime) -> None:
    for value in values:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("deadline rules take aware datetimes")


def is_late(submitted_at: datetime, due_at: datetime, *, grace: timedelta = timedelta(0)) -> bool:
    """After the due instant plus the grace; the elapsed time is real time (UTC), so a DST
    change neither adds nor removes a minute."""
    _require_aware(submitted_at, due_at)
    return submitted_at.astimezone(UTC) - due_at.astimezone(UTC) > grace


def _started_days(submitted_at: datetime, due_local: datetime) -> int:
    """Smallest n >= 1 with submitted_at <= due + n wall-clock days."""
    # Estimate from elapsed time, then correct by at most a step (DST moves by an hour).
    submitted_at = submitted_at.astimezone(UTC)
    elapsed = submitted_at - due_local.astimezone(UTC)
    n = max(1, elapsed.days)
    while n > 1 and submitted_at <= due_local + timedelta(days=n - 1):
        n -= 1
    while submitted_at > due_local + timedelta(days=n):
        n += 1
    return n


def _started_hours(late_by: timedelta) -> int:
    seconds = late_by.total_seconds()
    hours = int(seconds // 3600)
    return hours + 1 if seconds > hours * 3600 else max(hours, 1)


def assess_lateness(
    submitted_at: datetime,
    due_at: datetime,
    policy: LatePenalty,
    *,
    tz: str | tzinfo | None = None,
) -> Lateness:
    _require_aware(submitted_at, due_at)
    # Python adds timedelta to an aware datetime on the wall clock of its zone.
    due_local = due_at.astimezone(_zone(due_at, tz))
    # Elapsed time in UTC: Python subtracts same-zone datetimes on the wall clock.
    late_by = submitted_at.astimezone(UTC) - due_at.astimezone(UTC)
    if not is_late(submitted_at, due_at, grace=timedelta(minutes=policy.grace_minutes)):
        in_grace = late_by > timedelta(0)
        return Lateness(
            is_late=False,
            late_by=timedelta(0),
            units_late=0,
            accepted=True,
            penalty_percent=ZERO,
            note=Text(gettext_noop("on time (within the grace period)"))
            if in_grace
            else Text(gettext_noop("on time")),
        )
    accepted = policy.cutoff_days is None or submitted_at <= due_local + timedelta(
        days=policy.cutoff_days
    )
    days = _started_days(submitted_at, due_local)
    if policy.kind == "per_hour":
        units = _started_hours(late_by)
        unit_name = "hour"
    else:
        units = days
        unit_name = "day"
    if policy.kind == "none":
        pct = ZERO
    elif policy.kind == "flat":
        pct = policy.percent
    else:
        pct = policy.percent * units
    pct = min(pct, policy.max_percent, HUNDRED)
    if not accepted:
        pct = HUNDRED
    if not accepted:
        note = _late_note(unit_name, units, "cutoff")
    elif pct:
        note = _late_note(unit_name, units, "penalty", pct)
    else:
        note = _late_note(unit_name, units, "none")
    return Lateness(
        is_late=True,
        late_by=late_by,
        units_late=units,
        accepted=accepted,
        penalty_percent=pct,
        note=note,
    )


# The notes of late work, by unit and price: (singular, plural) msgids, %(n)d units, %(p)s percent.
_LATE_NOTES = {
    ("day", "cutoff"): ngettext_noop(
        "%(n)d day late: past the cut-off, not accepted",
        "%(n)d days late: past the cut-off, not accepted",
    ),
    ("day", "penalty"): ngettext_noop(
        "%(n)d day late: %(p)s penalty",
        "%(n)d days late: %(p)s penalty",
    ),
    ("day", "none"): ngettext_noop(
        "%(n)d day late: no penalty",
        "%(n)d days late: no penalty",
    ),
    ("day", "kept_penalty"): ngettext_noop(
        "%(n)d day late: %(p)s penalty (as when handed in)",
        "%(n)d days late: %(p)s penalty (as when handed in)",
    ),
    ("day", "kept_none"): ngettext_noop(
        "%(n)d day late: no penalty (as when handed in)",
        "%(n)d days late: no penalty (as when handed in)",
    ),
    ("hour", "cutoff"): ngettext_noop(
        "%(n)d hour late: past the cut-off, not accepted",
        "%(n)d hours late: past the cut-off, not accepted",
    ),
    ("hour", "penalty"): ngettext_noop(
        "%(n)d hour late: %(p)s penalty",
        "%(n)d hours late: %(p)s penalty",
    ),
    ("hour", "none"): ngettext_noop(
        "%(n)d hour late: no penalty",
        "%(n)d hours late: no penalty",
    ),
    ("hour", "kept_penalty"): ngettext_noop(
        "%(n)d hour late: %(p)s penalty (as when handed in)",
        "%(n)d hours late: %(p)s penalty (as when handed in)",
    ),
    ("hour", "kept_none"): ngettext_noop(
        "%(n)d hour late: no penalty (as when handed in)",
        "%(n)d hours late: no penalty (as when handed in)",
    ),
}


def _late_note(unit: str, units: int, price: str, pct: Decimal = ZERO) -> Text:
    one, many = _LATE_NOTES[(unit, price)]
    if "%(p)s" in one:
        return Text(one, plural=many, count="n", n=units, p=Percent(pct))
    return Text(one, plural=many, count="n", n=units)


def penalty_percent(
    submitted_at: datetime,
    due_at: datetime,
    policy: LatePenalty,
    *,
    tz: str | tzinfo | None = None,
) -> Decimal:
    return assess_lateness(submitted_at, due_at, policy, tz=tz).penalty_percent


def late_penalty(
    points_possible: Decimal | int,
    submitted_at: datetime,
    due_at: datetime,
    policy: LatePenalty,
    *,
    tz: str | tzinfo | None = None,
) -> Decimal:
    """The deduction, in the unit of points_possible (pass 100 to get percent)."""
    pct = penalty_percent(submitted_at, due_at, policy, tz=tz)
    return Decimal(points_possible) * pct / HUNDRED


def apply_penalty(
    raw_points: Decimal | int, points_possible: Decimal | int, penalty_pct: Decimal | int
) -> Decimal:
    """The final score: raw minus the deduction (a percent of points possible), never below 0."""
    raw = Decimal(raw_points)
    deduction = Decimal(points_possible) * Decimal(penalty_pct) / HUNDRED
    return max(ZERO, raw - deduction)


def penalty_that_counts(
    recorded_percent: Decimal,
    submitted_at: datetime,
    due_at: datetime,
    policy: LatePenalty,
    *,
    tz: str | tzinfo | None = None,
) -> Lateness:
    """The lateness that counts for a hand-in made at `submitted_at`, priced when it was made
    at `recorded_percent`, against the due date and the policy in force now.

    A student was told the price before handing in: changing the policy afterwards never
    makes it cost more, while an extension granted later (or a lighter policy) does lower it.
    """
    now = assess_lateness(submitted_at, due_at, policy, tz=tz)
    recorded = Decimal(recorded_percent)
    if now.penalty_percent <= recorded:
        return now
    unit = "hour" if policy.kind == "per_hour" else "day"
    priced = "kept_penalty" if recorded else "kept_none"
    return replace(
        now,
        accepted=True,
        penalty_percent=recorded,
        note=_late_note(unit, now.units_late, priced, recorded),
    )


def effective_due(
    due_at: datetime, extensions: Iterable[DueChange], *, student_id: int | None = None
) -> datetime:
    """The latest of the base deadline and every extension that applies to this student."""
    result = due_at
    for ext in extensions:
        if ext.student_id is not None and ext.student_id != student_id:
            continue
        if ext.due_at > result:
            result = ext.due_at
    return result
