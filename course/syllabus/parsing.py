"""Parse and validate a syllabus file whole: every problem named by its key path and line.

Pure: text in, the validated schema and the apps' sections out (no ORM, no clock).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import BaseModel, ValidationError

from course import rules

from .hooks import CHECKS, POLICIES, SECTIONS
from .messages import problem_message
from .schema import WEEKDAYS, Syllabus
from .yaml_file import YamlRefused, at_line, read_yaml


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


def parse_syllabus(text: str, *, shift_weeks: int = 0) -> tuple[Syllabus, dict[str, BaseModel]]:
    """Validate the whole file; raise SyllabusError listing every problem with its line."""
    try:
        raw, index = read_yaml(text)
    except YamlRefused as exc:
        raise SyllabusError(exc.problems) from exc
    if not isinstance(raw, dict):
        raise SyllabusError(
            [at_line(1, _("the syllabus must be a mapping of sections (course:, calendar:, ...)"))]
        )
    raw = shift_dates(raw, shift_weeks)
    problems: list[str] = []

    def collect(exc: ValidationError, prefix: tuple = ()) -> None:
        for err in exc.errors():
            loc = (*prefix, *err["loc"])
            # pydantic names union members in loc (e.g. 'date', 'ReadingRef'); drop them.
            clean = _clean_loc(raw, loc)
            msg = problem_message(err)
            # A model's own check about one of its keys ("times_per_student is not a setting")
            # points at that key's line.
            first_word = msg.split(" ", 1)[0]
            if (*clean, first_word) in index:
                clean = (*clean, first_word)
            line = _line_for(index, clean)
            problem = at_line(line, msg, clean) if line else msg
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
                at_line(
                    index.get((key,), "?"),
                    _("unknown section (known: %(known)s)") % {"known": known},
                    (key,),
                )
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
            required = problem_message({"type": "missing", "msg": "Field required"})
            problems.append(at_line(line, required, (name,)) if line else required)
        else:
            sections[name] = policy.schema.model_validate({})

    if syllabus is not None:
        problems.extend(_calendar_problems(syllabus, index))

        where = functools.partial(_framed, index)
        for check in CHECKS.values():
            problems.extend(check(syllabus, sections, where))
    if problems or syllabus is None:
        raise SyllabusError(problems)
    return syllabus, sections


def _framed(index: dict[tuple, int], *loc: Any, message: str) -> str:
    """`message` about the key path `loc`, framed with its line ("line 22: sessions[2].kind: ...")."""
    return at_line(_line_for(index, loc) or "?", message, loc)


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

    at = functools.partial(_framed, index)
    first_listed: dict[dt.date, int] = {}
    for i, spec in enumerate(s.sessions):
        if spec.date in first_listed:
            j = first_listed[spec.date]
            problems.append(
                at(
                    "sessions",
                    i,
                    "date",
                    message=_("%(date)s is listed twice (first at line %(line)s, %(first)s)")
                    % {
                        "date": spec.date,
                        "line": _line_for(index, ("sessions", j, "date")),
                        "first": f"sessions[{j}]",
                    },
                )
            )
            continue
        first_listed[spec.date] = i
        if spec.date not in class_days:
            problems.append(
                at(
                    "sessions",
                    i,
                    "date",
                    message=_(
                        "%(date)s (%(weekday)s) is not a class day of the calendar "
                        "(check the meetings, breaks and days_off)"
                    )
                    % {"date": spec.date, "weekday": WEEKDAYS[spec.date.weekday()]},
                )
            )
    days_off: dict[dt.date, int] = {}
    for i, day in enumerate(s.calendar.days_off):
        if day in days_off:
            problems.append(
                at(
                    "calendar",
                    "days_off",
                    i,
                    message=_("%(date)s is listed twice (first at line %(line)s)")
                    % {
                        "date": day,
                        "line": _line_for(index, ("calendar", "days_off", days_off[day])),
                    },
                )
            )
        days_off.setdefault(day, i)
    if not generated:
        problems.append(at("calendar", message=_("the term has no class meeting")))
    return problems


def calendar_notes(s: Syllabus) -> list[str]:
    """What the file does without saying it: class days at either end of the term that no
    listed session covers become lectures without a topic."""
    generated = generated_sessions(s)
    if not generated:
        return []
    listed = sorted(spec.date for spec in s.sessions)
    if not listed:
        n = len(generated)
        return [
            ngettext(
                "No session is listed: the %(n)s class day from %(first)s to %(last)s is a "
                "lecture without a topic.",
                "No session is listed: the %(n)s class days from %(first)s to %(last)s are "
                "lectures without a topic.",
                n,
            )
            % {"n": n, "first": s.calendar.term_start, "last": s.calendar.term_end}
        ]
    notes = []
    before = [g.date for g in generated if g.date < listed[0]]
    after = [g.date for g in generated if g.date > listed[-1]]
    if before:
        notes.append(
            _(
                "calendar.term_start (%(date)s) is before the first listed session "
                "(%(session)s): %(days)s"
            )
            % {"date": s.calendar.term_start, "session": listed[0], "days": _topicless(before)}
        )
    if after:
        notes.append(
            _(
                "calendar.term_end (%(date)s) is after the last listed session "
                "(%(session)s): %(days)s"
            )
            % {"date": s.calendar.term_end, "session": listed[-1], "days": _topicless(after)}
        )
    return notes


def _topicless(days: list[dt.date]) -> str:
    return ngettext(
        "%(n)s class day becomes a lecture without a topic: %(days)s",
        "%(n)s class day(s) become lectures without a topic: %(days)s",
        len(days),
    ) % {"n": len(days), "days": ", ".join(map(str, days))}


def _meetings(s: Syllabus) -> list[rules.WeeklyMeeting]:
    return [rules.WeeklyMeeting(WEEKDAYS.index(m.day), m.start, m.end) for m in s.calendar.meetings]
