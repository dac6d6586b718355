from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lti"
    verbose_name = _("LTI (StudiUM/Moodle)")

    def ready(self) -> None:
        from course.extensions import NavLink, register_nav_link
        from course.permissions import Action

        register_nav_link(
            NavLink(label=_("LMS"), url_name="lti_lms_link", action=Action.MANAGE_COURSE, order=90)
        )
