"""LTI in the admin: platforms are registered by superusers only, who also see the links; the
course's staff see its grade posts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from course.admin_scoping import CourseScopedAdminMixin
from course.global_admin import SuperuserOnlyAdminMixin
from course.permissions import Action

from . import services
from .models import GradePost, LinkedAccount, LinkedCourse, Platform, ToolKey
from .protocol import ServiceError


class SuperuserOnly(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Who may launch as whom is decided here: superusers only, never course staff."""


@admin.register(Platform)
class PlatformAdmin(SuperuserOnly):
    list_display = ["name", "issuer", "client_id", "key_set_fetched_at"]
    search_fields = ["name", "issuer", "client_id"]
    readonly_fields = ["tool_urls", "key_set_fetched_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "issuer", "client_id", "deployment_ids"]}),
        (
            _("Platform URLs (from Moodle's tool details)"),
            {"fields": ["auth_login_url", "auth_token_url", "key_set_url"]},
        ),
        (_("What to paste into Moodle"), {"fields": ["tool_urls", "key_set_fetched_at"]}),
    ]

    @admin.display(description=_("Coursekit's URLs"))
    def tool_urls(self, obj: Platform) -> str:
        request = getattr(self, "_request", None)

        def url(name: str) -> str:
            return request.build_absolute_uri(reverse(name)) if request else reverse(name)

        return format_html(
            "{}: <code>{}</code><br>{}: <code>{}</code><br>{}: <code>{}</code><br>{}: <code>{}</code>",
            _("Tool URL"),
            url("home"),
            _("Initiate login URL"),
            url("lti_login"),
            _("Redirection URI"),
            url("lti_launch"),
            _("Public keyset URL"),
            url("lti_jwks"),
        )

    change_list_template = "admin/lti/platform/change_list.html"

    def get_urls(self) -> list[Any]:
        own = [
            path(
                "dynamic-registration/",
                self.admin_site.admin_view(self.dynamic_registration_view),
                name="lti_platform_dynamic_registration",
            )
        ]
        return own + super().get_urls()

    def dynamic_registration_view(self, request: HttpRequest) -> HttpResponse:
        """A single-use registration URL for Moodle's *Tool URL* box (Dynamic Registration)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        token = services.registration_url_issue(now=timezone.now())
        url = request.build_absolute_uri(reverse("lti_register")) + "?" + urlencode({"t": token})
        context = {
            **self.admin_site.each_context(request),
            "title": _("Dynamic registration URL"),
            "opts": self.model._meta,
            "registration_url": url,
            "hours": services.REGISTRATION_MAX_AGE // 3600,
        }
        return TemplateResponse(request, "admin/lti/platform/dynamic_registration.html", context)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        self._request = request
        return super().get_form(request, obj, change, **kwargs)


@admin.register(LinkedCourse)
class LinkedCourseAdmin(SuperuserOnly):
    list_display = [
        "course",
        "context_title",
        "platform",
        "bound_by",
        "bound_at",
        "roster_synced_at",
    ]
    list_filter = ["platform"]
    search_fields = ["course__code", "context_title", "context_id"]
    list_select_related = ["course", "platform", "bound_by"]
    readonly_fields = [
        "platform",
        "context_id",
        "context_title",
        "deployment_id",
        "course",
        "bound_by",
        "bound_at",
        "memberships_url",
        "lineitems_url",
        "roster_synced_at",
        "roster_sync_details",
    ]
    exclude = ["roster_sync_report"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a course is linked by its instructor's first launch

    actions = ["roster_sync_now"]

    @admin.action(description=_("Sync the roster from the LMS now"))
    def roster_sync_now(self, request: HttpRequest, queryset: Any) -> None:
        for link in queryset.select_related("platform", "course"):
            try:
                report = services.roster_sync(link=link, now=timezone.now())
            except ServiceError as exc:
                self.message_user(
                    request, f"{link.course.code}: {_('Roster sync failed')}: {exc}", messages.ERROR
                )
                continue
            level = messages.ERROR if report.error else messages.SUCCESS
            self.message_user(request, f"{link.course.code}: {report.summary()}", level)

    @admin.display(description=_("last roster sync"))
    def roster_sync_details(self, obj: LinkedCourse) -> str:
        report = obj.roster_sync_report or {}
        if not report:
            return "—"
        lines = [
            (_("Added"), report.get("added", [])),
            (_("Role changed"), report.get("role_changed", [])),
            (_("Dropped"), report.get("dropped", [])),
            (_("Skipped"), report.get("skipped", [])),
        ]
        parts = [
            format_html("<strong>{}</strong>: {}", label, ", ".join(items) or "—")
            for label, items in lines
        ]
        if report.get("error"):
            parts.append(format_html("<strong>{}</strong>: {}", _("Error"), report["error"]))
        return format_html_join(mark_safe("<br>"), "{}", ((p,) for p in parts))


@admin.register(LinkedAccount)
class LinkedAccountAdmin(SuperuserOnly):
    list_display = ["user", "platform", "subject", "linked_at", "last_launch_at"]
    list_filter = ["platform"]
    search_fields = ["user__username", "user__email", "subject"]
    list_select_related = ["user", "platform"]
    readonly_fields = ["platform", "subject", "user", "linked_at", "last_launch_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ToolKey)
class ToolKeyAdmin(SuperuserOnly):
    list_display = ["kid", "created_at", "retired_at"]
    fields = ["kid", "public_jwk", "created_at", "retired_at"]
    readonly_fields = ["kid", "public_jwk", "created_at", "retired_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are made by `manage.py lti_rotate_key`

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PostErrorFilter(admin.SimpleListFilter):
    title = _("error")
    parameter_name = "error"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("with an error")), ("no", _("posted"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "yes":
            return queryset.exclude(error="")
        if self.value() == "no":
            return queryset.filter(error="")
        return queryset


@admin.register(GradePost)
class GradePostAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    """Per student and column: when the grade last reached the LMS, and any error. The course's
    instructors and TAs see their course's rows; the posts are the app's to write."""

    course_path = "line_item__link__course"
    view_action = Action.VIEW_ALL_GRADES
    list_display = ["user", "line_item", "score_given", "posted_at", "attempted_at", "error"]
    list_filter = ["line_item__link__course", PostErrorFilter]
    search_fields = ["user__username", "user__email", "user__last_name"]
    list_select_related = ["user", "line_item__link__course"]
    readonly_fields = ["line_item", "user", "score_given", "posted_at", "attempted_at", "error"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
