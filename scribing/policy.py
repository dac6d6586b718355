"""The scribing section of the syllabus file. Registered with the syllabus by ScribingConfig.ready()."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import Field, model_validator

from course.links import WebLink
from course.syllabus.schema import ClockTime, LatePenalty, Strict


class ScribingPolicy(Strict):
    scribes_per_lecture: Annotated[int, Field(ge=1, le=5)] = 2
    due_after_days: Annotated[int, Field(ge=0)] = 7
    due_time: ClockTime = dt.time(23, 59)
    change_cutoff_days: Annotated[int, Field(ge=0)] = 2
    late_penalty: LatePenalty = LatePenalty()
    template_url: WebLink = ""

    @model_validator(mode="before")
    @classmethod
    def _removed_keys(cls, data: object) -> object:
        # Each student scribes exactly one lecture (a database constraint); a lecture takes
        # up to scribes_per_lecture. A file that says otherwise is told so.
        if isinstance(data, dict):
            for key in ("times_per_student", "min_scribes_per_lecture"):
                if key in data:
                    # The message starts with the key: parsing points at the key's line.
                    raise ValueError(
                        _(
                            "%(key)s is not a setting: every student scribes exactly one "
                            "lecture and each lecture takes up to scribes_per_lecture; remove "
                            "the key"
                        )
                        % {"key": key}
                    )
        return data
