"""Schema-driven fuzzing of the whole API (schemathesis): every operation of the OpenAPI schema,
with valid and invalid inputs, as a student, a TA and an instructor of the demo course (HTTP
Basic), must never answer 500.

The path parameters are mostly those of the demo course's real objects (its code, quizzes,
questions, scribe slots), so the requests reach the code behind the 404s. Bounded by the
number of examples (``COURSEKIT_FUZZ_EXAMPLES`` per operation and mode, the role drawn: under
a minute) and derandomized, so CI is repeatable; set ``COURSEKIT_FUZZ_SEED`` to explore.
"""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from course.demo import load_demo
from course.models import Enrolment
from quizzes.models import Question, Quiz
from scribing.models import ScribeSlot

EXAMPLES = int(os.environ.get("COURSEKIT_FUZZ_EXAMPLES", "30"))
SEED = os.environ.get("COURSEKIT_FUZZ_SEED")
PASSWORD = "fuzz-password"  # a test account's


def _basic(username: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    report, _people = load_demo(now=timezone.now())
    course = report.course
    User = get_user_model()
    prof = User.objects.create_user("fuzz-prof", password=PASSWORD, email="prof@example.org")
    from course import services

    services.enrolment_set(
        course=course, user=prof, role=Enrolment.Role.INSTRUCTOR, now=timezone.now()
    )
    for username in ("ada", "ta"):
        user = User.objects.get(username=username)
        user.set_password(PASSWORD)
        user.save()
    return {
        "code": [course.code, course.code.lower()],
        "quiz_id": list(Quiz.objects.filter(course=course).values_list("pk", flat=True)),
        "slot_id": list(
            ScribeSlot.objects.filter(session__course=course).values_list("pk", flat=True)
        ),
        "question_id": list(
            Question.objects.filter(quiz__course=course).values_list("pk", flat=True)
        ),
        "users": ["ada", "ta", "fuzz-prof"],
    }


@pytest.fixture
def in_test_transaction() -> Any:
    """The WSGI app is called directly: like Django's test client, keep it from closing the
    test's database connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _operations() -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    return operations


def test_no_api_operation_answers_500(demo: dict[str, Any], in_test_transaction: Any) -> None:
    operations = _operations()
    assert len(operations) >= 10  # the whole API, not an empty schema
    failures: list[str] = []
    answered: dict[str, set[int]] = {}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=SEED is None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy, data=st.data())
            def fuzz(case: Any, data: Any) -> None:
                label = case.operation.label
                for name in list(case.path_parameters or {}):
                    if name == "id":
                        real = demo["slot_id" if "/scribing/" in label else "quiz_id"]
                    else:
                        real = demo.get(name) or []
                    if real and data.draw(st.booleans()):
                        case.path_parameters[name] = data.draw(st.sampled_from(real))
                user = data.draw(st.sampled_from(demo["users"]))
                response = case.call(headers=_basic(user))
                answered.setdefault(label, set()).add(response.status_code)
                assert response.status_code < 500, (
                    f"{response.status_code} as {user}: {case.as_curl_command()}\n"
                    f"{response.text[:500]}"
                )

            if SEED is not None:
                fuzz = seed(int(SEED))(fuzz)
            try:
                fuzz()
            except Unsatisfiable:
                continue  # nothing to make invalid (an operation without parameters or body)
            except AssertionError as exc:
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
    # It reached the code behind the permission checks: most operations answered a success.
    succeeded = sorted(label for label, codes in answered.items() if min(codes) < 300)
    assert len(succeeded) >= len(operations) // 2, answered
