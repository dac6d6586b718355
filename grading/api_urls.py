from django.urls import path

from . import api

urlpatterns = [
    path("courses/<str:code>/grades/me/", api.MyGradesAPI.as_view(), name="api_my_grades"),
    path("courses/<str:code>/grades/", api.CourseGradesAPI.as_view(), name="api_course_grades"),
]
