"""REST: a student's own grades; every student's for the TAs and the instructor."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from course.api_permissions import CourseActionPermission
from course.models import Course
from course.permissions import Action

from . import rules, selectors, services


class ItemOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Serializer.label
    status = serializers.CharField()
    percent = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    raw_percent = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    penalty_percent = serializers.DecimalField(max_digits=7, decimal_places=2)
    weight = serializers.DecimalField(max_digits=7, decimal_places=2)
    note = serializers.CharField()


class ComponentOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Serializer.label
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    effective_weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    status = serializers.CharField()
    complete = serializers.BooleanField()
    percent = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    contribution = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    counted = serializers.ListField(child=serializers.CharField())
    dropped = serializers.ListField(child=serializers.CharField())
    overridden = serializers.BooleanField()
    note = serializers.CharField()
    items = ItemOut(many=True)


class GradeOut(serializers.Serializer):
    final_percent = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)
    letter = serializers.CharField()
    so_far_percent = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)
    so_far_letter = serializers.CharField()
    graded_weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    pending_weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    components = ComponentOut(many=True)


class MyGradesOut(serializers.Serializer):
    username = serializers.CharField()
    computed_at = serializers.DateTimeField(allow_null=True)
    grade = GradeOut()
    what_if = GradeOut(allow_null=True)
    assumed = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class AssumeIn(serializers.Serializer):
    assume = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )


def _grade(grade: rules.StudentGrade | None) -> dict[str, Any] | None:
    if grade is None:
        return None
    return {
        "final_percent": grade.final_percent,
        "letter": grade.letter,
        "so_far_percent": grade.so_far_percent,
        "so_far_letter": grade.so_far_letter,
        "graded_weight": grade.graded_weight,
        "pending_weight": grade.pending_weight,
        "components": [
            {
                "key": c.key,
                "label": c.label,
                "weight": c.weight,
                "effective_weight": rules.round_percent(c.effective_weight, 2),
                "status": str(c.status),
                "complete": c.complete,
                "percent": None if c.percent is None else rules.round_percent(c.percent, 2),
                "contribution": c.shown_contribution,
                "counted": list(c.counted),
                "dropped": list(c.dropped),
                "overridden": c.overridden,
                "note": c.note,
                "items": [
                    {
                        "key": i.key,
                        "label": i.label,
                        "status": str(i.status),
                        "percent": i.percent,
                        "raw_percent": i.raw_percent,
                        "penalty_percent": i.penalty_percent,
                        "weight": i.weight,
                        "note": i.note,
                    }
                    for i in c.items
                ],
            }
            for c in grade.components
        ],
    }


class MyGradesAPI(APIView):
    """The current student's grades: each component, the grade so far, an optional what-if
    (`?assume=70`: every pending piece of work at 70%)."""

    permission_classes = [CourseActionPermission]
    course_action = Action.VIEW_OWN_GRADES
    course: Course  # set by CourseActionPermission, from the URL's code

    @extend_schema(parameters=[AssumeIn], responses=MyGradesOut)
    def get(self, request: Request, code: str) -> Response:
        params = AssumeIn(data=request.query_params)
        params.is_valid(raise_exception=True)
        course = self.course
        now = timezone.now()
        services.grades_settle(course=course, now=now)
        report, computed_at = selectors.my_grades(
            course, request.user, now, assume=params.validated_data.get("assume")
        )
        if report is None:
            raise NotFound("You are not a registered student of this course.")
        return Response(
            MyGradesOut(
                {
                    "username": report.student.username,
                    "computed_at": computed_at,
                    "grade": _grade(report.grade),
                    "what_if": _grade(report.what_if),
                    "assumed": report.assumed,
                }
            ).data
        )


class RowOut(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField()
    student_id = serializers.CharField()
    final = serializers.CharField(allow_null=True)
    letter = serializers.CharField()
    so_far = serializers.CharField(allow_null=True)
    missing = serializers.ListField(child=serializers.CharField())
    components = serializers.DictField()


class GradebookOut(serializers.Serializer):
    computed_at = serializers.DateTimeField(allow_null=True)
    fingerprint = serializers.CharField()
    rows = RowOut(many=True)


class CourseGradesAPI(APIView):
    """Every registered student's grades as last computed (TAs and the instructor)."""

    permission_classes = [CourseActionPermission]
    course_action = Action.VIEW_ALL_GRADES
    course: Course  # set by CourseActionPermission, from the URL's code

    @extend_schema(responses=GradebookOut)
    def get(self, request: Request, code: str) -> Response:
        course = self.course
        services.grades_settle(course=course, now=timezone.now())
        snapshot = selectors.snapshot_of(course)
        rows = selectors.filter_sort_rows(selectors.snapshot_rows(snapshot), order="name")
        return Response(
            GradebookOut(
                {
                    "computed_at": snapshot.computed_at if snapshot else None,
                    "fingerprint": snapshot.fingerprint if snapshot else "",
                    "rows": rows,
                }
            ).data
        )
