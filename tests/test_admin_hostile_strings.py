"""Hostile strings in every admin change form: each text field of each registered model with
a row in the demo course, posted by a superuser, gives a form error or is stored exactly as a
browser sent it (Django's form fields strip the ends); never a 500.

Walks ``admin.site._registry`` as the admin scoping tests do, so a new admin is covered.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.demo import load_demo
from tests.factories import UserFactory
from tests.hostile import as_sent, hostile_text

pytestmark = pytest.mark.django_db
APPS = {"course", "quizzes", "scribing", "projects", "grading"}


def _text_fields(model: type[models.Model], form_fields: set[str]) -> list[str]:
    return [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField)
        and f.name in form_fields
        and not f.choices
        and not isinstance(f, models.SlugField | models.URLField | models.EmailField)
    ]


def _post_data(model_admin: Any, request: Any, obj: Any) -> dict[str, Any]:
    form = model_admin.get_form(request, obj)(instance=obj)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = (
                field.widget.format_value(value)
                if hasattr(field.widget, "format_value") and not isinstance(value, str)
                else value
            )
    for formset, _inline in model_admin.get_formsets_with_inlines(request, obj):
        prefix = formset(instance=obj).prefix
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


@pytest.fixture
def targets(db: Any) -> tuple[Any, list[tuple[Any, Any, str]]]:
    load_demo(now=timezone.now())
    root = UserFactory.create(superuser=True, username="root", email="root@example.org")
    request = RequestFactory().get("/admin/")
    request.user = root
    found = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS:
            continue
        obj = model._default_manager.order_by("pk").first()
        if obj is None or not model_admin.has_change_permission(request, obj):
            continue
        form_fields = set(model_admin.get_form(request, obj).base_fields)
        found += [(model_admin, obj, name) for name in _text_fields(model, form_fields)]
    assert len(found) >= 10
    return root, found


@settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), value=hostile_text)
def test_every_admin_text_field(targets: Any, data: Any, value: str) -> None:
    root, found = targets
    model_admin, obj, name = data.draw(st.sampled_from(found))
    request = RequestFactory().get("/admin/")
    request.user = root
    obj.refresh_from_db()
    post = _post_data(model_admin, request, obj)
    post[name] = as_sent(value)
    opts = obj._meta
    c = Client(raise_request_exception=False)
    c.force_login(root)
    r = c.post(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]), post)
    assert r.status_code in (200, 302), (opts.label, name, r.status_code)
    if r.status_code == 302:
        obj.refresh_from_db()
        assert getattr(obj, name) == as_sent(value).strip(), (opts.label, name)
