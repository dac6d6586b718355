from django.urls import path

from . import api

urlpatterns = [
    path("courses/<str:code>/schedule/", api.ScheduleAPI.as_view(), name="api_schedule"),
    path("me/enrollments/", api.MyEnrolmentsAPI.as_view(), name="api_my_enrolments"),
]
