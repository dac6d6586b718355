import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_schedule_api_lists_sessions_with_readings(client, course, make_member):
    client.force_login(make_member(course))
    data = client.get(reverse("api_schedule", kwargs={"code": course.code})).json()
    assert data["code"] == "TST101" and data["time_zone"] == "America/Montreal"
    gd = next(s for s in data["sessions"] if s["topic"] == "Gradient descent")
    assert gd["readings"][0]["key"] == "bubeck2015"
    assert gd["starts_at"] == "2021-01-14T09:00:00-05:00"


def test_schedule_api_refuses_outsiders_of_a_private_course(client, course):
    response = client.get(reverse("api_schedule", kwargs={"code": course.code}))
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


def test_unknown_course_is_a_clear_404(client, course, make_member):
    client.force_login(make_member(course))
    assert client.get(reverse("api_schedule", kwargs={"code": "NOPE"})).status_code == 404


def test_my_enrolments(client, course, make_member):
    client.force_login(make_member(course, "auditor"))
    data = client.get(reverse("api_my_enrolments")).json()
    assert data == [
        {
            "course_code": "TST101",
            "course_title": "Test course",
            "term": "Winter 2021",
            "role": "auditor",
            "status": "active",
        }
    ]


def test_openapi_schema_and_docs_are_served_without_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/courses/{code}/schedule/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs


@pytest.mark.parametrize("size", [3, 30])
def test_schedule_api_query_count_is_flat(
    client, course, make_member, django_assert_max_num_queries, size
):
    for _ in range(size):
        make_member(course)
    client.force_login(make_member(course))
    with django_assert_max_num_queries(8):
        client.get(reverse("api_schedule", kwargs={"code": course.code}))
