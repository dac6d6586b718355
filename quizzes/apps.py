from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quizzes"
    verbose_name = _("Daily quizzes")

    def ready(self) -> None:
        from course.demo import register_demo_hook
        from course.extensions import (
            NavLink,
            register_home_notices,
            register_link_targets,
            register_nav_link,
            register_schedule_annotator,
        )
        from course.notifications import register_digest_source, register_reminder_source
        from course.permissions import Action
        from course.syllabus.hooks import register_policy, register_section, register_watcher

        from . import demo, home, reminders, schedule, selectors, syllabus_section
        from .policy import QuizPolicy

        register_nav_link(
            NavLink(label=_("Quizzes"), url_name="quiz_list", action=Action.TAKE_QUIZ, order=20)
        )
        # The staff's view of the same page: the class's quizzes and their live counts.
        register_nav_link(
            NavLink(label=_("Quizzes"), url_name="quiz_list", action=Action.GRADE, order=20)
        )
        register_schedule_annotator("quizzes", schedule.annotate_sessions)
        register_home_notices("quizzes", home.quiz_notices)
        # A link from the LMS (Deep Linking) may open one quiz.
        register_link_targets("quizzes", selectors.link_targets)
        register_policy("quizzes", QuizPolicy)
        register_section("quiz_bank", syllabus_section.QuizBankSection())
        register_watcher("quizzes", syllabus_section.watched_quizzes)
        register_demo_hook("quizzes", demo.add_demo_quizzes)
        register_reminder_source("quizzes", reminders.quiz_today)
        register_reminder_source("quizzes_grades", reminders.quiz_grades_released)
        register_digest_source("quizzes", reminders.text_answers_to_grade)
