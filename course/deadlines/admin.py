"""Admin of extensions and extension requests (approve / decline with history)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..admin_scoping import CourseScopedAdminMixin
from ..permissions import is_staff_of
from . import services
from .models import Extension, ExtensionRequest


@admin.register(Extension)
class ExtensionAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    list_display = ("target_label", "target_key", "student", "due_at", "granted_by", "created_at")
    list_filter = ("course",)
    search_fields = ("target_key", "target_label", "student__username", "student__last_name")
    raw_id_fields = ("student", "request")
    readonly_fields = ("granted_by", "created_at", "content_type", "object_id")

    def save_model(self, request: HttpRequest, obj: Extension, form: object, change: bool) -> None:
        if not change and obj.granted_by_id is None:
            obj.granted_by = request.user  # type: ignore[assignment]  # the admin's user is signed in
        super().save_model(request, obj, form, change)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "student",
        "target_label",
        "status",
        "current_due_at",
        "requested_due_at",
        "created_at",
        "decided_by",
    )
    list_filter = ("status", "course")
    search_fields = ("target_key", "target_label", "student__username", "student__last_name")
    readonly_fields = (
        "course",
        "student",
        "target_key",
        "target_label",
        "reason",
        "current_due_at",
        "created_at",
        "status",
        "decided_by",
        "decided_at",
        "content_type",
        "object_id",
    )
    actions = ["approve", "decline"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # students ask in the browser; the staff decide here

    @admin.action(description=_("Approve (new due date: the one asked, else one week later)"))
    def approve(self, request: HttpRequest, queryset: QuerySet[ExtensionRequest]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Decline"))
    def decline(self, request: HttpRequest, queryset: QuerySet[ExtensionRequest]) -> None:
        self._decide(request, queryset, approve=False)

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[ExtensionRequest], *, approve: bool
    ) -> None:
        done = 0
        for req in queryset.filter(status=ExtensionRequest.Status.PENDING).select_related("course"):
            if not is_staff_of(request.user, req.course):
                continue
            due = req.requested_due_at
            if approve and due is None and req.current_due_at is not None:
                due = req.current_due_at + timedelta(days=7)
            try:
                services.extension_request_decide(
                    request=req,
                    approve=approve,
                    decided_by=request.user,
                    now=timezone.now(),
                    due_at=due,
                )
                done += 1
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
        self.message_user(
            request,
            ngettext("%(n)d request decided.", "%(n)d requests decided.", done) % {"n": done},
            messages.SUCCESS,
        )
