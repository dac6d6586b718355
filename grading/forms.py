"""Input forms of the gradebook (admin pages and the student's what-if)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from course.models import Enrolment
from course.selectors import course_policy

from . import selectors, services
from .models import ComponentExcusal, ExamScore, GradeOverride, ParticipationScore
from .policy import GradingPolicy

FINAL_CHOICE = "__final__"


def _students_field() -> forms.ModelChoiceField:
    User = get_user_model()
    return forms.ModelChoiceField(
        label=_("Student"),
        queryset=User.objects.filter(enrolments__role=Enrolment.Role.STUDENT)
        .distinct()
        .order_by("last_name", "first_name", "username"),
    )


class _CourseComponentForm(forms.ModelForm):
    """Checks the component key against the course's syllabus (sources limited per model)."""

    sources: tuple[str, ...] = ()
    allow_final = False  # an empty component key means the final grade

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "student" in self.fields:
            self.fields["student"] = _students_field()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        course, key, student = data.get("course"), data.get("component_key"), data.get("student")
        if course and (key or not self.allow_final):
            keys = [
                c.key
                for c in course_policy(course, GradingPolicy).components
                if not self.sources or c.source in self.sources
            ]
            if key not in keys:
                self.add_error(
                    "component_key",
                    _("Not a component of this course; choose one of: %(keys)s")
                    % {"keys": ", ".join(keys)},
                )
        if course and student and not selectors.is_graded_student(course, student.pk):
            self.add_error("student", _("This person is not a registered student of the course."))
        return data


class ExamScoreForm(_CourseComponentForm):
    sources = ("exam",)

    class Meta:
        model = ExamScore
        fields = ["course", "component_key", "student", "score", "out_of", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        score, out_of = data.get("score"), data.get("out_of")
        if score is not None and out_of is not None:
            try:
                services.check_exam_score(score, out_of)
            except services.GradingError as exc:
                self.add_error(exc.field, exc.message)
        return data


class ParticipationScoreForm(_CourseComponentForm):
    sources = ("participation",)

    class Meta:
        model = ParticipationScore
        fields = ["course", "component_key", "student", "percent", "note"]


class ComponentExcusalForm(_CourseComponentForm):
    class Meta:
        model = ComponentExcusal
        fields = ["course", "component_key", "student", "reason"]


class GradeOverrideAdminForm(_CourseComponentForm):
    allow_final = True

    class Meta:
        model = GradeOverride
        fields = ["course", "student", "component_key", "value", "reason"]


class OverrideForm(forms.Form):
    """On a student's gradebook detail: set or remove an override, a reason required."""

    target = forms.ChoiceField(label=_("Override"))
    value = forms.DecimalField(
        label=_("Value (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        help_text=_("Leave empty to remove the override."),
    )
    reason = forms.CharField(label=_("Reason (required)"), max_length=500)

    def __init__(self, *args: Any, components: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["target"]).choices = [
            (FINAL_CHOICE, _("Final grade")),
            *components,
        ]


class ExcusalForm(forms.Form):
    component_key = forms.ChoiceField(label=_("Component"))
    excused = forms.BooleanField(label=_("Excused"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, components: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["component_key"]).choices = components

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("excused") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("A reason is required."))
        return data


class ExamImportForm(forms.Form):
    component_key = forms.ChoiceField(
        label=_("Exam"),
        required=False,
        help_text=_("Used for the rows without a component column."),
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: student (e-mail, student id or username), score, and optionally out_of "
            "(default 100), component, note."
        ),
    )

    def __init__(self, *args: Any, exams: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["component_key"]).choices = [("", "—"), *exams]

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return str(raw.decode(encoding))
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("The file is not text (UTF-8 or Windows-1252)."))


class WhatIfForm(forms.Form):
    assume = forms.DecimalField(
        label=_("Score on the pending work (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
    )
