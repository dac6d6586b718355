from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = _("Presentations and projects")

    def ready(self) -> None:
        from course.demo import register_demo_hook
        from course.extensions import NavLink, register_nav_link, register_schedule_annotator
        from course.notifications import register_digest_source, register_reminder_source
        from course.permissions import Action
        from course.syllabus.hooks import (
            register_after_load,
            register_check,
            register_policy,
            register_watcher,
        )

        from . import demo, policy, reminders, selectors, services

        register_nav_link(
            NavLink(
                label=_("Presentations"),
                url_name="projects_presentations",
                action=Action.SUBMIT_WORK,
                order=40,
            )
        )
        register_nav_link(
            NavLink(
                label=_("Project"), url_name="projects_team", action=Action.SUBMIT_WORK, order=45
            )
        )
        # The staff's views of the same pages: every pair and slot, every team and milestone.
        register_nav_link(
            NavLink(
                label=_("Presentations"),
                url_name="projects_presentations",
                action=Action.VIEW_STUDENT_WORK,
                order=40,
            )
        )
        register_nav_link(
            NavLink(
                label=_("Projects"),
                url_name="projects_team",
                action=Action.VIEW_STUDENT_WORK,
                order=45,
            )
        )
        register_schedule_annotator("projects", selectors.schedule_talks)
        register_demo_hook("projects", demo.demo_projects)
        register_policy("presentations", policy.PresentationPolicy)
        register_policy("project", policy.ProjectPolicy)
        register_check("presentations", policy.calendar_problems)
        register_after_load("projects", services.after_syllabus_load)
        register_watcher("projects", selectors.watched_milestones)
        register_reminder_source("projects", reminders.project_reminders)
        register_digest_source("projects", reminders.project_digest)
