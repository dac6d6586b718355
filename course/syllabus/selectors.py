"""Read a course back as the data of its syllabus file, so a term can be copied to the next."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from course.models import Announcement, Course, Session

from .hooks import SECTIONS
from .schema import WEEKDAYS
from .yaml_file import dump_yaml

CANCELLED_NUMBER = Session.KEPT_NUMBER  # sessions kept only because work refers to them


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
    from course.selectors import course_policies

    tz = ZoneInfo(course.time_zone)
    policies = {
        name: policy.model_dump(mode="json", exclude_defaults=False)
        for name, policy in course_policies(course).items()
    }
    sessions = []
    for session in course.sessions.prefetch_related("session_readings__entry").order_by(
        "starts_at"
    ):
        if session.number >= CANCELLED_NUMBER:
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
        for name, section in SECTIONS.items():
            dumped = section.dump(course)
            if dumped:
                data[name] = dumped
    return data


def dump_syllabus(course: Course) -> str:
    """The course as a syllabus file, so a term can be copied to the next one."""
    return dump_yaml(yaml_data(course))
