"""The instructor's gradebook in the admin: the course table, a student's detail, recompute,
exam score entry and CSV import, overrides with a reason, a read-only audit log, exports."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from course.admin_scoping import CourseScopedAdminMixin, allowed_courses
from course.models import Course, Enrolment
from course.permissions import Action, can, is_registered_student
from course.spreadsheet import chart_csv

from . import exports, presenters, selectors, services
from .forms import (
    FINAL_CHOICE,
    ComponentExcusalForm,
    ExamImportForm,
    ExamScoreForm,
    ExcusalForm,
    GradeOverrideAdminForm,
    OverrideForm,
    ParticipationScoreForm,
)
from .models import (
    FINAL,
    ComponentExcusal,
    ExamScore,
    GradebookSnapshot,
    GradeOverride,
    GradeRelease,
    OverrideAuditLog,
    ParticipationScore,
    StudentGradeInputs,
)

PAGE_SIZE = 2000  # one page holds a large class; the table stays one query


def _course_for(request: HttpRequest, course_id: int, action: Action) -> Course:
    course = get_object_or_404(Course, pk=course_id)
    if not can(request.user, action, course):
        raise PermissionDenied
    return course


def _specs(course: Course) -> list[Any]:
    return selectors.load_specs(course)


def _with_cells(row: dict[str, Any], specs: list[Any]) -> dict[str, Any]:
    cells = []
    for spec in specs:
        comp = row["components"].get(spec.key, {})
        status = comp.get("status", "pending")
        if status == "excused":
            cells.append((_("excused"), "excused"))
        elif comp.get("percent") is None:
            cells.append((_("pending"), "pending"))
        else:
            css = (
                "overridden"
                if comp.get("overridden")
                else ("" if comp.get("complete") else "pending")
            )
            cells.append((comp["percent"], css))
    return {**row, "cells": cells}


def _releases(course: Course, specs: list[Any]) -> dict[str, tuple[str, bool]]:
    """The grades the instructor may release: component key ("" for the final grade) ->
    (label, released)."""
    released = selectors.released_keys(course)
    grades = {FINAL: (str(_("Final grade")), FINAL in released)}
    for spec in specs:
        grades[spec.key] = (spec.label, spec.key in released)
    return grades


class _CourseScopedAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    """Staff see only the courses where they may grade (course.admin_scoping); writes go
    through the services."""

    course_path = "course"

    list_select_related = ["course", "student"]
    search_fields: ClassVar[tuple[str, ...]] = (
        "student__username",
        "student__email",
        "student__last_name",
        "student__first_name",
    )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {k: v for k, v in request.GET.items() if k in ("course", "component_key", "student")}


class _GradeInputAdmin(_CourseScopedAdmin):
    """A grade input entered by the staff: written and removed through the services (which
    check it and schedule the recompute), only by those who may grade its course."""

    def write(self, request: HttpRequest, obj: Any) -> Any:
        """Save `obj`'s values through the service; return the row saved (or None)."""
        raise NotImplementedError

    def _check_grader(self, request: HttpRequest, course: Course) -> None:
        if not can(request.user, Action.GRADE, course):
            raise PermissionDenied

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        self._check_grader(request, obj.course)
        saved = self.write(request, obj)
        if saved is not None:
            obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._check_grader(request, obj.course)
        services.grade_inputs_remove(rows=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        rows = list(queryset.select_related("course"))
        for course in {row.course for row in rows}:
            self._check_grader(request, course)
        services.grade_inputs_remove(rows=rows)


@admin.register(ExamScore)
class ExamScoreAdmin(_GradeInputAdmin):
    form = ExamScoreForm
    list_display = ("student", "course", "component_key", "score", "out_of", "note", "updated_at")
    list_filter = ("course", "component_key")

    def write(self, request: HttpRequest, obj: ExamScore) -> ExamScore:
        return services.exam_score_set(
            course=obj.course,
            student_id=obj.student_id,
            component_key=obj.component_key,
            score=obj.score,
            out_of=obj.out_of,
            note=obj.note,
        )


@admin.register(ParticipationScore)
class ParticipationScoreAdmin(_GradeInputAdmin):
    form = ParticipationScoreForm
    list_display = ("student", "course", "component_key", "percent", "note", "updated_at")
    list_filter = ("course",)

    def write(self, request: HttpRequest, obj: ParticipationScore) -> ParticipationScore:
        return services.participation_set(
            course=obj.course,
            student_id=obj.student_id,
            percent=obj.percent,
            note=obj.note,
            component_key=obj.component_key,
        )


@admin.register(ComponentExcusal)
class ComponentExcusalAdmin(_GradeInputAdmin):
    form = ComponentExcusalForm
    list_display = ("student", "course", "component_key", "reason", "created_by", "created_at")
    list_filter = ("course", "component_key")

    def write(self, request: HttpRequest, obj: ComponentExcusal) -> ComponentExcusal:
        return services.excusal_set(
            course=obj.course,
            student_id=obj.student_id,
            component_key=obj.component_key,
            reason=obj.reason,
            actor=request.user,
        )


@admin.register(GradeOverride)
class GradeOverrideAdmin(_GradeInputAdmin):
    """Set through services.override_set so every change is in the audit log."""

    form = GradeOverrideAdminForm
    list_display = (
        "student",
        "course",
        "component_key",
        "value",
        "reason",
        "updated_by",
        "updated_at",
    )
    list_filter = ("course", "component_key")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # removing needs a reason: use the student's gradebook page

    def write(self, request: HttpRequest, obj: GradeOverride) -> GradeOverride | None:
        return services.override_set(
            course=obj.course,
            student_id=obj.student_id,
            component_key=obj.component_key,
            value=obj.value,
            reason=obj.reason,
            actor=request.user,
        )


class _ReadOnly:
    """Rows written only by the services (the log, the recompute's inputs and snapshots)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OverrideAuditLog)
class OverrideAuditLogAdmin(_ReadOnly, _CourseScopedAdmin):
    """Read-only: the log cannot be added to, changed or deleted from the admin."""

    list_display = (
        "at",
        "course",
        "student",
        "component_key",
        "old_value",
        "new_value",
        "reason",
        "actor",
    )
    list_filter = ("course", "component_key")
    list_select_related = ["course", "student", "actor"]


@admin.register(GradeRelease)
class GradeReleaseAdmin(_ReadOnly, _CourseScopedAdmin):
    """Read-only: grades are released and withdrawn from the gradebook's *Released grades*
    panel (by the instructor, through the service); this is who released what, and when."""

    list_display = ("course", "component_key", "released_at", "released_by")
    list_filter = ("course",)
    list_select_related = ["course", "released_by"]
    search_fields = ("component_key",)


@admin.register(StudentGradeInputs)
class StudentGradeInputsAdmin(_ReadOnly, _CourseScopedAdmin):
    """Read-only: what each student's page re-computes from, as of the last recompute."""

    list_display = ("student", "course", "computed_at", "digest")
    list_filter = ("course",)
    readonly_fields = ("course", "student", "computed_at", "digest", "data")


@admin.register(GradebookSnapshot)
class GradebookAdmin(_ReadOnly, CourseScopedAdminMixin, admin.ModelAdmin):
    """ "Gradebook" in the admin menu: the courses, then each course's table."""

    course_path = "course"
    view_action = Action.VIEW_ALL_GRADES

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("course/<int:course_id>/", view(self.gradebook_view), name="grading_gradebook"),
            path(
                "course/<int:course_id>/student/<int:user_id>/",
                view(self.student_view),
                name="grading_gradebook_student",
            ),
            path(
                "course/<int:course_id>/recompute/",
                view(self.recompute_view),
                name="grading_gradebook_recompute",
            ),
            path(
                "course/<int:course_id>/release/",
                view(self.release_view),
                name="grading_gradebook_release",
            ),
            path(
                "course/<int:course_id>/gradebook.csv",
                view(self.export_view),
                name="grading_gradebook_export",
            ),
            path(
                "course/<int:course_id>/moodle.csv",
                view(self.moodle_view),
                name="grading_gradebook_moodle",
            ),
            path(
                "course/<int:course_id>/import-exams/",
                view(self.import_view),
                name="grading_exam_import",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        courses = list(allowed_courses(request, self.view_action))
        snaps = {
            s.course_id: s
            for s in GradebookSnapshot.objects.filter(course__in=courses).defer("rows")
        }
        students = dict(
            Enrolment.objects.filter(
                course__in=courses, role=Enrolment.Role.STUDENT, status=Enrolment.Status.ACTIVE
            )
            .values("course_id")
            .annotate(n=Count("pk"))
            .values_list("course_id", "n")
        )
        for c in courses:
            c.student_count = students.get(c.pk, 0)  # type: ignore[attr-defined]  # shown by the template beside each course
        return render(
            request,
            "admin/grading/courses.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Gradebook"),
                "rows": [(c, snaps.get(c.pk)) for c in courses],
                "opts": self.model._meta,
            },
        )

    def gradebook_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = _course_for(request, course_id, Action.VIEW_ALL_GRADES)
        services.grades_settle(course=course, now=timezone.now())
        snapshot = selectors.snapshot_of(course)
        specs = _specs(course)
        rows = selectors.snapshot_rows(snapshot)
        order = request.GET.get("o", "name")
        shown = selectors.filter_sort_rows(
            rows,
            q=request.GET.get("q", ""),
            letter=request.GET.get("letter", ""),
            missing=request.GET.get("missing", ""),
            order=order,
        )
        page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("p"))
        letters = [s.letter for s in selectors.load_scale(course)]
        query = request.GET.copy()
        query.pop("o", None)
        distributions = presenters.gradebook_charts(rows, specs, letters)
        wanted = request.GET.get("csv")
        if wanted is not None:
            return chart_csv(distributions, wanted, f"{course.code}-gradebook")
        columns = (
            [("name", _("Student")), ("student_id", _("Student id"))]
            + [(f"c:{s.key}", f"{s.label} ({s.weight}%)") for s in specs]
            + [("so_far", _("So far")), ("final", _("Final")), ("letter", _("Letter"))]
        )
        return render(
            request,
            "admin/grading/gradebook.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Gradebook of %(code)s") % {"code": course.code},
                "course": course,
                "snapshot": snapshot,
                "specs": specs,
                "page": page,
                "page_rows": [_with_cells(r, specs) for r in page.object_list],
                "total": len(rows),
                "shown": len(shown),
                "letters": letters,
                "columns": [
                    (key, label, ("-" + key) if order == key else key, order.lstrip("-") == key)
                    for key, label in columns
                ],
                "base_query": query.urlencode(),
                "q": request.GET.get("q", ""),
                "letter": request.GET.get("letter", ""),
                "missing": request.GET.get("missing", ""),
                "can_grade": can(request.user, Action.GRADE, course),
                "distributions": distributions,
                "can_release": can(request.user, Action.MANAGE_COURSE, course),
                "releases": _releases(course, specs),
                "opts": self.model._meta,
            },
        )

    def release_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        """The instructor releases (or withdraws) the final grade or a component: released
        grades go to the LMS gradebook."""
        course = _course_for(request, course_id, Action.MANAGE_COURSE)
        if request.method != "POST":
            return redirect("admin:grading_gradebook", course.pk)
        key = request.POST.get("component", "")
        labels = _releases(course, _specs(course))
        if key not in labels:
            messages.error(
                request, _("component: no such grade in this course: %(key)s") % {"key": key}
            )
            return redirect("admin:grading_gradebook", course.pk)
        released = request.POST.get("released") == "1"
        services.grade_release_set(
            course=course,
            component_key=key,
            released=released,
            actor=request.user,
            now=timezone.now(),
        )
        label = labels[key][0]
        messages.success(
            request,
            (
                _("%(grade)s released: it goes to the LMS gradebook after each recompute.")
                if released
                else _("%(grade)s withdrawn: it is no longer sent to the LMS gradebook.")
            )
            % {"grade": label},
        )
        return redirect("admin:grading_gradebook", course.pk)

    def student_view(self, request: HttpRequest, course_id: int, user_id: int) -> HttpResponse:
        course = _course_for(request, course_id, Action.VIEW_ALL_GRADES)
        person = get_user_model().objects.filter(pk=user_id).first()
        if person is None or not is_registered_student(person, course):
            raise PermissionDenied
        choices = [(s.key, s.label) for s in _specs(course)]
        override_form = OverrideForm(components=choices, prefix="ov")
        excusal_form = ExcusalForm(components=choices, prefix="ex")
        if request.method == "POST":
            if not can(request.user, Action.GRADE, course):
                raise PermissionDenied
            if "ov-target" in request.POST:
                override_form = OverrideForm(request.POST, components=choices, prefix="ov")
                if override_form.is_valid():
                    target = override_form.cleaned_data["target"]
                    try:
                        services.override_set(
                            course=course,
                            student_id=user_id,
                            component_key=FINAL if target == FINAL_CHOICE else target,
                            value=override_form.cleaned_data["value"],
                            reason=override_form.cleaned_data["reason"],
                            actor=request.user,
                        )
                    except services.GradingError as exc:
                        override_form.add_error(
                            exc.field if exc.field in override_form.fields else None, exc.message
                        )
                    else:
                        messages.success(
                            request,
                            _("Override saved; the course's gradebook is being recomputed."),
                        )
                        return HttpResponseRedirect(request.path)
            else:
                excusal_form = ExcusalForm(request.POST, components=choices, prefix="ex")
                if excusal_form.is_valid():
                    key = excusal_form.cleaned_data["component_key"]
                    if excusal_form.cleaned_data["excused"]:
                        services.excusal_set(
                            course=course,
                            student_id=user_id,
                            component_key=key,
                            reason=excusal_form.cleaned_data["reason"],
                            actor=request.user,
                        )
                    else:
                        services.excusal_remove(
                            course=course, student_id=user_id, component_key=key
                        )
                    messages.success(
                        request, _("Excusal saved; the course's gradebook is being recomputed.")
                    )
                    return HttpResponseRedirect(request.path)
        # This student's grade from the live inputs, with what was just saved; the course's
        # table is recomputed by the worker the services queued, not in this request.
        report = selectors.student_report(course, user_id, timezone.now())
        if report is None:
            raise PermissionDenied
        student, grade = report.student, report.grade
        return render(
            request,
            "admin/grading/student.html",
            {
                **self.admin_site.each_context(request),
                "title": _("%(name)s — %(code)s") % {"name": student.name, "code": course.code},
                "course": course,
                "student": student,
                "grade": grade,
                "override_form": override_form,
                "excusal_form": excusal_form,
                "log": selectors.audit_log(course, user_id),
                "can_grade": can(request.user, Action.GRADE, course),
                "opts": self.model._meta,
            },
        )

    def recompute_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = _course_for(request, course_id, Action.GRADE)
        if request.method != "POST":
            return redirect("admin:grading_gradebook", course.pk)
        result = services.gradebook_recompute(course=course)
        messages.success(
            request,
            ngettext(
                "Gradebook recomputed for %(n)d student in %(ms)d ms.",
                "Gradebook recomputed for %(n)d students in %(ms)d ms.",
                result.students,
            )
            % {"n": result.students, "ms": result.duration_ms},
        )
        return redirect("admin:grading_gradebook", course.pk)

    def _rows_for_export(
        self, request: HttpRequest, course_id: int
    ) -> tuple[Course, list[Any], list[Any]]:
        course = _course_for(request, course_id, Action.VIEW_ALL_GRADES)
        services.grades_settle(course=course, now=timezone.now())
        snapshot = selectors.snapshot_of(course)
        rows = selectors.filter_sort_rows(selectors.snapshot_rows(snapshot), order="name")
        return course, rows, _specs(course)

    def export_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course, rows, specs = self._rows_for_export(request, course_id)
        response = HttpResponse(
            exports.gradebook_csv(rows, specs), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{course.code.lower()}-gradebook.csv"'
        )
        return response

    def moodle_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course, rows, specs = self._rows_for_export(request, course_id)
        key = request.GET.get("key", "email")
        response = HttpResponse(
            exports.moodle_csv(rows, specs, key), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{course.code.lower()}-moodle-grades.csv"'
        )
        return response

    def import_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = _course_for(request, course_id, Action.GRADE)
        exams = [(s.key, s.label) for s in _specs(course) if s.source == "exam"]
        errors: list[Any] = []
        if request.method == "POST":
            form = ExamImportForm(request.POST, request.FILES, exams=exams)
            if form.is_valid():
                report = services.exam_scores_import_csv(
                    course=course,
                    text=form.cleaned_data["file"],
                    component_key=form.cleaned_data["component_key"],
                )
                if not report.errors:
                    messages.success(
                        request,
                        ngettext(
                            "%(n)d exam score imported.",
                            "%(n)d exam scores imported.",
                            report.applied,
                        )
                        % {"n": report.applied},
                    )
                    return redirect("admin:grading_gradebook", course.pk)
                errors = report.errors
                messages.error(request, _("Nothing was imported: fix these rows and upload again."))
        else:
            form = ExamImportForm(exams=exams)
        return render(
            request,
            "admin/grading/import_exams.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Import exam scores of %(code)s") % {"code": course.code},
                "course": course,
                "form": form,
                "errors": errors,
                "opts": self.model._meta,
            },
        )
