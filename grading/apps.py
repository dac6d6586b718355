from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grading"
    verbose_name = _("Gradebook")

    def ready(self) -> None:
        from course.demo import register_demo_hook
        from course.extensions import NavLink, register_nav_link
        from course.permissions import Action
        from course.syllabus.hooks import register_after_load, register_policy
        from lti.extensions import register_released_grades

        from .demo import add_demo_grades
        from .policy import DEFAULT_GRADING, GradingPolicy
        from .selectors import released_lms_grades

        register_policy("grading", GradingPolicy, required=True, default=DEFAULT_GRADING)
        register_demo_hook("grading", add_demo_grades)
        # A syllabus (re)load may change weights or the letter scale: recompute (coalesced).
        register_after_load("grading", _schedule_after_load)
        # The LMS gradebook (LTI) receives the grades the instructor released.
        register_released_grades("grading", released_lms_grades)
        register_nav_link(
            NavLink(
                label=_("My grades"), url_name="my_grades", action=Action.VIEW_OWN_GRADES, order=90
            )
        )
        register_nav_link(
            NavLink(
                label=_("Gradebook"), url_name="my_grades", action=Action.VIEW_ALL_GRADES, order=90
            )
        )


def _schedule_after_load(course: object) -> None:
    from .services import gradebook_schedule_recompute

    gradebook_schedule_recompute(course)  # type: ignore[arg-type]  # the syllabus hook passes the loaded Course
