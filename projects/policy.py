"""The presentations and project sections of the syllabus file, and what they ask of the
calendar. Registered with the syllabus by ProjectsConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, Field, model_validator

from course import rules as course_rules
from course.syllabus.schema import DateOrDateTime, LatePenalty, Slug, Strict, Syllabus


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
    due: DateOrDateTime | None = None  # None: to be announced
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
                raise ValueError(
                    _("milestone weights must sum to 100, they sum to %(total)s") % {"total": total}
                )
        return self


def calendar_problems(
    syllabus: Syllabus, sections: Mapping[str, BaseModel], where: Callable[..., str]
) -> list[str]:
    """Presentation sessions the calendar lists before `presentations.first_allowed_week`."""
    policy = sections.get("presentations")
    if not isinstance(policy, PresentationPolicy):
        return []
    term_start = syllabus.calendar.term_start
    problems: list[str] = []
    listed: set[dt.date] = set()
    for i, spec in enumerate(syllabus.sessions):
        if spec.date in listed:
            continue  # the calendar's own check reports the session listed twice
        listed.add(spec.date)
        if spec.kind == "presentations" and not course_rules.week_allows_talks(
            term_start, spec.date, policy.first_allowed_week
        ):
            problems.append(
                where(
                    "sessions",
                    i,
                    "kind",
                    message=_(
                        "a presentations session on %(date)s (week %(week)s) is before "
                        "presentations.first_allowed_week (%(first)s)"
                    )
                    % {
                        "date": spec.date,
                        "week": course_rules.term_week(term_start, spec.date),
                        "first": policy.first_allowed_week,
                    },
                )
            )
    return problems
