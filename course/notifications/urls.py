from django.urls import path

from . import views

urlpatterns = [
    path("c/<str:code>/notifications/", views.notification_list, name="notification_list"),
    path(
        "c/<str:code>/notifications/read/",
        views.notification_mark_read,
        name="notification_mark_read",
    ),
    path(
        "c/<str:code>/notifications/settings/",
        views.notification_preferences,
        name="notification_preferences",
    ),
]
