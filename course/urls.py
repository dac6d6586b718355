from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<str:code>/", views.course_home, name="course_home"),
    path("c/<str:code>/schedule/", views.schedule, name="schedule"),
    path("c/<str:code>/resources/", views.resources, name="resources"),
    path("c/<str:code>/calendar/", views.calendar_feed_settings, name="calendar_feed_settings"),
    path("c/<str:code>/calendar.ics", views.public_feed, name="course_public_feed"),
    path("feeds/<str:token>.ics", views.personal_feed, name="personal_feed"),
    path("", include("course.notifications.urls")),
]
