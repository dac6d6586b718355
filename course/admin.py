from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import admin_filters, services  # noqa: F401 (admin_filters registers the filter)

# Importing a sub-package's admin registers its models with the site.
from .accounts.admin import (
    AccountInvitationAdmin,  # noqa: F401
    EnrolmentInvitationsMixin,
    InvitationStatusFilter,
    SignedInSessionAdmin,  # noqa: F401
    with_invitation_facts,
)
from .admin_scoping import (
    CourseScopedAdminMixin,
    CourseScopedInlineMixin,
    allowed_course_ids,
    allowed_courses,
    refuse_if_exists,
    users_of,
)
from .deadlines.admin import ExtensionAdmin, ExtensionRequestAdmin  # noqa: F401
from .forms import RosterImportForm, SyllabusApplyForm, SyllabusUploadForm
from .global_admin import (  # SuperuserGroupAdmin replaces other apps' admins
    SuperuserGroupAdmin,  # noqa: F401
    TranslatedPermissionsMixin,
)
from .models import (
    Announcement,
    BibliographyEntry,
    Break,
    CalendarFeedToken,
    Course,
    DayOff,
    Enrolment,
    MeetingTime,
    OfficeHour,
    Session,
    SessionReading,
    User,
)
from .notifications.admin import (
    AnnouncementDeliveryAdmin,  # noqa: F401
    NotificationAdmin,  # noqa: F401
    NotificationPreferenceAdmin,  # noqa: F401
    OutboxMessageAdmin,  # noqa: F401
    send_announcement_now,
    send_announcement_when_published,
)
from .permissions import Action, AdminOperation, account_editable_by
from .syllabus.parsing import SyllabusError, parse_syllabus
from .syllabus.selectors import dump_syllabus
from .syllabus.services import LoadReport, SyllabusNeedsConfirmation, load_syllabus_text


class UserEnrolmentInline(CourseScopedInlineMixin, admin.TabularInline):
    """A person's enrolments, in the courses the viewer manages (changed on *Enrolments*,
    which re-seats the auditors)."""

    model = Enrolment
    fk_name = "user"
    view_action = Action.MANAGE_COURSE
    change_action = Action.MANAGE_COURSE
    fields = ("course", "role", "status", "student_id", "requested_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def _may(self, request: HttpRequest, operation: AdminOperation, obj: Any = None) -> bool:
        if operation != AdminOperation.VIEW:
            return False
        ids = self.operation_course_ids(request, operation)
        return ids is None or bool(ids)


class StaffUserChangeForm(forms.ModelForm):
    """What course staff may change of a person: the name and the e-mail, nothing that gives
    access. A post that tries to set more is refused, saying why."""

    class Meta:
        model = User
        fields = ("first_name", "last_name", "email")

    def clean(self) -> dict[str, Any]:
        tried = sorted(PRIVILEGED_USER_FIELDS & set(self.data))
        if tried:
            raise forms.ValidationError(
                _("Only a superuser may change %(fields)s.")
                % {
                    "fields": ", ".join(
                        str(getattr(User._meta.get_field(f), "verbose_name", f)) for f in tried
                    )
                },
                code="privileged",
            )
        return super().clean() or {}


# Fields of an account that give access to the site or to other people's accounts.
PRIVILEGED_USER_FIELDS = frozenset(
    {"is_superuser", "is_staff", "is_active", "groups", "user_permissions", "password", "username"}
)


@admin.register(User)
class UserAdmin(TranslatedPermissionsMixin, BaseUserAdmin):
    """Superusers manage accounts. Course staff see the people of the courses they manage,
    with their name, e-mail and enrolments there; they change the name and e-mail only of an
    account that belongs to none but their courses and gives no site-wide access; never
    flags, groups, permissions or passwords, and they neither add nor delete accounts."""

    fieldsets = (*BaseUserAdmin.fieldsets, (_("Preferences"), {"fields": ("preferred_language",)}))  # type: ignore[misc]  # django-stubs types the base fieldsets as optional
    list_display = ("username", "email", "first_name", "last_name", "is_staff")
    staff_fieldsets = ((None, {"fields": ("username", "first_name", "last_name", "email")}),)

    def _managed_ids(self, request: HttpRequest) -> frozenset[int] | None:
        return allowed_course_ids(request, Action.MANAGE_COURSE)

    def _is_superuser(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        ids = self._managed_ids(request)
        return qs if ids is None else qs.filter(pk__in=users_of(ids).values("pk"))

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [UserEnrolmentInline] if obj is not None else []

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if self._is_superuser(request):
            return super().get_fieldsets(request, obj)
        return self.staff_fieldsets

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if not self._is_superuser(request):
            kwargs["form"] = StaffUserChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if self._is_superuser(request):
            return super().get_readonly_fields(request, obj)
        return ("username",)

    def get_list_display(self, request: HttpRequest) -> Any:
        if self._is_superuser(request):
            return super().get_list_display(request)
        return ("username", "email", "first_name", "last_name")

    def get_list_filter(self, request: HttpRequest) -> Any:
        return super().get_list_filter(request) if self._is_superuser(request) else ()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_superuser(request) or bool(self._managed_ids(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self._is_superuser(request):
            return True
        ids = self._managed_ids(request)
        if not ids:
            return False
        return obj is None or users_of(ids).filter(pk=obj.pk).exists()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self._is_superuser(request):
            return True
        if obj is None or not self.has_view_permission(request, obj):
            return obj is None and bool(self._managed_ids(request))
        return account_editable_by(
            privileged=obj.is_staff or obj.is_superuser,
            account_course_ids=set(
                Enrolment.objects.filter(user=obj).values_list("course_id", flat=True)
            ),
            editor_course_ids=set(self._managed_ids(request) or ()),
        )

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None and not self._is_superuser(request):
            refuse_if_exists(self.model, object_id, from_field)
        return obj

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_superuser(request)  # the roster import creates a course's accounts

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_superuser(request)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        if not self._is_superuser(request):
            raise PermissionDenied(_("Only a superuser may set another person's password."))
        return super().user_change_password(request, id, form_url)


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


class DayOffInline(_ConfigInline, admin.TabularInline):
    model = DayOff
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
    inlines = [MeetingTimeInline, BreakInline, DayOffInline, OfficeHourInline]
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

    def get_urls(self):
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
                    invited_by=request.user,  # type: ignore[arg-type]  # the admin's user is signed in
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
                    if result.names_kept:
                        messages.warning(
                            request,
                            _(
                                "%(n)d people also belong to other courses: they are enrolled, "
                                "but their accounts' names were left as they are."
                            )
                            % {"n": result.names_kept},
                        )
                    return redirect("admin:course_enrolment_changelist")
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
        """Upload, then preview what the file would change, then apply (confirming changes to
        quizzes with attempts and deadlines with submissions)."""
        course = self._course(request, pk, self.change_action)
        if not self.has_change_permission(request, course):
            return redirect("admin:index")
        errors: list[str] = []
        form = SyllabusUploadForm()
        apply_form: SyllabusApplyForm | None = None
        preview: LoadReport | None = None
        if request.method == "POST" and "text" in request.POST:
            apply_form = SyllabusApplyForm(request.POST)
            if apply_form.is_valid():
                text = apply_form.cleaned_data["text"]
                try:
                    self._check_syllabus_course(request, course, text)
                    report = load_syllabus_text(text, confirm=apply_form.cleaned_data["confirm"])
                except SyllabusNeedsConfirmation:
                    messages.error(
                        request,
                        _(
                            "Nothing changed: tick the confirmation to change work that "
                            "students have done."
                        ),
                    )
                    preview = load_syllabus_text(text, preview=True)
                except SyllabusError as exc:
                    errors = exc.problems
                    messages.error(request, _("The syllabus was refused; nothing changed."))
                    apply_form = None
                else:
                    self._report_loaded(request, report)
                    return redirect("admin:course_course_change", report.course.pk)
        elif request.method == "POST":
            form = SyllabusUploadForm(request.POST, request.FILES)
            if form.is_valid():
                text = form.cleaned_data["file"]
                try:
                    self._check_syllabus_course(request, course, text)
                    preview = load_syllabus_text(text, preview=True)
                except SyllabusError as exc:
                    errors = exc.problems
                    messages.error(request, _("The syllabus was refused; nothing changed."))
                else:
                    apply_form = SyllabusApplyForm(initial={"text": text})
        return render(
            request,
            "admin/course/syllabus_upload.html",
            {
                **self.admin_site.each_context(request),
                "course": course,
                "form": form,
                "apply_form": apply_form,
                "preview": preview,
                "errors": errors,
                "title": _("Load a syllabus file"),
            },
        )

    def _report_loaded(self, request: HttpRequest, report: LoadReport) -> None:
        if not report.created and not report.changes:
            messages.success(request, _("Syllabus loaded: nothing changed."))
        else:
            messages.success(
                request,
                _("Syllabus loaded: %(new)d sessions created, %(upd)d updated, %(n)d changes.")
                % {
                    "new": report.sessions_created,
                    "upd": report.sessions_updated,
                    "n": len(report.changes),
                },
            )
        for note in report.notes:
            messages.warning(request, note)

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


@admin.register(Enrolment)
class EnrolmentAdmin(EnrolmentInvitationsMixin, _ConfigAdmin):
    # The person offered are those of the user's courses: a newcomer joins by the roster
    # import (by e-mail), so the staff of one course cannot browse every account of the site.
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

    def get_queryset(self, request):
        return with_invitation_facts(super().get_queryset(request))

    @admin.action(description=_("Re-seat auditors (registered students first)"))
    def rebalance_seats(self, request: HttpRequest, queryset) -> None:
        courses = allowed_courses(request, self.change_action)
        for course in courses.filter(pk__in=queryset.values("course")):
            services.seats_rebalance(course=course)
        messages.success(request, _("Seats re-allocated."))

    def save_model(self, request, obj, form, change):
        if not obj.requested_at:
            obj.requested_at = timezone.now()
        if not change:
            # Adding a person is the enrolment service's job: it also invites or notifies them.
            join = services.enrolment_join(
                course=obj.course,
                user=obj.user,
                role=obj.role,
                now=obj.requested_at,
                student_id=obj.student_id,
                welcome=True,
                invited_by=request.user,
            )
            obj.pk, obj.status = join.enrolment.pk, join.enrolment.status
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
    actions = [send_announcement_now, send_announcement_when_published]
    list_filter = ("course", "audience")
    search_fields = ("title", "body")

    def save_model(self, request, obj, form, change):
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


def welcome_message(welcome: str, user: User) -> str:
    if welcome == "invitation":
        return str(_("%(name)s was sent an invitation to choose a password.") % {"name": user})
    return str(_("%(name)s was told by e-mail that they were added.") % {"name": user})
