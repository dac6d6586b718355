"""The quizzes section of the syllabus file. Registered with the syllabus by QuizzesConfig.ready()."""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import Field, model_validator

from course.syllabus.schema import Strict


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
            raise ValueError(_("expected_max is below expected_min"))
        if self.best_n > self.expected_max:
            raise ValueError(_("best_n is larger than the number of quizzes expected"))
        return self
