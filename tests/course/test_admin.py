"""Every model of the course's apps is in the admin, and the admin pages an instructor uses open."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

APPS = ["course", "quizzes", "scribing", "projects", "grading"]


def _inline_models() -> set:
    models = set()
    for model_admin in admin.site._registry.values():
        for inline in getattr(model_admin, "inlines", []):
            models.add(inline.model)
    return models


def test_every_model_is_registered_or_inline():
    inline = _inline_models()
    missing = [
        f"{m._meta.app_label}.{m.__name__}"
        for label in APPS
        for m in apps.get_app_config(label).get_models()
        if not admin.site.is_registered(m) and m not in inline
    ]
    assert missing == []


@pytest.mark.django_db
def test_instructor_opens_every_changelist(client, course, make_member):
    instructor = make_member(course, "instructor")
    instructor.is_staff = instructor.is_superuser = True
    instructor.save()
    client.force_login(instructor)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        if model_admin.search_fields:
            assert client.get(url, {"q": "x"}).status_code == 200, url


@pytest.mark.django_db
def test_roster_import_page_reports_bad_rows(client, course, make_member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    instructor = make_member(course, "instructor")
    instructor.is_staff = instructor.is_superuser = True
    instructor.save()
    client.force_login(instructor)
    url = reverse("admin:course_roster_import", args=[course.pk])
    bad = SimpleUploadedFile("roster.csv", b"name,email,role\nAda Lovelace,not-an-email,student\n")
    html = client.post(url, {"file": bad}).content.decode()
    assert "line 2: &#x27;not-an-email&#x27; is not a valid e-mail address" in html


@pytest.mark.django_db
def test_syllabus_upload_page_reports_errors_with_lines(client, course, make_member, syllabus_text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    instructor = make_member(course, "instructor")
    instructor.is_staff = instructor.is_superuser = True
    instructor.save()
    client.force_login(instructor)
    url = reverse("admin:course_syllabus_upload", args=[course.pk])
    bad = SimpleUploadedFile("s.yaml", syllabus_text.replace("weight: 35", "weight: 3").encode())
    html = client.post(url, {"file": bad}).content.decode()
    assert "grade weights must sum to 100, they sum to 68" in html
    download = client.get(reverse("admin:course_syllabus_download", args=[course.pk]))
    assert download.status_code == 200 and b"code: TST101" in download.content
