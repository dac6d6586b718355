"""The grading section of the syllabus file: the components, their weights and sources, the
letter scale. Registered with the syllabus by GradingConfig.ready()."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from pydantic import Field, model_validator

from course.syllabus.schema import Slug, Strict

# Where a component's scores come from: grading/selectors.py maps each to its provider.
GradeSource = Literal["participation", "scribing", "quizzes", "exam", "presentations", "project"]


class GradeComponent(Strict):
    key: Slug
    label: str
    weight: Annotated[Decimal, Field(ge=0, le=100)]
    source: GradeSource


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
            raise ValueError(
                _("grade weights must sum to 100, they sum to %(total)s") % {"total": total}
            )
        keys = [c.key for c in self.components]
        if len(set(keys)) != len(keys):
            raise ValueError(_("each grade component key must be unique"))
        floors = [g.min_percent for g in self.letter_scale]
        if floors != sorted(floors, reverse=True):
            raise ValueError(_("letter_scale must go from the highest letter to the lowest"))
        return self


# A course that was never given a syllabus file (made in the admin) is graded as the slides say.
DEFAULT_GRADING = {
    "components": [
        {"key": "participation", "label": "Participation", "weight": 5, "source": "participation"},
        {"key": "scribing", "label": "Scribing", "weight": 10, "source": "scribing"},
        {"key": "quizzes", "label": "Daily quizzes", "weight": 15, "source": "quizzes"},
        {"key": "early_exam", "label": "Early in-class exam", "weight": 5, "source": "exam"},
        {"key": "midterm", "label": "Midterm", "weight": 15, "source": "exam"},
        {
            "key": "presentations",
            "label": "Paper presentations",
            "weight": 15,
            "source": "presentations",
        },
        {"key": "project", "label": "Research project", "weight": 35, "source": "project"},
    ]
}
