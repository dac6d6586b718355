"""The answer-save short path (quizzes.api.answer_view): same contract as AnswerAPI, fewer
queries. Anything it does not take (refusals, no attempt yet, other auth) goes to AnswerAPI,
whose 4xx bodies the other API tests check."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from quizzes import services
from quizzes.api import AnswerOut
from quizzes.models import Answer, Attempt, Quiz

from .conftest import build_quiz, questions
from .test_api import api, client_for, correct, put


@pytest.mark.django_db
class TestShortPath:
    @pytest.mark.parametrize("size", [1, 12])
    def test_answer_save_query_count_is_flat(
        self,
        course: Any,
        make_member: Callable,
        django_assert_max_num_queries: Any,
        size: int,
    ) -> None:
        quiz = build_quiz(course, title=f"size{size}", n_single=size)
        students = [make_member(course, "student") for _ in range(size)]
        now = timezone.now()
        for s in students:
            services.attempt_start(quiz=quiz, student=s, now=now)
        qs = questions(quiz)
        c = client_for(students[0])
        # Once per database connection, PostgreSQL prepares the two statements (2 queries).
        with django_assert_max_num_queries(5):
            assert put(c, api(quiz, "answer", qid=qs["text"].pk), {"value": ""}).status_code == 200
        # Then: the session; the user with everything the save needs (1 query); the upsert.
        for q, value in (
            (qs["numeric"], "4"),
            (qs["single"], correct(qs["single"])),
            (qs["multiple"], [c.pk for c in qs["multiple"].choices.all()][:2]),
            (qs["text"], "because"),
        ):
            with django_assert_max_num_queries(3):
                r = put(c, api(quiz, "answer", qid=q.pk), {"value": value})
            assert r.status_code == 200, r.content
        stored = {a.question_id: a.value for a in Answer.objects.filter(attempt__quiz=quiz)}
        assert stored[qs["numeric"].pk] == "4"
        assert stored[qs["single"].pk] == correct(qs["single"])
        assert Answer.objects.filter(attempt__quiz=quiz).count() == 4

    def test_same_body_as_the_general_path(self, quiz: Quiz, student: Any) -> None:
        c = client_for(student)
        q = questions(quiz)["numeric"]
        # No attempt yet: AnswerAPI starts it and saves.
        first = put(c, api(quiz, "answer", qid=q.pk), {"value": " 4 "})
        # The attempt exists: the short path.
        second = put(c, api(quiz, "answer", qid=q.pk), {"value": " 4 "})
        assert first.status_code == second.status_code == 200
        a, b = first.json(), second.json()
        assert a.keys() == b.keys() == {"question", "value", "saved_at", "remaining_seconds"}
        assert a["question"] == b["question"] == q.pk and a["value"] == b["value"] == "4"
        assert a["saved_at"].endswith("Z") == b["saved_at"].endswith("Z")
        assert len(a["saved_at"]) == len(b["saved_at"])
        assert b == AnswerOut(b).data
        assert first["Content-Type"] == second["Content-Type"] == "application/json"
        assert Answer.objects.get().value == "4"

    def test_update_keeps_one_row_and_the_last_value(self, quiz: Quiz, student: Any) -> None:
        c = client_for(student)
        c.post(api(quiz, "attempt"))
        q = questions(quiz)["text"]
        for text in ("one", "two", "three"):
            assert put(c, api(quiz, "answer", qid=q.pk), {"value": text}).status_code == 200
        assert list(Answer.objects.values_list("value", flat=True)) == ["three"]

    def test_csrf_is_enforced_for_sessions(self, quiz: Quiz, student: Any) -> None:
        c = Client(enforce_csrf_checks=True)
        c.force_login(student)
        services.attempt_start(quiz=quiz, student=student, now=timezone.now())
        q = questions(quiz)["numeric"]
        r = put(c, api(quiz, "answer", qid=q.pk), {"value": "4"})
        assert r.status_code == 403 and "CSRF" in r.json()["detail"]
        assert Answer.objects.count() == 0

    def test_refusals_on_an_existing_attempt(
        self, quiz: Quiz, student: Any, make_quiz: Callable
    ) -> None:
        c = client_for(student)
        c.post(api(quiz, "attempt"))
        qs = questions(quiz)
        foreign = questions(make_quiz(title="Other"))["single"]
        cases = [
            (api(quiz, "answer", qid=foreign.pk), {"value": correct(foreign)}, 404, "question"),
            (api(quiz, "answer", qid=qs["single"].pk), {"value": correct(foreign)}, 400, "value"),
            (api(quiz, "answer", qid=qs["numeric"].pk), {"value": "twelve"}, 400, "value"),
            (
                api(quiz, "answer", qid=qs["numeric"].pk),
                {"value": "4", "access_code": 5 * "x" * 5},
                400,
                "access_code",
            ),
            (api(quiz, "answer", qid=qs["single"].pk), "[1, 2]", 400, "non_field_errors"),
            (api(quiz, "answer", qid=qs["numeric"].pk), '{"value": NaN}', 400, "detail"),
        ]
        for url, payload, code, fieldname in cases:
            r = put(c, url, payload, raw=isinstance(payload, str))
            assert r.status_code == code, (payload, r.content)
            assert fieldname in r.json(), r.json()
        assert Answer.objects.count() == 0
        # Submitted, then past the deadline: 409 with the reason, nothing stored.
        q = qs["numeric"]
        Attempt.objects.update(deadline=timezone.now() - timedelta(seconds=10))
        r = put(c, api(quiz, "answer", qid=q.pk), {"value": "4"})
        assert r.status_code == 409 and r.json()["code"] in ("deadline_passed", "submitted")
        c.post(api(quiz, "submit"))
        r = put(c, api(quiz, "answer", qid=q.pk), {"value": "4"})
        assert r.status_code == 409 and r.json()["code"] == "submitted"
        assert Answer.objects.count() == 0

    def test_another_course_code_is_404(self, quiz: Quiz, student: Any) -> None:
        c = client_for(student)
        c.post(api(quiz, "attempt"))
        q = questions(quiz)["numeric"]
        url = api(quiz, "answer", qid=q.pk).replace(f"/{quiz.course.code}/", "/NOPE999/")
        assert put(c, url, {"value": "4"}).status_code == 404
        # The code is case-insensitive, as on every course address.
        url = api(quiz, "answer", qid=q.pk).replace(
            f"/{quiz.course.code}/", f"/{quiz.course.code.lower()}/"
        )
        assert put(c, url, {"value": "4"}).status_code == 200

    def test_dropped_student_is_refused(self, quiz: Quiz, student: Any) -> None:
        c = client_for(student)
        c.post(api(quiz, "attempt"))
        student.enrollments.update(status="dropped")
        q = questions(quiz)["numeric"]
        assert put(c, api(quiz, "answer", qid=q.pk), {"value": "4"}).status_code == 403
        assert Answer.objects.count() == 0

    def test_session_of_a_changed_password_or_inactive_user_is_refused(
        self, quiz: Quiz, student: Any
    ) -> None:
        c = client_for(student)
        c.post(api(quiz, "attempt"))
        q = questions(quiz)["numeric"]
        assert put(c, api(quiz, "answer", qid=q.pk), {"value": "1"}).status_code == 200
        student.set_password("another-password-1")
        student.save()
        assert put(c, api(quiz, "answer", qid=q.pk), {"value": "2"}).status_code == 403
        c = client_for(student)
        student.is_active = False
        student.save()
        assert put(c, api(quiz, "answer", qid=q.pk), {"value": "3"}).status_code == 403
        assert Answer.objects.get().value == "1"

    def test_basic_auth_still_served(self, quiz: Quiz, student: Any) -> None:
        import base64

        services.attempt_start(quiz=quiz, student=student, now=timezone.now())
        token = base64.b64encode(f"{student.username}:pw-for-tests".encode()).decode()
        c = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Basic {token}")
        q = questions(quiz)["numeric"]
        r = c.put(
            api(quiz, "answer", qid=q.pk),
            json.dumps({"value": "4"}),
            content_type="application/json",
        )
        assert r.status_code == 200, r.content

    def test_schema_documents_the_endpoint(self, client: Client) -> None:
        schema = client.get("/api/schema/").content.decode()
        assert "/api/courses/{code}/quizzes/{id}/answers/{question_id}/" in schema
        assert "AnswerIn" in schema


@pytest.mark.django_db(transaction=True)
def test_statement_prepared_again_when_gone(quiz: Quiz, student: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    c = client_for(student)
    c.post(api(quiz, "attempt"))
    q = questions(quiz)["numeric"]
    assert put(c, api(quiz, "answer", qid=q.pk), {"value": "1"}).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert put(c, api(quiz, "answer", qid=q.pk), {"value": "2"}).status_code == 200
    assert Answer.objects.get().value == "2"


def _race_saves_and_submit(quiz: Quiz, student: Any, q: Any) -> list[int]:
    Answer.objects.all().delete()
    Attempt.objects.all().delete()
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=timezone.now())
    barrier = threading.Barrier(3)
    statuses: list[int] = []
    errors: list[Exception] = []

    def saver() -> None:
        from django.db import connection as conn

        try:
            c = client_for(student)
            barrier.wait()
            for i in range(8):
                r = put(c, api(quiz, "answer", qid=q.pk), {"value": str(4 + i % 2)})
                statuses.append(r.status_code)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    def submitter() -> None:
        from django.db import connection as conn

        try:
            barrier.wait()
            services.attempt_submit(attempt=attempt, now=timezone.now())
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=saver) for _ in range(2)]
    threads.append(threading.Thread(target=submitter))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return statuses


@pytest.mark.django_db(transaction=True)
def test_saves_racing_a_submit_are_graded_or_refused(quiz: Quiz, student: Any) -> None:
    """The short path's upsert share-locks the attempt: an answer is stored before the submit
    grades it or is refused with 409; none lands (or changes) after, ungraded."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is decided by PostgreSQL; run with DATABASE_URL=postgres://...")
    q = questions(quiz)["numeric"]
    for _round in range(3):
        statuses = _race_saves_and_submit(quiz, student, q)
        assert set(statuses) <= {200, 409}
        attempt = Attempt.objects.get()
        stored = list(Answer.objects.filter(attempt=attempt))
        assert len(stored) <= 1 and (200 in statuses) == bool(stored)
        if stored:
            # The stored value is the one the submit graded (a later update would differ).
            assert attempt.submitted_at is not None
            expected = q.points if stored[0].value == "4" else 0
            assert stored[0].points == expected
            assert attempt.points == stored[0].points
