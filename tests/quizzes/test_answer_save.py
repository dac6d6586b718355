"""Saving an answer (PUT /api/courses/<code>/quizzes/<pk>/answers/<question>/): an ordinary DRF
view behind the whole middleware chain, session authentication with its CSRF check, one read of
what the save needs and one guarded upsert (services.answer_save).

Each refusal is checked at the save right after the change that causes it: what the previous
save established is never trusted.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from quizzes import services
from quizzes.api import AnswerOut
from quizzes.models import Answer, Attempt, Choice, Question, Quiz

from .conftest import build_quiz, questions
from .test_api import api, client_for, correct, put

pytestmark = pytest.mark.django_db

CACHED_SESSIONS = "django.contrib.sessions.backends.cached_db"


def started(quiz: Quiz, student: Any, secure: bool = False) -> Client:
    """A signed-in student with an attempt and a first saved answer."""
    c = client_for(student)
    assert c.post(api(quiz, "attempt"), secure=secure).status_code in (200, 201)
    q = questions(quiz)["text"]
    r = c.put(
        api(quiz, "answer", qid=q.pk), '{"value": "first"}', "application/json", secure=secure
    )
    assert r.status_code == 200, r.content
    return c


# --- what a save costs --------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 12])
@pytest.mark.parametrize("engine", ["django.contrib.sessions.backends.db", CACHED_SESSIONS])
def test_a_save_is_at_most_four_statements_whatever_the_class(
    course: Any,
    make_member: Callable[..., Any],
    django_assert_max_num_queries: Any,
    size: int,
    engine: str,
) -> None:
    """Counting everything the request runs: the session (none when it comes from the cache),
    the user, the read of the question with its quiz, course, enrolment, attempt and choices,
    and the upsert."""
    with override_settings(SESSION_ENGINE=engine):
        quiz = build_quiz(course, title=f"size{size}", n_single=size)
        students = [make_member(course, "student") for _ in range(size)]
        for s in students:
            services.attempt_start(quiz=quiz, student=s, now=timezone.now())
        qs = questions(quiz)
        c = client_for(students[0])
        saves = [
            (qs["numeric"], "4"),
            (qs["single"], correct(qs["single"])),
            (qs["multiple"], [ch.pk for ch in qs["multiple"].choices.all()][:2]),
            (qs["text"], "because"),
            (qs["text"], "because, revised"),
        ]
        bound = 3 if engine == CACHED_SESSIONS else 4
        for q, value in saves:
            with django_assert_max_num_queries(bound) as ctx:
                r = put(c, api(quiz, "answer", qid=q.pk), {"value": value})
            assert r.status_code == 200, r.content
            upserts = [x for x in ctx.captured_queries if x["sql"].startswith("INSERT")]
            assert len(upserts) == 1 and "ON CONFLICT" in upserts[0]["sql"]
    stored = {a.question_id: a.value for a in Answer.objects.filter(attempt__quiz=quiz)}
    assert stored[qs["numeric"].pk] == "4" and stored[qs["text"].pk] == "because, revised"
    assert Answer.objects.filter(attempt__quiz=quiz).count() == 4


def test_the_save_goes_through_the_whole_middleware_chain(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    q = questions(quiz)["text"]
    text = 'line\u2028separator, «accents», and a quote "'
    r = put(c, api(quiz, "answer", qid=q.pk), {"value": text})
    assert r.status_code == 200, r.content
    assert hasattr(r.wsgi_request, "session")  # SessionMiddleware ran
    assert r["X-Frame-Options"] == "DENY"  # XFrameOptionsMiddleware ran
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Type"] == "application/json"
    assert r.json()["value"] == text
    assert Answer.objects.get(question=q).value == text


def test_query_watchers_see_every_save(quiz: Quiz, student: Any) -> None:
    """An execute_wrapper (an APM's, a query logger) sees the upsert: Django's cursor runs it."""
    c = started(quiz, student)
    q = questions(quiz)["numeric"]
    seen: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        assert put(c, api(quiz, "answer", qid=q.pk), {"value": "2"}).status_code == 200
    assert any(sql.startswith("INSERT") and "ON CONFLICT" in sql for sql in seen), seen
    assert Answer.objects.get(question=q).value == "2"


def test_the_body_is_the_documented_one(quiz: Quiz, student: Any) -> None:
    c = client_for(student)
    q = questions(quiz)["numeric"]
    first = put(c, api(quiz, "answer", qid=q.pk), {"value": " 4 "})  # starts the attempt
    second = put(c, api(quiz, "answer", qid=q.pk), {"value": " 4 "})
    assert first.status_code == second.status_code == 200
    for r in (first, second):
        body = r.json()
        assert body.keys() == {"question", "value", "saved_at", "remaining_seconds"}
        assert body["question"] == q.pk and body["value"] == "4"
        assert 590 <= body["remaining_seconds"] <= 600
        assert body == AnswerOut(body).data
    assert Answer.objects.get().value == "4"


def test_an_update_keeps_one_row_and_the_last_value(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    q = questions(quiz)["text"]
    for text in ("one", "two", "three"):
        assert put(c, api(quiz, "answer", qid=q.pk), {"value": text}).status_code == 200
    assert list(Answer.objects.values_list("value", flat=True)) == ["three"]


def test_text_answers_are_stored_as_typed(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    q = questions(quiz)["text"]
    typed = 'l\'été à 50 % \\ "f(x)" — $\\frac{1}{2}$ 🙂'
    r = put(c, api(quiz, "answer", qid=q.pk), {"value": typed})
    assert r.status_code == 200, r.content
    assert r.json()["value"] == typed
    assert Answer.objects.get(question=q).value == typed


# --- who may save -------------------------------------------------------------------------


def test_the_csrf_token_is_checked(quiz: Quiz, student: Any) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(student)
    token = "k" * 32
    c.cookies["csrftoken"] = token
    assert c.post(api(quiz, "attempt"), headers={"X-CSRFToken": token}).status_code == 201
    q = questions(quiz)["numeric"]
    url = api(quiz, "answer", qid=q.pk)

    def save(value: str, header: str | None) -> Any:
        headers = {"X-CSRFToken": header} if header is not None else {}
        return c.put(url, json.dumps({"value": value}), "application/json", headers=headers)

    assert save("1", token).status_code == 200
    for header in (None, "x" * 32):
        r = save("3", header)
        assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    assert Answer.objects.get(question=q).value == "1"


def test_logout_is_seen_at_the_next_save(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    cookie = c.cookies[settings.SESSION_COOKIE_NAME].value
    c.logout()  # deletes the session
    c.cookies[settings.SESSION_COOKIE_NAME] = cookie  # a copy of the old cookie, replayed
    q = questions(quiz)["numeric"]
    r = put(c, api(quiz, "answer", qid=q.pk), {"value": "4"})
    assert r.status_code == 403
    assert not Answer.objects.filter(question=q).exists()


@pytest.mark.parametrize("engine", ["django.contrib.sessions.backends.db", CACHED_SESSIONS])
@pytest.mark.parametrize("change", ["password", "inactive", "dropped", "auditor"])
def test_a_changed_user_or_enrolment_is_refused_at_the_next_save(
    quiz: Quiz, student: Any, change: str, engine: str
) -> None:
    with override_settings(SESSION_ENGINE=engine):
        c = started(quiz, student)
        if change == "password":
            student.set_password("a-new-password-42")
            student.save()
        elif change == "inactive":
            student.is_active = False
            student.save()
        elif change == "dropped":
            student.enrolments.update(status="dropped")
        else:  # now an auditor, in a course where auditors may not take quizzes
            student.enrolments.update(role="auditor")
            quiz.course.auditors_may_take_quizzes = False
            quiz.course.save()
        q = questions(quiz)["numeric"]
        assert put(c, api(quiz, "answer", qid=q.pk), {"value": "4"}).status_code == 403
    assert not Answer.objects.filter(question=q).exists()


def test_the_auditor_rule_turned_off_mid_quiz_is_seen(
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
    r = put(c, api(quiz, "answer", qid=q.pk), {"value": "4"})
    assert (
        r.status_code == 403 and r.json()["detail"] == "You do not have this right in this course."
    )
    assert not Answer.objects.filter(question=q).exists()


def test_anonymous_and_basic_auth(quiz: Quiz, student: Any) -> None:
    q = questions(quiz)["numeric"]
    r = put(Client(), api(quiz, "answer", qid=q.pk), {"value": "4"})
    assert r.status_code == 403 and "credentials" in r.json()["detail"]
    services.attempt_start(quiz=quiz, student=student, now=timezone.now())
    token = base64.b64encode(f"{student.username}:pw-for-tests".encode()).decode()
    c = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Basic {token}")
    r = c.put(api(quiz, "answer", qid=q.pk), '{"value": "4"}', content_type="application/json")
    assert r.status_code == 200, r.content
    assert Answer.objects.get().value == "4"


def test_each_student_saves_into_their_own_attempt_only(
    quiz: Quiz, student: Any, make_member: Callable[..., Any]
) -> None:
    c = started(quiz, student)
    other = make_member(quiz.course, "student")
    q = questions(quiz)["numeric"]
    assert put(c, api(quiz, "answer", qid=q.pk), {"value": "1"}).status_code == 200
    r = put(client_for(other), api(quiz, "answer", qid=q.pk), {"value": "2"})
    assert r.status_code == 200  # the other student's first save starts their own attempt
    mine, theirs = (Attempt.objects.get(student=s) for s in (student, other))
    assert mine.pk != theirs.pk
    assert Answer.objects.get(attempt=mine, question=q).value == "1"
    assert Answer.objects.get(attempt=theirs, question=q).value == "2"


# --- what may be saved, and when ----------------------------------------------------------


def test_wrong_quiz_wrong_course_and_the_course_code_case(
    quiz: Quiz, student: Any, make_quiz: Callable[..., Quiz]
) -> None:
    c = started(quiz, student)
    qs = questions(quiz)
    foreign = questions(make_quiz(title="Other quiz"))["numeric"]
    r = put(c, api(quiz, "answer", qid=foreign.pk), {"value": "4"})
    assert r.status_code == 404 and r.json()["code"] == "bad_question"
    url = api(quiz, "answer", qid=qs["numeric"].pk)
    assert (
        put(c, url.replace(f"/{quiz.course.code}/", "/NOPE999/"), {"value": "4"}).status_code == 404
    )
    other_pk = url.replace(f"/quizzes/{quiz.pk}/", "/quizzes/999999/")
    assert put(c, other_pk, {"value": "4"}).status_code == 404
    assert not Answer.objects.filter(question__in=[foreign, qs["numeric"]]).exists()
    lower = url.replace(f"/{quiz.course.code}/", f"/{quiz.course.code.lower()}/")
    assert put(c, lower, {"value": "4"}).status_code == 200


def test_past_the_deadline_and_submitted_are_refused(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    q = questions(quiz)["numeric"]
    quiz.attempts.update(deadline=timezone.now() - timedelta(seconds=30))
    r = put(c, api(quiz, "answer", qid=q.pk), {"value": "4"})
    assert r.status_code == 409 and r.json()["code"] in ("deadline_passed", "submitted")
    assert not Answer.objects.filter(question=q).exists()


def test_a_submitted_attempt_is_refused(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    assert c.post(api(quiz, "submit")).status_code == 200
    q = questions(quiz)["numeric"]
    r = put(c, api(quiz, "answer", qid=q.pk), {"value": "4"})
    assert r.status_code == 409 and r.json()["code"] == "submitted"
    assert "non_field_errors" in r.json()
    assert not Answer.objects.filter(question=q).exists()


def test_the_database_clock_decides_the_deadline(quiz: Quiz, student: Any) -> None:
    """A web server whose clock is late does not take an answer the database says is late."""
    c = started(quiz, student)
    q = questions(quiz)["numeric"]
    quiz.attempts.update(deadline=timezone.now() - timedelta(seconds=30))  # grace is 5 s
    with time_machine.travel(timezone.now() - timedelta(minutes=5), tick=True):
        r = put(c, api(quiz, "answer", qid=q.pk), {"value": "4"})
    assert r.status_code == 409 and r.json()["code"] == "deadline_passed"
    assert not Answer.objects.filter(question=q).exists()


def test_the_grace_is_read_from_the_quiz_at_each_save(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    q = questions(quiz)["numeric"]
    quiz.attempts.update(deadline=timezone.now() - timedelta(seconds=20))
    assert put(c, api(quiz, "answer", qid=q.pk), {"value": "1"}).status_code == 409
    Quiz.objects.filter(pk=quiz.pk).update(grace_seconds=60)
    assert put(c, api(quiz, "answer", qid=q.pk), {"value": "2"}).status_code == 200
    assert Answer.objects.get(question=q).value == "2"


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
    assert r.status_code == 400 and r.json()["code"] == "bad_choice" and "value" in r.json()
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


@pytest.mark.parametrize(
    ("kind", "payload", "code", "fieldname"),
    [
        ("numeric", {"value": "twelve"}, "bad_number", "value"),
        ("single", {"value": 10**9}, "bad_choice", "value"),
        ("single", {"value": True}, "bad_value", "value"),
        ("multiple", {"value": {"a": 1}}, "bad_value", "value"),
        ("text", {"value": "x" * 4001}, "too_long", "value"),
        ("numeric", {"value": "4", "access_code": "x" * 25}, "invalid", "access_code"),
        ("single", {}, "invalid", "value"),
        ("single", "[1, 2]", "invalid", "non_field_errors"),
        ("numeric", '{"value": NaN}', "parse_error", "detail"),
        ("numeric", "{not json", "parse_error", "detail"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    quiz: Quiz, student: Any, kind: str, payload: Any, code: str | None, fieldname: str
) -> None:
    c = started(quiz, student)
    q = questions(quiz)[kind]
    r = put(c, api(quiz, "answer", qid=q.pk), payload, raw=isinstance(payload, str))
    assert r.status_code == 400, r.content
    body = r.json()
    assert fieldname in body and body.get("code") == code, body
    assert Answer.objects.count() == 1  # the first one only
    assert Answer.objects.get().value == "first"


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ({"value": "nul \x00 inside"}, "value: "),
        ({"value": ["a", {"k\x00": 1}]}, "value[1]: a key: "),
        ('{"value": "lone \\ud800 surrogate"}', "value: "),
        ({"value": "4", "access_code": "a\x00"}, "access_code: "),
    ],
)
def test_text_no_database_can_hold_is_refused_naming_the_field(
    quiz: Quiz, student: Any, payload: Any, where: str
) -> None:
    """NUL and lone surrogates are refused by the API's JSON parser (course/api_parsers.py),
    before the save, with the place in the body that holds them."""
    c = started(quiz, student)
    q = questions(quiz)["text"]
    r = put(c, api(quiz, "answer", qid=q.pk), payload, raw=isinstance(payload, str))
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "parse_error" and where in r.json()["detail"], r.json()
    assert Answer.objects.get().value == "first"


def test_the_refusal_messages_are_translated(quiz: Quiz, student: Any) -> None:
    c = started(quiz, student)
    q = questions(quiz)["text"]
    url = api(quiz, "answer", qid=q.pk)
    r = c.put(url, json.dumps({"value": "x" * 4001}), "application/json", HTTP_ACCEPT_LANGUAGE="fr")
    assert r.status_code == 400 and r.json()["value"] == [
        "La réponse est trop longue (4000 caractères au plus)."
    ]
    r = c.put(url, json.dumps({"value": "a\x00"}), "application/json", HTTP_ACCEPT_LANGUAGE="fr")
    assert r.status_code == 400 and "caractère NUL" in r.json()["detail"]
    c.post(api(quiz, "submit"))
    r = c.put(url, '{"value": "b"}', "application/json", HTTP_ACCEPT_LANGUAGE="fr")
    assert r.status_code == 409 and "remise" in r.json()["non_field_errors"][0]


def test_the_schema_documents_the_endpoint(client: Client) -> None:
    schema = client.get("/api/schema/").content.decode()
    assert "/api/courses/{code}/quizzes/{id}/answers/{question_id}/" in schema
    assert "AnswerIn" in schema


# --- concurrency, decided by PostgreSQL ---------------------------------------------------


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
    """The upsert share-locks the attempt: an answer is stored before the submit grades it or
    is refused with 409; none lands (or changes) after, ungraded."""
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


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_saves_make_one_attempt(quiz: Quiz, student: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is decided by PostgreSQL; run with DATABASE_URL=postgres://...")
    qs = list(questions(quiz).values())
    barrier = threading.Barrier(len(qs))
    statuses: list[int] = []

    def first_save(q: Question) -> None:
        from django.db import connection as conn

        try:
            c = client_for(student)
            barrier.wait()
            value: int | str | list[int] = correct(q) if q.kind == "single" else "4"
            if q.kind == "multiple":
                value = [correct(q)]
            statuses.append(put(c, api(quiz, "answer", qid=q.pk), {"value": value}).status_code)
        finally:
            conn.close()

    threads = [threading.Thread(target=first_save, args=(q,)) for q in qs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * len(qs)
    assert Attempt.objects.count() == 1 and Answer.objects.count() == len(qs)


def test_https_redirect_and_allowed_hosts_apply(quiz: Quiz, student: Any) -> None:
    q = questions(quiz)["numeric"]
    url = api(quiz, "answer", qid=q.pk)
    c = started(quiz, student)
    r = c.put(url, '{"value": "9"}', "application/json", headers={"host": "evil.example"})
    assert r.status_code == 400
    with override_settings(SECURE_SSL_REDIRECT=True):
        c = client_for(student)  # a new handler: the middleware reads the setting when built
        r = c.put(url, '{"value": "8"}', "application/json")  # plain HTTP
        assert r.status_code == 301 and r["Location"].startswith("https://")
    assert not Answer.objects.filter(question=q).exists()


def test_a_deadline_moved_between_the_read_and_the_save_still_takes_the_answer(
    quiz: Quiz, student: Any
) -> None:
    """The statement is guarded by the cutoff of the deadline it read (rules.answer_cutoff):
    extra time granted in between is seen, and the answer is saved, not refused as late."""
    from quizzes.selectors import answer_target

    now = timezone.now()
    services.attempt_start(quiz=quiz, student=student, now=now)
    q = questions(quiz)["numeric"]
    target = answer_target(quiz_pk=quiz.pk, question_pk=q.pk, student=student)
    assert target is not None and target.attempt is not None
    before = target.attempt.deadline
    services.accommodation_set(quiz=quiz, student=student, extra_seconds=600)
    assert Attempt.objects.get(pk=target.attempt.pk).deadline > before
    answer = services.answer_save(
        quiz=quiz, student=student, question_id=q.pk, value="4", now=now, target=target
    )
    assert answer.attempt.deadline > before
    assert Answer.objects.get(question=q).value == "4"


@pytest.mark.parametrize(("after_ms", "saved"), [(0, True), (1, False)])
def test_the_statement_and_the_rule_share_the_cutoff(
    quiz: Quiz, student: Any, after_ms: int, saved: bool
) -> None:
    from quizzes import rules

    start = timezone.now()
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=start)
    cutoff = rules.answer_cutoff(deadline=attempt.deadline, grace=quiz.grace)
    at = cutoff + timedelta(milliseconds=after_ms)
    assert rules.accepts_answers(now=at, deadline=attempt.deadline, grace=quiz.grace) is saved
    q = questions(quiz)["numeric"]
    # The statement alone, at the clock given: it answers as the rule does.
    from quizzes.services import _answer_upsert

    written = _answer_upsert(attempt=attempt, question=q, stored="4", quiz=quiz, clock=at)
    assert (written is not None) is saved
