"""Load and dump the syllabus file: one YAML file describes a whole course.

Loading is all-or-nothing and idempotent: the file is parsed and validated whole (core schema,
then every app's registered section) before anything is written, then applied in one
transaction that updates the course in place and never deletes student work.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import yaml
from django.db import transaction
from django.db.models import ProtectedError
from pydantic import BaseModel, ValidationError

from . import rules
from .models import (
    Announcement,
    BibliographyEntry,
    Break,
    Course,
    MeetingTime,
    OfficeHour,
    Session,
    SessionReading,
)
from .syllabus_schema import WEEKDAYS, Syllabus


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


_SECTIONS: dict[str, SyllabusSection] = {}
_AFTER_LOAD: dict[str, Callable[[Course], object]] = {}


def register_section(name: str, section: SyllabusSection) -> None:
    """Called from an app's AppConfig.ready(); the section is validated and applied with the rest."""
    _SECTIONS[name] = section


def register_after_load(name: str, hook: Callable[[Course], object]) -> None:
    """`hook(course)` runs in the loading transaction once the file is applied (e.g. to give
    every lecture its scribe slots)."""
    _AFTER_LOAD[name] = hook


@dataclass
class LoadReport:
    course: Course
    created: bool
    sessions_created: int = 0
    sessions_updated: int = 0
    sessions_kept_cancelled: int = 0
    notes: list[str] = field(default_factory=list)


# --- parsing with line numbers ------------------------------------------------------------


def _line_index(node: yaml.Node, path: tuple = ()) -> dict[tuple, int]:
    index = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            index.update(_line_index(value_node, (*path, key_node.value)))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            index.update(_line_index(item, (*path, i)))
    return index


def _line_for(index: dict[tuple, int], loc: Iterable[Any]) -> int | None:
    path = tuple(loc)
    while path:
        if path in index:
            return index[path]
        path = path[:-1]
    return index.get(())


def _format_loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


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


def parse_syllabus(text: str, *, shift_weeks: int = 0) -> tuple[Syllabus, dict[str, BaseModel]]:
    """Validate the whole file; raise SyllabusError listing every problem with its line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise SyllabusError([f"{where}not valid YAML ({getattr(exc, 'problem', exc)})"]) from exc
    if not isinstance(raw, dict) or node is None:
        raise SyllabusError(
            ["line 1: the syllabus must be a mapping of sections (course:, calendar:, ...)"]
        )
    index = _line_index(node)
    raw = shift_dates(raw, shift_weeks)
    problems: list[str] = []

    def collect(exc: ValidationError, prefix: tuple = ()) -> None:
        for err in exc.errors():
            loc = (*prefix, *err["loc"])
            # pydantic names union members in loc (e.g. 'date', 'ReadingRef'); drop them.
            clean = _clean_loc(raw, loc)
            line = _line_for(index, clean)
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(f"line {line}: {_format_loc(clean)}: {msg}" if line else msg)

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
        problems.extend(_calendar_problems(syllabus, raw, index))
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


def _calendar_problems(s: Syllabus, raw: dict, index: dict[tuple, int]) -> list[str]:
    meetings = _meetings(s)
    generated = rules.generate_sessions(
        term_start=s.calendar.term_start,
        term_end=s.calendar.term_end,
        meetings=meetings,
        breaks=[rules.DateRange(b.first, b.last) for b in s.calendar.breaks],
        extra_days_off=s.calendar.days_off,
        tz=s.course.time_zone,
    )
    class_days = {g.date for g in generated}
    problems = []
    for i, spec in enumerate(s.sessions):
        if spec.date not in class_days:
            problems.append(
                f"line {index.get(('sessions', i, 'date'), '?')}: sessions[{i}].date: "
                f"{spec.date} ({WEEKDAYS[spec.date.weekday()]}) is not a class day of the calendar "
                "(check the meetings, breaks and days_off)"
            )
    if not generated:
        problems.append(
            f"line {index.get(('calendar',), '?')}: calendar: the term has no class meeting"
        )
    return problems


def _meetings(s: Syllabus) -> list[rules.WeeklyMeeting]:
    return [rules.WeeklyMeeting(WEEKDAYS.index(m.day), m.start, m.end) for m in s.calendar.meetings]


# --- applying ---------------------------------------------------------------------------


def load_syllabus_text(text: str, *, shift_weeks: int = 0) -> LoadReport:
    syllabus, sections = parse_syllabus(text, shift_weeks=shift_weeks)
    with transaction.atomic():
        report = _apply_core(syllabus)
        for name, data in sections.items():
            _SECTIONS[name].apply(report.course, data)
        for hook in _AFTER_LOAD.values():
            hook(report.course)
    return report


def _apply_core(s: Syllabus) -> LoadReport:
    info, cal = s.course, s.calendar
    course, created = Course.objects.select_for_update().update_or_create(
        code=info.code,
        defaults={
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
        },
    )
    report = LoadReport(course=course, created=created)

    MeetingTime.objects.filter(course=course).delete()
    MeetingTime.objects.bulk_create(
        MeetingTime(
            course=course,
            weekday=WEEKDAYS.index(m.day),
            start_time=m.start,
            end_time=m.end,
            room=m.room,
        )
        for m in cal.meetings
    )
    Break.objects.filter(course=course).delete()
    Break.objects.bulk_create(
        Break(course=course, name=b.name, start_date=b.first, end_date=b.last) for b in cal.breaks
    )

    entries = _apply_bibliography(course, s)
    _apply_sessions(course, s, entries, report)

    OfficeHour.objects.filter(course=course).delete()
    OfficeHour.objects.bulk_create(
        OfficeHour(
            course=course,
            host=o.host,
            weekday=WEEKDAYS.index(o.day) if o.day else None,
            start_time=o.start,
            end_time=o.end,
            location=o.location,
            note=o.note,
        )
        for o in s.office_hours
    )
    for a in s.announcements:
        published = a.published
        if not isinstance(published, dt.datetime):
            published = rules.local_datetime(published, dt.time(8, 0), info.time_zone)
        Announcement.objects.update_or_create(
            course=course,
            title=a.title,
            defaults={"body": a.body, "audience": a.audience, "published_at": published},
        )
    return report


def _apply_bibliography(course: Course, s: Syllabus) -> dict[str, BibliographyEntry]:
    entries: dict[str, BibliographyEntry] = {}
    for order, b in enumerate(s.bibliography):
        entry, _ = BibliographyEntry.objects.update_or_create(
            course=course,
            key=b.key,
            defaults={
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
            },
        )
        entries[b.key] = entry
    # Entries dropped from the file go unless another app refers to them (a presented paper).
    for stale in BibliographyEntry.objects.filter(course=course).exclude(key__in=entries):
        with contextlib.suppress(ProtectedError):
            stale.delete()
    return entries


def _apply_sessions(
    course: Course, s: Syllabus, entries: dict[str, BibliographyEntry], report: LoadReport
) -> None:
    generated = rules.generate_sessions(
        term_start=s.calendar.term_start,
        term_end=s.calendar.term_end,
        meetings=_meetings(s),
        breaks=[rules.DateRange(b.first, b.last) for b in s.calendar.breaks],
        extra_days_off=s.calendar.days_off,
        tz=s.course.time_zone,
    )
    specs = {spec.date: spec for spec in s.sessions}
    existing: dict[dt.date, list[Session]] = {}
    for session in Session.objects.filter(course=course).order_by("starts_at"):
        existing.setdefault(session.date, []).append(session)

    # Move every kept session out of the way first so (course, starts_at) stays unique while
    # sessions of the same day swap times.
    placed: list[tuple[Session, rules.GeneratedSession, bool]] = []
    used: set[int] = set()
    per_day: dict[dt.date, int] = {}
    for g in generated:
        i = per_day.get(g.date, 0)
        per_day[g.date] = i + 1
        todays = existing.get(g.date, [])
        if i < len(todays):
            placed.append((todays[i], g, False))
            used.add(todays[i].pk)
        else:
            placed.append((Session(course=course), g, True))

    leftovers = [x for day in existing.values() for x in day if x.pk not in used]
    for stale in leftovers:
        try:
            with transaction.atomic():
                stale.delete()
        except ProtectedError:
            # Student work hangs on it: keep it, cancelled, rather than lose anything.
            stale.kind = Session.Kind.NO_CLASS
            stale.note = "Removed from the syllabus; kept because work refers to it."
            stale.number = 10_000 + stale.pk
            stale.save()
            report.sessions_kept_cancelled += 1

    for offset, (session, _, is_new) in enumerate(placed):
        if not is_new:
            Session.objects.filter(pk=session.pk).update(
                starts_at=dt.datetime(1900, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=offset),
                ends_at=dt.datetime(1900, 1, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=offset),
            )

    for session, g, is_new in placed:
        spec = specs.get(g.date)
        session.number = g.number
        session.date = g.date
        session.starts_at = g.starts_at
        session.ends_at = g.ends_at
        session.kind = spec.kind if spec else Session.Kind.LECTURE
        session.topic = spec.topic if spec else ""
        session.note = spec.note if spec else ""
        session.room = spec.room if spec else ""
        session.save()
        if is_new:
            report.sessions_created += 1
        else:
            report.sessions_updated += 1
        wanted = spec.reading_refs() if spec else []
        SessionReading.objects.filter(session=session).exclude(
            entry__key__in=[r.key for r in wanted]
        ).delete()
        for order, ref in enumerate(wanted):
            SessionReading.objects.update_or_create(
                session=session,
                entry=entries[ref.key],
                defaults={"required": ref.required, "detail": ref.detail, "order": order},
            )


# --- dumping ---------------------------------------------------------------------------


def dump_syllabus(course: Course) -> str:
    """The course as a syllabus file, so a term can be copied to the next one."""
    from .selectors import course_policies

    policies = course_policies(course).model_dump(mode="json", exclude_defaults=False)
    sessions = []
    for session in course.sessions.prefetch_related("session_readings__entry").order_by(
        "starts_at"
    ):
        if session.number >= 10_000:
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
                            "start": m.start_time.strftime("%H:%M"),
                            "end": m.end_time.strftime("%H:%M"),
                            "room": m.room,
                        }
                    )
                    for m in course.meeting_times.all()
                ],
                "breaks": [
                    {"name": b.name, "first": b.start_date, "last": b.end_date}
                    for b in course.breaks.all()
                ],
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
                    "start": o.start_time.strftime("%H:%M") if o.start_time else None,
                    "end": o.end_time.strftime("%H:%M") if o.end_time else None,
                    "location": o.location,
                    "note": o.note,
                }
            )
            for o in course.office_hours.all()
        ],
        **policies,
    }
    for name, section in _SECTIONS.items():
        dumped = section.dump(course)
        if dumped:
            data[name] = dumped
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def load_syllabus_file(path: str, *, shift_weeks: int = 0) -> LoadReport:
    with open(path, encoding="utf-8") as fh:
        return load_syllabus_text(fh.read(), shift_weeks=shift_weeks)
