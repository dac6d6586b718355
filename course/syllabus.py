"""Load and dump the syllabus file: one YAML file describes a whole course.

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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Model, ProtectedError
from pydantic import BaseModel, ValidationError

from . import rules
from .models import (
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
from .syllabus_schema import WEEKDAYS, Syllabus
from .syllabus_yaml import YamlRefused, dump_yaml, format_loc, read_yaml


class SyllabusError(Exception):
    """The file is refused; `problems` name the key path and the line of each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class SyllabusSection(Protocol):
    """An app's own top-level section of the syllabus file (e.g. quiz questions)."""

    schema: type[BaseModel]

    def apply(self, course: Course, data: BaseModel) -> None: ...

    def dump(self, course: Course) -> Any: ...


@dataclass(frozen=True)
class Watched:
    """One thing a load may change, as the instructor reads it.

    `work` says what students' work hangs on it ("12 attempts"); empty when nothing does.
    """

    label: str
    state: str
    work: str = ""


# An app's watcher: the items of a course it owns, by a key stable across loads.
Watcher = Callable[[Course], Mapping[str, Watched]]


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
        what = f"{self.label} ({self.work})" if self.work else self.label
        if self.before is None:
            return f"{what}: new: {self.after}"
        if self.after is None:
            return f"{what}: removed (was {self.before})"
        return f"{what}: {self.before} → {self.after}"


class SyllabusNeedsConfirmation(SyllabusError):
    """The file is valid but would change items that students' work hangs on."""

    def __init__(self, changes: list[Change]):
        self.changes = changes
        super().__init__(
            [
                f"{change}; students' work hangs on it: confirm to apply"
                for change in changes
                if change.needs_confirmation
            ]
        )


_SECTIONS: dict[str, SyllabusSection] = {}
_AFTER_LOAD: dict[str, Callable[[Course], object]] = {}
_WATCHERS: dict[str, Watcher] = {}


def register_section(name: str, section: SyllabusSection) -> None:
    """Called from an app's AppConfig.ready(); the section is validated and applied with the rest."""
    _SECTIONS[name] = section


def register_after_load(name: str, hook: Callable[[Course], object]) -> None:
    """`hook(course)` runs in the loading transaction once the file is applied (e.g. to give
    every lecture its scribe slots)."""
    _AFTER_LOAD[name] = hook


def register_watcher(name: str, watcher: Watcher) -> None:
    """`watcher(course)` lists an app's items that a load may change (quizzes, deadlines)."""
    _WATCHERS[name] = watcher


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


# --- parsing with line numbers ------------------------------------------------------------


def _line_for(index: dict[tuple, int], loc: Iterable[Any]) -> int | None:
    path = tuple(loc)
    while path:
        if path in index:
            return index[path]
        path = path[:-1]
    return index.get(())


def shift_dates(data: Any, weeks: int) -> Any:
    """Move every date and datetime in the parsed file by whole weeks (weekdays kept)."""
    if weeks == 0:
        return data
    delta = dt.timedelta(weeks=weeks)
    if isinstance(data, dict):
        return {k: shift_dates(v, weeks) for k, v in data.items()}
    if isinstance(data, list):
        return [shift_dates(v, weeks) for v in data]
    if isinstance(data, dt.date | dt.datetime):
        return data + delta
    return data


def _message(err: Any) -> str:
    msg = str(err["msg"]).removeprefix("Value error, ")
    if str(err["type"]).startswith(("date", "datetime")) and isinstance(err.get("input"), str):
        # "Input should be a valid date or datetime, day value is outside expected range"
        detail = msg.split(", ", 1)[1] if ", " in msg else msg
        return f"{err['input']!r} is not a date of the calendar ({detail})"
    return msg


def parse_syllabus(text: str, *, shift_weeks: int = 0) -> tuple[Syllabus, dict[str, BaseModel]]:
    """Validate the whole file; raise SyllabusError listing every problem with its line."""
    try:
        raw, index = read_yaml(text)
    except YamlRefused as exc:
        raise SyllabusError(exc.problems) from exc
    if not isinstance(raw, dict):
        raise SyllabusError(
            ["line 1: the syllabus must be a mapping of sections (course:, calendar:, ...)"]
        )
    raw = shift_dates(raw, shift_weeks)
    problems: list[str] = []

    def collect(exc: ValidationError, prefix: tuple = ()) -> None:
        for err in exc.errors():
            loc = (*prefix, *err["loc"])
            # pydantic names union members in loc (e.g. 'date', 'ReadingRef'); drop them.
            clean = _clean_loc(raw, loc)
            msg = _message(err)
            # A model's own check about one of its keys ("times_per_student is not a setting")
            # points at that key's line.
            first_word = msg.split(" ", 1)[0]
            if (*clean, first_word) in index:
                clean = (*clean, first_word)
            line = _line_for(index, clean)
            problem = f"line {line}: {format_loc(clean)}: {msg}" if line else msg
            if problem not in problems:  # one line per key, not one per union member
                problems.append(problem)

    syllabus: Syllabus | None = None
    try:
        syllabus = Syllabus.model_validate(raw)
    except ValidationError as exc:
        collect(exc)

    core = set(Syllabus.model_fields)
    sections: dict[str, BaseModel] = {}
    for key in raw:
        if key in core:
            continue
        if key not in _SECTIONS:
            known = ", ".join(sorted(core | set(_SECTIONS)))
            problems.append(
                f"line {index.get((key,), '?')}: {key}: unknown section (known: {known})"
            )
            continue
        try:
            sections[key] = _SECTIONS[key].schema.model_validate(raw[key])
        except ValidationError as exc:
            collect(exc, (key,))

    if syllabus is not None:
        problems.extend(_calendar_problems(syllabus, index))
    if problems:
        raise SyllabusError(problems)
    assert syllabus is not None
    return syllabus, sections


def _clean_loc(raw: Any, loc: Iterable[Any]) -> tuple:
    """The key path as the author wrote it: pydantic adds union-member names past a scalar."""
    out: list[Any] = []
    node = raw
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str):
            out.append(part)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            out.append(part)
            node = node[part] if part < len(node) else None
        elif node is None and isinstance(part, str) and out[-1:] != [part]:
            out.append(part)
            break
        else:
            break
    return tuple(out)


def _generated(s: Syllabus) -> list[rules.GeneratedSession]:
    return rules.generate_sessions(
        term_start=s.calendar.term_start,
        term_end=s.calendar.term_end,
        meetings=_meetings(s),
        breaks=[rules.DateRange(b.first, b.last) for b in s.calendar.breaks],
        extra_days_off=s.calendar.days_off,
        tz=s.course.time_zone,
    )


def _calendar_problems(s: Syllabus, index: dict[tuple, int]) -> list[str]:
    generated = _generated(s)
    class_days = {g.date for g in generated}
    problems = []

    def at(*loc: Any) -> str:
        return f"line {_line_for(index, loc) or '?'}: {format_loc(loc)}"

    first_listed: dict[dt.date, int] = {}
    for i, spec in enumerate(s.sessions):
        if spec.date in first_listed:
            j = first_listed[spec.date]
            problems.append(
                f"{at('sessions', i, 'date')}: {spec.date} is listed twice (first at "
                f"line {_line_for(index, ('sessions', j, 'date'))}, sessions[{j}])"
            )
            continue
        first_listed[spec.date] = i
        if spec.date not in class_days:
            problems.append(
                f"{at('sessions', i, 'date')}: "
                f"{spec.date} ({WEEKDAYS[spec.date.weekday()]}) is not a class day of the calendar "
                "(check the meetings, breaks and days_off)"
            )
        week = rules.term_week(s.calendar.term_start, spec.date)
        if spec.kind == "presentations" and not rules.week_allows_talks(
            s.calendar.term_start, spec.date, s.presentations.first_allowed_week
        ):
            problems.append(
                f"{at('sessions', i, 'kind')}: a presentations session on {spec.date} (week "
                f"{week}) is before presentations.first_allowed_week "
                f"({s.presentations.first_allowed_week})"
            )
    days_off: dict[dt.date, int] = {}
    for i, day in enumerate(s.calendar.days_off):
        if day in days_off:
            problems.append(
                f"{at('calendar', 'days_off', i)}: {day} is listed twice (first at line "
                f"{_line_for(index, ('calendar', 'days_off', days_off[day]))})"
            )
        days_off.setdefault(day, i)
    if not generated:
        problems.append(f"{at('calendar')}: the term has no class meeting")
    return problems


def calendar_notes(s: Syllabus) -> list[str]:
    """What the file does without saying it: class days at either end of the term that no
    listed session covers become lectures without a topic."""
    generated = _generated(s)
    if not generated:
        return []
    listed = sorted(spec.date for spec in s.sessions)
    if not listed:
        return [
            f"No session is listed: the {len(generated)} class days from "
            f"{s.calendar.term_start} to {s.calendar.term_end} are lectures without a topic."
        ]
    notes = []
    before = [g.date for g in generated if g.date < listed[0]]
    after = [g.date for g in generated if g.date > listed[-1]]
    if before:
        notes.append(
            f"calendar.term_start ({s.calendar.term_start}) is before the first listed session "
            f"({listed[0]}): {len(before)} class day(s) become lectures without a topic: "
            + ", ".join(map(str, before))
        )
    if after:
        notes.append(
            f"calendar.term_end ({s.calendar.term_end}) is after the last listed session "
            f"({listed[-1]}): {len(after)} class day(s) become lectures without a topic: "
            + ", ".join(map(str, after))
        )
    return notes


def _meetings(s: Syllabus) -> list[rules.WeeklyMeeting]:
    return [rules.WeeklyMeeting(WEEKDAYS.index(m.day), m.start, m.end) for m in s.calendar.meetings]


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
        report = _apply_core(syllabus, existing)
        for name, data in sections.items():
            _SECTIONS[name].apply(report.course, data)
        if report.created or _snapshot(report.course) != before:
            # Slots, milestones and the gradebook follow the file; an unchanged file leaves
            # them as they are.
            for hook in _AFTER_LOAD.values():
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
    for name, watcher in _WATCHERS.items():
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
        if session.number >= _CANCELLED_NUMBER:
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
        items[f"session:{session.pk}"] = Watched(label=f"Session {session.number}", state=state)
    for name in ("bibliography", "office_hours", "announcements"):
        for i, item in enumerate(data.get(name, [])):
            key = item.get("key") or item.get("title") or item.get("host") or str(i)
            items[f"{name}:{key}:{i}"] = Watched(
                label=f"{name}[{i}]", state=", ".join(f"{k}={v}" for k, v in item.items())
            )
    return items


_CORE_LISTS = ("sessions", "bibliography", "office_hours", "announcements")
_CANCELLED_NUMBER = 10_000  # sessions kept only because work refers to them


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


def _apply_core(s: Syllabus, course: Course | None) -> LoadReport:
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
        "policies": s.policies().model_dump(mode="json"),
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
    generated = _generated(s)
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
        todays = [x for x in existing.get(g.date, []) if x.number < _CANCELLED_NUMBER]
        if i < len(todays):
            placed.append((todays[i], g, False))
            used.add(todays[i].pk)
        else:
            placed.append((Session(course=course), g, True))

    leftovers = [
        x
        for day in existing.values()
        for x in day
        if x.pk not in used and x.number < _CANCELLED_NUMBER
    ]
    for stale in leftovers:
        try:
            with transaction.atomic():
                stale.delete()
        except ProtectedError:
            # Student work hangs on it: keep it, cancelled, rather than lose anything.
            stale.kind = Session.Kind.NO_CLASS
            stale.note = "Removed from the syllabus; kept because work refers to it."
            stale.number = _CANCELLED_NUMBER + stale.pk
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


# --- dumping ---------------------------------------------------------------------------


def _clock(value: dt.time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _local(value: dt.datetime, tz: ZoneInfo) -> dt.date | dt.datetime:
    """A stored instant as the file writes it: local wall clock, naive; a date when it is the
    08:00 an announcement dated by day gets."""
    local = value.astimezone(tz).replace(tzinfo=None)
    if local.time() == dt.time(8, 0):
        return local.date()
    return local


def yaml_data(course: Course, *, with_sections: bool = True) -> dict[str, Any]:
    """The course as the data of its syllabus file (what `dump_syllabus` writes)."""
    from .selectors import course_policies

    tz = ZoneInfo(course.time_zone)
    policies = course_policies(course).model_dump(mode="json", exclude_defaults=False)
    sessions = []
    for session in course.sessions.prefetch_related("session_readings__entry").order_by(
        "starts_at"
    ):
        if session.number >= _CANCELLED_NUMBER:
            continue
        item: dict[str, Any] = {"date": session.date}
        if session.kind != Session.Kind.LECTURE:
            item["kind"] = session.kind
        if session.topic:
            item["topic"] = session.topic
        if session.note:
            item["note"] = session.note
        if session.room:
            item["room"] = session.room
        readings: list[Any] = []
        for r in session.session_readings.all():
            if r.required and not r.detail:
                readings.append(r.entry.key)
            else:
                readings.append({"key": r.entry.key, "required": r.required, "detail": r.detail})
        if readings:
            item["readings"] = readings
        if len(item) > 1:
            sessions.append(item)

    def clean(d: dict) -> dict:
        return {k: v for k, v in d.items() if v not in ("", None, [])}

    data: dict[str, Any] = {
        "course": clean(
            {
                "code": course.code,
                "title": course.title,
                "term": course.term,
                "language": course.instruction_language,
                "instructor": course.instructor_name,
                "description": course.description,
                "room": course.room,
                "seat_capacity": course.seat_capacity,
                "time_zone": course.time_zone,
                "public": course.is_public,
                "website": course.website_url,
                "lms": course.lms_url,
                "slack": course.slack_url,
                "email_subject_prefix": course.email_subject_prefix,
                "auditors_may_take_quizzes": course.auditors_may_take_quizzes,
            }
        ),
        "calendar": clean(
            {
                "term_start": course.term_start,
                "term_end": course.term_end,
                "add_drop_deadline": course.add_drop_deadline,
                "meetings": [
                    clean(
                        {
                            "day": WEEKDAYS[m.weekday],
                            "start": _clock(m.start_time),
                            "end": _clock(m.end_time),
                            "room": m.room,
                        }
                    )
                    for m in course.meeting_times.order_by("pk")
                ],
                "breaks": [
                    {"name": b.name, "first": b.start_date, "last": b.end_date}
                    for b in course.breaks.order_by("pk")
                ],
                "days_off": [d.date for d in course.days_off.order_by("date")],
            }
        ),
        "sessions": sessions,
        "bibliography": [
            clean(
                {
                    "key": b.key,
                    "title": b.title,
                    "kind": b.kind,
                    "authors": b.authors,
                    "year": b.year,
                    "venue": b.venue,
                    "url": b.url,
                    "topic": b.topic,
                    "resource": b.is_resource or None,
                    "note": b.note,
                }
            )
            for b in course.bibliography.order_by("resource_order", "key")
        ],
        "office_hours": [
            clean(
                {
                    "host": o.host,
                    "day": WEEKDAYS[o.weekday] if o.weekday is not None else None,
                    "start": _clock(o.start_time) if o.start_time else None,
                    "end": _clock(o.end_time) if o.end_time else None,
                    "location": o.location,
                    "note": o.note,
                }
            )
            for o in course.office_hours.order_by("pk")
        ],
        "announcements": [
            {
                "title": a.title,
                "published": _local(a.published_at, tz),
                **(
                    {"audience": a.audience} if a.audience != Announcement.Audience.EVERYONE else {}
                ),
                "body": a.body,
            }
            for a in course.announcements.order_by("published_at", "pk")
        ],
        **policies,
    }
    if with_sections:
        for name, section in _SECTIONS.items():
            dumped = section.dump(course)
            if dumped:
                data[name] = dumped
    return data


def dump_syllabus(course: Course) -> str:
    """The course as a syllabus file, so a term can be copied to the next one."""
    return dump_yaml(yaml_data(course))


def load_syllabus_file(
    path: str, *, shift_weeks: int = 0, confirm: bool = False, preview: bool = False
) -> LoadReport:
    with open(path, encoding="utf-8") as fh:
        return load_syllabus_text(
            fh.read(), shift_weeks=shift_weeks, confirm=confirm, preview=preview
        )
