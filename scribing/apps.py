from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScribingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scribing"
    verbose_name = _("Scribing")

    def ready(self) -> None:
        from course.demo import register_demo_hook
        from course.extensions import NavLink, register_nav_link, register_schedule_annotator
        from course.notifications import register_digest_source, register_reminder_source
        from course.permissions import Action
        from course.syllabus.hooks import register_after_load, register_policy, register_watcher

        from . import demo, reminders, selectors, services
        from .policy import ScribingPolicy

        register_nav_link(
            NavLink(label=_("Scribing"), url_name="scribing", action=Action.SUBMIT_WORK, order=30)
        )
        register_schedule_annotator("scribing", selectors.schedule_annotations)
        register_demo_hook("scribing", demo.add_demo_scribing)
        register_policy("scribing", ScribingPolicy)
        register_after_load("scribing", lambda course: services.slots_sync(course=course))
        register_watcher("scribing", selectors.watched_deadlines)
        register_reminder_source("scribing", reminders.scribe_reminders)
        register_reminder_source("scribing_grades", reminders.notes_graded)
        register_digest_source("scribing", reminders.notes_to_grade)
