from django.urls import path

from . import api

urlpatterns = [
    path("courses/<str:code>/schedule/", api.ScheduleAPI.as_view(), name="api_schedule"),
    path("me/enrollments/", api.MyEnrollmentsAPI.as_view(), name="api_my_enrollments"),
]
