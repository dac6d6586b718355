from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .api_permissions import CourseActionPermission
from .models import Course
from .permissions import Action


class SessionReadingOut(serializers.Serializer):
    key = serializers.CharField(source="entry.key")
    title = serializers.CharField(source="entry.title")
    authors = serializers.CharField(source="entry.authors")
    url = serializers.CharField(source="entry.url")
    is_required = serializers.BooleanField(source="required")
    detail = serializers.CharField()


class SessionOut(serializers.Serializer):
    number = serializers.IntegerField()
    date = serializers.DateField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    topic = serializers.CharField()
    room = serializers.CharField()
    readings = SessionReadingOut(source="session_readings.all", many=True)


class ScheduleOut(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    term = serializers.CharField()
    time_zone = serializers.CharField()
    next_session = serializers.IntegerField(allow_null=True)
    sessions = SessionOut(many=True)


class ScheduleAPI(APIView):
    """The course calendar: every session with its readings; public courses need no login."""

    permission_classes = [AllowAny, CourseActionPermission]
    course_action = Action.VIEW_SCHEDULE
    course: Course  # set by CourseActionPermission, from the URL's code

    @extend_schema(responses=ScheduleOut)
    def get(self, request: Request, code: str) -> Response:
        course = self.course
        rows = selectors.schedule_rows(course, timezone.now())
        nxt = next((r.session.number for r in rows if r.is_next), None)
        data = {
            "code": course.code,
            "title": course.title,
            "term": course.term,
            "time_zone": course.time_zone,
            "next_session": nxt,
            "sessions": [r.session for r in rows],
        }
        return Response(ScheduleOut(data).data)


class EnrolmentOut(serializers.Serializer):
    course_code = serializers.CharField(source="course.code")
    course_title = serializers.CharField(source="course.title")
    term = serializers.CharField(source="course.term")
    role = serializers.CharField()
    status = serializers.CharField()


class MyEnrolmentsAPI(APIView):
    """The courses of the person logged in, with their role in each."""

    @extend_schema(responses=EnrolmentOut(many=True))
    def get(self, request: Request) -> Response:
        return Response(EnrolmentOut(selectors.enrolments_of_user(request.user), many=True).data)
