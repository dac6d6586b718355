"""The syllabus file's schema (pydantic): what an instructor writes in YAML, validated whole.

The policy sections (grading, quizzes, scribing, presentations, project) are stored on the
course as validated JSON and read back through `course.selectors.course_policies`. Apps that
own content in the file (quiz questions, say) register an extra top-level section in
`course.syllabus.register_section`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from course.links import WebLink

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
SessionKind = Literal["lecture", "exam", "presentations", "project_talks", "poster", "no_class"]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]


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
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class Meeting(Strict):
    day: Weekday
    start: dt.time
    end: dt.time
    room: str = ""

    @model_validator(mode="after")
    def _ends_after_start(self) -> Meeting:
        if self.end <= self.start:
            raise ValueError("a meeting must end after it starts")
        return self


class BreakSpec(Strict):
    name: str
    first: dt.date
    last: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> BreakSpec:
        if self.last < self.first:
            raise ValueError("a break's last day is before its first day")
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
            raise ValueError("term_end is before term_start")
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
    start: dt.time | None = None
    end: dt.time | None = None
    location: str = ""
    note: str = ""


class AnnouncementSpec(Strict):
    title: str
    body: Annotated[str, Field(min_length=1)]
    published: dt.datetime | dt.date
    audience: Literal["everyone", "students", "auditors", "staff"] = "everyone"


class GradeComponent(Strict):
    key: Slug
    label: str
    weight: Annotated[Decimal, Field(ge=0, le=100)]
    source: Literal["participation", "scribing", "quizzes", "exam", "presentations", "project"]


class LetterGrade(Strict):
    letter: str
    min_percent: Annotated[Decimal, Field(ge=0, le=100)]


class GradingPolicy(Strict):
    components: Annotated[list[GradeComponent], Field(min_length=1)]
    letter_scale: list[LetterGrade] = []
    rounding_decimals: Annotated[int, Field(ge=0, le=4)] = 2

    @model_validator(mode="after")
    def _weights(self) -> GradingPolicy:
        total = sum((c.weight for c in self.components), Decimal(0))
        if total != 100:
            raise ValueError(f"grade weights must sum to 100, they sum to {total}")
        keys = [c.key for c in self.components]
        if len(set(keys)) != len(keys):
            raise ValueError("each grade component key must be unique")
        floors = [g.min_percent for g in self.letter_scale]
        if floors != sorted(floors, reverse=True):
            raise ValueError("letter_scale must go from the highest letter to the lowest")
        return self


class QuizPolicy(Strict):
    expected_min: Annotated[int, Field(ge=1)] = 14
    expected_max: Annotated[int, Field(ge=1)] = 18
    best_n: Annotated[int, Field(ge=1)] = 8
    duration_minutes: Annotated[int, Field(ge=1, le=240)] = 10
    opens_minutes_after_start: Annotated[int, Field(ge=0)] = 0
    window_minutes: Annotated[int, Field(ge=1)] = 15
    grace_seconds: Annotated[int, Field(ge=0, le=300)] = 5
    first_is_self_assessment: bool = True
    require_access_code: bool = False
    show_answers_after_close: bool = True

    @model_validator(mode="after")
    def _ranges(self) -> QuizPolicy:
        if self.expected_max < self.expected_min:
            raise ValueError("expected_max is below expected_min")
        if self.best_n > self.expected_max:
            raise ValueError("best_n is larger than the number of quizzes expected")
        return self


class LatePenalty(Strict):
    """A deduction in percent of the points possible (as Canvas computes it)."""

    kind: Literal["none", "flat", "per_day", "per_hour"] = "flat"
    percent: Annotated[Decimal, Field(ge=0, le=100)] = Decimal(5)
    max_percent: Annotated[Decimal, Field(ge=0, le=100)] = Decimal(100)
    grace_minutes: Annotated[int, Field(ge=0)] = 0
    cutoff_days: Annotated[int | None, Field(ge=0)] = None


class ScribingPolicy(Strict):
    scribes_per_lecture: Annotated[int, Field(ge=1, le=5)] = 2
    min_scribes_per_lecture: Annotated[int, Field(ge=1, le=5)] = 1
    times_per_student: Annotated[int, Field(ge=1)] = 1
    due_after_days: Annotated[int, Field(ge=0)] = 7
    due_time: dt.time = dt.time(23, 59)
    change_cutoff_days: Annotated[int, Field(ge=0)] = 2
    late_penalty: LatePenalty = LatePenalty()
    template_url: WebLink = ""


class RubricCriterion(Strict):
    key: Slug
    label: str
    points: Annotated[Decimal, Field(gt=0)]


class PresentationPolicy(Strict):
    group_size: Annotated[int, Field(ge=1, le=4)] = 2
    talk_minutes: Annotated[int, Field(ge=1)] = 20
    changeover_minutes: Annotated[int, Field(ge=0)] = 5
    first_allowed_week: Annotated[int, Field(ge=1)] = 5
    slides_due_hours_before: Annotated[int, Field(ge=0)] = 0
    rubric: Annotated[list[RubricCriterion], Field(min_length=1)] = [
        RubricCriterion(key="slides", label="Quality of slides", points=Decimal(50)),
        RubricCriterion(key="clarity", label="Clarity of presentation", points=Decimal(50)),
    ]


class MilestoneSpec(Strict):
    key: Slug
    label: str
    kind: Literal["document", "talk", "poster", "report"] = "document"
    due: dt.datetime | dt.date | None = None  # None: to be announced
    weight: Annotated[Decimal, Field(ge=0, le=100)]
    talk_minutes: Annotated[int | None, Field(ge=1)] = None
    accepts: list[Literal["pdf", "link"]] = ["pdf"]


class ProjectPolicy(Strict):
    group_size: Annotated[int, Field(ge=1, le=4)] = 2
    topics: list[str] = []
    kinds: list[str] = []
    late_penalty: LatePenalty = LatePenalty()
    milestones: list[MilestoneSpec] = []

    @model_validator(mode="after")
    def _weights(self) -> ProjectPolicy:
        if self.milestones:
            total = sum((m.weight for m in self.milestones), Decimal(0))
            if total != 100:
                raise ValueError(f"milestone weights must sum to 100, they sum to {total}")
        return self


class Policies(Strict):
    grading: GradingPolicy
    quizzes: QuizPolicy = QuizPolicy()
    scribing: ScribingPolicy = ScribingPolicy()
    presentations: PresentationPolicy = PresentationPolicy()
    project: ProjectPolicy = ProjectPolicy()


class Syllabus(Strict):
    model_config = ConfigDict(
        extra="allow", frozen=True
    )  # app sections are checked by their owners

    course: CourseInfo
    calendar: Calendar
    sessions: list[SessionSpec] = []
    bibliography: list[BibEntry] = []
    office_hours: list[OfficeHourSpec] = []
    announcements: list[AnnouncementSpec] = []
    grading: GradingPolicy
    quizzes: QuizPolicy = QuizPolicy()
    scribing: ScribingPolicy = ScribingPolicy()
    presentations: PresentationPolicy = PresentationPolicy()
    project: ProjectPolicy = ProjectPolicy()

    @model_validator(mode="after")
    def _references(self) -> Syllabus:
        keys = [b.key for b in self.bibliography]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"bibliography keys used twice: {', '.join(dupes)}")
        known = set(keys)
        for session in self.sessions:
            for ref in session.reading_refs():
                if ref.key not in known:
                    raise ValueError(
                        f"session on {session.date} reads {ref.key!r}, which is not in the bibliography"
                    )
        dates = [s.date for s in self.sessions]
        twice = sorted({d for d in dates if dates.count(d) > 1})
        if twice:
            raise ValueError(f"sessions listed twice for {', '.join(map(str, twice))}")
        return self

    def policies(self) -> Policies:
        return Policies(
            grading=self.grading,
            quizzes=self.quizzes,
            scribing=self.scribing,
            presentations=self.presentations,
            project=self.project,
        )
