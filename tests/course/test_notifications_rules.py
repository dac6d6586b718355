"""Pure rules of reminders: no database, no clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.notifications import rules

TZ = "America/Montreal"
MTL = ZoneInfo(TZ)
H = timedelta(hours=1)


def test_morning_of_a_lecture_keeps_7am_local_across_the_march_change():
    # 2021-03-14: clocks go from EST (UTC-5) to EDT (UTC-4).
    before = datetime(2021, 3, 11, 9, 0, tzinfo=MTL)  # Thursday before the change
    after = datetime(2021, 3, 17, 9, 30, tzinfo=MTL)  # Wednesday after
    assert rules.morning_of(before, TZ).astimezone(UTC) == datetime(2021, 3, 11, 12, 0, tzinfo=UTC)
    assert rules.morning_of(after, TZ).astimezone(UTC) == datetime(2021, 3, 17, 11, 0, tzinfo=UTC)
    assert rules.morning_of(after, TZ).astimezone(MTL).time() == time(7, 0)


def test_morning_of_uses_the_local_day_not_the_utc_day():
    late_evening = datetime(2021, 1, 20, 3, 0, tzinfo=UTC)  # 22:00 on Jan 19 in Montreal
    assert rules.morning_of(late_evening, TZ) == datetime(2021, 1, 19, 7, 0, tzinfo=MTL)


def test_local_days_before_keeps_the_wall_clock_over_dst():
    talk = datetime(2021, 3, 15, 9, 0, tzinfo=MTL)  # Monday after the change
    three_days = rules.local_days_before(talk, 3, TZ)
    assert three_days == datetime(2021, 3, 12, 9, 0, tzinfo=MTL)
    # one hour fewer than 72 of real time
    assert talk.astimezone(UTC) - three_days.astimezone(UTC) == timedelta(hours=71)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2021, 2, 1, 8, 59, 59, tzinfo=MTL), False),  # one second early
        (datetime(2021, 2, 1, 9, 0, tzinfo=MTL), True),  # exactly on time
        (datetime(2021, 2, 1, 15, 0, tzinfo=MTL), True),  # late but not lost
        (datetime(2021, 2, 2, 9, 0, tzinfo=MTL), False),  # expired (exclusive)
    ],
)
def test_is_due_between_send_time_and_expiry(now, expected):
    send_at = datetime(2021, 2, 1, 9, 0, tzinfo=MTL)
    assert rules.is_due(send_at, now, send_at + timedelta(days=1)) is expected


def test_deadline_firings_48h_24h_overdue():
    due = datetime(2021, 2, 10, 23, 59, tzinfo=MTL)
    firings = rules.deadline_firings(
        due, [("scribe_due_24h", 24 * H), ("scribe_due_48h", 48 * H)], overdue_kind="scribe_overdue"
    )
    assert [f.kind for f in firings] == ["scribe_due_48h", "scribe_due_24h", "scribe_overdue"]
    assert firings[0].send_at == due - 48 * H and firings[0].expires_at == due - 24 * H
    assert firings[1].send_at == due - 24 * H and firings[1].expires_at == due
    assert firings[2].send_at == due and firings[2].expires_at is None


@pytest.mark.parametrize(
    ("hours_before", "kinds"),
    [
        (49, []),
        (48, ["due_48h"]),
        (30, ["due_48h"]),
        (24, ["due_24h"]),
        (1, ["due_24h"]),
        (0, ["overdue"]),
        (-100, ["overdue"]),
    ],
)
def test_only_the_latest_reminder_before_a_deadline_is_due(hours_before, kinds):
    due = datetime(2021, 2, 10, 12, 0, tzinfo=UTC)
    firings = rules.deadline_firings(
        due, [("due_48h", 48 * H), ("due_24h", 24 * H)], overdue_kind="overdue"
    )
    assert [f.kind for f in rules.due_firings(firings, due - hours_before * H)] == kinds


def test_an_extension_moves_the_reminder():
    due = datetime(2021, 2, 10, 12, 0, tzinfo=UTC)
    now = due - 47 * H
    before = [("due_48h", 48 * H)]
    assert [f.kind for f in rules.due_firings(rules.deadline_firings(due, before), now)] == [
        "due_48h"
    ]
    extended = due + timedelta(days=3)
    assert rules.due_firings(rules.deadline_firings(extended, before), now) == []


@given(
    due=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
    offset=st.integers(min_value=-500, max_value=500),
)
def test_at_most_one_before_kind_is_due_at_any_time(due, offset):
    firings = rules.deadline_firings(
        due, [("due_7d", 168 * H), ("due_48h", 48 * H), ("due_24h", 24 * H)], overdue_kind="overdue"
    )
    due_now = rules.due_firings(firings, due + offset * H)
    assert len(due_now) <= 1


@pytest.mark.parametrize(
    ("role", "category", "allowed"),
    [
        ("auditor", "schedule", True),
        ("auditor", "announcement", True),
        ("auditor", "work", False),
        ("auditor", "staff", False),
        ("student", "work", True),
        ("student", "staff", False),
        ("ta", "staff", True),
        ("instructor", "staff", True),
        (None, "announcement", False),
    ],
)
def test_role_may_receive(role, category, allowed):
    assert rules.role_may_receive(role, category) is allowed


def test_backoff_doubles_up_to_a_cap():
    assert [rules.backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert rules.backoff_seconds(30) == 3600


def test_needs_requeue_after_a_delay():
    now = datetime(2021, 2, 1, 12, 0, tzinfo=UTC)
    five = timedelta(minutes=5)
    assert rules.needs_requeue(None, now, five)
    assert not rules.needs_requeue(now - timedelta(minutes=4), now, five)
    assert rules.needs_requeue(now - five, now, five)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Scribe notes due", "IFT6085: Scribe notes due"),
        ("IFT6085: already prefixed", "IFT6085: already prefixed"),
        ("two\nlines", "IFT6085: two lines"),
    ],
)
def test_subject_starts_with_the_course_prefix(subject, expected):
    assert rules.subject_line("IFT6085: ", subject) == expected


def test_digest_of_the_local_day_at_seven():
    now = datetime(2021, 3, 15, 2, 0, tzinfo=UTC)  # 22:00 on Mar 14 in Montreal
    day, send_at, expires = rules.digest_send_at(now, TZ)
    assert day == date(2021, 3, 14)
    assert send_at == datetime(2021, 3, 14, 7, 0, tzinfo=MTL)
    assert expires == datetime(2021, 3, 15, 0, 0, tzinfo=MTL)


def test_deadline_reminders_helper_builds_one_reminder_per_kind():
    from course.notifications import deadline_reminders

    due = datetime(2021, 2, 10, 23, 59, tzinfo=MTL)
    reminders = deadline_reminders(
        recipient_user_id=7,
        item_key="scribing:submission:42",
        due_at=due,
        before=[("scribe_due_48h", 48 * H), ("scribe_due_24h", 24 * H)],
        subject=lambda kind: f"subject {kind}",
        body="Upload your notes.",
        url="/c/TST101/scribing/",
        overdue_kind="scribe_overdue",
    )
    assert [(r.kind, r.due_at, r.subject) for r in reminders] == [
        ("scribe_due_48h", due - 48 * H, "subject scribe_due_48h"),
        ("scribe_due_24h", due - 24 * H, "subject scribe_due_24h"),
        ("scribe_overdue", due, "subject scribe_overdue"),
    ]
    assert {r.item_key for r in reminders} == {"scribing:submission:42"}
