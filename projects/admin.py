"""The instructor's side: groups with members, pairing the rest, proposals, slots, grading, dates.

Thin: writes that carry a rule go through projects.services.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from course.admin_scoping import (
    CourseScopedAdminMixin,
    CourseScopedInlineMixin,
    allowed_courses,
)
from course.links import web_link_or_empty
from course.selectors import course_policy

from . import rules, selectors, services
from .models import (
    Group,
    GroupDeparture,
    GroupKind,
    GroupMembership,
    Invitation,
    Milestone,
    MilestoneGrade,
    MilestoneSubmission,
    PaperProposal,
    RubricScore,
    Slides,
    TalkSlot,
)
from .policy import PresentationPolicy

# --- groups ----------------------------------------------------------------------------------


class GroupMembersColumn:
    """A "members" column for rows that belong to a group (one prefetch for the page)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()  # type: ignore[misc]
            .get_queryset(request)
            .prefetch_related(selectors.members_prefetch("group__memberships"))
        )

    @admin.display(description=_("members"))
    def members(self, obj: Any) -> str:
        return selectors.member_names(obj.group) if obj.group else "—"


class MembershipFormSet(BaseInlineFormSet):
    """Members take the group's course and kind; a student already in another group of the same
    kind is refused here with a message (the DB constraint stays the last word)."""

    def clean(self) -> None:
        super().clean()
        group: Group = self.instance
        seen: set[int] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            student = form.cleaned_data.get("student")
            if student is None:
                continue
            form.instance.course_id = group.course_id
            form.instance.kind = group.kind
            if student.pk in seen:
                form.add_error("student", _("This student is listed twice."))
            seen.add(student.pk)
            other = GroupMembership.objects.filter(
                course_id=group.course_id, kind=group.kind, student=student
            )
            if group.pk:
                other = other.exclude(group=group)
            if other.exists():
                form.add_error(
                    "student", _("This student is already in another group of this kind.")
                )


class MembershipInline(CourseScopedInlineMixin, admin.TabularInline):
    model = GroupMembership
    formset = MembershipFormSet
    fields = ("student", "grade_override", "override_note")
    autocomplete_fields = ("student",)
    extra = 0


class RubricScoreInline(CourseScopedInlineMixin, admin.TabularInline):
    course_path = "group__course"
    model = RubricScore
    fields = ("criterion", "points", "feedback", "graded_by", "graded_at")
    readonly_fields = ("criterion", "points", "feedback", "graded_by", "graded_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MilestoneGradeInline(CourseScopedInlineMixin, admin.TabularInline):
    course_path = "group__course"
    model = MilestoneGrade
    fields = ("milestone", "percent", "feedback", "graded_by")
    readonly_fields = ("graded_by",)
    extra = 0

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "milestone":
            course_id = getattr(request, "projects_course_id", None)
            kwargs["queryset"] = (
                Milestone.objects.filter(course_id=course_id)
                if course_id
                else Milestone.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SubmissionInline(CourseScopedInlineMixin, admin.TabularInline):
    course_path = "group__course"
    model = MilestoneSubmission
    fields = (
        "milestone",
        "version",
        "what",
        "submitted_by",
        "submitted_at",
        "is_late",
        "penalty_percent",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("milestone__order", "-version")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("file or link"))
    def what(self, obj: MilestoneSubmission) -> str:
        if obj.file:
            url = reverse(
                "projects_submission_file", kwargs={"code": obj.group.course.code, "pk": obj.pk}
            )
            return format_html('<a href="{}">{}</a>', url, obj.original_name or "PDF")
        if not web_link_or_empty(obj.link):
            return obj.link
        return format_html('<a href="{}">{}</a>', obj.link, obj.link)


class SlidesInline(CourseScopedInlineMixin, admin.TabularInline):
    course_path = "group__course"
    model = Slides
    fields = ("what", "uploaded_by", "uploaded_at", "due_at", "is_late")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("file"))
    def what(self, obj: Slides) -> str:
        url = reverse("projects_slides_file", kwargs={"code": obj.group.course.code, "pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, str(obj))


class RubricGradeForm(forms.Form):
    feedback_overall = forms.CharField(
        label=_("Overall feedback"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, rubric: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for c in rubric:
            self.fields[f"points_{c.key}"] = forms.DecimalField(
                label=f"{c.label} (/{c.points})",
                min_value=Decimal(0),
                max_value=c.points,
                decimal_places=2,
            )
            self.fields[f"feedback_{c.key}"] = forms.CharField(
                label=_("Feedback on %(c)s") % {"c": c.label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )


@admin.register(Group)
class GroupAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "course",
        "kind",
        "member_names",
        "topic",
        "project_kind",
        "working_title",
        "paper",
        "talk",
    )
    list_filter = ("course", "kind", "topic", "project_kind")
    search_fields = (
        "name",
        "working_title",
        "memberships__student__username",
        "memberships__student__last_name",
    )
    change_list_template = "admin/projects/group/change_list.html"
    actions = ["pair_unpaired_action"]
    readonly_fields = ("grading_tools",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Group]:
        return (
            super()
            .get_queryset(request)
            .select_related("course")
            .prefetch_related(
                selectors.members_prefetch(),
                Prefetch(
                    "proposals",
                    queryset=PaperProposal.objects.filter(status=PaperProposal.Status.APPROVED),
                ),
                Prefetch("talk_slots", queryset=TalkSlot.objects.select_related("session")),
            )
        )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ["course", "kind", "name"]
        if obj is None or obj.kind == GroupKind.PROJECT:
            fields += ["topic", "project_kind", "working_title"]
        return [*fields, "feedback", "grading_tools"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Members copy the group's course and kind: they are fixed once the group exists.
        return ["course", "kind", "grading_tools"] if obj else ["grading_tools"]

    # Every inline this admin may show; get_inlines picks those of the group's kind.
    inlines = [
        MembershipInline,
        SlidesInline,
        RubricScoreInline,
        SubmissionInline,
        MilestoneGradeInline,
    ]

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type]:
        if obj is None:
            return [MembershipInline]
        request.projects_course_id = obj.course_id  # type: ignore[attr-defined]  # handed to the inlines' queryset on the request
        if obj.kind == GroupKind.PROJECT:
            return [MembershipInline, SubmissionInline, MilestoneGradeInline]
        return [MembershipInline, SlidesInline, RubricScoreInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Members and milestone grades are written by the services; the other inlines are
        read-only."""
        group: Group = form.instance
        instances = formset.save(commit=False)
        try:
            for obj in formset.deleted_objects:
                if isinstance(obj, GroupMembership):
                    services.membership_remove(membership=obj)
                elif isinstance(obj, MilestoneGrade):
                    services.milestone_grade_remove(grade=obj)
            for inst in instances:
                if isinstance(inst, GroupMembership):
                    services.membership_save(group=group, membership=inst)
                elif isinstance(inst, MilestoneGrade) and inst.pk:
                    services.milestone_grade_change(grade=inst, by=request.user)
                elif isinstance(inst, MilestoneGrade):
                    services.milestone_grade_set(
                        group=group,
                        milestone=inst.milestone,
                        percent=inst.percent,
                        feedback=inst.feedback,
                        by=request.user,
                    )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))

    @admin.action(
        description=_("Pair the unpaired students (of the selected groups' courses and kinds)")
    )
    def pair_unpaired_action(self, request: HttpRequest, queryset: QuerySet[Group]) -> None:
        """Also on the tools page, which works before any group exists."""
        made = 0
        courses = {c.pk: c for c in allowed_courses(request, self.change_action)}
        for course_id, kind in set(queryset.values_list("course_id", "kind")):
            course = courses.get(course_id)
            if course is None:
                continue
            made += len(
                services.pair_the_unpaired(
                    course=course, kind=kind, seed=timezone.now().isoformat()
                )
            )
        messages.success(
            request, ngettext("%(n)d group formed.", "%(n)d groups formed.", made) % {"n": made}
        )

    @admin.display(description=_("members"))
    def member_names(self, obj: Group) -> str:
        return selectors.member_names(obj)

    @admin.display(description=_("approved paper"))
    def paper(self, obj: Group) -> str:
        p = next(iter(obj.proposals.all()), None)
        return p.title if p else "—"

    @admin.display(description=_("talk"))
    def talk(self, obj: Group) -> str:
        s = next(iter(obj.talk_slots.all()), None)
        return f"{timezone.localtime(s.starts_at):%Y-%m-%d %H:%M}" if s else "—"

    @admin.display(description=_("Grading"))
    def grading_tools(self, obj: Group) -> str:
        if not obj.pk or obj.kind != GroupKind.PRESENTATION:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:projects_group_grade", args=[obj.pk]),
            _("Grade with the rubric"),
        )

    def get_urls(self):
        own = [
            path(
                "tools/", self.admin_site.admin_view(self.tools_view), name="projects_group_tools"
            ),
            path(
                "<int:pk>/grade/",
                self.admin_site.admin_view(self.grade_view),
                name="projects_group_grade",
            ),
        ]
        return own + super().get_urls()

    def tools_view(self, request: HttpRequest) -> HttpResponse:
        """Unpaired students per course and kind; pair the rest; generate slots; load milestones."""
        if not self.has_change_permission(request):
            return redirect("admin:index")
        if request.method == "POST":
            course = get_object_or_404(
                allowed_courses(request, self.change_action), pk=request.POST.get("course")
            )
            op = request.POST.get("op")
            if op == "pair" and request.POST.get("kind") in GroupKind.values:
                kind = request.POST["kind"]
                groups = services.pair_the_unpaired(
                    course=course, kind=kind, seed=timezone.now().isoformat()
                )
                messages.success(
                    request,
                    ngettext("%(n)d group formed.", "%(n)d groups formed.", len(groups))
                    % {"n": len(groups)},
                )
            elif op == "slots":
                n = services.talk_slots_sync(course=course)
                messages.success(
                    request,
                    ngettext("%(n)d talk slot created.", "%(n)d talk slots created.", n) % {"n": n},
                )
            elif op == "milestones":
                ms = services.milestones_sync(course=course)
                messages.success(
                    request,
                    ngettext(
                        "%(n)d milestone loaded from the syllabus.",
                        "%(n)d milestones loaded from the syllabus.",
                        len(ms),
                    )
                    % {"n": len(ms)},
                )
            return redirect("admin:projects_group_tools")
        courses = [
            {
                "course": c,
                "kinds": [
                    {"kind": k, "label": label, "students": list(selectors.unpaired_students(c, k))}
                    for k, label in GroupKind.choices
                ],
            }
            for c in allowed_courses(request, self.change_action)
        ]
        return render(
            request,
            "admin/projects/tools.html",
            {
                **self.admin_site.each_context(request),
                "courses": courses,
                "title": _("Unpaired students and tools"),
            },
        )

    def grade_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = self.scoped_object_or_404(
            request,
            Group.objects.select_related("course"),
            action=self.change_action,
            pk=pk,
            kind=GroupKind.PRESENTATION,
        )
        if not self.has_change_permission(request, group):
            return redirect("admin:index")
        rubric = list(course_policy(group.course, PresentationPolicy).rubric)
        current = {s.criterion: s for s in RubricScore.objects.filter(group=group)}
        initial: dict[str, Any] = {"feedback_overall": group.feedback}
        for c in rubric:
            if c.key in current:
                initial[f"points_{c.key}"] = current[c.key].points
                initial[f"feedback_{c.key}"] = current[c.key].feedback
        form = RubricGradeForm(request.POST or None, rubric=rubric, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                for c in rubric:
                    services.rubric_score_set(
                        group=group,
                        criterion=c.key,
                        points=form.cleaned_data[f"points_{c.key}"],
                        feedback=form.cleaned_data[f"feedback_{c.key}"],
                        by=request.user,
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                group.feedback = form.cleaned_data["feedback_overall"]
                group.save(update_fields=["feedback"])
                total = rules.rubric_percent(
                    [form.cleaned_data[f"points_{c.key}"] for c in rubric],
                    [c.points for c in rubric],
                )
                messages.success(request, _("Graded: %(p)s%%.") % {"p": total})
                return redirect("admin:projects_group_change", group.pk)
        return render(
            request,
            "admin/projects/grade.html",
            {
                **self.admin_site.each_context(request),
                "group": group,
                "members": group.memberships.select_related("student"),
                "form": form,
                "title": _("Grade %(g)s") % {"g": group},
            },
        )


# --- proposals -------------------------------------------------------------------------------


class ProposalAdminForm(forms.ModelForm):
    class Meta:
        model = PaperProposal
        fields = ["status", "instructor_comment"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p = self.instance
        if data.get("status") == PaperProposal.Status.APPROVED:
            clash = PaperProposal.objects.filter(
                course_id=p.course_id, paper_key=p.paper_key, status=PaperProposal.Status.APPROVED
            ).exclude(pk=p.pk)
            if clash.exists():
                self.add_error("status", _("Another group already holds this paper."))
            own = PaperProposal.objects.filter(
                group_id=p.group_id, status=PaperProposal.Status.APPROVED
            ).exclude(pk=p.pk)
            if own.exists():
                self.add_error("status", _("This group already has an approved paper."))
        if (
            data.get("status") == PaperProposal.Status.PROPOSED
            and p.status != PaperProposal.Status.PROPOSED
        ):
            self.add_error("status", _("A decided proposal cannot go back to proposed."))
        return data


@admin.register(PaperProposal)
class PaperProposalAdmin(GroupMembersColumn, CourseScopedAdminMixin, admin.ModelAdmin):
    form = ProposalAdminForm
    list_display = (
        "title",
        "group",
        "members",
        "status",
        "from_bibliography",
        "link",
        "created_at",
    )
    list_filter = ("course", "status")
    search_fields = ("title", "authors", "url")
    readonly_fields = (
        "course",
        "group",
        "members",
        "title",
        "authors",
        "link",
        "why",
        "bib_entry",
        "proposed_by",
        "created_at",
        "decided_at",
    )
    fields = (*readonly_fields, "status", "instructor_comment")
    actions = ["approve", "reject"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PaperProposal]:
        return super().get_queryset(request).select_related("course", "group", "bib_entry")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("link"))
    def link(self, obj: PaperProposal) -> str:
        if not web_link_or_empty(obj.url):
            return obj.url or "—"
        return format_html('<a href="{}" rel="noopener">{}</a>', obj.url, obj.url)

    @admin.display(description=_("from the bibliography"), boolean=True)
    def from_bibliography(self, obj: PaperProposal) -> bool:
        return obj.bib_entry_id is not None

    def save_model(self, request: HttpRequest, obj: PaperProposal, form: Any, change: bool) -> None:
        status = form.cleaned_data["status"]
        if change and status in (PaperProposal.Status.APPROVED, PaperProposal.Status.REJECTED):
            try:
                services.paper_decide(
                    proposal=obj,
                    approve=status == PaperProposal.Status.APPROVED,
                    comment=form.cleaned_data["instructor_comment"],
                    now=timezone.now(),
                )
            except ValidationError as exc:
                messages.error(
                    request, "; ".join(m for ms in exc.message_dict.values() for m in ms)
                )
            return
        obj.save()

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[PaperProposal], approve: bool
    ) -> None:
        done = 0
        for p in queryset:
            try:
                services.paper_decide(
                    proposal=p, approve=approve, comment=p.instructor_comment, now=timezone.now()
                )
                done += 1
            except ValidationError as exc:
                messages.error(
                    request,
                    f"{p.title}: " + "; ".join(m for ms in exc.message_dict.values() for m in ms),
                )
        messages.success(
            request,
            ngettext("%(n)d proposal decided.", "%(n)d proposals decided.", done) % {"n": done},
        )

    @admin.action(description=_("Approve the selected proposals"))
    def approve(self, request: HttpRequest, queryset: QuerySet[PaperProposal]) -> None:
        self._decide(request, queryset, True)

    @admin.action(description=_("Reject the selected proposals"))
    def reject(self, request: HttpRequest, queryset: QuerySet[PaperProposal]) -> None:
        self._decide(request, queryset, False)


# --- slots -----------------------------------------------------------------------------------


class TalkSlotAdminForm(forms.ModelForm):
    class Meta:
        model = TalkSlot
        fields = ["group"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        slot = self.instance
        field: Any = self.fields["group"]
        field.queryset = Group.objects.filter(course_id=slot.course_id, kind=slot.kind)


@admin.register(TalkSlot)
class TalkSlotAdmin(GroupMembersColumn, CourseScopedAdminMixin, admin.ModelAdmin):
    form = TalkSlotAdminForm
    list_display = ("session", "kind", "starts_at", "ends_at", "group", "members")
    list_filter = ("course", "kind", "session")
    readonly_fields = ("course", "session", "kind", "index", "starts_at", "ends_at", "taken_at")
    fields = (*readonly_fields, "group")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TalkSlot]:
        return super().get_queryset(request).select_related("session", "session__course", "group")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: TalkSlot, form: Any, change: bool) -> None:
        group = form.cleaned_data.get("group")
        original = TalkSlot.objects.get(pk=obj.pk)
        try:
            if original.group_id and original.group_id != (group.pk if group else None):
                services.talk_slot_assign(slot=original, group=None, now=timezone.now())
            services.talk_slot_assign(slot=original, group=group, now=timezone.now())
        except ValidationError as exc:
            messages.error(request, "; ".join(m for ms in exc.message_dict.values() for m in ms))


# --- milestones ------------------------------------------------------------------------------


@admin.register(Milestone)
class MilestoneAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    list_display = ("label", "course", "kind", "due_display", "weight", "submissions_count")
    list_filter = ("course",)
    readonly_fields = (
        "course",
        "key",
        "label",
        "kind",
        "weight",
        "talk_minutes",
        "accepts_pdf",
        "accepts_link",
    )
    fields = (*readonly_fields, "due")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Milestone]:
        return (
            super()
            .get_queryset(request)
            .select_related("course")
            .annotate(n_subs=Count("submissions"))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("due"))
    def due_display(self, obj: Milestone) -> str:
        return (
            f"{timezone.localtime(obj.due):%Y-%m-%d %H:%M}"
            if obj.due
            else str(_("to be announced"))
        )

    @admin.display(description=_("submissions"))
    def submissions_count(self, obj: Milestone) -> int:
        return obj.n_subs  # type: ignore[attr-defined]  # annotated by the changelist's queryset

    def save_model(self, request: HttpRequest, obj: Milestone, form: Any, change: bool) -> None:
        if change and "due" in form.changed_data:
            services.milestone_date_set(
                milestone=obj, due=form.cleaned_data["due"], now=timezone.now()
            )
        else:
            obj.save()


@admin.register(MilestoneSubmission)
class MilestoneSubmissionAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    course_path = "group__course"
    list_display = (
        "milestone",
        "group",
        "version",
        "submitted_by",
        "submitted_at",
        "is_late",
        "penalty_percent",
    )
    list_filter = ("milestone__course", "milestone", "is_late")
    readonly_fields = [f.name for f in MilestoneSubmission._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[MilestoneSubmission]:
        return super().get_queryset(request).select_related("milestone", "group", "submitted_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    list_display = ("from_user", "to_user", "kind", "status", "created_at", "responded_at")
    list_filter = ("course", "kind", "status")
    readonly_fields = (
        "course",
        "kind",
        "from_user",
        "to_user",
        "status",
        "created_at",
        "responded_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invitation]:
        return super().get_queryset(request).select_related("from_user", "to_user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(GroupDeparture)
class GroupDepartureAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    """The trail of students leaving pairs and teams (written by group_leave, never edited)."""

    list_display = ("student", "group_name", "kind", "dissolved", "left_at", "stayed")
    list_filter = ("course", "kind", "dissolved")
    search_fields = ("student__username", "student__last_name", "group_name")
    date_hierarchy = "left_at"
    readonly_fields = (
        "course",
        "kind",
        "group",
        "group_name",
        "student",
        "remaining",
        "dissolved",
        "left_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[GroupDeparture]:
        return super().get_queryset(request).select_related("student").prefetch_related("remaining")

    @admin.display(description=_("members who stayed"))
    def stayed(self, obj: GroupDeparture) -> str:
        return ", ".join(str(u) for u in obj.remaining.all())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Slides)
class SlidesAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    course_path = "group__course"
    list_display = ("group", "original_name", "uploaded_by", "uploaded_at", "due_at", "is_late")
    list_filter = ("group__course", "is_late")
    readonly_fields = [f.name for f in Slides._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Slides]:
        return super().get_queryset(request).select_related("group", "uploaded_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
