"""The same launch posted twice at the same instant signs in once: the database spends the
nonce (PostgreSQL)."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client

from course.models import Course, User

from .conftest import form_fields, start_login
from .platform import LEARNER, LtiPlatform, Member


@pytest.mark.django_db(transaction=True)
def test_a_launch_posted_twice_at_once_is_accepted_once(
    bound_course: Course, lms: LtiPlatform
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is decided by PostgreSQL; run with DATABASE_URL=postgres://...")
    lms.members["s"] = Member("lms-s", "s@example.org", "S", "Tudent", LEARNER)
    browser = Client()
    login = start_login(browser, lms, "s")
    query = {k: v[0] for k, v in parse_qs(urlsplit(login["Location"]).query).items()}
    _, body = lms.authorize(query)
    fields = form_fields(body)

    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post() -> None:
        from django.db import connection as conn

        client = Client()
        client.cookies = browser.cookies  # the same browser, two tabs
        try:
            barrier.wait()
            statuses.append(client.post("/lti/launch/", fields).status_code)
        finally:
            conn.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(statuses) == [302, 400]
    assert User.objects.filter(email="s@example.org").count() == 1


@pytest.mark.django_db(transaction=True)
def test_recomputes_finishing_at_once_queue_one_grade_post(
    bound_course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is decided by PostgreSQL; run with DATABASE_URL=postgres://...")
    from django.db import connections
    from django.utils import timezone

    from lti import services, tasks

    queued: list[object] = []
    monkeypatch.setattr(
        tasks.grades_post, "apply_async", lambda args, countdown: queued.append(args)
    )
    barrier = threading.Barrier(8)
    results: list[object] = []

    def schedule() -> None:
        try:
            barrier.wait()
            results.append(services.grades_post_schedule(course=bound_course, now=timezone.now()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=schedule) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [False] * 7 + [True]
    assert queued == [(bound_course.pk,)]
