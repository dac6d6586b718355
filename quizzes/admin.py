"""Instructor tools in the admin: quizzes with inline questions, live counts, statistics, CSV
export, grading of text answers, accommodations. Saving questions or choices regrades the quiz
(a Celery task queued on commit)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from course.admin_scoping import (
    CourseScopedAdminMixin,
    CourseScopedInlineMixin,
    allowed_course_ids,
)
from course.models import Course
from course.permissions import Action
from course.spreadsheet import chart_csv, csv_writer

from . import presenters, rules, scores, selectors, services
from .models import Accommodation, Answer, Attempt, Choice, Question, Quiz, RegradeRequest


def _queue_regrade(request: HttpRequest, quiz_id: int) -> None:
    def tell(queued: bool) -> None:
        if not queued:
            messages.warning(
                request,
                _(
                    "The regrade of the submitted attempts could not be queued: the background "
                    "worker is unreachable. It will run by itself once the worker is back."
                ),
            )

    services.quiz_regrade_schedule(quiz_id=quiz_id, now=timezone.now(), then=tell)


class QuestionForm(forms.ModelForm):
    """Parameter ranges and the answer formula checked as they are typed, with the field named."""

    class Meta:
        model = Question
        fields = [
            "quiz",
            "order",
            "kind",
            "prompt",
            "points",
            "numeric_answer",
            "numeric_tolerance",
            "explanation",
            "pool",
            "parameters",
            "answer_formula",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            params = rules.parse_parameters(data.get("parameters"))
        except rules.VariantError as exc:
            self.add_error("parameters", exc.message)
            return data
        formula = (data.get("answer_formula") or "").strip()
        kind = data.get("kind")
        if params and kind != Question.Kind.NUMERIC and not formula:
            # A parametrised prompt of another kind is fine: the values are only shown.
            return data
        if formula:
            if kind != Question.Kind.NUMERIC:
                self.add_error("answer_formula", _("Only a numeric question has a formula."))
                return data
            try:
                rules.check_formula(formula, params)
            except rules.VariantError as exc:
                self.add_error(
                    "parameters" if exc.field.startswith("parameters") else "answer_formula",
                    exc.message,
                )
        elif params and data.get("numeric_answer") is None:
            self.add_error(
                "answer_formula",
                _("A numeric question with parameters needs a formula for its answer."),
            )
        return data


class QuestionInline(CourseScopedInlineMixin, admin.StackedInline):
    model = Question
    form = QuestionForm
    course_path = "quiz__course"
    extra = 0
    fields = [
        ("order", "kind", "points", "pool"),
        "prompt",
        ("numeric_answer", "numeric_tolerance"),
        ("parameters", "answer_formula"),
        "explanation",
        "edit_choices",
    ]
    readonly_fields = ["edit_choices"]
    ordering = ["order"]
    show_change_link = True

    @admin.display(description=_("choices"))
    def edit_choices(self, obj: Question) -> str:
        if not obj.pk:
            return str(_("Save first, then edit the choices."))
        url = reverse("admin:quizzes_question_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Edit the choices"))


class AccommodationInline(CourseScopedInlineMixin, admin.TabularInline):
    model = Accommodation
    course_path = "quiz__course"
    extra = 0
    autocomplete_fields = ["student"]


@admin.register(Quiz)
class QuizAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    course_path = "course"
    list_display = [
        "title",
        "session",
        "opens_at",
        "is_self_assessment",
        "opened",
        "answering",
        "submitted",
        "tools",
    ]
    list_filter = ["course", "is_self_assessment"]
    search_fields = ["title"]
    autocomplete_fields = ["session"]
    inlines = [QuestionInline, AccommodationInline]
    fieldsets = [
        (None, {"fields": ["session", "title", "is_self_assessment"]}),
        (
            _("Timing"),
            {"fields": [("opens_at", "closes_at"), ("duration_seconds", "grace_seconds")]},
        ),
        (_("Rules"), {"fields": ["requires_access_code", "show_answers_after_close"]}),
        (_("Variants"), {"fields": [("shuffle_questions", "shuffle_choices")]}),
        (
            _("Results and regrades"),
            {"fields": [("release_policy", "released_at"), "regrade_window_days"]},
        ),
    ]
    readonly_fields = ["released_at"]
    actions = ["release_results"]

    @admin.action(
        description=_("Release the results of the selected quizzes"), permissions=["change"]
    )
    def release_results(self, request: HttpRequest, queryset: QuerySet[Quiz]) -> None:
        released = 0
        for quiz in queryset:
            if not self.has_change_permission(request, quiz):
                continue
            try:
                services.quiz_release(quiz=quiz, now=timezone.now())
                released += 1
            except services.QuizError as exc:
                messages.error(request, f"{quiz}: {exc.message}")
        if released:
            messages.success(
                request,
                ngettext(
                    "Results released for %(n)d quiz.",
                    "Results released for %(n)d quizzes.",
                    released,
                )
                % {"n": released},
            )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quiz]:
        return selectors.live_counts(super().get_queryset(request).select_related("session"))

    @admin.display(description=_("opened"), ordering="n_opened")
    def opened(self, obj: Any) -> int:
        return obj.n_opened

    @admin.display(description=_("answering"), ordering="n_answering")
    def answering(self, obj: Any) -> int:
        return obj.n_answering

    @admin.display(description=_("submitted"), ordering="n_submitted")
    def submitted(self, obj: Any) -> int:
        return obj.n_submitted

    @admin.display(description=_("tools"))
    def tools(self, obj: Quiz) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:quizzes_quiz_stats", args=[obj.pk]),
            _("statistics"),
            reverse("admin:quizzes_quiz_live", args=[obj.pk]),
            _("live"),
            reverse("admin:quizzes_quiz_export", args=[obj.pk]),
            _("CSV"),
        )

    def save_model(self, request: HttpRequest, obj: Quiz, form: Any, change: bool) -> None:
        obj.course = obj.session.course  # the quiz belongs to its session's course
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        for formset in formsets:
            if formset.model is Accommodation:
                changed = [obj for obj, _fields in formset.changed_objects]
                for acc in [*formset.new_objects, *changed]:
                    services.accommodation_applied(accommodation=acc)
        if change:
            _queue_regrade(request, form.instance.pk)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/statistics/", view(self.stats_view), name="quizzes_quiz_stats"),
            path("<int:pk>/live/", view(self.live_view), name="quizzes_quiz_live"),
            path("<int:pk>/live.json", view(self.live_json_view), name="quizzes_quiz_live_json"),
            path("term/<int:course_id>/", view(self.term_view), name="quizzes_quiz_term"),
            path("<int:pk>/export.csv", view(self.export_view), name="quizzes_quiz_export"),
            *super().get_urls(),
        ]

    def _viewable_quiz(self, request: HttpRequest, pk: int) -> Quiz | None:
        quiz = self.scoped_object_or_404(
            request, Quiz.objects.select_related("session", "course"), pk=pk
        )
        return quiz if self.has_view_permission(request, quiz) else None

    def stats_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        quiz = self._viewable_quiz(request, pk)
        if quiz is None:
            return HttpResponseRedirect(reverse("admin:index"))
        services.close_overdue(now=timezone.now(), quiz_id=quiz.pk)
        page = presenters.statistics_page(selectors.quiz_statistics(quiz))
        wanted = request.GET.get("csv")
        if wanted is not None:
            return chart_csv(page["charts"], wanted, f"quiz-{quiz.pk}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "quiz": quiz,
            "title": _("Statistics: %(quiz)s") % {"quiz": quiz},
            "live": selectors.live_view(quiz),
            **page,
        }
        return TemplateResponse(request, "quizzes/admin_stats.html", context)

    def live_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        quiz = self._viewable_quiz(request, pk)
        if quiz is None:
            return HttpResponseRedirect(reverse("admin:index"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "quiz": quiz,
            "title": _("Live: %(quiz)s") % {"quiz": quiz},
            "live": selectors.live_view(quiz),
        }
        return TemplateResponse(request, "quizzes/admin_live.html", context)

    def live_json_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        quiz = self._viewable_quiz(request, pk)
        if quiz is None:
            raise PermissionDenied
        live = selectors.live_view(quiz)
        return JsonResponse(
            {
                "opened": live.opened,
                "answering": live.answering,
                "submitted": live.submitted,
                "questions": [
                    {"id": q.question.pk, "answered": q.answered} for q in live.questions
                ],
            }
        )

    def term_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        ids = allowed_course_ids(request, Action.VIEW_ALL_GRADES)
        if ids is not None and course_id not in ids:
            raise PermissionDenied
        course = get_object_or_404(Course, pk=course_id)
        items = scores.gradebook_items(course, timezone.now())
        try:
            student_id = int(request.GET.get("student", ""))
        except ValueError:
            student_id = None
        page = presenters.term_page(selectors.term_view(course, items), student_id)
        wanted = request.GET.get("csv")
        if wanted is not None:
            return chart_csv(page["charts"], wanted, f"{course.code}-quizzes")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "course": course,
            "title": _("Quizzes of the term: %(code)s") % {"code": course.code},
            **page,
        }
        return TemplateResponse(request, "quizzes/admin_term.html", context)

    def export_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        quiz = self.scoped_object_or_404(request, Quiz.objects.all(), pk=pk)
        if not self.has_view_permission(request, quiz):
            return HttpResponseRedirect(reverse("admin:index"))
        questions, attempts = selectors.attempts_for_export(quiz)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="quiz-{quiz.pk}-attempts.csv"'
        writer = csv_writer(response)
        writer.writerow(
            [
                "username",
                "name",
                "started_at",
                "submitted_at",
                "by_timeout",
                "practice",
                "points",
                "points_possible",
                "percent",
                *[f"q{i + 1}_answer" for i in range(len(questions))],
                *[f"q{i + 1}_points" for i in range(len(questions))],
            ]
        )
        for a in attempts:
            answers = {x.question_id: x for x in a.answers.all()}
            writer.writerow(
                [
                    a.student.username,
                    a.student.get_full_name(),
                    a.started_at.isoformat(),
                    a.submitted_at.isoformat() if a.submitted_at else "",
                    a.submitted_by_timeout,
                    a.is_practice,
                    a.points if a.points is not None else "",
                    a.points_possible,
                    a.percent if a.percent is not None else "",
                    *[answers[q.pk].value if q.pk in answers else "" for q in questions],
                    *[
                        answers[q.pk].points
                        if q.pk in answers and answers[q.pk].points is not None
                        else ""
                        for q in questions
                    ],
                ]
            )
        return response


class ChoiceInline(CourseScopedInlineMixin, admin.TabularInline):
    model = Choice
    course_path = "question__quiz__course"
    extra = 2
    ordering = ["order"]


@admin.register(Question)
class QuestionAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    form = QuestionForm
    course_path = "quiz__course"
    list_display = ["__str__", "quiz", "kind", "points"]
    list_filter = ["kind", "quiz__course"]
    search_fields = ["prompt", "quiz__title"]
    inlines = [ChoiceInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        _queue_regrade(request, form.instance.quiz_id)


class AnswerInline(CourseScopedInlineMixin, admin.TabularInline):
    model = Answer
    course_path = "attempt__quiz__course"
    extra = 0
    fields = ["question", "value", "saved_at", "points", "graded_by"]
    readonly_fields = ["question", "value", "saved_at", "graded_by"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # answers are the student's, saved as they take the quiz


@admin.register(Attempt)
class AttemptAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    course_path = "quiz__course"
    list_display = [
        "student",
        "quiz",
        "started_at",
        "submitted_at",
        "submitted_by_timeout",
        "percent",
        "needs_manual_grading",
        "is_practice",
    ]
    list_filter = ["needs_manual_grading", "is_practice", "quiz__course", "quiz"]
    search_fields = ["student__username", "student__last_name", "quiz__title"]
    readonly_fields = ["quiz", "student", "started_at", "deadline", "points", "percent"]
    inlines = [AnswerInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an attempt starts when the student starts the quiz

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Points typed for text answers go through the grading service (totals follow)."""
        if formset.model is not Answer:
            return super().save_formset(request, form, formset, change)
        # Saves nothing itself; it lists the changed rows for the admin's history message.
        formset.save(commit=False)
        for inline_form in formset.forms:
            if not inline_form.has_changed() or "points" not in inline_form.changed_data:
                continue
            answer = inline_form.instance
            points = inline_form.cleaned_data.get("points")
            if points is None:
                continue
            try:
                services.answer_grade(answer=answer, points=points, grader=request.user)
            except services.QuizError as exc:
                messages.error(request, str(exc.message))


@admin.register(Answer)
class AnswerAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    """The text answers waiting for a grade: filter "to grade", type the points."""

    course_path = "attempt__quiz__course"

    list_display = ["attempt", "question", "short_value", "points", "graded_by"]
    list_editable = ["points"]
    list_filter = [("points", admin.EmptyFieldListFilter), "question__kind", "attempt__quiz"]
    search_fields = ["attempt__student__username", "question__prompt"]
    readonly_fields = ["attempt", "question", "value", "saved_at", "graded_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # answers are the student's, saved as they take the quiz

    def get_queryset(self, request: HttpRequest) -> QuerySet[Answer]:
        return (
            super()
            .get_queryset(request)
            .select_related("attempt__student", "attempt__quiz__session", "question", "graded_by")
        )

    @admin.display(description=_("answer"))
    def short_value(self, obj: Answer) -> str:
        return str(obj.value)[:120]

    def save_model(self, request: HttpRequest, obj: Answer, form: Any, change: bool) -> None:
        points = obj.points
        if points is None:
            return super().save_model(request, obj, form, change)
        try:
            services.answer_grade(answer=obj, points=Decimal(points), grader=request.user)
        except (services.QuizError, InvalidOperation) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))


@admin.register(Accommodation)
class AccommodationAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    course_path = "quiz__course"
    list_display = ["student", "quiz", "extra_seconds", "opens_at", "closes_at", "excused"]
    list_filter = ["excused", "quiz__course"]
    autocomplete_fields = ["student", "quiz"]
    search_fields = ["student__username", "quiz__title"]

    def save_model(self, request: HttpRequest, obj: Accommodation, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.accommodation_applied(accommodation=obj)


class RegradeAnswerForm(forms.ModelForm):
    """The staff's answer to a regrade request: accept with new points, or decline with a reply."""

    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[
            (RegradeRequest.Status.ACCEPTED, _("accept, with the new points below")),
            (RegradeRequest.Status.DECLINED, _("decline, with the reply below")),
        ],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = RegradeRequest
        fields = ["new_points", "reply"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.status != RegradeRequest.Status.OPEN:
            self.fields["decision"].initial = self.instance.status

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        points = data.get("new_points")
        if decision == RegradeRequest.Status.ACCEPTED:
            if points is None:
                self.add_error("new_points", _("Give the new points of the question."))
            elif points < 0 or points > self.instance.question.points:
                self.add_error(
                    "new_points", _("Points must be between 0 and the question's points.")
                )
        elif decision == RegradeRequest.Status.DECLINED and not (data.get("reply") or "").strip():
            self.add_error("reply", _("Say why the request is declined."))
        return data


@admin.register(RegradeRequest)
class RegradeRequestAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    """Students' regrade requests; the answer regrades the attempt and notifies the student."""

    form = RegradeAnswerForm
    course_path = "attempt__quiz__course"
    list_display = ["student", "quiz", "question", "created_at", "status", "answered_by"]
    list_filter = ["status", "attempt__quiz__course", "attempt__quiz"]
    search_fields = ["attempt__student__username", "attempt__student__last_name", "reason"]
    readonly_fields = [
        "student",
        "quiz",
        "question",
        "student_answer",
        "points_before",
        "reason",
        "created_at",
        "status",
        "answered_by",
        "answered_at",
    ]
    fieldsets = [
        (
            _("The request"),
            {
                "fields": [
                    ("student", "quiz"),
                    "question",
                    ("student_answer", "points_before"),
                    "reason",
                    "created_at",
                ]
            },
        ),
        (
            _("The answer"),
            {
                "fields": [
                    "decision",
                    "new_points",
                    "reply",
                    ("status", "answered_by", "answered_at"),
                ]
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a student files it from the result page

    def get_queryset(self, request: HttpRequest) -> QuerySet[RegradeRequest]:
        return (
            super()
            .get_queryset(request)
            .select_related("attempt__student", "attempt__quiz__session", "question", "answered_by")
        )

    @admin.display(description=_("student"))
    def student(self, obj: RegradeRequest) -> Any:
        return obj.attempt.student

    @admin.display(description=_("quiz"))
    def quiz(self, obj: RegradeRequest) -> Any:
        return obj.attempt.quiz

    @admin.display(description=_("answer given"))
    def student_answer(self, obj: RegradeRequest) -> str:
        answer = Answer.objects.filter(
            attempt_id=obj.attempt_id, question_id=obj.question_id
        ).first()
        if answer is None or answer.value is None:
            return "—"
        if isinstance(answer.value, int | list) and obj.question.kind in ("single", "multiple"):
            picked = answer.value if isinstance(answer.value, list) else [answer.value]
            texts = dict(Choice.objects.filter(pk__in=picked).values_list("pk", "text"))
            return "; ".join(texts.get(p, str(p)) for p in picked)
        return str(answer.value)[:500]

    @admin.display(description=_("points given"))
    def points_before(self, obj: RegradeRequest) -> str:
        answer = Answer.objects.filter(
            attempt_id=obj.attempt_id, question_id=obj.question_id
        ).first()
        points = answer.points if answer is not None else None
        return f"{points if points is not None else '—'} / {obj.question.points}"

    def save_model(
        self, request: HttpRequest, obj: RegradeRequest, form: Any, change: bool
    ) -> None:
        try:
            services.regrade_request_answer(
                request=obj,
                accept=form.cleaned_data["decision"] == RegradeRequest.Status.ACCEPTED,
                reply=form.cleaned_data.get("reply", ""),
                new_points=form.cleaned_data.get("new_points"),
                staff=request.user,
                now=timezone.now(),
            )
        except services.QuizError as exc:
            messages.error(request, str(exc.message))
