"""Scribing API: the slots with free seats, sign-up, drop, and my lecture with its deadline."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from course.api_permissions import CourseActionPermission
from course.models import Course
from course.permissions import Action

from . import selectors, services
from .models import ScribeSlot


class SlotOut(serializers.Serializer):
    id = serializers.IntegerField(source="slot.pk")
    number = serializers.IntegerField(source="slot.session.number")
    date = serializers.DateField(source="slot.session.date")
    topic = serializers.CharField(source="slot.session.topic")
    capacity = serializers.IntegerField(source="slot.capacity")
    free = serializers.IntegerField()
    scribes = serializers.SerializerMethodField()
    mine = serializers.BooleanField()
    may_change = serializers.BooleanField()
    change_deadline = serializers.DateTimeField()

    def get_scribes(self, row: Any) -> list[str]:
        return [str(s) for s in row.scribes]


class AssignmentOut(serializers.Serializer):
    slot_id = serializers.IntegerField()
    number = serializers.IntegerField()
    date = serializers.DateField()
    due_at = serializers.DateTimeField()
    late_if_submitted_now = serializers.BooleanField()
    penalty_percent_if_submitted_now = serializers.DecimalField(max_digits=5, decimal_places=2)
    versions = serializers.IntegerField()
    raw_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    penalty_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    final_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


def _error(exc: ValidationError) -> Response:
    # The API's error shape (course/errors.py): a code, then the messages per field.
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    return Response({"code": "invalid", **detail}, status=status.HTTP_400_BAD_REQUEST)


class SlotListAPI(APIView):
    """Every scribe slot of the course with its free seats."""

    permission_classes = [CourseActionPermission]
    course_action = Action.SUBMIT_WORK
    course: Course  # set by CourseActionPermission, from the URL's code

    @extend_schema(responses=SlotOut(many=True))
    def get(self, request: Request, code: str) -> Response:
        rows = selectors.slot_rows(self.course, request.user, timezone.now())
        return Response(SlotOut(rows, many=True).data)


class SlotClaimAPI(APIView):
    """Sign up for a slot (a swap if you already had one and both are still open)."""

    permission_classes = [CourseActionPermission]
    course_action = Action.SUBMIT_WORK
    course: Course  # set by CourseActionPermission, from the URL's code

    @extend_schema(request=None, responses={201: None, 400: None})
    def post(self, request: Request, code: str, pk: int) -> Response:
        course = self.course
        slot = get_object_or_404(ScribeSlot.objects.select_related("course"), pk=pk, course=course)
        try:
            services.scribe_slot_claim(slot=slot, student=request.user, now=timezone.now())
        except ValidationError as exc:
            return _error(exc)
        return Response({"slot_id": slot.pk}, status=status.HTTP_201_CREATED)


class MyAssignmentAPI(APIView):
    """My lecture, its due date (extensions applied), lateness if I submitted now, my score."""

    permission_classes = [CourseActionPermission]
    course_action = Action.SUBMIT_WORK
    course: Course  # set by CourseActionPermission, from the URL's code

    @extend_schema(responses={200: AssignmentOut, 404: None})
    def get(self, request: Request, code: str) -> Response:
        course = self.course
        assignment = selectors.assignment_of(course, request.user)
        if assignment is None:
            return Response(
                {"code": "no_assignment", "detail": "No lecture assigned."},
                status=status.HTTP_404_NOT_FOUND,
            )
        policy = selectors.scribing_policy(course)
        session = assignment.slot.session
        due = selectors.student_due(course, session, request.user.pk, policy)
        subs = list(selectors.submissions_of(assignment.slot))
        latest = subs[0] if subs else None
        score = selectors.score_for(assignment, latest, due, course.time_zone, policy)
        now_lat = selectors.lateness_at(course, due, policy, timezone.now())
        data = {
            "slot_id": assignment.slot_id,
            "number": session.number,
            "date": session.date,
            "due_at": due,
            "late_if_submitted_now": now_lat.is_late,
            "penalty_percent_if_submitted_now": now_lat.penalty_percent,
            "versions": len(subs),
            "raw_score": score.raw,
            "penalty_percent": score.penalty,
            "final_score": score.final,
        }
        return Response(AssignmentOut(data).data)

    @extend_schema(responses={204: None, 400: None, 404: None})
    def delete(self, request: Request, code: str) -> Response:
        assignment = selectors.assignment_of(self.course, request.user)
        if assignment is None:
            return Response(
                {"code": "no_assignment", "detail": "No lecture assigned."},
                status=status.HTTP_404_NOT_FOUND,
            )
        try:
            services.scribe_slot_release(assignment=assignment, now=timezone.now())
        except ValidationError as exc:
            return _error(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)
