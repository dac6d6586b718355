import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from course.links import validate_web_link


class User(AbstractUser):
    """A person who logs in. Their role is per course (Enrolment), not on the account."""

    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Course(models.Model):
    code = models.CharField(
        _("code"), max_length=20, unique=True, help_text=_("As on the registrar, e.g. IFT6085.")
    )
    title = models.CharField(_("title"), max_length=200)
    term = models.CharField(_("term"), max_length=50, help_text=_("e.g. Winter 2021"))
    instruction_language = models.CharField(
        _("language of instruction"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    instructor_name = models.CharField(_("instructor"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    seat_capacity = models.PositiveIntegerField(
        _("seat capacity"),
        help_text=_("Seats in the room; auditors sit in only while seats remain."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Montreal")
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"))
    add_drop_deadline = models.DateField(_("add/drop deadline"), null=True, blank=True)
    website_url = models.URLField(_("course website"), blank=True, validators=[validate_web_link])
    lms_url = models.URLField(
        _("LMS page"),
        blank=True,
        help_text=_("StudiUM/Moodle page."),
        validators=[validate_web_link],
    )
    slack_url = models.URLField(_("Slack workspace"), blank=True, validators=[validate_web_link])
    email_subject_prefix = models.CharField(
        _("e-mail subject prefix"),
        max_length=40,
        blank=True,
        help_text=_(
            'Every e-mail subject starts with this, e.g. "IFT6085: ". Defaults to the code.'
        ),
    )
    office_hours_note = models.TextField(_("office hours note"), blank=True)
    is_public = models.BooleanField(
        _("public schedule"),
        default=False,
        help_text=_("Anonymous visitors may read the schedule and subscribe to its calendar feed."),
    )
    auditors_may_take_quizzes = models.BooleanField(
        _("auditors may take quizzes for practice"), default=False
    )
    students_sign_in_with_sso_only = models.BooleanField(
        _("students sign in only through the university"),
        default=False,
        help_text=_(
            "When single sign-on is configured, students and auditors of this course cannot "
            "use a local password (staff still can)."
        ),
    )
    policies = models.JSONField(
        _("policies"),
        default=dict,
        blank=True,
        help_text=_("Grading and logistics policies from the syllabus file (validated on load)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-term_start", "code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gte=models.F("term_start")),
                name="course_term_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title} ({self.term})"

    @property
    def subject_prefix(self) -> str:
        return self.email_subject_prefix or f"{self.code}: "


class Enrolment(models.Model):
    class Role(models.TextChoices):
        INSTRUCTOR = "instructor", _("Instructor")
        TA = "ta", _("Teaching assistant")
        STUDENT = "student", _("Registered student")
        AUDITOR = "auditor", _("Auditor")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WAITLISTED = "waitlisted", _("Wait-listed")
        DROPPED = "dropped", _("Dropped")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    student_id = models.CharField(_("student id"), max_length=32, blank=True)
    requested_at = models.DateTimeField(
        _("requested at"), help_text=_("Orders the auditors' wait list.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "course_enrollment"  # the table keeps the name it was created with
        ordering = ["course", "role", "user__last_name", "user__first_name"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="one_enrollment_per_course"),
        ]
        indexes = [models.Index(fields=["course", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.course.code} ({self.get_role_display()})"


class MeetingTime(models.Model):
    """A weekly class meeting, e.g. Wednesday 9:30-11:10."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="meeting_times")
    weekday = models.IntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    room = models.CharField(_("room"), max_length=100, blank=True)

    class Meta:
        ordering = ["course", "weekday", "start_time"]
        verbose_name = _("meeting time")
        verbose_name_plural = _("meeting times")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "weekday", "start_time"], name="unique_meeting_time"
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class Break(models.Model):
    """Days without class: reading week, holidays."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="breaks")
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))

    class Meta:
        ordering = ["course", "start_date"]
        verbose_name = _("break")
        verbose_name_plural = _("breaks")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="break_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date} – {self.end_date})"


class DayOff(models.Model):
    """A single day without class that is not part of a break (a holiday, a strike day)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="days_off")
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["course", "date"]
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        constraints = [
            models.UniqueConstraint(fields=["course", "date"], name="unique_day_off"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class BibliographyEntry(models.Model):
    class Kind(models.TextChoices):
        PAPER = "paper", _("Paper")
        BOOK = "book", _("Book or monograph")
        NOTES = "notes", _("Notes")
        NOTEBOOK = "notebook", _("Notebook")
        WEBSITE = "website", _("Website")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="bibliography")
    key = models.SlugField(
        _("key"), max_length=80, help_text=_("Short citation key, e.g. bubeck2015.")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PAPER)
    title = models.CharField(_("title"), max_length=400)
    authors = models.CharField(_("authors"), max_length=400, blank=True)
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    url = models.URLField(_("link"), blank=True, max_length=500, validators=[validate_web_link])
    topic = models.CharField(_("topic"), max_length=100, blank=True)
    is_resource = models.BooleanField(
        _("listed under resources"),
        default=False,
        help_text=_("Shown on the course's resources page (monographs, notebooks)."),
    )
    resource_order = models.PositiveIntegerField(_("order among resources"), default=0)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["course", "resource_order", "key"]
        verbose_name = _("bibliography entry")
        verbose_name_plural = _("bibliography")
        constraints = [
            models.UniqueConstraint(fields=["course", "key"], name="unique_bibliography_key"),
        ]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """One class meeting on the calendar."""

    class Kind(models.TextChoices):
        LECTURE = "lecture", _("Lecture")
        EXAM = "exam", _("Exam")
        PRESENTATIONS = "presentations", _("Student presentations")
        PROJECT_TALKS = "project_talks", _("Project talks")
        POSTER = "poster", _("Poster session")
        NO_CLASS = "no_class", _("No class")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveIntegerField(_("number"), help_text=_("Order in the term, from 1."))
    date = models.DateField(_("date"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LECTURE)
    topic = models.CharField(_("topic"), max_length=300, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    readings: models.ManyToManyField = models.ManyToManyField(
        BibliographyEntry, through="SessionReading", related_name="sessions", blank=True
    )

    class Meta:
        ordering = ["course", "starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["course", "starts_at"], name="unique_session_start"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["course", "date"])]

    def __str__(self) -> str:
        return f"{self.course.code} #{self.number} {self.date:%Y-%m-%d} {self.topic}".strip()

    # A session the syllabus no longer has, kept (as no class) because work refers to it, is
    # numbered from here on, out of the term's order.
    KEPT_NUMBER = 10_000

    @property
    def kept_after_removal(self) -> bool:
        return self.number >= self.KEPT_NUMBER

    @property
    def note_shown(self) -> str:
        """The note as a reader reads it: a session kept after its removal says so, in the
        reader's language; otherwise the instructor's note as written."""
        if self.kept_after_removal:
            return gettext("Removed from the syllabus; kept because work refers to it.")
        return self.note

    @property
    def week(self) -> int:
        """Week of the term, from 1 (the week containing term_start)."""
        from .rules import term_week

        return term_week(self.course.term_start, self.date)


class SessionReading(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="session_readings")
    entry = models.ForeignKey(BibliographyEntry, on_delete=models.CASCADE, related_name="+")
    required = models.BooleanField(_("required"), default=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True, help_text=_("e.g. Ch. 3"))
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["session", "-required", "order"]
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        constraints = [
            models.UniqueConstraint(fields=["session", "entry"], name="unique_session_reading"),
        ]

    def __str__(self) -> str:
        return str(self.entry)


class OfficeHour(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="office_hours")
    host = models.CharField(_("host"), max_length=200)
    weekday = models.IntegerField(
        _("weekday"), choices=MeetingTime.Weekday.choices, null=True, blank=True
    )
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("e.g. After class."))

    class Meta:
        ordering = ["course", "weekday", "start_time"]
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")

    def __str__(self) -> str:
        return f"{self.host}: {self.note or self.location}"


class Announcement(models.Model):
    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        STUDENTS = "students", _("Registered students")
        AUDITORS = "auditors", _("Auditors")
        STAFF = "staff", _("Instructor and TAs")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="announcements")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.EVERYONE
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "-published_at"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.title


def _new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeedToken(models.Model):
    """The secret address of a person's calendar feed for a private course (calendar apps cannot log in)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="feed_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed address")
        verbose_name_plural = _("calendar feed addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_feed_token",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.course.code}"


# The sub-packages keep their models at home; importing them here is what registers them
# with the app (Django imports each app's `models` module only).
from .accounts.models import AccountInvitation, SignedInSession  # noqa: E402
from .deadlines.models import Extension, ExtensionRequest  # noqa: E402
from .notifications.models import (  # noqa: E402
    AnnouncementDelivery,
    Notification,
    NotificationPreference,
    OutboxMessage,
)

__all__ = [
    "AccountInvitation",
    "Announcement",
    "AnnouncementDelivery",
    "BibliographyEntry",
    "Break",
    "CalendarFeedToken",
    "Course",
    "DayOff",
    "Enrolment",
    "Extension",
    "ExtensionRequest",
    "MeetingTime",
    "Notification",
    "NotificationPreference",
    "OfficeHour",
    "OutboxMessage",
    "Session",
    "SessionReading",
    "SignedInSession",
    "User",
]
