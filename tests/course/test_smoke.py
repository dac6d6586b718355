import pytest


@pytest.mark.django_db
def test_schedule_lists_sessions_of_the_course(client, course, make_member):
    student = make_member(course)
    client.force_login(student)
    response = client.get(f"/c/{course.code}/schedule/")
    assert response.status_code == 200
    assert "Gradient descent" in response.content.decode()
