from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CourseConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "course"
    verbose_name = _("Course")

    def ready(self) -> None:
        # The notification sources course/ owns (announcements, staff digest) and the demo's.
        from .notifications import demo as notifications_demo
        from .notifications import sources as notification_sources

        notification_sources.register()
        notifications_demo.register()

        from .accounts import signals as account_signals

        account_signals.connect()


class CoursekitAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the course's admin site (course/admin_site.py)."""

    default = False  # course/'s own config stays CourseConfig
    default_site = "course.admin_site.CoursekitAdminSite"
