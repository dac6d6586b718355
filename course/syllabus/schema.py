"""The syllabus file's core schema (pydantic): the course, its calendar, sessions, readings,
office hours and announcements, validated whole, and the building blocks the apps' sections use.

The apps register the rest of the file from their AppConfig.ready() (`course.syllabus.hooks`):
their policy sections (`register_policy`), stored on the course as validated JSON and read back
with `course.selectors.course_policy`, and sections with content of their own
(`register_section`, e.g. quiz questions).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext as _
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from course.links import WebLink

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
SessionKind = Literal["lecture", "exam", "presentations", "project_talks", "poster", "no_class"]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]

_CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?$")
_AM_PM = re.compile(r"^([0-9]{1,2}):([0-5][0-9])\s*([aApP])\.?[mM]\.?$")


def clock_time(value: object) -> object:
    """A time of day as written on the 24-hour clock: `9:30`, `09:30` or `09:30:00`.

    Never a number: YAML 1.1 readers turn an unquoted 9:30 into 570, which pydantic would take
    for seconds after midnight (00:09:30).
    """
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        text = value.strip()
        found = _CLOCK.match(text)
        if found:
            hours, minutes, seconds = found.groups()
            return dt.time(int(hours), int(minutes), int(seconds or 0))
        am_pm = _AM_PM.match(text)
        if am_pm and 1 <= int(am_pm.group(1)) <= 12:
            hour = int(am_pm.group(1)) % 12 + (12 if am_pm.group(3).lower() == "p" else 0)
            raise ValueError(
                _("%(value)s is not a time on the 24-hour clock: write %(time)s")
                % {"value": repr(value), "time": f"{hour:02d}:{am_pm.group(2)}"}
            )
        raise ValueError(
            _("%(value)s is not a time of day: write it on the 24-hour clock as HH:MM, e.g. 09:30")
            % {"value": repr(value)}
        )
    raise ValueError(
        _("%(value)s is not a time of day: write it as HH:MM, e.g. 09:30") % {"value": repr(value)}
    )


ClockTime = Annotated[dt.time, BeforeValidator(clock_time)]

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _date_stays_a_date(value: object) -> object:
    # pydantic reads the text "2021-02-19" as midnight for `datetime | date`; a day written
    # without a time is a date (a milestone due that day at 23:59, not at 00:00). The text
    # comes from the course's stored policies (JSON), where a date is written as text.
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value.strip())
    return value


DateOrDateTime = Annotated[dt.datetime | dt.date, BeforeValidator(_date_stays_a_date)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CourseInfo(Strict):
    code: Annotated[str, Field(min_length=2, max_length=20)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    term: Annotated[str, Field(min_length=1, max_length=50)]
    language: Literal["en", "fr"] = "en"
    instructor: str = ""
    description: str = ""
    room: str = ""
    seat_capacity: Annotated[int, Field(ge=1)]
    time_zone: str = "America/Montreal"
    public: bool = False
    website: WebLink = ""
    lms: WebLink = ""
    slack: WebLink = ""
    email_subject_prefix: str = ""
    auditors_may_take_quizzes: bool = False

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(_("unknown time zone %(zone)s") % {"zone": repr(value)}) from exc
        return value


class Meeting(Strict):
    day: Weekday
    start: ClockTime
    end: ClockTime
    room: str = ""

    @model_validator(mode="after")
    def _ends_after_start(self) -> Meeting:
        if self.end <= self.start:
            raise ValueError(_("a meeting must end after it starts"))
        return self


class BreakSpec(Strict):
    name: str
    first: dt.date
    last: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> BreakSpec:
        if self.last < self.first:
            raise ValueError(_("a break's last day is before its first day"))
        return self


class Calendar(Strict):
    term_start: dt.date
    term_end: dt.date
    add_drop_deadline: dt.date | None = None
    meetings: Annotated[list[Meeting], Field(min_length=1)]
    breaks: list[BreakSpec] = []
    days_off: list[dt.date] = []

    @model_validator(mode="after")
    def _ordered(self) -> Calendar:
        if self.term_end < self.term_start:
            raise ValueError(_("term_end is before term_start"))
        return self


class ReadingRef(Strict):
    key: Slug
    required: bool = True
    detail: str = ""


class SessionSpec(Strict):
    date: dt.date
    kind: SessionKind = "lecture"
    topic: str = ""
    note: str = ""
    room: str = ""
    readings: list[Slug | ReadingRef] = []

    def reading_refs(self) -> list[ReadingRef]:
        return [r if isinstance(r, ReadingRef) else ReadingRef(key=r) for r in self.readings]


class BibEntry(Strict):
    key: Slug
    title: str
    kind: Literal["paper", "book", "notes", "notebook", "website"] = "paper"
    authors: str = ""
    year: int | None = None
    venue: str = ""
    url: WebLink = ""
    topic: str = ""
    resource: bool = False
    note: str = ""


class OfficeHourSpec(Strict):
    host: str
    day: Weekday | None = None
    start: ClockTime | None = None
    end: ClockTime | None = None
    location: str = ""
    note: str = ""


class AnnouncementSpec(Strict):
    title: str
    body: Annotated[str, Field(min_length=1)]
    published: DateOrDateTime
    audience: Literal["everyone", "students", "auditors", "staff"] = "everyone"


class LatePenalty(Strict):
    """A deduction in percent of the points possible (as Canvas computes it)."""

    kind: Literal["none", "flat", "per_day", "per_hour"] = "flat"
    percent: Annotated[Decimal, Field(ge=0, le=100)] = Decimal(5)
    max_percent: Annotated[Decimal, Field(ge=0, le=100)] = Decimal(100)
    grace_minutes: Annotated[int, Field(ge=0)] = 0
    cutoff_days: Annotated[int | None, Field(ge=0)] = None


class Syllabus(Strict):
    model_config = ConfigDict(
        extra="allow", frozen=True
    )  # the apps' sections are checked by their owners

    course: CourseInfo
    calendar: Calendar
    sessions: list[SessionSpec] = []
    bibliography: list[BibEntry] = []
    office_hours: list[OfficeHourSpec] = []
    announcements: list[AnnouncementSpec] = []

    @model_validator(mode="after")
    def _references(self) -> Syllabus:
        keys = [b.key for b in self.bibliography]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(
                _("bibliography keys used twice: %(keys)s") % {"keys": ", ".join(dupes)}
            )
        known = set(keys)
        for session in self.sessions:
            for ref in session.reading_refs():
                if ref.key not in known:
                    raise ValueError(
                        _("session on %(date)s reads %(key)s, which is not in the bibliography")
                        % {"date": session.date, "key": repr(ref.key)}
                    )
        return self
