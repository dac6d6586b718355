"""The schedule as an RFC 5545 calendar, with the course's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from .models import Course, Session


def schedule_calendar(
    course: Course, sessions: list[Session], *, now: datetime, site_url: str
) -> bytes:
    tz = ZoneInfo(course.time_zone)
    cal = Calendar()
    cal.add("prodid", "-//coursekit//schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{course.code} {course.term}")
    cal.add("x-wr-timezone", course.time_zone)
    if sessions:
        cal.add_component(
            Timezone.from_tzinfo(
                tz, first_date=sessions[0].starts_at.date(), last_date=sessions[-1].ends_at.date()
            )
        )
    for s in sessions:
        event = Event()
        event.add("uid", f"session-{s.pk}@{course.code.lower()}.coursekit")
        event.add("dtstamp", now)
        event.add("dtstart", s.starts_at.astimezone(tz))
        event.add("dtend", s.ends_at.astimezone(tz))
        title = f"{course.code}: {s.get_kind_display()}"
        if s.topic:
            title += f" — {s.topic}"
        event.add("summary", title)
        if s.kind == Session.Kind.NO_CLASS:
            event.add("status", "CANCELLED")
        location = s.room or course.room
        if location:
            event.add("location", location)
        readings = [
            f"{'' if r.required else '(recommended) '}{r.entry.title}"
            + (f" — {r.detail}" if r.detail else "")
            for r in s.session_readings.all()
        ]
        description = "\n".join(
            filter(None, [s.note_shown, *(["Readings:", *readings] if readings else [])])
        )
        if description:
            event.add("description", description)
        event.add("url", f"{site_url.rstrip('/')}/c/{course.code}/schedule/#session-{s.number}")
        cal.add_component(event)
    return cal.to_ical()
