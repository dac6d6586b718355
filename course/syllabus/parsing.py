"""Parse and validate a syllabus file whole: every problem named by its key path and line.

Pure: text in, the validated schema and the apps' sections out (no ORM, no clock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from course import rules

from .hooks import CHECKS, POLICIES, SECTIONS
from .schema import WEEKDAYS, Syllabus
from .yaml_file import YamlRefused, format_loc, read_yaml


class SyllabusError(Exception):
    """The file is refused; `problems` name the key path and the line of each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


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
        schema = SECTIONS[key].schema if key in SECTIONS else None
        if key in POLICIES:
            schema = POLICIES[key].schema
        if schema is None:
            known = ", ".join(sorted(core | set(SECTIONS) | set(POLICIES)))
            problems.append(
                f"line {index.get((key,), '?')}: {key}: unknown section (known: {known})"
            )
            continue
        try:
            sections[key] = schema.model_validate(raw[key])
        except ValidationError as exc:
            collect(exc, (key,))
    for name, policy in POLICIES.items():
        if name in raw:
            continue
        if policy.required:
            line = _line_for(index, (name,))
            problems.append(f"line {line}: {name}: Field required" if line else "Field required")
        else:
            sections[name] = policy.schema.model_validate({})

    if syllabus is not None:
        problems.extend(_calendar_problems(syllabus, index))

        def where(*loc: Any) -> str:
            return f"line {_line_for(index, loc) or '?'}: {format_loc(loc)}"

        for check in CHECKS.values():
            problems.extend(check(syllabus, sections, where))
    if problems or syllabus is None:
        raise SyllabusError(problems)
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


def generated_sessions(s: Syllabus) -> list[rules.GeneratedSession]:
    """The class meetings the calendar section generates (before the listed sessions apply)."""
    return rules.generate_sessions(
        term_start=s.calendar.term_start,
        term_end=s.calendar.term_end,
        meetings=_meetings(s),
        breaks=[rules.DateRange(b.first, b.last) for b in s.calendar.breaks],
        extra_days_off=s.calendar.days_off,
        tz=s.course.time_zone,
    )


def _calendar_problems(s: Syllabus, index: dict[tuple, int]) -> list[str]:
    generated = generated_sessions(s)
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
    generated = generated_sessions(s)
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
