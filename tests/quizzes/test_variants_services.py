"""Variants with a database: the draw stored once at the start, the save still one guarded
upsert, answers to a question not drawn refused, grading and regrading with the student's values,
the release policy and regrade requests (filed, answered, kept through a key change, notified)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from course.scores import ScoreStatus
from quizzes import reminders, selectors, services
from quizzes.models import Answer, Attempt, Question, Quiz, RegradeRequest
from quizzes.services import QuizError
from tests.present import present

from .conftest import questions
from .test_api import api, client_for, put
from .variants import build_variant_quiz, parametrised, pooled

pytestmark = pytest.mark.django_db


@pytest.fixture
def vquiz(course: Any) -> Quiz:
    return build_variant_quiz(course)


def _expected(attempt: Attempt, q: Question) -> Decimal:
    params = present(attempt.variant)["params"][str(q.pk)]
    return Decimal(params["a"]) * Decimal(params["b"])


def test_the_draw_is_made_once_at_the_start_and_a_reload_shows_it(
    vquiz: Quiz, student: Any
) -> None:
    attempt, created = services.attempt_start(quiz=vquiz, student=student, now=timezone.now())
    assert created and attempt.variant is not None
    drawn = [q for q in pooled(vquiz) if q.pk in present(attempt.variant)["questions"]]
    assert len(drawn) == 1
    # 5 slots: the 4 of build_quiz, the pool, the parametrised one; points of what was drawn.
    assert len(present(attempt.variant)["questions"]) == 6
    assert attempt.points_possible == 6
    again, created = services.attempt_start(quiz=vquiz, student=student, now=timezone.now())
    assert not created and again.variant == attempt.variant
    c = client_for(student)
    url = reverse("quiz_take", kwargs={"code": vquiz.course.code, "pk": vquiz.pk})
    first, second = c.get(url).content.decode(), c.get(url).content.decode()
    assert first == second or _order(first) == _order(second)
    assert _order(first) == present(attempt.variant)["questions"]
    params = present(attempt.variant)["params"][str(parametrised(vquiz).pk)]
    assert f"Compute ${params['a']} \\times {params['b']}$." in first


def _order(html: str) -> list[int]:
    import re

    return [int(x) for x in re.findall(r'data-question="(\d+)"', html)]


def test_a_quiz_that_does_not_vary_stores_no_variant(quiz: Quiz, student: Any) -> None:
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=timezone.now())
    assert attempt.variant is None
    assert [s.question.pk for s in selectors.shown_questions(quiz, attempt)] == [
        q.pk for q in quiz.questions.all()
    ]


@pytest.mark.parametrize("size", [1, 12])
def test_the_save_stays_one_guarded_upsert(
    course: Any, make_member: Callable[..., Any], django_assert_max_num_queries: Any, size: int
) -> None:
    quiz = build_variant_quiz(course, title=f"v{size}", n_single=size)
    students = [make_member(course, "student") for _ in range(size)]
    for s in students:
        services.attempt_start(quiz=quiz, student=s, now=timezone.now())
    attempt = Attempt.objects.get(quiz=quiz, student=students[0])
    c = client_for(students[0])
    q = parametrised(quiz)
    with django_assert_max_num_queries(4) as ctx:
        r = put(c, api(quiz, "answer", qid=q.pk), {"value": str(_expected(attempt, q))})
    assert r.status_code == 200, r.content
    writes = [x for x in ctx.captured_queries if x["sql"].startswith(("INSERT", "UPDATE"))]
    assert len(writes) == 1 and "ON CONFLICT" in writes[0]["sql"]


def test_an_answer_to_a_pool_question_not_drawn_is_refused(vquiz: Quiz, student: Any) -> None:
    attempt, _ = services.attempt_start(quiz=vquiz, student=student, now=timezone.now())
    other = next(q for q in pooled(vquiz) if q.pk not in present(attempt.variant)["questions"])
    r = put(client_for(student), api(vquiz, "answer", qid=other.pk), {"value": None})
    assert r.status_code == 404
    assert r.json()["question"] == ["This question is not part of your quiz."]
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_the_first_answer_starts_the_attempt_with_its_draw(vquiz: Quiz, student: Any) -> None:
    q = questions(vquiz)["text"]
    services.answer_save(
        quiz=vquiz, student=student, question_id=q.pk, value="x", now=timezone.now()
    )
    assert Attempt.objects.get(quiz=vquiz, student=student).variant is not None


def _submit_all_right(quiz: Quiz, student: Any) -> Attempt:
    now = timezone.now()
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=now)
    for s in selectors.shown_questions(quiz, attempt):
        q = s.question
        if q.kind == "single":
            value: Any = next(c.pk for c in s.choices if c.is_correct)
        elif q.kind == "multiple":
            value = [c.pk for c in s.choices if c.is_correct]
        elif q.kind == "numeric":
            value = str(selectors.question_answer(q, s.params))
        else:
            value = "because"
        services.answer_save(quiz=quiz, student=student, question_id=q.pk, value=value, now=now)
    return services.attempt_submit(attempt=attempt, now=now)


def test_shuffled_choices_and_parameters_are_graded_for_the_student(
    vquiz: Quiz, course: Any, make_member: Callable[..., Any]
) -> None:
    for i in range(6):
        attempt = _submit_all_right(vquiz, make_member(course, "student", username=f"s{i}"))
        assert attempt.points == 5 and attempt.points_possible == 6  # the text answer waits
        q = parametrised(vquiz)
        answer = Answer.objects.get(attempt=attempt, question=q)
        assert Decimal(present(answer.value)) == _expected(attempt, q) and answer.points == 1


def test_a_changed_formula_regrades_everyone_with_their_stored_values(
    vquiz: Quiz, course: Any, make_member: Callable[..., Any]
) -> None:
    attempts = [_submit_all_right(vquiz, make_member(course, "student")) for _ in range(4)]
    q = parametrised(vquiz)
    q.answer_formula = "a * b + 1"
    q.save()
    assert services.quiz_regrade(quiz_id=vquiz.pk) == 4
    for attempt in attempts:
        attempt.refresh_from_db()
        assert Answer.objects.get(attempt=attempt, question=q).points == 0
        assert attempt.points == 4
    stored = {a.pk: a.variant for a in attempts}
    assert stored == {a.pk: a.variant for a in Attempt.objects.filter(pk__in=stored)}


def _closed(quiz: Quiz) -> Any:
    return selectors.closed_for_everyone_at(quiz) + timedelta(seconds=1)


def test_results_held_back_until_released_by_hand(vquiz: Quiz, student: Any, course: Any) -> None:
    vquiz.release_policy = Quiz.ReleasePolicy.MANUAL
    vquiz.save()
    attempt = _submit_all_right(vquiz, student)
    text = Answer.objects.get(attempt=attempt, question=questions(vquiz)["text"])
    services.answer_grade(answer=text, points=Decimal(1), grader=None)
    after = _closed(vquiz)
    items = selectors.gradebook_items(course, after)[student.pk]
    item = next(i for i in items if i.key == vquiz.gradebook_key)
    assert item.status == ScoreStatus.PENDING and item.note == "results not released yet"
    assert not selectors.results_released(vquiz, after)
    with pytest.raises(QuizError) as exc:
        services.quiz_release(quiz=vquiz, now=vquiz.opens_at)
    assert exc.value.code == "not_closed"
    services.quiz_release(quiz=vquiz, now=after)
    vquiz.refresh_from_db()
    assert selectors.results_released(vquiz, after)
    item = next(
        i
        for i in selectors.gradebook_items(course, after)[student.pk]
        if i.key == vquiz.gradebook_key
    )
    assert item.status == ScoreStatus.GRADED


def test_the_result_api_says_not_released(vquiz: Quiz, student: Any) -> None:
    import time_machine

    vquiz.release_policy = Quiz.ReleasePolicy.MANUAL
    vquiz.save()
    _submit_all_right(vquiz, student)
    with time_machine.travel(_closed(vquiz)):
        r = client_for(student).get(api(vquiz, "result"))
    assert r.status_code == 409 and r.json()["code"] == "not_released"


def _released_attempt(quiz: Quiz, student: Any) -> tuple[Attempt, Any]:
    attempt = _submit_all_right(quiz, student)
    return attempt, _closed(quiz)


def test_a_regrade_request_is_filed_answered_kept_and_notified(
    vquiz: Quiz, student: Any, course: Any, make_member: Callable[..., Any]
) -> None:
    attempt, after = _released_attempt(vquiz, student)
    q = parametrised(vquiz)
    Answer.objects.filter(attempt=attempt, question=q).update(value="0")
    services.quiz_regrade(quiz_id=vquiz.pk)
    with pytest.raises(QuizError) as exc:
        services.regrade_request_file(
            quiz=vquiz, student=student, question_id=q.pk, reason="r", now=vquiz.opens_at
        )
    assert exc.value.code == "not_released"
    with pytest.raises(QuizError) as exc:
        services.regrade_request_file(
            quiz=vquiz, student=student, question_id=q.pk, reason="  ", now=after
        )
    assert exc.value.field == "reason"
    request = services.regrade_request_file(
        quiz=vquiz, student=student, question_id=q.pk, reason="I typed a comma.", now=after
    )
    with pytest.raises(QuizError) as exc:
        services.regrade_request_file(
            quiz=vquiz, student=student, question_id=q.pk, reason="again", now=after
        )
    assert exc.value.code == "already_asked"
    ta = make_member(course, "ta")
    with pytest.raises(QuizError) as exc:
        services.regrade_request_answer(
            request=request, accept=True, reply="", new_points=Decimal(5), staff=ta, now=after
        )
    assert exc.value.field == "new_points"
    services.regrade_request_answer(
        request=request, accept=True, reply="Fair.", new_points=Decimal("0.5"), staff=ta, now=after
    )
    attempt.refresh_from_db()
    assert attempt.points == Decimal("4.5")
    # A changed key regrades everyone; the accepted points stay.
    q.numeric_tolerance = Decimal("0.01")
    q.save()
    services.quiz_regrade(quiz_id=vquiz.pk)
    attempt.refresh_from_db()
    assert attempt.points == Decimal("4.5")
    assert Answer.objects.get(attempt=attempt, question=q).points == Decimal("0.5")
    # The student is told once, with a link to the result page.
    sent = [
        r
        for r in reminders.regrade_answered(course, after + timedelta(minutes=1))
        if r.recipient_user_id == student.pk
    ]
    assert len(sent) == 1 and sent[0].kind == "quiz_regrade_answered"
    assert sent[0].url == reverse("quiz_result", kwargs={"code": course.code, "pk": vquiz.pk})
    lines = list(reminders.regrade_requests_waiting(course, after))
    assert lines == []
    # The result shows the thread.
    result = _result(vquiz, student, after)
    regrade = next(x["regrade"] for x in result["questions"] if x["id"] == q.pk)
    assert regrade["status"] == "accepted" and regrade["reply"] == "Fair."
    assert regrade["reason"] == "I typed a comma."


def _result(quiz: Quiz, student: Any, now: Any) -> dict[str, Any]:
    from quizzes import presenters

    return presenters.result(present(selectors.quiz_for_taking(quiz.course, quiz.pk)), student, now)


def test_a_declined_request_needs_a_reply_and_changes_nothing(
    vquiz: Quiz, student: Any, course: Any, make_member: Callable[..., Any]
) -> None:
    attempt, after = _released_attempt(vquiz, student)
    q = vquiz.questions.get(order=0)
    request = services.regrade_request_file(
        quiz=vquiz, student=student, question_id=q.pk, reason="Ambiguous.", now=after
    )
    assert [line.count for line in reminders.regrade_requests_waiting(course, after)] == [1]
    staff = make_member(course, "instructor")
    with pytest.raises(QuizError) as exc:
        services.regrade_request_answer(
            request=request, accept=False, reply=" ", new_points=None, staff=staff, now=after
        )
    assert exc.value.field == "reply"
    services.regrade_request_answer(
        request=request, accept=False, reply="It is not.", new_points=None, staff=staff, now=after
    )
    before = attempt.points
    attempt.refresh_from_db()
    assert attempt.points == before
    assert RegradeRequest.objects.get().status == RegradeRequest.Status.DECLINED


def test_regrade_requests_close_at_the_quiz_deadline(vquiz: Quiz, student: Any) -> None:
    vquiz.regrade_window_days = 2
    vquiz.save()
    attempt, after = _released_attempt(vquiz, student)
    q = vquiz.questions.get(order=0)
    late = selectors.closed_for_everyone_at(vquiz) + timedelta(days=2, seconds=1)
    with pytest.raises(QuizError) as exc:
        services.regrade_request_file(
            quiz=vquiz, student=student, question_id=q.pk, reason="Late.", now=late
        )
    assert exc.value.code == "closed"
    other = next(x for x in pooled(vquiz) if x.pk not in present(attempt.variant)["questions"])
    with pytest.raises(QuizError) as exc:
        services.regrade_request_file(
            quiz=vquiz, student=student, question_id=other.pk, reason="Not mine.", now=after
        )
    assert exc.value.field == "question"


def test_the_result_page_shows_feedback_values_and_the_request_form(
    vquiz: Quiz, student: Any
) -> None:
    import time_machine

    attempt, after = _released_attempt(vquiz, student)
    with time_machine.travel(after):
        page = client_for(student).get(
            reverse("quiz_result", kwargs={"code": vquiz.course.code, "pk": vquiz.pk})
        )
    html = page.content.decode()
    assert "Yes." in html  # the feedback of the picked choice...
    assert "No: that is another method." not in html  # ... and not of the others
    params = present(attempt.variant)["params"][str(parametrised(vquiz).pk)]
    assert f"Compute ${params['a']} \\times {params['b']}$." in html
    assert 'id="regrade-form-' in html


def test_the_regrade_view_refuses_with_a_message_never_a_500(vquiz: Quiz, student: Any) -> None:
    import time_machine

    _attempt, after = _released_attempt(vquiz, student)
    url = reverse("quiz_regrade_request", kwargs={"code": vquiz.course.code, "pk": vquiz.pk})
    c = client_for(student)
    with time_machine.travel(after):
        for data in (
            {"question": "x", "reason": "r"},
            {"question": "999999", "reason": "r"},
            {"question": str(vquiz.questions.get(order=0).pk), "reason": "nul\x00"},
            {"question": str(vquiz.questions.get(order=0).pk), "reason": "x" * 2001},
            {},
        ):
            r = c.post(url, data, follow=True)
            assert r.status_code == 200
        assert not RegradeRequest.objects.exists()
        q = vquiz.questions.get(order=0)
        r = c.post(url, {"question": q.pk, "reason": "Two answers are right."}, follow=True)
    assert "Your regrade request is sent" in r.content.decode()
    assert RegradeRequest.objects.get().question == q


@pytest.mark.django_db
def test_shuffling_never_changes_the_score_of_the_same_picks(quiz: Quiz) -> None:
    """Through the real grading: whatever order a student was shown, the same picked choices
    (by identity) earn the same points as in the unshuffled quiz."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from quizzes import rules

    quiz.shuffle_questions = quiz.shuffle_choices = True
    quiz.save()
    qs = list(Question.objects.filter(quiz=quiz).prefetch_related("choices"))
    single = next(q for q in qs if q.kind == "single")
    multiple = next(q for q in qs if q.kind == "multiple")
    single_ids = [c.pk for c in single.choices.all()]
    multiple_ids = [c.pk for c in multiple.choices.all()]

    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        student_id=st.integers(1, 10**9),
        one=st.sampled_from(single_ids),
        some=st.sets(st.sampled_from(multiple_ids)),
    )
    def check(student_id: int, one: int, some: set[int]) -> None:
        variant = rules.draw_variant(
            seed=rules.variant_seed(quiz.access_secret, student_id),
            questions=selectors.slot_questions(qs),
            shuffle_questions=True,
            shuffle_choices=True,
        )
        assert variant is not None
        totals = []
        for v in (variant, None):
            attempt = Attempt(quiz=quiz, student_id=student_id, variant=v)
            answers = {
                single.pk: Answer(question=single, value=one),
                multiple.pk: Answer(question=multiple, value=sorted(some)),
            }
            services.grade_totals(attempt, qs, answers)
            totals.append((attempt.points, attempt.points_possible))
        assert totals[0] == totals[1]

    check()
