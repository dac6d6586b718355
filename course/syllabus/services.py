"""Apply a syllabus file to its course.

Loading is all-or-nothing and idempotent: the file is parsed and validated whole (core schema,
then every app's registered section) before anything is written, then applied in one
transaction that updates the course in place, writes only what differs and never deletes
student work. What the load changes is compared before and after (`Watched` items, the core's
and each app's): a change to an item that students' work hangs on (a quiz with attempts, a
deadline with submissions) is applied only when the instructor confirms it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils.translation import gettext as _
from pydantic import BaseModel

from course import rules
from course.models import (
    Announcement,
    BibliographyEntry,
    Break,
    Course,
    DayOff,
    MeetingTime,
    OfficeHour,
    Session,
    SessionReading,
)

from .hooks import AFTER_LOAD, POLICIES, SECTIONS, WATCHERS, Watched
from .parsing import SyllabusError, calendar_notes, generated_sessions, parse_syllabus
from .schema import WEEKDAYS, Syllabus
from .selectors import CANCELLED_NUMBER, yaml_data


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: new
    after: str | None  # None: gone
    work: str = ""

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.work)

    def __str__(self) -> str:
        what = (
            _("%(item)s (%(work)s)") % {"item": self.label, "work": self.work}
            if self.work
            else self.label
        )
        if self.before is None:
            return _("%(item)s: new: %(after)s") % {"item": what, "after": self.after}
        if self.after is None:
            return _("%(item)s: removed (was %(before)s)") % {"item": what, "before": self.before}
        return _("%(item)s: %(before)s → %(after)s") % {
            "item": what,
            "before": self.before,
            "after": self.after,
        }


class SyllabusNeedsConfirmation(SyllabusError):
    """The file is valid but would change items that students' work hangs on."""

    def __init__(self, changes: list[Change]):
        self.changes = changes
        super().__init__(
            [
                _("%(change)s; students' work hangs on it: confirm to apply") % {"change": change}
                for change in changes
                if change.needs_confirmation
            ]
        )


@dataclass
class LoadReport:
    course: Course
    created: bool
    sessions_created: int = 0
    sessions_updated: int = 0
    sessions_kept_cancelled: int = 0
    notes: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    applied: bool = True  # False for a preview

    @property
    def changes_needing_confirmation(self) -> list[Change]:
        return [c for c in self.changes if c.needs_confirmation]


# --- applying ---------------------------------------------------------------------------


def load_syllabus_text(
    text: str, *, shift_weeks: int = 0, confirm: bool = False, preview: bool = False
) -> LoadReport:
    """Validate the file, then apply it in one transaction.

    `preview`: apply, report every change, and roll everything back. Without `confirm`, a
    file that would change an item students' work hangs on is refused
    (SyllabusNeedsConfirmation, nothing changed).
    """
    syllabus, sections = parse_syllabus(text, shift_weeks=shift_weeks)
    with transaction.atomic():
        existing = Course.objects.select_for_update().filter(code=syllabus.course.code).first()
        before = _snapshot(existing) if existing else {}
        report = _apply_core(syllabus, sections, existing)
        for name, data in sections.items():
            if name in SECTIONS:
                SECTIONS[name].apply(report.course, data)
        if report.created or _snapshot(report.course) != before:
            # Slots, milestones and the gradebook follow the file; an unchanged file leaves
            # them as they are.
            for hook in AFTER_LOAD.values():
                hook(report.course)
        report.changes = _diff(before, _snapshot(report.course))
        report.notes = calendar_notes(syllabus)
        if preview:
            report.applied = False
            transaction.set_rollback(True)
        elif report.changes_needing_confirmation and not confirm:
            raise SyllabusNeedsConfirmation(report.changes)
    return report


def _snapshot(course: Course) -> dict[str, Watched]:
    items = dict(_core_watcher(course))
    for name, watcher in WATCHERS.items():
        items.update({f"{name}:{key}": value for key, value in watcher(course).items()})
    return items


def _diff(before: Mapping[str, Watched], after: Mapping[str, Watched]) -> list[Change]:
    changes = []
    for key, old in before.items():
        new = after.get(key)
        if new is None:
            changes.append(Change(old.label, old.state, None, old.work))
        elif new.state != old.state:
            changes.append(Change(old.label, old.state, new.state, old.work or new.work))
    for key, new in after.items():
        if key not in before:
            changes.append(Change(new.label, None, new.state, ""))
    return changes


def _flat(data: Any, path: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _flat(v, f"{path}.{k}" if path else str(k))
    elif isinstance(data, list) and any(isinstance(v, dict | list) for v in data):
        for i, v in enumerate(data):
            yield from _flat(v, f"{path}[{i}]")
    else:
        yield path, repr(data)


def _core_watcher(course: Course) -> dict[str, Watched]:
    """The course as its file describes it, one line per key, session, entry."""
    data = yaml_data(course, with_sections=False)
    items: dict[str, Watched] = {}
    for section in data:
        if section in _CORE_LISTS:
            continue
        for path, value in _flat(data[section], section):
            items[path] = Watched(label=path, state=value)
    tz = ZoneInfo(course.time_zone)
    for session in course.sessions.prefetch_related("session_readings__entry"):
        if session.number >= CANCELLED_NUMBER:
            continue
        readings = ", ".join(r.entry.key for r in session.session_readings.all())
        state = (
            f"{session.starts_at.astimezone(tz):%Y-%m-%d %H:%M}–"
            f"{session.ends_at.astimezone(tz):%H:%M} {session.kind}"
            + (f" “{session.topic}”" if session.topic else "")
            + (f" ({session.room})" if session.room else "")
            + (f" [{readings}]" if readings else "")
            + (f" — {session.note}" if session.note else "")
        )
        items[f"session:{session.pk}"] = Watched(
            label=_("Session %(number)s") % {"number": session.number}, state=state
        )
    for name in ("bibliography", "office_hours", "announcements"):
        for i, item in enumerate(data.get(name, [])):
            key = item.get("key") or item.get("title") or item.get("host") or str(i)
            items[f"{name}:{key}:{i}"] = Watched(
                label=f"{name}[{i}]", state=", ".join(f"{k}={v}" for k, v in item.items())
            )
    return items


_CORE_LISTS = ("sessions", "bibliography", "office_hours", "announcements")


def _save_changed(obj: Model, values: dict[str, Any]) -> bool:
    """Set and save only the fields whose value differs; True when something was saved."""
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if not changed:
        return False
    for k in changed:
        setattr(obj, k, values[k])
    if any(f.name == "updated_at" for f in obj._meta.get_fields()):
        changed.append("updated_at")
    obj.save(update_fields=changed)
    return True


def _replace_rows(
    course: Course, model: type[Model], fields: tuple[str, ...], wanted: list[dict[str, Any]]
) -> None:
    """Make a course's rows of `model` what the file lists, in its order; untouched if equal."""
    rows = model._default_manager.filter(course=course)
    have = [{f: getattr(row, f) for f in fields} for row in rows.order_by("pk").only(*fields)]
    if have == wanted:
        return
    rows.delete()
    model._default_manager.bulk_create(model(course=course, **values) for values in wanted)


def _apply_core(
    s: Syllabus, sections: Mapping[str, BaseModel], course: Course | None
) -> LoadReport:
    info, cal = s.course, s.calendar
    values = {
        "title": info.title,
        "term": info.term,
        "instruction_language": info.language,
        "instructor_name": info.instructor,
        "description": info.description,
        "room": info.room,
        "seat_capacity": info.seat_capacity,
        "time_zone": info.time_zone,
        "term_start": cal.term_start,
        "term_end": cal.term_end,
        "add_drop_deadline": cal.add_drop_deadline,
        "website_url": info.website,
        "lms_url": info.lms,
        "slack_url": info.slack,
        "email_subject_prefix": info.email_subject_prefix,
        "is_public": info.public,
        "auditors_may_take_quizzes": info.auditors_may_take_quizzes,
        "policies": {name: sections[name].model_dump(mode="json") for name in POLICIES},
    }
    created = course is None
    if course is None:
        course = Course.objects.create(code=info.code, **values)
    else:
        _save_changed(course, values)
    report = LoadReport(course=course, created=created)

    _replace_rows(
        course,
        MeetingTime,
        ("weekday", "start_time", "end_time", "room"),
        [
            {
                "weekday": WEEKDAYS.index(m.day),
                "start_time": m.start,
                "end_time": m.end,
                "room": m.room,
            }
            for m in cal.meetings
        ],
    )
    _replace_rows(
        course,
        Break,
        ("name", "start_date", "end_date"),
        [{"name": b.name, "start_date": b.first, "end_date": b.last} for b in cal.breaks],
    )
    wanted_days = sorted(set(cal.days_off))
    if sorted(course.days_off.values_list("date", flat=True)) != wanted_days:
        DayOff.objects.filter(course=course).exclude(date__in=wanted_days).delete()
        DayOff.objects.bulk_create(
            (DayOff(course=course, date=day) for day in wanted_days), ignore_conflicts=True
        )

    entries = _apply_bibliography(course, s)
    _apply_sessions(course, s, entries, report)

    _replace_rows(
        course,
        OfficeHour,
        ("host", "weekday", "start_time", "end_time", "location", "note"),
        [
            {
                "host": o.host,
                "weekday": WEEKDAYS.index(o.day) if o.day else None,
                "start_time": o.start,
                "end_time": o.end,
                "location": o.location,
                "note": o.note,
            }
            for o in s.office_hours
        ],
    )
    for a in s.announcements:
        published = a.published
        if not isinstance(published, dt.datetime):
            published = rules.local_datetime(published, dt.time(8, 0), info.time_zone)
        elif published.tzinfo is None:
            published = rules.local_datetime(published.date(), published.time(), info.time_zone)
        announcement = Announcement.objects.filter(course=course, title=a.title).first()
        wanted = {"body": a.body, "audience": a.audience, "published_at": published}
        if announcement is None:
            Announcement.objects.create(course=course, title=a.title, **wanted)
        else:
            _save_changed(announcement, wanted)
    return report


def _apply_bibliography(course: Course, s: Syllabus) -> dict[str, BibliographyEntry]:
    have = {e.key: e for e in BibliographyEntry.objects.filter(course=course)}
    entries: dict[str, BibliographyEntry] = {}
    for order, b in enumerate(s.bibliography):
        values = {
            "kind": b.kind,
            "title": b.title,
            "authors": b.authors,
            "year": b.year,
            "venue": b.venue,
            "url": b.url,
            "topic": b.topic,
            "is_resource": b.resource,
            "resource_order": order,
            "note": b.note,
        }
        entry = have.get(b.key)
        if entry is None:
            entry = BibliographyEntry.objects.create(course=course, key=b.key, **values)
        else:
            _save_changed(entry, values)
        entries[b.key] = entry
    # Entries dropped from the file go unless another app refers to them (a presented paper).
    for key, stale in have.items():
        if key not in entries:
            with contextlib.suppress(ProtectedError), transaction.atomic():
                stale.delete()
    return entries


def _apply_sessions(
    course: Course, s: Syllabus, entries: dict[str, BibliographyEntry], report: LoadReport
) -> None:
    generated = generated_sessions(s)
    specs = {spec.date: spec for spec in s.sessions}
    existing: dict[dt.date, list[Session]] = {}
    for session in Session.objects.filter(course=course).order_by("starts_at"):
        existing.setdefault(session.date, []).append(session)

    placed: list[tuple[Session, rules.GeneratedSession, bool]] = []
    used: set[int] = set()
    per_day: dict[dt.date, int] = {}
    for g in generated:
        i = per_day.get(g.date, 0)
        per_day[g.date] = i + 1
        todays = [x for x in existing.get(g.date, []) if x.number < CANCELLED_NUMBER]
        if i < len(todays):
            placed.append((todays[i], g, False))
            used.add(todays[i].pk)
        else:
            placed.append((Session(course=course), g, True))

    leftovers = [
        x
        for day in existing.values()
        for x in day
        if x.pk not in used and x.number < CANCELLED_NUMBER
    ]
    for stale in leftovers:
        try:
            with transaction.atomic():
                stale.delete()
        except ProtectedError:
            # Student work hangs on it: keep it, cancelled, rather than lose anything.
            stale.kind = Session.Kind.NO_CLASS  # its number says why (Session.note_shown)
            stale.number = CANCELLED_NUMBER + stale.pk
            stale.save()
            report.sessions_kept_cancelled += 1

    # Sessions that move are parked first so (course, starts_at) stays unique while sessions
    # of the same day swap times; the others are not touched.
    moving = [
        session
        for session, g, is_new in placed
        if not is_new and (session.starts_at, session.ends_at) != (g.starts_at, g.ends_at)
    ]
    for offset, session in enumerate(moving):
        session.starts_at = dt.datetime(1900, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=offset)
        session.ends_at = session.starts_at + dt.timedelta(minutes=30)
        Session.objects.filter(pk=session.pk).update(
            starts_at=session.starts_at, ends_at=session.ends_at
        )

    for session, g, is_new in placed:
        spec = specs.get(g.date)
        values = {
            "number": g.number,
            "date": g.date,
            "starts_at": g.starts_at,
            "ends_at": g.ends_at,
            "kind": spec.kind if spec else Session.Kind.LECTURE,
            "topic": spec.topic if spec else "",
            "note": spec.note if spec else "",
            "room": spec.room if spec else "",
        }
        if is_new:
            for k, v in values.items():
                setattr(session, k, v)
            session.save()
            report.sessions_created += 1
        elif _save_changed(session, values):
            report.sessions_updated += 1
        _apply_readings(session, spec.reading_refs() if spec else [], entries)


def _apply_readings(
    session: Session, wanted: list[Any], entries: dict[str, BibliographyEntry]
) -> None:
    have = {r.entry_id: r for r in SessionReading.objects.filter(session=session)}
    keep = {entries[ref.key].pk for ref in wanted}
    stale = [r.pk for entry_id, r in have.items() if entry_id not in keep]
    if stale:
        SessionReading.objects.filter(pk__in=stale).delete()
    for order, ref in enumerate(wanted):
        entry = entries[ref.key]
        values = {"required": ref.required, "detail": ref.detail, "order": order}
        reading = have.get(entry.pk)
        if reading is None:
            SessionReading.objects.create(session=session, entry=entry, **values)
        else:
            _save_changed(reading, values)


def load_syllabus_file(
    path: str, *, shift_weeks: int = 0, confirm: bool = False, preview: bool = False
) -> LoadReport:
    with open(path, encoding="utf-8") as fh:
        return load_syllabus_text(
            fh.read(), shift_weeks=shift_weeks, confirm=confirm, preview=preview
        )
