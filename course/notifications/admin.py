"""Admin of the notification machinery: the outbox (failures visible), deliveries, preferences,
and the "send now" actions that course/admin.py gives the announcements."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..accounts.rules import hide_sign_in_links
from ..admin_scoping import CourseScopedAdminMixin
from ..global_admin import SuperuserOnlyAdminMixin
from ..models import Announcement
from ..permissions import Action
from ..queueing import queue_each_on_commit, queue_on_commit
from . import channels, services
from .models import AnnouncementDelivery, Notification, NotificationPreference, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    change_action = Action.MANAGE_COURSE

    list_display = (
        "subject",
        "channel",
        "recipient",
        "kind",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    )
    list_filter = ("status", "channel", "kind", "course")
    search_fields = ("subject", "item_key", "recipient__username", "last_error")
    list_select_related = ("recipient", "course")
    readonly_fields = (
        "course",
        "recipient",
        "item_key",
        "kind",
        "channel",
        "subject",
        "body_shown",
        "url",
        "language",
        "attempts",
        "last_error",
        "created_at",
        "queued_at",
        "claimed_until",
        "sent_at",
        "message_id",
    )
    exclude = ("body",)  # shown through body_shown
    actions = ["retry_failed"]

    @admin.display(description=_("Message-ID"))
    def message_id(self, obj: OutboxMessage) -> str:
        """The same on every attempt: a copy sent again after a crash is known as a copy."""
        if obj.channel != OutboxMessage.Channel.EMAIL:
            return "-"
        return channels.message_id(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # messages are made by the dispatcher, once per (recipient, item, kind)

    @admin.display(description=_("body"))
    def body_shown(self, obj: OutboxMessage) -> str:
        # An invitation or reset link signs its reader in as the recipient: staff never see it.
        return hide_sign_in_links(obj.kind, obj.body)

    @admin.action(description=_("Send again (failed messages)"))
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        from ..tasks import send_message

        ids = list(queryset.filter(status=OutboxMessage.Status.FAILED).values_list("pk", flat=True))
        queryset.filter(pk__in=ids).update(
            status=OutboxMessage.Status.PENDING, attempts=0, queued_at=timezone.now()
        )

        def tell(queued: bool) -> None:
            if queued:
                text = ngettext(
                    "%(n)d message queued again.", "%(n)d messages queued again.", len(ids)
                )
                messages.success(request, text % {"n": len(ids)})
            else:
                # Pending with an old mark: a later dispatch queues them again (beat).
                text = ngettext(
                    "%(n)d message set to be sent again, but the background worker is "
                    "unreachable: it will be sent once the worker is back.",
                    "%(n)d messages set to be sent again, but the background worker is "
                    "unreachable: they will be sent once the worker is back.",
                    len(ids),
                )
                messages.warning(request, text % {"n": len(ids)})

        queue_each_on_commit(send_message, [(pk,) for pk in ids], then=tell)


@admin.register(Notification)
class NotificationAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    change_action = Action.MANAGE_COURSE

    list_display = ("subject_shown", "recipient", "course", "kind", "created_at", "read_at")
    list_filter = ("course", "kind")
    search_fields = ("subject", "item_key", "recipient__username")
    list_select_related = ("recipient", "course")

    @admin.display(description=_("subject"), ordering="subject")
    def subject_shown(self, obj: Notification) -> str:
        return obj.subject_shown  # in the reader's language (the search reads the stored one)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Everyone's settings, across courses: a superuser's (each person changes their own
    under *Notifications → Choose what you receive*)."""

    list_display = ("user", "kind", "enabled")
    list_filter = ("kind", "enabled")
    search_fields = ("user__username",)


@admin.register(AnnouncementDelivery)
class AnnouncementDeliveryAdmin(CourseScopedAdminMixin, admin.ModelAdmin):
    course_path = "announcement__course"
    change_action = Action.MANAGE_COURSE

    list_display = ("announcement", "send_at", "requested_by", "slack_status")
    list_select_related = ("announcement", "requested_by")
    readonly_fields = ("requested_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # use the announcement's "Send now" action, which validates it

    @admin.display(description=_("Slack"))
    def slack_status(self, obj: AnnouncementDelivery) -> str:
        msg = (
            OutboxMessage.objects.filter(
                item_key=f"course:announcement:{obj.announcement_id}",
                channel=OutboxMessage.Channel.SLACK,
            )
            .order_by("-pk")
            .first()
        )
        if msg is None:
            return "—"
        if msg.last_error:
            return f"{msg.get_status_display()}: {msg.last_error}"
        return str(msg.get_status_display())


def _request_send(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Announcement],
    *,
    now: bool,
) -> None:
    from ..tasks import dispatch_reminders

    sent: list[int] = []
    for announcement in queryset.select_related("course"):
        when = timezone.now() if now else max(announcement.published_at, timezone.now())
        try:
            services.announcement_request_send(
                announcement=announcement, requested_by=request.user, send_at=when
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                for problem in problems:
                    modeladmin.message_user(
                        request, f"{announcement.title} — {field}: {problem}", messages.ERROR
                    )
        else:
            sent.append(announcement.course_id)
    if not sent:
        return
    n = len(sent)

    def tell(queued: bool) -> None:
        if queued:
            text = ngettext(
                "%(n)d announcement queued for e-mail, notification list and Slack.",
                "%(n)d announcements queued for e-mail, notification list and Slack.",
                n,
            )
            modeladmin.message_user(request, text % {"n": n}, messages.SUCCESS)
        else:
            # The delivery row is saved: beat's next dispatch sends it.
            text = ngettext(
                "%(n)d announcement saved for sending, but the background worker is "
                "unreachable: it will go out once the worker is back.",
                "%(n)d announcements saved for sending, but the background worker is "
                "unreachable: they will go out once the worker is back.",
                n,
            )
            modeladmin.message_user(request, text % {"n": n}, messages.WARNING)

    queue_on_commit(dispatch_reminders, sorted(set(sent)), then=tell)


@admin.action(description=_("Send now (e-mail, notification list, Slack)"))
def send_announcement_now(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Announcement]
) -> None:
    _request_send(modeladmin, request, queryset, now=True)


@admin.action(description=_("Send when published"))
def send_announcement_when_published(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Announcement]
) -> None:
    _request_send(modeladmin, request, queryset, now=False)
