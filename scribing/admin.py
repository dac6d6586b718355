"""Admin of scribing: slots with their scribes, auto-assign with a preview, grading, publication."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
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
from course.models import Course
from course.permissions import Action, can

from . import selectors, services
from .models import NotesSubmission, ScribeAssignment, ScribeSlot, Unavailability


class ScribeAssignmentInline(CourseScopedInlineMixin, admin.TabularInline):
    model = ScribeAssignment
    extra = 0
    raw_id_fields = ("student",)
    fields = ("student", "source", "separate_raw_score", "separate_feedback")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["source"].initial = ScribeAssignment.Source.INSTRUCTOR
        return formset


@admin.register(ScribeSlot)
class ScribeSlotAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "course", "kind", "capacity", "taken_seats", "scribes")
    list_filter = ("course", "session__kind")
    inlines = [ScribeAssignmentInline]
    raw_id_fields = ("session",)
    actions = ["sync_lectures", "auto_assign", "extend_one_week"]
    change_list_template = "admin/scribing/scribeslot/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScribeSlot]:
        return (
            super()
            .get_queryset(request)
            .select_related("session", "course")
            .prefetch_related("assignments__student")
            .annotate(n_taken=Count("assignments"))
        )

    @admin.display(description=_("kind"))
    def kind(self, obj: ScribeSlot) -> str:
        return obj.session.get_kind_display()

    @admin.display(description=_("taken"))
    def taken_seats(self, obj: ScribeSlot) -> int:
        return obj.n_taken  # type: ignore[attr-defined]  # annotated by the changelist's queryset

    @admin.display(description=_("scribes"))
    def scribes(self, obj: ScribeSlot) -> str:
        return ", ".join(str(a.student) for a in obj.assignments.all())

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """The scribes of the lecture (and their own grades) are written by the services."""
        instances = formset.save(commit=False)
        try:
            for obj in formset.deleted_objects:
                services.assignment_remove(assignment=obj)
            for assignment in instances:
                services.assignment_save(slot=form.instance, assignment=assignment)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)

    @admin.action(description=_("Create slots for every lecture of these courses"))
    def sync_lectures(self, request: HttpRequest, queryset: QuerySet[ScribeSlot]) -> None:
        courses = allowed_courses(request, Action.MANAGE_COURSE)  # as the sync page asks
        for course in courses.filter(pk__in=queryset.values("course_id")):
            made = services.slots_sync(course=course)
            self.message_user(
                request,
                ngettext("%(c)s: %(n)d slot created.", "%(c)s: %(n)d slots created.", made)
                % {"c": course.code, "n": made},
            )

    @admin.action(description=_("Auto-assign the students without a lecture (preview first)"))
    def auto_assign(self, request: HttpRequest, queryset: QuerySet[ScribeSlot]) -> HttpResponse:
        first = queryset.first()
        if first is None:
            return HttpResponseRedirect(request.get_full_path())
        return redirect(reverse("admin:scribing_auto_assign", args=[first.course_id]))

    @admin.action(
        description=_("Extend the notes deadline of these lectures by one week (everyone)")
    )
    def extend_one_week(self, request: HttpRequest, queryset: QuerySet[ScribeSlot]) -> None:
        n = 0
        for slot in queryset.select_related("session", "course"):
            if not can(request.user, Action.MANAGE_COURSE, slot.course):
                continue
            policy = selectors.scribing_policy(slot.course)
            current = selectors.student_due(slot.course, slot.session, None, policy)
            services.lecture_extend(
                slot=slot,
                due_at=current + timedelta(days=7),
                granted_by=request.user,
                reason=str(_("Extended from the admin")),
            )
            n += 1
        self.message_user(
            request,
            ngettext("%(n)d deadline extended.", "%(n)d deadlines extended.", n) % {"n": n},
            messages.SUCCESS,
        )

    def get_urls(self) -> list:
        return [
            path(
                "auto-assign/<int:course_id>/",
                self.admin_site.admin_view(self.auto_assign_view),
                name="scribing_auto_assign",
            ),
            path(
                "sync/<int:course_id>/",
                self.admin_site.admin_view(self.sync_view),
                name="scribing_sync",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra_context = extra_context or {}
        extra_context["scribing_courses"] = list(allowed_courses(request, Action.MANAGE_COURSE))
        return super().changelist_view(request, extra_context)

    def sync_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = get_object_or_404(Course, pk=course_id)
        if request.method != "POST" or not can(request.user, Action.MANAGE_COURSE, course):
            raise PermissionDenied
        made = services.slots_sync(course=course)
        self.message_user(
            request,
            ngettext("%(c)s: %(n)d slot created.", "%(c)s: %(n)d slots created.", made)
            % {"c": course.code, "n": made},
        )
        return redirect("admin:scribing_scribeslot_changelist")

    def auto_assign_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = get_object_or_404(Course, pk=course_id)
        if not can(request.user, Action.MANAGE_COURSE, course):
            raise PermissionDenied
        try:
            seed = int(request.POST.get("seed") or request.GET.get("seed") or 0)
        except ValueError:
            seed = 0
        now = timezone.now()
        if request.method == "POST" and "apply" in request.POST:
            made = services.auto_assign_apply(course=course, now=now, seed=seed)
            self.message_user(
                request,
                ngettext(
                    "%(n)d student assigned to a lecture.",
                    "%(n)d students assigned to a lecture.",
                    made,
                )
                % {"n": made},
                messages.SUCCESS,
            )
            return redirect("admin:scribing_scribeslot_changelist")
        proposal = services.auto_assign_propose(course=course, now=now, seed=seed)
        rows = [
            (proposal.slots[slot_id], [proposal.students[s] for s in students])
            for slot_id, students in proposal.plan.by_slot.items()
            if students
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Auto-assign scribes — %(c)s") % {"c": course.code},
            "course": course,
            "seed": seed,
            "rows": rows,
            "proposal": proposal,
            "unplaced": [proposal.students[s] for s in proposal.plan.unplaced],
            "opts": self.model._meta,
        }
        return render(request, "admin/scribing/auto_assign.html", context)


@admin.register(NotesSubmission)
class NotesSubmissionAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    course_path = "slot__course"
    list_display = (
        "__str__",
        "submitted_by",
        "submitted_at",
        "due_at",
        "penalty",
        "raw_score",
        "final",
        "is_published",
    )
    list_filter = ("slot__course", "is_published")
    search_fields = ("submitted_by__username", "submitted_by__last_name", "slot__session__topic")
    actions = ["publish", "unpublish"]
    fields = (
        "slot",
        "version",
        "submitted_by",
        "submitted_at",
        "due_at",
        "penalty_percent",
        "files",
        "raw_score",
        "feedback",
        "graded_by",
        "graded_at",
        "is_published",
        "published_at",
    )
    readonly_fields = (
        "slot",
        "version",
        "submitted_by",
        "submitted_at",
        "due_at",
        "penalty_percent",
        "files",
        "graded_by",
        "graded_at",
        "is_published",
        "published_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[NotesSubmission]:
        return (
            super()
            .get_queryset(request)
            .select_related("slot__session", "slot__course", "submitted_by")
        )

    @admin.display(description=_("penalty at submission"))
    def penalty(self, obj: NotesSubmission) -> str:
        return f"{obj.penalty_percent.normalize():f}%"

    @admin.display(description=_("final (shared)"))
    def final(self, obj: NotesSubmission) -> str:
        if obj.raw_score is None:
            return "—"
        from course.deadlines.rules import apply_penalty

        return f"{apply_penalty(obj.raw_score, 100, obj.penalty_percent):.2f}"

    @admin.display(description=_("files"))
    def files(self, obj: NotesSubmission) -> str:
        code = obj.slot.course.code
        links = []
        for kind, f in (("tex", obj.tex_file), ("zip", obj.zip_file), ("pdf", obj.pdf_file)):
            if f:
                url = reverse("scribing_file", kwargs={"code": code, "pk": obj.pk, "kind": kind})
                links.append(format_html('<a href="{}">.{}</a>', url, kind))
        return format_html(" · ".join(["{}"] * len(links)), *links) if links else "—"

    def save_model(
        self, request: HttpRequest, obj: NotesSubmission, form: Any, change: bool
    ) -> None:
        if not can(request.user, Action.GRADE, obj.slot.course):
            raise PermissionDenied
        if obj.raw_score is not None and {"raw_score", "feedback"} & set(form.changed_data):
            try:
                services.notes_grade(
                    submission=obj,
                    raw_score=obj.raw_score,
                    feedback=obj.feedback,
                    graded_by=request.user,
                    now=timezone.now(),
                )
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish for the class (shown on the schedule)"))
    def publish(self, request: HttpRequest, queryset: QuerySet[NotesSubmission]) -> None:
        allowed = [
            s
            for s in queryset.select_related("slot__course")
            if can(request.user, Action.MANAGE_COURSE, s.slot.course)
        ]
        n = services.notes_publish(submissions=allowed, now=timezone.now())
        self.message_user(
            request,
            ngettext("%(n)d note published.", "%(n)d notes published.", n) % {"n": n},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish"))
    def unpublish(self, request: HttpRequest, queryset: QuerySet[NotesSubmission]) -> None:
        allowed = [
            s
            for s in queryset.select_related("slot__course")
            if can(request.user, Action.MANAGE_COURSE, s.slot.course)
        ]
        n = services.notes_unpublish(submissions=allowed)
        self.message_user(
            request, ngettext("%(n)d note unpublished.", "%(n)d notes unpublished.", n) % {"n": n}
        )


@admin.register(Unavailability)
class UnavailabilityAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    list_display = ("student", "date", "course")
    list_filter = ("course",)
    raw_id_fields = ("student",)
