"""The admin scoped per course: one mixin every course-bound ModelAdmin (and inline) uses.

A ModelAdmin says how its model reaches its course (``course_path = "quiz__course"``; ``""`` for
the Course model itself). Superusers see everything. Other staff see only the rows of the courses
where ``can(user, view_action, course)``, may change or delete only the rows of the courses where
``can(user, change_action, course)``, and the foreign-key choices of the add and change forms, and
the related list filters, offer only objects of those courses. Django's model permissions (the
staff groups) still apply on top.

The allowed courses are computed once per request in one query: the user's enrolments with their
courses, each handed to ``can()`` through ``remember_enrolment`` so it asks nothing more. Only
actions that need an enrolment make sense here (GRADE, MANAGE_COURSE, VIEW_ALL_GRADES, ...).

course/ does not know the apps standing on it: the related models' paths are read from the admin
registry (their own admins declare them), or from a ``course`` foreign key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from .models import Course, Enrolment
from .permissions import Action, AdminOperation, admin_may, can, remember_enrolment, role_of

_REQUEST_CACHE = "_coursekit_admin_scope"


def _staff_courses(request: HttpRequest) -> list[Course]:
    """The courses the user has a (non-dropped) enrolment in: one query per request."""
    cache: dict[Any, Any] = request.__dict__.setdefault(_REQUEST_CACHE, {})
    if "courses" not in cache:
        user: Any = request.user
        enrolments = list(
            Enrolment.objects.filter(user_id=user.pk)
            .exclude(status=Enrolment.Status.DROPPED)
            .select_related("course")
            .order_by("pk")
        )
        for enrolment in enrolments:
            remember_enrolment(user, enrolment.course, enrolment)
        cache["courses"] = [e.course for e in enrolments]
    return cache["courses"]


def allowed_course_ids(request: HttpRequest, action: Action | str) -> frozenset[int] | None:
    """Ids of the courses where the request's user may do `action`; None means every course
    (a superuser). Cached on the request."""
    user = request.user
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    if user.is_superuser:
        return None
    action = Action(action)
    cache: dict[Any, Any] = request.__dict__.setdefault(_REQUEST_CACHE, {})
    if action not in cache:
        cache[action] = frozenset(c.pk for c in _staff_courses(request) if can(user, action, c))
    return cache[action]


def admin_course_ids(
    request: HttpRequest, action: Action | str, operation: AdminOperation | str, app_label: str
) -> frozenset[int] | None:
    """Ids of the courses where the request's user may do `action` and where their role there
    may do `operation` on a model of `app_label`; None means every course (a superuser)."""
    ids = allowed_course_ids(request, action)
    if ids is None or not ids:
        return ids
    key = ("admin", Action(action), AdminOperation(operation), app_label)
    cache: dict[Any, Any] = request.__dict__.setdefault(_REQUEST_CACHE, {})
    if key not in cache:
        user = request.user
        cache[key] = frozenset(
            c.pk
            for c in _staff_courses(request)
            if c.pk in ids and admin_may(role_of(user, c), operation, app_label)
        )
    return cache[key]


def may_enter_admin(request: HttpRequest) -> bool:
    """The admin opens to superusers and site staff (``is_staff``, set only by a superuser)
    and to the people who are instructor or TA of a course now (their enrolment, not a flag)."""
    user: Any = request.user
    if not getattr(user, "is_active", False):
        return False
    return bool(user.is_staff) or bool(allowed_course_ids(request, Action.GRADE))


def allowed_courses(request: HttpRequest, action: Action | str) -> QuerySet[Course]:
    """The courses where the request's user may do `action` (every course for a superuser)."""
    ids = allowed_course_ids(request, action)
    courses = Course.objects.order_by("-term_start", "code")
    return courses if ids is None else courses.filter(pk__in=ids)


def course_lookup(course_path: str) -> str:
    """The `__in` lookup that filters a model by its course ids."""
    return f"{course_path}__in" if course_path else "pk__in"


def course_path_of(model: type[models.Model]) -> str | None:
    """How `model` reaches its course: its scoped admin's course_path, else a direct `course`
    foreign key; None when it belongs to no course."""
    if model is Course:
        return ""
    for site_admin in admin.site._registry.values():
        for candidate in (site_admin, *getattr(site_admin, "inlines", ())):
            if getattr(candidate, "model", None) is model and hasattr(candidate, "course_path"):
                return candidate.course_path
    try:
        field = model._meta.get_field("course")
    except FieldDoesNotExist:
        return None
    if getattr(field, "related_model", None) is Course:
        return "course"
    return None


def course_id_of(obj: models.Model, course_path: str) -> int | None:
    """The course id of an object, following `course_path` through the cached relations."""
    if not course_path:
        return obj.pk
    *hops, last = course_path.split("__")
    current: Any = obj
    for hop in hops:
        current = getattr(current, hop, None)
        if current is None:
            return None
    attname = current._meta.get_field(last).attname
    return getattr(current, attname)


def scope_queryset(
    request: HttpRequest, queryset: QuerySet[Any], course_path: str, action: Action | str
) -> QuerySet[Any]:
    ids = allowed_course_ids(request, action)
    if ids is None:
        return queryset
    return queryset.filter(**{course_lookup(course_path): ids})


def users_of(ids: frozenset[int]) -> QuerySet[Any]:
    from django.contrib.auth import get_user_model

    members = (
        Enrolment.objects.filter(course_id__in=ids)
        .exclude(status=Enrolment.Status.DROPPED)
        .values("user_id")
    )
    return get_user_model()._default_manager.filter(pk__in=members)


def refuse_if_exists(model: type[models.Model], object_id: str, from_field: Any = None) -> None:
    """For an object outside the user's scope: 403 if it exists (so it is not mistaken for a
    deleted one), else nothing (Django's "not found" follows)."""
    field: Any = model._meta.pk if from_field is None else model._meta.get_field(from_field)
    try:
        value = field.to_python(object_id)
    except ValidationError:
        return
    if model._default_manager.filter(**{field.attname: value}).exists():
        raise PermissionDenied


class CourseScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A related list filter offering only the related objects of the user's courses."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        path = course_path_of(field.related_model)
        ids = allowed_course_ids(request, getattr(model_admin, "view_action", Action.GRADE))
        if path is None or ids is None:
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False, ordering=ordering, limit_choices_to={course_lookup(path): ids}
        )


class _CourseScoping:
    """What ModelAdmins and inlines share: the scoped queryset and the scoped choices."""

    course_path: str = "course"
    view_action: Action = Action.GRADE  # see the rows, open them
    change_action: Action = Action.GRADE  # change, delete, add; the form's choices
    # User foreign keys that may name anybody (e.g. the person an enrolment enrols); other user
    # fields offer the people enrolled in the user's courses.
    any_user_fields: tuple[str, ...] = ()

    model: type[models.Model]
    # Links typed without a scheme are https (Django 6's default; 5.2 warns about the change).
    formfield_overrides: ClassVar[Mapping[type[models.Field], Mapping[str, Any]]] = {
        models.URLField: {"assume_scheme": "https"}
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)  # type: ignore[misc]  # a ModelAdmin mixin: super() is the admin
        return scope_queryset(request, qs, self.course_path, self.view_action)

    def operation_course_ids(
        self, request: HttpRequest, operation: AdminOperation
    ) -> frozenset[int] | None:
        """The courses where the user may do `operation` on this model (None: all)."""
        action = self.view_action if operation == AdminOperation.VIEW else self.change_action
        return admin_course_ids(request, action, operation, self.model._meta.app_label)

    def in_scope(self, request: HttpRequest, obj: Any, action: Action) -> bool:
        ids = allowed_course_ids(request, action)
        return ids is None or course_id_of(obj, self.course_path) in ids

    def scoped_choices(self, request: HttpRequest, db_field: Any, queryset: Any) -> Any:
        """`queryset` of db_field's related model, cut to the user's courses."""
        ids = allowed_course_ids(request, self.change_action)
        if ids is None:
            return queryset
        related = db_field.related_model
        if related is not None and related._meta.label == settings.AUTH_USER_MODEL:
            if db_field.name in self.any_user_fields:
                return queryset
            return queryset.filter(pk__in=users_of(ids).values("pk"))
        path = course_path_of(related)
        if path is None:
            return queryset
        return queryset.filter(**{course_lookup(path): ids})

    def _scoped_queryset_kwarg(self, db_field: Any, request: HttpRequest, kwargs: Any) -> None:
        """kwargs["queryset"] (the given one, else the admin's default) cut to the courses."""
        if "queryset" not in kwargs:
            base = self.get_field_queryset(None, db_field, request)  # type: ignore[attr-defined]  # a ModelAdmin mixin: the admin has it
            if base is None:
                base = db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = base
        kwargs["queryset"] = self.scoped_choices(request, db_field, kwargs["queryset"])

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scoped_queryset_kwarg(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]  # a ModelAdmin mixin: super() is the admin

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scoped_queryset_kwarg(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]  # a ModelAdmin mixin: super() is the admin


class CourseScopedAdminMixin(_CourseScoping):
    """Put first in the bases of a ModelAdmin: ``class QuizAdmin(CourseScopedAdminMixin,
    admin.ModelAdmin)`` with ``course_path = "course"``."""

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        """The admin's form, its choices cut to the user's courses even where the form class
        sets a field's queryset itself (formfield_for_foreignkey never sees those)."""
        form_class = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]  # a ModelAdmin mixin: super() is the admin
        scoping = self

        def __init__(form: Any, *args: Any, **kw: Any) -> None:
            form_class.__init__(form, *args, **kw)
            scoping.scope_form_fields(request, form)

        return type(form_class.__name__, (form_class,), {"__init__": __init__})

    def get_changelist_formset(self, request: HttpRequest, **kwargs: Any) -> Any:
        """The editable columns of the change list, each named by its label: Django renders
        them in the table without a <label>."""
        formset = super().get_changelist_formset(request, **kwargs)  # type: ignore[misc]
        for field in formset.form.base_fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))
        return formset

    def scope_form_fields(self, request: HttpRequest, form: Any) -> None:
        opts = self.model._meta
        for name, field in form.fields.items():
            if getattr(field, "queryset", None) is None:
                continue
            try:
                db_field: Any = opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if db_field.is_relation and not db_field.primary_key:
                field.queryset = self.scoped_choices(request, db_field, field.queryset)

    def _may(self, request: HttpRequest, operation: AdminOperation, obj: Any = None) -> bool:
        ids = self.operation_course_ids(request, operation)
        if ids is None:
            return True
        return bool(ids) if obj is None else course_id_of(obj, self.course_path) in ids

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request, AdminOperation.VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, AdminOperation.VIEW, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, AdminOperation.CHANGE, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, AdminOperation.DELETE, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        if not self.course_path:
            # A new course is in nobody's scope yet: creating one is a superuser's job.
            return bool(request.user.is_active and request.user.is_superuser)
        return self._may(request, AdminOperation.ADD)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        """Another course's object is refused (403); one that does not exist stays Django's
        "not found" redirect."""
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]  # a ModelAdmin mixin: super() is the admin
        if obj is None and allowed_course_ids(request, self.view_action) is not None:
            refuse_if_exists(self.model, object_id, from_field)
        return obj

    def get_list_filter(self, request: HttpRequest) -> Any:
        """Relation filters ("course", "quiz__course", "session", ...) list only the related
        objects of the user's courses."""
        scoped: list[Any] = []
        for entry in super().get_list_filter(request):  # type: ignore[misc]  # a ModelAdmin mixin: super() is the admin
            if isinstance(entry, str):
                try:
                    field = get_fields_from_path(self.model, entry)[-1]
                except (FieldDoesNotExist, NotRelationField):
                    field = None
                related = getattr(field, "related_model", None)
                if related is not None and course_path_of(related) is not None:
                    entry = (entry, CourseScopedRelatedFilter)
            scoped.append(entry)
        return scoped

    def scoped_object_or_404(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        *,
        action: Action | None = None,
        **lookup: Any,
    ) -> Any:
        """For the custom views: the object if it is in one of the user's courses (where they
        may do `action`, by default view_action), else 404."""
        scoped = scope_queryset(request, queryset, self.course_path, action or self.view_action)
        return get_object_or_404(scoped, **lookup)


class CourseScopedInlineMixin(_CourseScoping):
    """Put first in the bases of an inline; the parent admin already checks the parent object.
    What the inline allows is decided in the parent object's course."""

    parent_model: type[models.Model]

    def _may(self, request: HttpRequest, operation: AdminOperation, obj: Any = None) -> bool:
        ids = self.operation_course_ids(request, operation)
        if ids is None:
            return True
        if obj is None or obj.pk is None:
            return bool(ids)
        path = course_path_of(self.parent_model)
        return path is not None and course_id_of(obj, path) in ids

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, AdminOperation.VIEW, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, AdminOperation.ADD, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, AdminOperation.CHANGE, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, AdminOperation.DELETE, obj)
