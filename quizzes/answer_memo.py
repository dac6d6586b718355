"""Answer saves after a student's first one in a quiz: one statement, no session read.

The short path (api._answer_short_path) checks everything saving an answer needs: the session
(read from the session store), then the user, the enrolment, the course, the quiz, the question
and the attempt in one joined query, and stores the answer. Once it has stored one, what it
established is remembered here, per worker process:

- for (session, quiz): the session row as stored and the user, enrolment and course values the
  session's user and `can(TAKE_QUIZ)` were decided on (SessionFacts);
- for (quiz, question): the question's kind and choices, what a value is validated against
  (QuestionFacts).

The next save of that session in that quiz is then a single statement, `save`, which stores the
answer only if each remembered value is still the one in the database, compared in its WHERE
under a share lock of the attempt, and the attempt is open within deadline + grace. A logout
(the session row is deleted), a password change, a deactivated user, a dropped enrolment or an
edited question are therefore seen at the very next save, as on the full path. When the statement
stores nothing, the entries are forgotten and the short path or AnswerAPI answers, with their
exact refusals. An entry never needs to be invalidated: a stale one only costs that fallback.

PostgreSQL only (arrays, row locks, PREPARE), with sessions kept in the database (the db and
cached_db engines): elsewhere nothing is remembered. Like selectors.answer_context, the statement
reads course's and auth's tables directly: the hot path's one exception to going through each
app's functions, kept to reading them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.dispatch import receiver

from course.models import Course, Enrollment

from . import prepared
from .models import Answer, Attempt, Choice, Question, Quiz

_DATABASE_SESSION_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}
# Per worker process; the oldest entries go first beyond this. An entry holds the session data
# and a password hash (about 1 kB): 5,000 is a few MB, room for several large classes at once.
MAX_ENTRIES = 5_000


@dataclass(frozen=True)
class SessionFacts:
    code: str  # the course code, upper case
    user_id: int
    session_data: str  # the session row's data, as stored
    password: str  # the user's password hash, which the session's auth hash was checked against
    is_superuser: bool
    enrolment: str  # "id:role:status" of the user's non-dropped enrolment, or ""
    auditors_may_take_quizzes: bool
    literals: str = ""  # the statement's $1-$10, quoted (see `_literals`)


@dataclass(frozen=True)
class QuestionFacts:
    question: Question  # only its kind is read (services.validate_value)
    choice_ids: frozenset[int]
    literals: str = ""  # the statement's $11-$13, quoted (see `_literals`)


_sessions: dict[tuple[str, int], SessionFacts] = {}
_questions: dict[tuple[int, int], QuestionFacts] = {}


_enabled: bool | None = None  # enabled(), worked out once (again when the settings change)


def enabled() -> bool:
    global _enabled
    if _enabled is None:
        vendor = connections[DEFAULT_DB_ALIAS].vendor
        _enabled = vendor == "postgresql" and settings.SESSION_ENGINE in _DATABASE_SESSION_ENGINES
    return _enabled


@receiver(setting_changed)
def _forget_enabled(*, setting: str, **kwargs: Any) -> None:
    global _enabled
    if setting in ("SESSION_ENGINE", "DATABASES"):
        _enabled = None


def _put(store: dict[Any, Any], key: Any, value: Any) -> None:
    while len(store) >= MAX_ENTRIES:
        try:
            del store[next(iter(store))]
        except (KeyError, RuntimeError, StopIteration):  # another thread got there first
            break
    store[key] = value


def enrolment_signature(enrollment: Enrollment | None) -> str:
    if enrollment is None:
        return ""
    return f"{enrollment.pk}:{enrollment.role}:{enrollment.status}"


def recall(
    session_key: str, code: str, quiz_pk: int, question_pk: int
) -> tuple[SessionFacts, QuestionFacts] | None:
    if not enabled():
        return None
    facts = _sessions.get((session_key, quiz_pk))
    question = _questions.get((quiz_pk, question_pk))
    if facts is None or question is None or facts.code != code.upper():
        return None
    return facts, question


def forget(session_key: str, quiz_pk: int, question_pk: int) -> None:
    _sessions.pop((session_key, quiz_pk), None)
    _questions.pop((quiz_pk, question_pk), None)


def remember(
    *,
    session: Any,
    code: str,
    user: Any,
    course: Course,
    enrollment: Enrollment | None,
    quiz: Quiz,
    question_pk: int,
) -> None:
    """After the short path stored an answer for `session`'s user: remember what it checked.
    Costs a query for the session row, and one for the quiz's questions when they are new."""
    if not enabled() or session.session_key is None:
        return
    key = (session.session_key, quiz.pk)
    if key not in _sessions:
        session_data = _stored_session_data(session.session_key)
        if session_data is None:
            return
        # The row must say what the session store said: same user, same auth hash.
        stored = session.decode(session_data)
        if any(
            stored.get(k) is None or stored.get(k) != session.get(k)
            for k in (SESSION_KEY, HASH_SESSION_KEY)
        ):
            return
        facts = SessionFacts(
            code=code.upper(),
            user_id=user.pk,
            session_data=session_data,
            password=user.password,
            is_superuser=bool(user.is_superuser),
            enrolment=enrolment_signature(enrollment),
            auditors_may_take_quizzes=bool(course.auditors_may_take_quizzes),
        )
        literals = _session_literals(session.session_key, quiz.pk, facts)
        _put(_sessions, key, replace(facts, literals=literals))
    if (quiz.pk, question_pk) not in _questions:
        for pk, question in _question_facts(quiz).items():
            _put(_questions, (quiz.pk, pk), question)


def _stored_session_data(session_key: str) -> str | None:
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    return (
        Session.objects.filter(session_key=session_key, expire_date__gt=timezone.now())
        .values_list("session_data", flat=True)
        .first()
    )


def _question_facts(quiz: Quiz) -> dict[int, QuestionFacts]:
    rows = Question.objects.filter(quiz_id=quiz.pk).values_list("pk", "kind", "choices__pk")
    kinds: dict[int, str] = {}
    choices: dict[int, set[int]] = {}
    for pk, kind, choice_pk in rows:
        kinds[pk] = kind
        ids = choices.setdefault(pk, set())
        if choice_pk is not None:
            ids.add(choice_pk)
    return {
        pk: QuestionFacts(
            Question(pk=pk, quiz_id=quiz.pk, kind=kind),
            frozenset(choices[pk]),
            _literals([pk, kind, sorted(choices[pk])]),
        )
        for pk, kind in kinds.items()
    }


_SQL: str | None = None
_VALUE_FIELD = Answer._meta.get_field("value")


def _sql() -> str:
    """The statement, its parameters numbered in three groups: $1-$10 what SessionFacts
    remembers, $11-$13 what QuestionFacts remembers (both passed as literals quoted once, see
    `_literals`), then the time ($14) and the value ($15)."""
    global _SQL
    if _SQL is None:
        from django.contrib.sessions.models import Session

        User = get_user_model()
        t = {
            "a": Attempt._meta.db_table,
            "z": Quiz._meta.db_table,
            "c": Course._meta.db_table,
            "q": Question._meta.db_table,
            "u": User._meta.db_table,
            "s": Session._meta.db_table,
            "e": Enrollment._meta.db_table,
            "ch": Choice._meta.db_table,
            "ans": Answer._meta.db_table,
        }
        user_pk = User._meta.pk.column  # type: ignore[union-attr]
        pk_type = Choice._meta.pk.db_type(connection)  # type: ignore[union-attr]
        # An enrolment is unique per (course, user): the join gives at most one row.
        _SQL = (
            "WITH target AS ("
            ' SELECT a."id", a."deadline"'
            f' FROM "{t["a"]}" a'
            f' INNER JOIN "{t["z"]}" z ON z."id" = a."quiz_id"'
            f' INNER JOIN "{t["c"]}" c ON c."id" = z."course_id"'
            f' INNER JOIN "{t["q"]}" q ON q."quiz_id" = z."id"'
            f' INNER JOIN "{t["u"]}" u ON u."{user_pk}" = a."student_id"'
            f' INNER JOIN "{t["s"]}" s ON s."session_key" = $1'
            f' LEFT JOIN "{t["e"]}" e ON e."course_id" = c."id" AND e."user_id" = u."{user_pk}"'
            ' AND e."status" <> $9'
            ' WHERE a."quiz_id" = $2 AND a."student_id" = $3 AND q."id" = $11'
            ' AND UPPER(c."code") = $4'
            ' AND s."session_data" = $5 AND s."expire_date" > $14'
            ' AND u."password" = $6 AND u."is_active" AND u."is_superuser" = $7'
            ' AND c."auditors_may_take_quizzes" = $8'
            " AND COALESCE(e.\"id\"::text || ':' || e.\"role\" || ':' || e.\"status\", '') = $10"
            ' AND q."kind" = $12'
            ' AND COALESCE((SELECT ARRAY_AGG(ch."id" ORDER BY ch."id")'
            f' FROM "{t["ch"]}" ch WHERE ch."question_id" = q."id"), \'{{}}\') = $13::{pk_type}[]'
            ' AND a."submitted_at" IS NULL'
            ' AND a."deadline" >= $14::timestamptz - z."grace_seconds" * INTERVAL \'1 second\''
            " FOR SHARE OF a"
            "), saved AS ("
            f' INSERT INTO "{t["ans"]}"'
            ' ("attempt_id", "question_id", "value", "saved_at", "points", "graded_by_id")'
            ' SELECT target."id", $11, $15, $14, NULL, NULL FROM target'
            ' ON CONFLICT ("attempt_id", "question_id") DO UPDATE'
            ' SET "value" = EXCLUDED."value", "saved_at" = EXCLUDED."saved_at"'
            ' RETURNING "attempt_id"'
            ")"
            ' SELECT target."deadline" FROM target INNER JOIN saved'
            ' ON saved."attempt_id" = target."id"'
        )
    return _SQL


def _literals(values: list[Any]) -> str:
    """`values` as the SQL literals psycopg2 makes of them, "%" doubled: the text goes into a
    query that psycopg2 formats. Quoted once when remembered instead of at every save."""
    with connection.cursor() as cursor:
        text: bytes = cursor.mogrify(", ".join(["%s"] * len(values)), values)
    return text.decode().replace("%", "%%")


def _session_literals(session_key: str, quiz_pk: int, facts: SessionFacts) -> str:
    return _literals(
        [
            session_key,
            quiz_pk,
            facts.user_id,
            facts.code,
            facts.session_data,
            facts.password,
            facts.is_superuser,
            facts.auditors_may_take_quizzes,
            Enrollment.Status.DROPPED.value,
            facts.enrolment,
        ]
    )


def save(
    *,
    session_key: str,
    quiz_pk: int,
    question_pk: int,
    facts: SessionFacts,
    question: QuestionFacts,
    stored: Any,
    now: datetime,
) -> datetime | None:
    """Store the validated value if every remembered fact still holds and the attempt is open
    within deadline + grace: the attempt's deadline, or None (nothing stored)."""
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: `connection` proxies every access
    literals = f"{facts.literals}, {question.literals}"
    # As text, which the statement reads as its parameters' types (timestamptz, jsonb): the
    # same SQL as psycopg2's adapters would write, without their per-call Python.
    params = [now.isoformat(), json.dumps(stored, cls=_VALUE_FIELD.encoder)]
    rows = prepared.fetch_all(db, "quizzes_answer_remembered", _sql(), params, literals)
    return rows[0][0] if rows else None
