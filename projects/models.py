from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from course.links import validate_web_link
from course.models import BibliographyEntry, Course, Session


class GroupKind(models.TextChoices):
    PRESENTATION = "presentation", _("Paper presentation pair")
    PROJECT = "project", _("Research project team")


class Group(models.Model):
    """A presentation pair or a project team (a trio or a solo when the instructor says so)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="project_groups")
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    # Research project teams only.
    topic = models.CharField(_("topic area"), max_length=200, blank=True)
    project_kind = models.CharField(_("kind of project"), max_length=200, blank=True)
    working_title = models.CharField(_("working title"), max_length=300, blank=True)
    feedback = models.TextField(_("overall feedback"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "kind", "pk"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        indexes = [models.Index(fields=["course", "kind"])]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} #{self.pk}"


class GroupMembership(models.Model):
    """`course` and `kind` copy the group's so the database can say: one group of each kind."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    grade_override = models.DecimalField(
        _("own grade (percent)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Leave empty: the member gets the group's grade."),
    )
    override_note = models.CharField(_("why"), max_length=300, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "student__last_name", "student__first_name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "kind", "student"], name="one_group_per_kind_per_student"
            )
        ]

    def __str__(self) -> str:
        return str(self.student)


class GroupDeparture(models.Model):
    """A student leaving a pair or a team: who, when, and who stayed (they are notified)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    # Empty once the group is gone (dissolved when fewer than two remain, or deleted later).
    group = models.ForeignKey(
        Group,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="departures",
        verbose_name=_("group"),
    )
    group_name = models.CharField(_("group as named then"), max_length=200)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="group_departures",
        verbose_name=_("student who left"),
    )
    remaining = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("members who stayed")
    )
    dissolved = models.BooleanField(_("group dissolved"), default=False)
    left_at = models.DateTimeField(_("left at"))

    class Meta:
        ordering = ["-left_at", "-pk"]
        verbose_name = _("departure from a group")
        verbose_name_plural = _("departures from groups")
        indexes = [models.Index(fields=["course", "left_at"])]

    def __str__(self) -> str:
        return f"{self.student} ← {self.group_name}"


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Withdrawn")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_invitations_sent"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_invitations"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("sent at"))
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "kind", "from_user", "to_user"],
                condition=Q(status="pending"),
                name="one_pending_invitation",
            ),
            models.CheckConstraint(
                condition=~Q(from_user=models.F("to_user")), name="no_self_invitation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_user} → {self.to_user} ({self.get_status_display()})"


class PaperProposal(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(_("title"), max_length=400)
    authors = models.CharField(_("authors"), max_length=400, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True, validators=[validate_web_link])
    why = models.TextField(_("why this paper"), blank=True)
    bib_entry = models.ForeignKey(
        BibliographyEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="paper_proposals",
        verbose_name=_("from the course bibliography"),
    )
    paper_key = models.CharField(max_length=500, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    instructor_comment = models.TextField(_("instructor's comment"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("paper proposal")
        verbose_name_plural = _("paper proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "paper_key"],
                condition=Q(status="approved"),
                name="one_group_per_approved_paper",
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(status="approved"),
                name="one_approved_paper_per_group",
            ),
            models.UniqueConstraint(
                fields=["group"], condition=Q(status="proposed"), name="one_open_proposal_per_group"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TalkSlot(models.Model):
    """A talk's place in a presentations or project-talks session; held by at most one group."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="talk_slots")
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    index = models.PositiveIntegerField(_("order in the session"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    group = models.ForeignKey(
        Group,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="talk_slots",
        verbose_name=_("group"),
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("talk slot")
        verbose_name_plural = _("talk slots")
        constraints = [
            models.UniqueConstraint(fields=["session", "starts_at"], name="unique_talk_slot_start"),
            models.UniqueConstraint(
                fields=["group"], condition=Q(group__isnull=False), name="one_talk_slot_per_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.starts_at:%H:%M}"


def slides_path(instance: Slides, filename: str) -> str:
    return f"private/projects/{instance.group.course_id}/slides/{instance.group_id}/{filename}"


class Slides(models.Model):
    """One uploaded version of a pair's slides; the latest counts."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="slides")
    file = models.FileField(_("slides (PDF)"), upload_to=slides_path, max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["group", "-uploaded_at"]
        get_latest_by = "uploaded_at"
        verbose_name = _("slides")
        verbose_name_plural = _("slides")

    def __str__(self) -> str:
        return self.original_name or self.file.name


class RubricScore(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="rubric_scores")
    criterion = models.SlugField(_("criterion"), max_length=80)
    points = models.DecimalField(
        _("points"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    feedback = models.TextField(_("feedback"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    graded_at = models.DateTimeField(_("graded at"), auto_now=True)

    class Meta:
        ordering = ["group", "criterion"]
        verbose_name = _("rubric score")
        verbose_name_plural = _("rubric scores")
        constraints = [
            models.UniqueConstraint(fields=["group", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.points}"


class Milestone(models.Model):
    """A research-project milestone from the syllabus; a date left empty is to be announced."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        TALK = "talk", _("Talk")
        POSTER = "poster", _("Poster")
        REPORT = "report", _("Report")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="milestones")
    key = models.SlugField(_("key"), max_length=80)
    label = models.CharField(_("label"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.DOCUMENT)
    due = models.DateTimeField(
        _("due"), null=True, blank=True, help_text=_("Empty: to be announced.")
    )
    due_set_at = models.DateTimeField(
        _("date set at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the date was last set by hand (the teams are told)."),
    )
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    talk_minutes = models.PositiveIntegerField(_("talk minutes"), null=True, blank=True)
    accepts_pdf = models.BooleanField(_("accepts a PDF"), default=True)
    accepts_link = models.BooleanField(_("accepts a link"), default=False)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course", "order"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["course", "key"], name="unique_milestone_key")
        ]

    def __str__(self) -> str:
        return self.label


def submission_path(instance: MilestoneSubmission, filename: str) -> str:
    return (
        f"private/projects/{instance.group.course_id}/milestones/{instance.milestone.key}/"
        f"{instance.group_id}/v{instance.version}-{filename}"
    )


class MilestoneSubmission(models.Model):
    """One version handed in for a team; versions are kept and the latest counts."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="submissions")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="submissions")
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file (PDF)"), upload_to=submission_path, blank=True, max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True, validators=[validate_web_link])
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    penalty_percent = models.DecimalField(
        _("late penalty (percent)"), max_digits=5, decimal_places=2, default=0
    )

    class Meta:
        ordering = ["group", "milestone", "-version"]
        verbose_name = _("milestone submission")
        verbose_name_plural = _("milestone submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "milestone", "version"], name="unique_submission_version"
            ),
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(link=""), name="submission_has_file_or_link"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} v{self.version}"


class MilestoneGrade(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="milestone_grades")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="grades")
    percent = models.DecimalField(
        _("grade (percent, before late penalty)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    feedback = models.TextField(_("feedback"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    graded_at = models.DateTimeField(_("graded at"), auto_now=True)

    class Meta:
        ordering = ["group", "milestone__order"]
        verbose_name = _("milestone grade")
        verbose_name_plural = _("milestone grades")
        constraints = [
            models.UniqueConstraint(fields=["group", "milestone"], name="one_grade_per_milestone")
        ]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.percent}"
