from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services
from .account_admin import EnrollmentInvitationsMixin, InvitationStatusFilter, with_invitation_facts
from .admin_scoping import (
    CourseScopedAdminMixin,
    CourseScopedInlineMixin,
    allowed_course_ids,
    allowed_courses,
)
from .forms import RosterImportForm, SyllabusUploadForm
from .models import (
    Announcement,
    BibliographyEntry,
    Break,
    CalendarFeedToken,
    Course,
    Enrollment,
    MeetingTime,
    OfficeHour,
    Session,
    SessionReading,
    User,
)
from .permissions import Action
from .syllabus import SyllabusError, dump_syllabus, load_syllabus_text, parse_syllabus


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts span courses: not scoped per course (the staff groups decide who sees them)."""

    fieldsets = (*BaseUserAdmin.fieldsets, (_("Preferences"), {"fields": ("preferred_language",)}))  # type: ignore[misc]
    list_display = ("username", "email", "first_name", "last_name", "is_staff")


class _ConfigInline(CourseScopedInlineMixin):
    """The course's configuration: staff see their courses', instructors change them."""

    change_action = Action.MANAGE_COURSE


class _ConfigAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    change_action = Action.MANAGE_COURSE


class MeetingTimeInline(_ConfigInline, admin.TabularInline):
    model = MeetingTime
    extra = 0


class BreakInline(_ConfigInline, admin.TabularInline):
    model = Break
    extra = 0


class OfficeHourInline(_ConfigInline, admin.TabularInline):
    model = OfficeHour
    extra = 0


@admin.register(Course)
class CourseAdmin(_ConfigAdmin):
    course_path = ""  # the course itself
    list_display = ("code", "title", "term", "term_start", "term_end", "seat_capacity", "is_public")
    search_fields = ("code", "title", "term")
    list_filter = ("term", "is_public", "instruction_language")
    inlines = [MeetingTimeInline, BreakInline, OfficeHourInline]
    readonly_fields = ("course_tools",)
    fieldsets = (
        (
            None,
            {"fields": ("code", "title", "term", "instructor_name", "description", "course_tools")},
        ),
        (
            _("Room and seats"),
            {"fields": ("room", "seat_capacity", "instruction_language", "time_zone")},
        ),
        (_("Dates"), {"fields": ("term_start", "term_end", "add_drop_deadline")}),
        (
            _("Communication"),
            {
                "fields": (
                    "website_url",
                    "lms_url",
                    "slack_url",
                    "email_subject_prefix",
                    "office_hours_note",
                )
            },
        ),
        (_("Visibility"), {"fields": ("is_public", "auditors_may_take_quizzes")}),
        (_("Signing in"), {"fields": ("students_sign_in_with_sso_only",)}),
        (
            _("Policies (from the syllabus file)"),
            {"fields": ("policies",), "classes": ("collapse",)},
        ),
    )

    @admin.display(description=_("Tools"))
    def course_tools(self, obj: Course) -> str:
        if not obj.pk:
            return "-"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:course_roster_import", args=[obj.pk]),
            _("Import the LMS roster"),
            reverse("admin:course_syllabus_upload", args=[obj.pk]),
            _("Load a syllabus file"),
            reverse("admin:course_syllabus_download", args=[obj.pk]),
            _("Download the syllabus file"),
        )

    def get_urls(self):  # type: ignore[no-untyped-def]
        own = [
            path(
                "<int:pk>/roster/",
                self.admin_site.admin_view(self.roster_import_view),
                name="course_roster_import",
            ),
            path(
                "<int:pk>/syllabus/",
                self.admin_site.admin_view(self.syllabus_upload_view),
                name="course_syllabus_upload",
            ),
            path(
                "<int:pk>/syllabus.yaml",
                self.admin_site.admin_view(self.syllabus_download_view),
                name="course_syllabus_download",
            ),
        ]
        return own + super().get_urls()

    def _course(self, request: HttpRequest, pk: int, action: Action) -> Course:
        """The course of a tools page, if it is one of the user's (else 404)."""
        course: Course = self.scoped_object_or_404(
            request, Course.objects.all(), action=action, pk=pk
        )
        return course

    def roster_import_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        course = self._course(request, pk, self.change_action)
        if not self.has_change_permission(request, course):
            return redirect("admin:index")
        errors: list[str] = []
        if request.method == "POST":
            form = RosterImportForm(request.POST, request.FILES)
            if form.is_valid():
                result = services.roster_import(
                    course=course,
                    text=form.cleaned_data["file"],
                    now=timezone.now(),
                    invited_by=request.user,  # type: ignore[arg-type]
                )
                if result.ok:
                    messages.success(
                        request,
                        _(
                            "Roster imported: %(created)d people created, %(updated)d updated; "
                            "%(invited)d invitations sent, %(notified)d people told they were added."
                        )
                        % {
                            "created": result.created,
                            "updated": result.updated,
                            "invited": result.invitations,
                            "notified": result.notices,
                        },
                    )
                    return redirect("admin:course_enrollment_changelist")
                errors = [str(e) for e in result.errors]
                messages.error(request, _("Nothing was imported: fix these rows and upload again."))
        else:
            form = RosterImportForm()
        return render(
            request,
            "admin/course/roster_import.html",
            {
                **self.admin_site.each_context(request),
                "course": course,
                "form": form,
                "errors": errors,
                "title": _("Import the roster of %(code)s") % {"code": course.code},
            },
        )

    def syllabus_upload_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        course = self._course(request, pk, self.change_action)
        if not self.has_change_permission(request, course):
            return redirect("admin:index")
        errors: list[str] = []
        if request.method == "POST":
            form = SyllabusUploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    self._check_syllabus_course(request, course, form.cleaned_data["file"])
                    report = load_syllabus_text(form.cleaned_data["file"])
                except SyllabusError as exc:
                    errors = exc.problems
                    messages.error(request, _("The syllabus was refused; nothing changed."))
                else:
                    messages.success(
                        request,
                        _("Syllabus loaded: %(new)d sessions created, %(upd)d updated.")
                        % {"new": report.sessions_created, "upd": report.sessions_updated},
                    )
                    return redirect("admin:course_course_change", report.course.pk)
        else:
            form = SyllabusUploadForm()
        return render(
            request,
            "admin/course/syllabus_upload.html",
            {
                **self.admin_site.each_context(request),
                "course": course,
                "form": form,
                "errors": errors,
                "title": _("Load a syllabus file"),
            },
        )

    def _check_syllabus_course(self, request: HttpRequest, course: Course, text: str) -> None:
        """A file names its course by code: staff load only their own courses' files."""
        code = parse_syllabus(text)[0].course.code
        ids = allowed_course_ids(request, self.change_action)
        if ids is None or (code == course.code and course.pk in ids):
            return
        raise SyllabusError(
            [
                str(
                    _("This file is the syllabus of %(file)s, not of %(page)s.")
                    % {"file": code, "page": course.code}
                )
            ]
        )

    def syllabus_download_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        course = self._course(request, pk, self.view_action)
        if not self.has_view_permission(request, course):
            raise PermissionDenied
        response = HttpResponse(
            dump_syllabus(course), content_type="application/yaml; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{course.code.lower()}-syllabus.yaml"'
        )
        return response


@admin.register(Enrollment)
class EnrollmentAdmin(EnrollmentInvitationsMixin, _ConfigAdmin):
    any_user_fields = ("user",)  # enrolling is how a person joins a course
    list_display = (
        "user",
        "course",
        "role",
        "status",
        "student_id",
        "requested_at",
        "invited",
        "joined",
    )
    list_filter = ("course", "role", "status", InvitationStatusFilter)
    search_fields = (
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
        "student_id",
    )
    list_select_related = ("user", "course")
    autocomplete_fields = ("user",)
    actions = ["rebalance_seats", "resend_invitations", "resend_invitations_to_all"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return with_invitation_facts(super().get_queryset(request))

    @admin.action(description=_("Re-seat auditors (registered students first)"))
    def rebalance_seats(self, request: HttpRequest, queryset) -> None:  # type: ignore[no-untyped-def]
        courses = allowed_courses(request, self.change_action)
        for course in courses.filter(pk__in=queryset.values("course")):
            services.seats_rebalance(course=course)
        messages.success(request, _("Seats re-allocated."))

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not obj.requested_at:
            obj.requested_at = timezone.now()
        if not change:
            # Adding a person is the enrolment service's job: it also invites or notifies them.
            join = services.enrollment_join(
                course=obj.course,
                user=obj.user,
                role=obj.role,
                now=obj.requested_at,
                student_id=obj.student_id,
                welcome=True,
                invited_by=request.user,
            )
            obj.pk, obj.status = join.enrollment.pk, join.enrollment.status
            if join.welcome:
                messages.info(request, welcome_message(join.welcome, obj.user))
            return
        super().save_model(request, obj, form, change)
        services.seats_rebalance(course=obj.course)


class SessionReadingInline(_ConfigInline, admin.TabularInline):
    course_path = "session__course"
    model = SessionReading
    extra = 0
    autocomplete_fields = ("entry",)


@admin.register(Session)
class SessionAdmin(_ConfigAdmin):
    list_display = ("number", "course", "date", "starts_at", "kind", "topic")
    list_filter = ("course", "kind")
    search_fields = ("topic", "note")
    date_hierarchy = "date"
    inlines = [SessionReadingInline]
    list_select_related = ("course",)


@admin.register(BibliographyEntry)
class BibliographyEntryAdmin(_ConfigAdmin):
    list_display = ("key", "title", "authors", "year", "kind", "topic", "is_resource", "course")
    list_filter = ("course", "kind", "topic", "is_resource")
    search_fields = ("key", "title", "authors")


@admin.register(Announcement)
class AnnouncementAdmin(_ConfigAdmin):
    list_display = ("title", "course", "audience", "published_at", "author")
    list_filter = ("course", "audience")
    search_fields = ("title", "body")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not obj.author_id:
            obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(OfficeHour)
class OfficeHourAdmin(_ConfigAdmin):
    list_display = ("host", "course", "weekday", "start_time", "end_time", "location", "note")
    list_filter = ("course",)


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(_ConfigAdmin):
    list_display = ("user", "course", "created_at", "revoked_at")
    list_filter = ("course",)
    search_fields = ("user__username",)
    readonly_fields = ("token", "created_at")


from . import deadline_admin, notification_admin  # noqa: E402,F401  (register their models)


def welcome_message(welcome: str, user: User) -> str:
    if welcome == "invitation":
        return str(_("%(name)s was sent an invitation to choose a password.") % {"name": user})
    return str(_("%(name)s was told by e-mail that they were added.") % {"name": user})
