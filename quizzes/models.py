from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from course.models import Course, Session


def _new_secret() -> str:
    return secrets.token_hex(16)


class ReleasePolicy(models.TextChoices):
    AUTO = "auto", _("when the quiz closes for everyone")
    MANUAL = "manual", _("by hand")


class Quiz(models.Model):
    """A short timed quiz at the start of a session, on the session's readings."""

    ReleasePolicy = ReleasePolicy

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="quizzes", verbose_name=_("session")
    )
    title = models.CharField(_("title"), max_length=200)
    is_self_assessment = models.BooleanField(
        _("self-assessment (never graded)"),
        default=False,
        help_text=_("The first quiz of the term checks the prerequisites and is not graded."),
    )
    opens_at = models.DateTimeField(
        _("opens at"), help_text=_("First moment an attempt may start (session start by default).")
    )
    closes_at = models.DateTimeField(
        _("window closes at"), help_text=_("Last moment an attempt may start.")
    )
    duration_seconds = models.PositiveIntegerField(
        _("duration (seconds)"), default=600, help_text=_("600 = 10 minutes.")
    )
    grace_seconds = models.PositiveIntegerField(
        _("grace (seconds)"),
        default=5,
        help_text=_("Absorbs network lag on the last answer; nothing later is accepted."),
    )
    requires_access_code = models.BooleanField(
        _("requires the access code shown in class"), default=False
    )
    access_secret = models.CharField(max_length=64, default=_new_secret, editable=False)
    show_answers_after_close = models.BooleanField(
        _("show correct answers after the quiz closed for everyone"), default=True
    )
    shuffle_questions = models.BooleanField(
        _("shuffle the question order per student"), default=False
    )
    shuffle_choices = models.BooleanField(_("shuffle the choices per student"), default=False)
    release_policy = models.CharField(
        _("results released"),
        max_length=10,
        choices=ReleasePolicy.choices,
        default=ReleasePolicy.AUTO,
        help_text=_(
            "Score, correct answers and feedback: shown when the quiz closes for everyone, "
            "or only once released by hand."
        ),
    )
    released_at = models.DateTimeField(
        _("results released by hand at"),
        null=True,
        blank=True,
        help_text=_("Set by the “Release the results” action (by-hand release)."),
    )
    regrade_window_days = models.PositiveIntegerField(
        _("regrade requests accepted for (days)"),
        default=7,
        help_text=_(
            "Days after the release during which a student may ask for a regrade; 0: none."
        ),
    )
    regrade_queued_at = models.DateTimeField(
        _("regrade queued at"),
        null=True,
        editable=False,
        help_text=_("A regrade of the submitted attempts was queued then and has not started."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["opens_at", "pk"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "title"], name="unique_quiz_title_per_session"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gte=models.F("opens_at")), name="quiz_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(duration_seconds__gte=1), name="quiz_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.session.date:%Y-%m-%d})"

    @property
    def is_graded(self) -> bool:
        return not self.is_self_assessment

    @property
    def duration(self) -> timedelta:
        return timedelta(seconds=self.duration_seconds)

    @property
    def grace(self) -> timedelta:
        return timedelta(seconds=self.grace_seconds)

    @property
    def gradebook_key(self) -> str:
        return f"quiz-{self.pk}"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice (partial credit)")
        NUMERIC = "numeric", _("Numeric answer")
        TEXT = "text", _("Short text (graded by hand)")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    prompt = models.TextField(_("question"), help_text=_("Math between $...$ is rendered."))
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, default=Decimal(1))
    numeric_answer = models.DecimalField(
        _("numeric answer"), max_digits=20, decimal_places=8, null=True, blank=True
    )
    numeric_tolerance = models.DecimalField(
        _("tolerance (absolute)"), max_digits=20, decimal_places=8, default=Decimal(0)
    )
    explanation = models.TextField(_("explanation shown after close"), blank=True)
    pool = models.CharField(
        _("pool"),
        max_length=50,
        blank=True,
        help_text=_(
            "Questions of the quiz with the same pool name fill one slot: each student draws "
            "one of them. Empty: a question every student gets."
        ),
    )
    parameters = models.JSONField(
        _("parameters"),
        default=dict,
        blank=True,
        help_text=_(
            'Numeric questions: values drawn per student, e.g. {"a": {"min": 1, "max": 9, '
            '"step": 1}}; write $a$ in the question.'
        ),
    )
    answer_formula = models.CharField(
        _("answer formula"),
        max_length=300,
        blank=True,
        help_text=_("Numeric questions with parameters: the answer, e.g. a*b + 2."),
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=0), name="question_points_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.prompt[:60]}"


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.CharField(_("text"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.TextField(
        _("feedback"), blank=True, help_text=_("Shown with the results to whoever picked it.")
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text


class Attempt(models.Model):
    """One student's single attempt at a quiz (the database refuses a second one)."""

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by_timeout = models.BooleanField(_("submitted at the deadline"), default=False)
    is_practice = models.BooleanField(
        _("practice (auditor)"), default=False, help_text=_("Never reaches a grade.")
    )
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2, null=True, blank=True)
    points_possible = models.DecimalField(
        _("points possible"), max_digits=8, decimal_places=2, default=Decimal(0)
    )
    percent = models.DecimalField(
        _("percent"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    needs_manual_grading = models.BooleanField(_("text answers to grade"), default=False)
    variant = models.JSONField(
        _("variant drawn"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The questions drawn, their order, the choice order and the parameters."),
    )

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "student"], name="one_attempt_per_student"),
        ]
        indexes = [models.Index(fields=["submitted_at", "deadline"], name="quiz_attempt_open_idx")]

    def __str__(self) -> str:
        return f"{self.student} — {self.quiz}"

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class Answer(models.Model):
    """The latest answer of an attempt to a question (upserted on every save)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(_("answer"), default=None, null=True, blank=True)
    saved_at = models.DateTimeField(_("saved at"))
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("graded by"),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_answer_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt} — Q{self.question_id}"


class Accommodation(models.Model):
    """Extra time, a later window, or an excusal for one student on one quiz."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="accommodations")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_accommodations"
    )
    extra_seconds = models.PositiveIntegerField(_("extra time (seconds)"), default=0)
    opens_at = models.DateTimeField(_("later window opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("later window closes at"), null=True, blank=True)
    excused = models.BooleanField(_("excused"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("accommodation")
        verbose_name_plural = _("accommodations")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "student"], name="one_accommodation_per_quiz"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gte=models.F("opens_at")),
                name="accommodation_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.quiz}"

    @property
    def extra(self) -> timedelta:
        return timedelta(seconds=self.extra_seconds)


class RegradeRequest(models.Model):
    """A student's request to regrade one question of a released quiz, and the staff's answer."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="regrade_requests")
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        related_name="regrade_requests",
        verbose_name=_("question"),
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("asked at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    new_points = models.DecimalField(
        _("new points"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    reply = models.TextField(_("reply"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("regrade request")
        verbose_name_plural = _("regrade requests")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="one_regrade_request_per_question"
            ),
            models.CheckConstraint(
                condition=Q(new_points__isnull=True) | Q(new_points__gte=0),
                name="regrade_new_points_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt} — Q{self.question_id}"
