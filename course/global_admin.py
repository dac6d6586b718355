"""The admin of what belongs to no course: superusers' only.

Django's groups, django-celery-beat's schedule (periodic tasks, intervals, crontabs, solar and
clocked schedules: the reminder dispatcher of every course), every person's notification
preferences, django-axes' record of failed logins and django-allauth's e-mail addresses and
single sign-on accounts, apps and tokens are site-wide. Course staff hold their powers per course (course/admin_scoping.py),
so none of these is theirs, whatever groups or permissions an account carries.
"""

from __future__ import annotations

from typing import Any

from allauth.account import admin as account_admin
from allauth.account.models import EmailAddress
from allauth.socialaccount import admin as socialaccount_admin
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group, Permission
from django.db.models import Field
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)


class SuperuserOnlyAdminMixin:
    """Put first in the bases of the admin of a site-wide model."""

    def _superuser(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._superuser(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._superuser(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request)


# Django writes a model's default permissions' names into the database in English ("Can add
# quiz"), once, at migrate time; the admin shows them from there. They are named again here, in
# the reader's language, from the action and the model's (translated) verbose name.
PERMISSION_ACTIONS = {
    "add": _("Can add %(thing)s"),
    "change": _("Can change %(thing)s"),
    "delete": _("Can delete %(thing)s"),
    "view": _("Can view %(thing)s"),
}


def permission_label(permission: Permission) -> str:
    """'Daily quizzes | quiz | Can add quiz', translated; a permission a model declares itself
    keeps the name it was given."""
    action, _sep, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    template = PERMISSION_ACTIONS.get(action)
    if template is None or model is None or model_name != model._meta.model_name:
        return str(permission)
    return f"{permission.content_type} | {template % {'thing': model._meta.verbose_name}}"


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return permission_label(obj)


class TranslatedPermissionsMixin:
    """For the admin of a model with permissions to pick (groups, users)."""

    def formfield_for_manytomany(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionChoiceField
            kwargs["queryset"] = Permission.objects.select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]  # a mixin of ModelAdmin


class SuperuserGroupAdmin(SuperuserOnlyAdminMixin, TranslatedPermissionsMixin, GroupAdmin):
    pass


class SuperuserPeriodicTaskAdmin(SuperuserOnlyAdminMixin, beat_admin.PeriodicTaskAdmin):
    pass


class SuperuserIntervalScheduleAdmin(SuperuserOnlyAdminMixin, beat_admin.IntervalScheduleAdmin):
    pass


class SuperuserCrontabScheduleAdmin(SuperuserOnlyAdminMixin, beat_admin.CrontabScheduleAdmin):
    pass


class SuperuserSolarScheduleAdmin(SuperuserOnlyAdminMixin, beat_admin.SolarScheduleAdmin):
    pass


class SuperuserClockedScheduleAdmin(SuperuserOnlyAdminMixin, beat_admin.ClockedScheduleAdmin):
    pass


class SuperuserAccessAttemptAdmin(SuperuserOnlyAdminMixin, axes_admin.AccessAttemptAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # written by django-axes alone


class SuperuserAccessLogAdmin(SuperuserOnlyAdminMixin, axes_admin.AccessLogAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # written by django-axes alone


class SuperuserAccessFailureLogAdmin(SuperuserOnlyAdminMixin, axes_admin.AccessFailureLogAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # written by django-axes alone


class SuperuserEmailAddressAdmin(SuperuserOnlyAdminMixin, account_admin.EmailAddressAdmin):
    pass


class SuperuserSocialAppAdmin(SuperuserOnlyAdminMixin, socialaccount_admin.SocialAppAdmin):
    pass


class SuperuserSocialAccountAdmin(SuperuserOnlyAdminMixin, socialaccount_admin.SocialAccountAdmin):
    pass


class SuperuserSocialTokenAdmin(SuperuserOnlyAdminMixin, socialaccount_admin.SocialTokenAdmin):
    pass


# The apps that register these come before course/ in INSTALLED_APPS: their admins are replaced.
for model, model_admin in [
    (Group, SuperuserGroupAdmin),
    (PeriodicTask, SuperuserPeriodicTaskAdmin),
    (IntervalSchedule, SuperuserIntervalScheduleAdmin),
    (CrontabSchedule, SuperuserCrontabScheduleAdmin),
    (SolarSchedule, SuperuserSolarScheduleAdmin),
    (ClockedSchedule, SuperuserClockedScheduleAdmin),
    (AccessAttempt, SuperuserAccessAttemptAdmin),
    (AccessLog, SuperuserAccessLogAdmin),
    (AccessFailureLog, SuperuserAccessFailureLogAdmin),
    (EmailAddress, SuperuserEmailAddressAdmin),
    (SocialApp, SuperuserSocialAppAdmin),
    (SocialAccount, SuperuserSocialAccountAdmin),
    (SocialToken, SuperuserSocialTokenAdmin),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
