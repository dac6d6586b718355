"""The scribing pages: thin edges over scribing.services and scribing.selectors."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from course.deadlines import selectors as deadline_selectors
from course.decorators import course_view
from course.models import Course
from course.permissions import Action, can, is_registered_student
from course.uploads.responses import private_file_response

from . import rules, selectors, services
from .forms import ExtensionRequestForm, NotesForm, UnavailableForm
from .models import NotesSubmission, ScribeSlot

TEMPLATE_TEX = Path(__file__).parent / "static" / "scribing" / "scribe-template.tex"


def _require_scribing(request: HttpRequest, course: Course) -> None:
    if not (
        can(request.user, Action.SUBMIT_WORK, course)
        or can(request.user, Action.VIEW_STUDENT_WORK, course)
    ):
        raise PermissionDenied


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _page_context(request: HttpRequest, course: Course, **forms: Any) -> dict[str, Any]:
    now = timezone.now()
    policy = selectors.scribing_policy(course)
    user = request.user
    assignment = selectors.assignment_of(course, user)
    ctx: dict[str, Any] = {
        "rows": selectors.slot_rows(course, user, now),
        "policy": policy,
        "assignment": assignment,
        "unavailable": selectors.unavailable_dates(course, user),
        "unavailable_form": forms.get("unavailable_form") or UnavailableForm(),
        "notes_form": forms.get("notes_form") or NotesForm(),
        "extension_form": forms.get("extension_form") or ExtensionRequestForm(),
        "extension_requests": deadline_selectors.extension_requests_of(course, user),
        "may_sign_up": is_registered_student(user, course),
        "now": now,
        "may_swap": True,
    }
    if assignment is not None:
        session = assignment.slot.session
        due = selectors.student_due(course, session, user.pk, policy)
        submissions = list(selectors.submissions_of(assignment.slot))
        latest = submissions[0] if submissions else None
        ctx.update(
            {
                "due_at": due,
                "base_due_at": selectors.base_due(course, session, policy),
                "if_now": selectors.lateness_at(course, due, policy, now),
                "submissions": submissions,
                # What each version's penalty is now: an extension granted later lowers it.
                "versions": [
                    (s, selectors.version_lateness(s, due, course.time_zone, policy))
                    for s in submissions
                ],
                "latest": latest,
                "score": selectors.score_for(assignment, latest, due, course.time_zone, policy),
                "closed": latest is not None and latest.raw_score is not None,
                "may_swap": not submissions
                and now
                < rules.change_deadline(
                    session.starts_at, change_cutoff_days=policy.change_cutoff_days
                ),
                "may_change_mine": now
                < rules.change_deadline(
                    session.starts_at, change_cutoff_days=policy.change_cutoff_days
                ),
            }
        )
    return ctx


def _render(
    request: HttpRequest, course: Course, ctx: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render with dates shown on the course's clock (due dates are set in its time zone)."""
    with timezone.override(ZoneInfo(course.time_zone)):
        return render(request, "scribing/scribing.html", ctx, status=status)


@course_view(Action.VIEW_COURSE)
def scribing_page(request: HttpRequest, course: Course) -> HttpResponse:
    _require_scribing(request, course)
    return _render(request, course, _page_context(request, course))


@require_POST
@course_view(Action.SUBMIT_WORK)
def slot_claim(request: HttpRequest, course: Course, pk: int) -> HttpResponse:
    slot = get_object_or_404(ScribeSlot.objects.select_related("course"), pk=pk, course=course)
    try:
        services.scribe_slot_claim(slot=slot, student=request.user, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("scribing", code=course.code)
    messages.success(request, _("You scribe lecture %(n)d.") % {"n": slot.session.number})
    return redirect("scribing", code=course.code)


@require_POST
@course_view(Action.SUBMIT_WORK)
def slot_drop(request: HttpRequest, course: Course) -> HttpResponse:
    assignment = selectors.assignment_of(course, request.user)
    if assignment is None:
        messages.error(request, _("You have no lecture to drop."))
        return redirect("scribing", code=course.code)
    try:
        services.scribe_slot_release(assignment=assignment, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("You no longer scribe that lecture."))
    return redirect("scribing", code=course.code)


@require_POST
@course_view(Action.SUBMIT_WORK)
def unavailable(request: HttpRequest, course: Course) -> HttpResponse:
    if "remove" in request.POST:
        form = UnavailableForm({"date": request.POST.get("remove")})
        if form.is_valid():
            services.unavailability_remove(
                course=course, student=request.user, day=form.cleaned_data["date"]
            )
        return redirect("scribing", code=course.code)
    form = UnavailableForm(request.POST)
    if form.is_valid():
        try:
            services.unavailability_add(
                course=course, student=request.user, day=form.cleaned_data["date"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
    if not form.is_valid():
        ctx = _page_context(request, course, unavailable_form=form)
        return _render(request, course, ctx, status=400)
    return redirect("scribing", code=course.code)


@require_POST
@course_view(Action.SUBMIT_WORK)
def submit_notes(request: HttpRequest, course: Course) -> HttpResponse:
    assignment = selectors.assignment_of(course, request.user)
    form = NotesForm(request.POST, request.FILES)
    if assignment is None:
        form.add_error(None, _("You have no lecture to scribe."))
    if assignment is not None and form.is_valid():
        try:
            sub = services.notes_submit(
                slot=assignment.slot,
                student=request.user,
                tex=form.cleaned_data["tex_file"],
                zip_file=form.cleaned_data.get("zip_file"),
                pdf=form.cleaned_data.get("pdf_file"),
                now=timezone.now(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if sub.penalty_percent:
                messages.warning(
                    request,
                    _("Version %(v)d received, late: %(p)s%% penalty.")
                    % {"v": sub.version, "p": f"{sub.penalty_percent.normalize():f}"},
                )
            else:
                messages.success(
                    request, _("Version %(v)d received, on time.") % {"v": sub.version}
                )
            return redirect("scribing", code=course.code)
    ctx = _page_context(request, course, notes_form=form)
    return _render(request, course, ctx, status=400)


@require_GET
@course_view(Action.SUBMIT_WORK)
def lateness_preview(request: HttpRequest, course: Course) -> JsonResponse:
    """What a submission right now would be: on time or late, and the penalty (server time)."""
    assignment = selectors.assignment_of(course, request.user)
    if assignment is None:
        return JsonResponse({"detail": _("You have no lecture to scribe.")}, status=404)
    policy = selectors.scribing_policy(course)
    due = selectors.student_due(course, assignment.slot.session, request.user.pk, policy)
    lat = selectors.lateness_at(course, due, policy, timezone.now())
    return JsonResponse(
        {
            "due_at": due.isoformat(),
            "is_late": lat.is_late,
            "accepted": lat.accepted,
            "penalty_percent": str(lat.penalty_percent),
            "message": _lateness_message(lat),
        }
    )


def _lateness_message(lat: Any) -> str:
    if not lat.accepted:
        return _("The cut-off has passed: a submission would not be accepted.")
    if lat.is_late:
        return _("If you submit now it will be late: %(p)s%% penalty.") % {
            "p": f"{lat.penalty_percent.normalize():f}"
        }
    return _("If you submit now it will be on time.")


@require_POST
@course_view(Action.SUBMIT_WORK)
def request_extension(request: HttpRequest, course: Course) -> HttpResponse:
    assignment = selectors.assignment_of(course, request.user)
    form = ExtensionRequestForm(request.POST)
    if assignment is None:
        form.add_error(None, _("You have no lecture to scribe."))
    if assignment is not None and form.is_valid():
        asked = form.cleaned_data.get("requested_due_at")
        if asked is not None:  # typed on the course's clock, whatever the site's zone
            asked = timezone.make_aware(timezone.make_naive(asked), ZoneInfo(course.time_zone))
        try:
            services.extension_request(
                assignment=assignment,
                reason=form.cleaned_data["reason"],
                requested_due_at=asked,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your request was sent to the instructor."))
            return redirect("scribing", code=course.code)
    ctx = _page_context(request, course, extension_form=form)
    return _render(request, course, ctx, status=400)


@require_GET
@course_view(Action.VIEW_COURSE)
def latex_template(request: HttpRequest, course: Course) -> FileResponse:
    return FileResponse(
        TEMPLATE_TEX.open("rb"),
        as_attachment=True,
        filename=f"{course.code.lower()}-scribe-template.tex",
        content_type="text/x-tex; charset=utf-8",
    )


@require_GET
@course_view(Action.VIEW_COURSE)
def notes_file(request: HttpRequest, course: Course, pk: int, kind: str) -> FileResponse:
    sub = get_object_or_404(
        NotesSubmission.objects.select_related("slot__session"), pk=pk, slot__course=course
    )
    if not selectors.may_download(request.user, sub, course):
        raise PermissionDenied
    field = {"tex": sub.tex_file, "zip": sub.zip_file, "pdf": sub.pdf_file}.get(kind)
    if not field:
        raise Http404
    name = f"{course.code.lower()}-lecture{sub.slot.session.number:02d}-v{sub.version}.{kind}"
    return private_file_response(field, download_name=name, inline=kind == "pdf")
