"""Saves after a student's first one in a quiz (quizzes.answer_memo): one statement, which
stores nothing unless everything the first save checked still holds in the database.

On PostgreSQL the remembered path runs; on SQLite nothing is remembered and the same requests
take the short path or AnswerAPI: every assertion on what the student gets holds on both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from quizzes import answer_memo, services
from quizzes.models import Answer, Choice, Question, Quiz

from .conftest import questions
from .test_api import api, client_for, correct, put

pytestmark = pytest.mark.django_db


def remembered() -> bool:
    return answer_memo.enabled()


def started(quiz: Quiz, student: Any, secure: bool = False) -> Client:
    """A signed-in student with an attempt and a first saved answer (now remembered)."""
    c = client_for(student)
    assert c.post(api(quiz, "attempt"), secure=secure).status_code in (200, 201)
    q = questions(quiz)["text"]
    r = c.put(
        api(quiz, "answer", qid=q.pk), '{"value": "first"}', "application/json", secure=secure
    )
    assert r.status_code == 200
    return c


def test_later_saves_are_one_statement(
    quiz: Quiz, student: Any, django_assert_max_num_queries: Any
) -> None:
    c = started(quiz, student)
    qs = questions(quiz)
    saves = [
        (qs["numeric"], " 4 ", "4"),
        (qs["single"], correct(qs["single"]), correct(qs["single"])),
        (qs["multiple"], [ch.pk for ch in qs["multiple"].choices.order_by("-pk")][:2], None),
        (qs["text"], "second", "second"),
    ]
    # PostgreSQL prepares the statement once per connection: 2 queries the first time, then 1.
    bound = 2 if remembered() else 3
    for q, value, expected in saves:
        with django_assert_max_num_queries(bound) as ctx:
            r = put(c, api(quiz, "answer", qid=q.pk), {"value": value})
        assert r.status_code == 200, r.content
        if remembered():
            assert any("quizzes_answer_remembered" in x["sql"] for x in ctx.captured_queries)
            bound = 1
        body = r.json()
        assert body["question"] == q.pk and 0 < body["remaining_seconds"] <= 600
        if expected is not None:
            assert body["value"] == expected
    stored = {a.question_id: a.value for a in Answer.objects.all()}
    assert stored[qs["numeric"].pk] == "4" and stored[qs["text"].pk] == "second"
    assert sorted(stored[qs["multiple"].pk]) == stored[qs["multiple"].pk]
    assert Answer.objects.count() == 4


def test_logout_is_seen_at_the_next_save(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    cookie = c.cookies[settings.SESSION_COOKIE_NAME].value
    c.logout()  # deletes the session row
    c.cookies[settings.SESSION_COOKIE_NAME] = cookie  # a copy of the old cookie, replayed
    q = questions(quiz)["numeric"]
    r = put(c, api(quiz, "answer", qid=q.pk), {"value": "4"})
    assert r.status_code == 403
    assert not Answer.objects.filter(question=q).exists()


@pytest.mark.parametrize("change", ["password", "inactive", "dropped", "auditor"])
def test_a_changed_user_or_enrolment_is_refused(quiz: Quiz, student: Any, change: str) -> None:
    c = started(quiz, student)
    if change == "password":
        student.set_password("a-new-password-42")
        student.save()
    elif change == "inactive":
        student.is_active = False
        student.save()
    elif change == "dropped":
        student.enrollments.update(status="dropped")
    else:  # now an auditor, in a course where auditors may not take quizzes
        student.enrollments.update(role="auditor")
        quiz.course.auditors_may_take_quizzes = False
        quiz.course.save()
    q = questions(quiz)["numeric"]
    assert put(c, api(quiz, "answer", qid=q.pk), {"value": "4"}).status_code == 403
    assert not Answer.objects.filter(question=q).exists()


def test_auditor_rule_turned_off_mid_quiz_is_seen(
    quiz: Quiz, make_member: Callable[..., Any]
) -> None:
    course = quiz.course
    course.auditors_may_take_quizzes = True
    course.save()
    auditor = make_member(course, "auditor")
    c = started(quiz, auditor)
    course.auditors_may_take_quizzes = False
    course.save()
    q = questions(quiz)["numeric"]
    assert put(c, api(quiz, "answer", qid=q.pk), {"value": "4"}).status_code == 403
    assert not Answer.objects.filter(question=q).exists()


def test_an_edited_question_is_validated_again(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    qs = questions(quiz)
    single = qs["single"]
    url = api(quiz, "answer", qid=single.pk)
    right = correct(single)
    assert put(c, url, {"value": right}).status_code == 200
    # The choice picked before is removed: refused with the field named, nothing changed.
    wrong = single.choices.exclude(pk=right).get()
    Choice.objects.filter(pk=right).delete()
    r = put(c, url, {"value": right})
    assert r.status_code == 400 and "value" in r.json()
    assert put(c, url, {"value": wrong.pk}).status_code == 200
    # A new choice is accepted at once.
    added = Choice.objects.create(question=single, order=5, text="maybe")
    assert put(c, url, {"value": added.pk}).status_code == 200
    # A numeric question turned into a text one takes text.
    numeric = qs["numeric"]
    assert put(c, api(quiz, "answer", qid=numeric.pk), {"value": "4"}).status_code == 200
    Question.objects.filter(pk=numeric.pk).update(kind=Question.Kind.TEXT)
    r = put(c, api(quiz, "answer", qid=numeric.pk), {"value": "four, I think"})
    assert r.status_code == 200, r.content
    assert Answer.objects.get(question=numeric).value == "four, I think"


def test_closed_attempts_and_other_quizzes_are_refused(
    quiz: Quiz, student: Any, make_quiz: Callable[..., Quiz]
) -> None:
    c = started(quiz, student)
    qs = questions(quiz)
    other = make_quiz(title="Other quiz")
    foreign = questions(other)["numeric"]
    # A question of another quiz under this quiz's address.
    assert put(c, api(quiz, "answer", qid=foreign.pk), {"value": "4"}).status_code == 404
    # The same quiz under another course's code.
    url = api(quiz, "answer", qid=qs["numeric"].pk).replace(quiz.course.code, "NOPE999")
    assert put(c, url, {"value": "4"}).status_code == 404
    # Past deadline + grace.
    quiz.attempts.update(deadline=timezone.now() - timedelta(seconds=30))
    r = put(c, api(quiz, "answer", qid=qs["numeric"].pk), {"value": "4"})
    assert r.status_code == 409
    assert not Answer.objects.filter(question=qs["numeric"]).exists()


def test_submitted_attempt_is_refused(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    assert c.post(api(quiz, "submit")).status_code == 200
    q = questions(quiz)["numeric"]
    r = put(c, api(quiz, "answer", qid=q.pk), {"value": "4"})
    assert r.status_code == 409 and r.json()["code"] == "submitted"
    assert not Answer.objects.filter(question=q).exists()


def test_grace_is_read_from_the_quiz(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    q = questions(quiz)["numeric"]
    quiz.attempts.update(deadline=timezone.now() - timedelta(seconds=20))
    assert put(c, api(quiz, "answer", qid=q.pk), {"value": "1"}).status_code == 409
    Quiz.objects.filter(pk=quiz.pk).update(grace_seconds=60)
    assert put(c, api(quiz, "answer", qid=q.pk), {"value": "2"}).status_code == 200
    assert Answer.objects.get(question=q).value == "2"


def test_bad_values_get_the_general_paths_errors(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    qs = questions(quiz)
    r = put(c, api(quiz, "answer", qid=qs["numeric"].pk), {"value": "twelve"})
    assert r.status_code == 400 and "value" in r.json()
    r = put(c, api(quiz, "answer", qid=qs["single"].pk), {"value": 10**9})
    assert r.status_code == 400 and "value" in r.json()
    assert Answer.objects.count() == 1  # the first one only


def test_the_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answer_memo, "MAX_ENTRIES", 3)
    store: dict[int, int] = {}
    for i in range(10):
        answer_memo._put(store, i, i)
    assert list(store) == [7, 8, 9]


@pytest.mark.django_db(transaction=True)
def test_a_dead_connection_is_replaced_on_the_hot_path(quiz: Quiz, student: Any) -> None:
    """The statement stands in for Django's per-request health check: a connection that died
    between requests (a restarted PostgreSQL) is replaced, and the save goes through."""
    if connection.vendor != "postgresql":
        pytest.skip("the health check stand-in is PostgreSQL's")
    from quizzes import prepared

    connection.ensure_connection()
    pid = connection.connection.get_backend_pid()
    import psycopg2

    killer = psycopg2.connect(
        dbname=connection.settings_dict["NAME"],
        user=connection.settings_dict["USER"],
        host=connection.settings_dict["HOST"] or "127.0.0.1",
        port=connection.settings_dict["PORT"] or 5432,
    )
    killer.autocommit = True
    with killer.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", [pid])
    killer.close()
    connection.health_check_enabled = True
    connection.health_check_done = False  # as at the start of a request
    rows = prepared.fetch_all(connection, "test_stand_in", "SELECT %s::int", [7])
    assert rows == [(7,)]
    assert connection.connection.get_backend_pid() != pid
    # And a save right after, on the new connection.
    services.attempt_start(quiz=quiz, student=student, now=timezone.now())
    c = client_for(student)
    q = questions(quiz)["numeric"]
    assert put(c, api(quiz, "answer", qid=q.pk), {"value": "4"}).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="literals are psycopg2's")
def test_literals_quoted_once_read_back_as_given() -> None:
    values = ["50% of 'the' class", "", "née", 7, True, [3, 1]]
    literals = answer_memo._literals(values)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {literals}, %s", ["after"])
        assert cursor.fetchone() == (*values, "after")


@pytest.mark.django_db(transaction=True)
def test_saves_go_on_when_the_prepared_statement_is_gone(quiz: Quiz, student: Any) -> None:
    """Remembered saves run on psycopg2's cursor once the statement is prepared: a statement
    dropped meanwhile (DEALLOCATE ALL, a pooler's new server connection) is prepared again."""
    c = started(quiz, student)
    q = questions(quiz)["numeric"]
    for value in ("1", "2"):  # the second runs the statement the first one prepared
        assert put(c, api(quiz, "answer", qid=q.pk), {"value": value}).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL" if connection.vendor == "postgresql" else "SELECT 1")
    r = put(c, api(quiz, "answer", qid=q.pk), {"value": "3"})
    assert r.status_code == 200, r.content
    assert r.json()["value"] == "3"
    assert Answer.objects.get(question=q).value == "3"


def test_query_watchers_see_remembered_saves(quiz: Quiz, student: Any) -> None:
    """An execute_wrapper (an APM's, a query logger) still sees each remembered save."""
    c = started(quiz, student)
    q = questions(quiz)["numeric"]
    assert put(c, api(quiz, "answer", qid=q.pk), {"value": "1"}).status_code == 200
    seen: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        assert put(c, api(quiz, "answer", qid=q.pk), {"value": "2"}).status_code == 200
    assert seen, "the save ran no query the wrapper saw"
    if remembered():
        assert seen == [seen[0]] and "quizzes_answer_remembered" in seen[0]
    assert Answer.objects.get(question=q).value == "2"


def test_remembered_text_answers_are_stored_as_typed(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    q = questions(quiz)["text"]
    typed = 'l\'été à 50 % \\ "f(x)" — $\\frac{1}{2}$ 🙂'
    r = put(c, api(quiz, "answer", qid=q.pk), {"value": typed})
    assert r.status_code == 200, r.content
    assert r.json()["value"] == typed
    assert Answer.objects.get(question=q).value == typed
