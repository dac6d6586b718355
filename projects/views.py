"""Student pages: pairs and paper presentations, the research-project team. Thin: each POST
calls one service; a refused write re-renders the page with the message and status 400."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from course.decorators import course_view
from course.models import Course
from course.permissions import Action, can
from course.selectors import course_policy
from course.uploads.responses import private_file_response

from . import selectors, services
from .forms import InviteForm, MilestoneSubmitForm, ProposalForm, SlidesForm, TeamChoiceForm
from .models import (
    GroupKind,
    Invitation,
    Milestone,
    MilestoneSubmission,
    Slides,
    TalkSlot,
)
from .policy import PresentationPolicy, ProjectPolicy

PAGE_FOR_KIND: dict[str, str] = {
    GroupKind.PRESENTATION: "projects_presentations",
    GroupKind.PROJECT: "projects_team",
}


def _errors(form: Any, exc: ValidationError) -> None:
    for field, msgs in exc.message_dict.items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)


def _invite_form(course: Course, kind: str, user: Any, data: Any = None) -> InviteForm:
    students = selectors.unpaired_students(course, kind).exclude(pk=user.pk)
    return InviteForm(data, students=students, prefix=kind)


def _group_context(
    request: HttpRequest, course: Course, kind: str, *, now: Any, **forms: Any
) -> dict[str, Any]:
    """What both group pages share: the policy of the kind, the group, the invitations."""
    policy_type = PresentationPolicy if kind == GroupKind.PRESENTATION else ProjectPolicy
    return {
        "course": course,
        "policy": course_policy(course, policy_type),
        **selectors.group_page(course, kind, request.user),
        "invite_form": forms.get("invite_form") or _invite_form(course, kind, request.user),
        "errors": forms.get("errors", []),
        "now": now,
    }


def _presentations_page(
    request: HttpRequest, course: Course, status: int = 200, **forms: Any
) -> HttpResponse:
    kind = GroupKind.PRESENTATION
    ctx = _group_context(request, course, kind, now=timezone.now(), **forms)
    if ctx["group"] is not None:
        ctx.update(
            selectors.presentation_page(
                course, ctx["group"], ctx["members"], request.user, ctx["now"]
            )
        )
        ctx["proposal_form"] = forms.get("proposal_form") or ProposalForm(course=course)
        ctx["slides_form"] = forms.get("slides_form") or SlidesForm()
    return render(request, "projects/presentations.html", ctx, status=status)


@require_GET
@course_view(Action.SUBMIT_WORK, Action.VIEW_STUDENT_WORK)
def presentations(request: HttpRequest, course: Course) -> HttpResponse:
    if can(request.user, Action.VIEW_STUDENT_WORK, course):
        return render(
            request,
            "projects/presentations_staff.html",
            {
                "policy": course_policy(course, PresentationPolicy),
                "data": selectors.class_presentations(course),
                "now": timezone.now(),
            },
        )
    return _presentations_page(request, course)


def _team_page(
    request: HttpRequest, course: Course, status: int = 200, **forms: Any
) -> HttpResponse:
    kind = GroupKind.PROJECT
    ctx = _group_context(request, course, kind, now=timezone.now(), **forms)
    ctx["milestones"] = list(selectors.milestones_of(course))
    group = ctx["group"]
    if group is not None:
        policy = ctx["policy"]
        ctx.update(selectors.team_page(course, group, ctx["now"]))
        ctx["choice_form"] = forms.get("choice_form") or TeamChoiceForm(
            initial={
                "topic": group.topic,
                "project_kind": group.project_kind,
                "working_title": group.working_title,
            },
            topics=policy.topics,
            kinds=policy.kinds,
        )
        ctx["submit_forms"] = forms.get("submit_forms", {})
    return render(request, "projects/team.html", ctx, status=status)


@require_GET
@course_view(Action.SUBMIT_WORK, Action.VIEW_STUDENT_WORK)
def team(request: HttpRequest, course: Course) -> HttpResponse:
    if can(request.user, Action.VIEW_STUDENT_WORK, course):
        return render(
            request,
            "projects/team_staff.html",
            {
                "policy": course_policy(course, ProjectPolicy),
                "data": selectors.class_projects(course),
            },
        )
    return _team_page(request, course)


def _page(
    request: HttpRequest, course: Course, kind: str, status: int = 200, **forms: Any
) -> HttpResponse:
    if kind == GroupKind.PROJECT:
        return _team_page(request, course, status, **forms)
    return _presentations_page(request, course, status, **forms)


def _kind(kind: str) -> str:
    if kind not in GroupKind.values:
        raise Http404
    return kind


@require_POST
@course_view(Action.SUBMIT_WORK)
def invite(request: HttpRequest, course: Course, kind: str) -> HttpResponse:
    kind = _kind(kind)
    form = _invite_form(course, kind, request.user, request.POST)
    if form.is_valid():
        try:
            services.invitation_send(
                course=course,
                kind=kind,
                from_user=request.user,
                to_user=form.cleaned_data["to_user"],
                now=timezone.now(),
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Invitation sent."))
            return redirect(PAGE_FOR_KIND[kind], code=course.code)
    return _page(request, course, kind, 400, invite_form=form)


@require_POST
@course_view(Action.SUBMIT_WORK)
def invitation_answer(request: HttpRequest, course: Course, pk: int) -> HttpResponse:
    inv = get_object_or_404(
        Invitation, Q(to_user=request.user) | Q(from_user=request.user), pk=pk, course=course
    )
    answer = request.POST.get("answer", "")
    now = timezone.now()
    try:
        if answer == "accept":
            services.invitation_accept(invitation=inv, user=request.user, now=now)
            messages.success(request, _("You are now in a group."))
        elif answer == "decline":
            services.invitation_decline(invitation=inv, user=request.user, now=now)
            messages.info(request, _("Invitation declined."))
        elif answer == "cancel":
            services.invitation_cancel(invitation=inv, user=request.user, now=now)
            messages.info(request, _("Invitation withdrawn."))
        else:
            raise ValidationError({"answer": [_("Answer accept, decline or cancel.")]})
    except ValidationError as exc:
        errors = [m for msgs in exc.message_dict.values() for m in msgs]
        return _page(request, course, inv.kind, 400, errors=errors)
    return redirect(PAGE_FOR_KIND[inv.kind], code=course.code)


@require_POST
@course_view(Action.SUBMIT_WORK)
def group_leave(request: HttpRequest, course: Course, kind: str) -> HttpResponse:
    """The confirmed "Leave this group" button; a refusal re-renders the page with why (400)."""
    kind = _kind(kind)
    group = selectors.group_of(course, kind, request.user)
    if group is None:
        return _page(request, course, kind, 400, errors=[_("You are not in a group.")])
    if request.POST.get("confirm") != "yes":
        errors = [_("Confirm with the “Yes, leave this group” button.")]
        return _page(request, course, kind, 400, errors=errors)
    try:
        services.group_leave(group=group, user=request.user, now=timezone.now())
    except ValidationError as exc:
        errors = [m for msgs in exc.message_dict.values() for m in msgs]
        return _page(request, course, kind, 400, errors=errors)
    messages.success(request, _("You have left the group; you can invite someone else."))
    return redirect(PAGE_FOR_KIND[kind], code=course.code)


def _my_group(request: HttpRequest, course: Course, kind: str) -> Any:
    group = selectors.group_of(course, kind, request.user)
    if group is None:
        raise PermissionDenied
    return group


@require_POST
@course_view(Action.SUBMIT_WORK)
def propose(request: HttpRequest, course: Course) -> HttpResponse:
    group = _my_group(request, course, GroupKind.PRESENTATION)
    form = ProposalForm(request.POST, course=course)
    if form.is_valid():
        try:
            services.paper_propose(
                group=group,
                user=request.user,
                title=form.cleaned_data["title"],
                authors=form.cleaned_data["authors"],
                url=form.cleaned_data["url"],
                why=form.cleaned_data["why"],
                bib_entry=form.cleaned_data["bib_entry"],
                now=timezone.now(),
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Paper proposed; the instructor will answer."))
            return redirect("projects_presentations", code=course.code)
    return _presentations_page(request, course, 400, proposal_form=form)


@require_POST
@course_view(Action.SUBMIT_WORK)
def slot_pick(request: HttpRequest, course: Course, pk: int) -> HttpResponse:
    slot = get_object_or_404(TalkSlot, pk=pk, course=course)
    group = _my_group(request, course, slot.kind)
    try:
        services.talk_slot_pick(slot=slot, group=group, user=request.user, now=timezone.now())
    except ValidationError as exc:
        errors = [m for msgs in exc.message_dict.values() for m in msgs]
        taken = (
            TalkSlot.objects.filter(pk=slot.pk, group__isnull=False).exclude(group=group).exists()
        )
        return _page(request, course, slot.kind, 409 if taken else 400, errors=errors)
    messages.success(request, _("Slot booked."))
    return redirect(PAGE_FOR_KIND[slot.kind], code=course.code)


@require_POST
@course_view(Action.SUBMIT_WORK)
def slides_upload(request: HttpRequest, course: Course) -> HttpResponse:
    group = _my_group(request, course, GroupKind.PRESENTATION)
    form = SlidesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            s = services.slides_upload(
                group=group, user=request.user, upload=form.cleaned_data["file"], now=timezone.now()
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            if s.is_late:
                messages.warning(
                    request, _("Slides uploaded, after the deadline: they are marked late.")
                )
            else:
                messages.success(request, _("Slides uploaded."))
            return redirect("projects_presentations", code=course.code)
    return _presentations_page(request, course, 400, slides_form=form)


@require_POST
@course_view(Action.SUBMIT_WORK)
def team_choice(request: HttpRequest, course: Course) -> HttpResponse:
    group = _my_group(request, course, GroupKind.PROJECT)
    policy = course_policy(course, ProjectPolicy)
    form = TeamChoiceForm(request.POST, topics=policy.topics, kinds=policy.kinds)
    if form.is_valid():
        try:
            services.project_choice_set(group=group, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Your team's choice is saved."))
            return redirect("projects_team", code=course.code)
    return _team_page(request, course, 400, choice_form=form)


@require_POST
@course_view(Action.SUBMIT_WORK)
def milestone_submit(request: HttpRequest, course: Course, pk: int) -> HttpResponse:
    group = _my_group(request, course, GroupKind.PROJECT)
    milestone = get_object_or_404(Milestone, pk=pk, course=course)
    form = MilestoneSubmitForm(request.POST, request.FILES, prefix=f"m{milestone.pk}")
    if form.is_valid():
        try:
            sub = services.milestone_submit(
                group=group,
                milestone=milestone,
                user=request.user,
                now=timezone.now(),
                upload=form.cleaned_data.get("file"),
                link=form.cleaned_data.get("link") or "",
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            msg = _("Version %(v)d of “%(m)s” handed in.") % {
                "v": sub.version,
                "m": milestone.label,
            }
            if sub.is_late:
                msg += " " + _("It is late.")
            messages.success(request, msg)
            return redirect("projects_team", code=course.code)
    return _team_page(request, course, 400, submit_forms={milestone.pk: form})


# --- files: served through permission checks, never from MEDIA_URL ---------------------------


def _serve(field: Any, name: str) -> FileResponse:
    try:
        return private_file_response(field, download_name=name or None)
    except FileNotFoundError:
        raise Http404 from None


@require_GET
@course_view(Action.VIEW_COURSE)
def slides_file(request: HttpRequest, course: Course, pk: int) -> FileResponse:
    slides = get_object_or_404(Slides.objects.select_related("group"), pk=pk, group__course=course)
    allowed = can(request.user, Action.VIEW_STUDENT_WORK, course) or services.is_member(
        slides.group, request.user
    )
    if not allowed:
        # Once the talk has been given, the class may read the slides.
        slot = TalkSlot.objects.filter(group=slides.group).first()
        allowed = slot is not None and slot.ends_at <= timezone.now()
    if not allowed:
        raise PermissionDenied
    return _serve(slides.file, slides.original_name)


@require_GET
@course_view(Action.VIEW_COURSE)
def submission_file(request: HttpRequest, course: Course, pk: int) -> FileResponse:
    sub = get_object_or_404(
        MilestoneSubmission.objects.select_related("group"), pk=pk, group__course=course
    )
    if not (
        can(request.user, Action.VIEW_STUDENT_WORK, course)
        or services.is_member(sub.group, request.user)
    ):
        raise PermissionDenied
    if not sub.file:
        raise Http404
    return _serve(sub.file, sub.original_name)
