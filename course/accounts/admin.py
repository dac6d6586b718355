"""Admin of the way in: invitations (who was invited, who joined, re-send), and the columns,
filter and actions that the enrolment list in course/admin.py gets from them."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..admin_scoping import CourseScopedAdminMixin, allowed_courses
from ..global_admin import SuperuserOnlyAdminMixin
from ..models import Enrolment, User
from ..permissions import Action
from . import services as account_services
from .models import AccountInvitation, SignedInSession


def _staff(request: HttpRequest) -> User:
    """The admin's user (the admin only lets signed-in staff in)."""
    return cast(User, request.user)


def _resend_invitations(
    request: HttpRequest, *, selected: QuerySet[Any], people: QuerySet[Any]
) -> None:
    """The re-send actions' one body: in each course of the selected rows that the user may
    manage, a fresh link to those of `people` (rows with `course` and `user_id`: enrolments or
    invitations) in that course who still cannot sign in, and a message saying how many."""
    courses = allowed_courses(request, Action.MANAGE_COURSE)
    sent = 0
    now = timezone.now()
    for course in courses.filter(pk__in=selected.values("course")):
        user_ids = list(people.filter(course=course).values_list("user_id", flat=True))
        sent += account_services.invitations_resend(
            course=course,
            user_ids=user_ids,
            invited_by=_staff(request),
            now=now,
        )
    messages.success(
        request,
        ngettext(
            "%(n)d invitation sent; people who can already sign in were skipped.",
            "%(n)d invitations sent; people who can already sign in were skipped.",
            sent,
        )
        % {"n": sent},
    )


def with_invitation_facts(queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Each enrolment with its latest invitation's sending time and whether the person has
    joined (chosen a password with an invitation): two subqueries, no query per row."""
    latest = AccountInvitation.objects.filter(
        course=OuterRef("course"), user=OuterRef("user")
    ).order_by("-created_at", "-pk")
    accepted = AccountInvitation.objects.filter(
        user=OuterRef("user"), accepted_at__isnull=False
    ).order_by("accepted_at")
    return queryset.annotate(
        invitation_sent_at=Subquery(latest.values("created_at")[:1]),
        invitation_expires_at=Subquery(latest.values("expires_at")[:1]),
        joined_at=Subquery(accepted.values("accepted_at")[:1]),
        has_invitation=Exists(latest),
    )


class InvitationStatusFilter(admin.SimpleListFilter):
    title = _("invitation")
    parameter_name = "invitation"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("not_joined", _("Invited, not joined")),
            ("joined", _("Joined with an invitation")),
            ("never", _("Never invited")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == "not_joined":
            return queryset.filter(has_invitation=True, joined_at__isnull=True)
        if value == "joined":
            return queryset.filter(joined_at__isnull=False)
        if value == "never":
            return queryset.filter(has_invitation=False)
        return queryset


class EnrolmentInvitationsMixin:
    """What EnrolmentAdmin shows and does about invitations."""

    @admin.display(description=_("invited"), ordering="invitation_sent_at")
    def invited(self, obj: Enrolment) -> Any:
        return getattr(obj, "invitation_sent_at", None) or "-"

    @admin.display(description=_("joined"), ordering="joined_at")
    def joined(self, obj: Enrolment) -> Any:
        joined_at = getattr(obj, "joined_at", None)
        if joined_at:
            return joined_at
        if getattr(obj, "invitation_sent_at", None):
            expires = getattr(obj, "invitation_expires_at", None)
            if expires and expires <= timezone.now():
                return _("not yet (invitation expired)")
            return _("not yet")
        return "-"

    @admin.action(description=_("Send the invitation again (people who have not joined)"))
    def resend_invitations(self, request: HttpRequest, queryset: QuerySet[Enrolment]) -> None:
        _resend_invitations(request, selected=queryset, people=queryset)

    @admin.action(description=_("Send the invitation again to everyone of the course not joined"))
    def resend_invitations_to_all(
        self, request: HttpRequest, queryset: QuerySet[Enrolment]
    ) -> None:
        _resend_invitations(request, selected=queryset, people=Enrolment.objects.all())


@admin.register(AccountInvitation)
class AccountInvitationAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    change_action = Action.MANAGE_COURSE

    list_display = ("user", "course", "invited_by", "created_at", "expires_at", "accepted_at")
    list_filter = ("course", ("accepted_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    list_select_related = ("user", "course", "invited_by")
    readonly_fields = (
        "course",
        "user",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "replaced_at",
    )
    exclude = ("token_digest",)
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # enrolling a person invites them; re-send is an action

    @admin.action(description=_("Send a new invitation (people who have not joined)"))
    def resend(self, request: HttpRequest, queryset: QuerySet[AccountInvitation]) -> None:
        _resend_invitations(request, selected=queryset, people=queryset)


@admin.register(SignedInSession)
class SignedInSessionAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Superusers only: a session key is as good as a password, so it is never shown."""

    list_display = ("user", "created_at")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    fields = ("user", "created_at")
    readonly_fields = ("user", "created_at")
    actions = ["sign_out_everywhere"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Sign these people out everywhere"))
    def sign_out_everywhere(
        self, request: HttpRequest, queryset: QuerySet[SignedInSession]
    ) -> None:
        ended = 0
        for user in {s.user for s in queryset.select_related("user")}:
            ended += account_services.sessions_end(user=user)
        messages.success(
            request, ngettext("%(n)d session ended.", "%(n)d sessions ended.", ended) % {"n": ended}
        )
