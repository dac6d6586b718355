"""The instructor's release of grades (grading.services.grade_release_set), with a database."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from grading import services
from grading.models import GradeRelease
from grading.selectors import released_lms_grades

pytestmark = pytest.mark.django_db


def test_a_release_is_recorded_once_and_withdrawn(course: Any) -> None:
    now = timezone.now()
    assert services.grade_release_set(
        course=course, component_key="midterm", released=True, actor=None, now=now
    )
    assert not services.grade_release_set(
        course=course, component_key="midterm", released=True, actor=None, now=now
    )
    assert GradeRelease.objects.get().released_at == now
    assert services.grade_release_set(
        course=course, component_key="midterm", released=False, actor=None, now=now
    )
    assert not GradeRelease.objects.exists()


def test_an_unknown_component_is_refused_by_its_field(course: Any) -> None:
    with pytest.raises(services.GradingError) as refused:
        services.grade_release_set(
            course=course, component_key="nonesuch", released=True, actor=None, now=timezone.now()
        )
    assert refused.value.field == "component"
    assert not GradeRelease.objects.exists()


def test_the_lms_gets_released_grades_in_a_fixed_number_of_queries(
    course: Any, make_class: Any, django_assert_max_num_queries: Any
) -> None:
    services.grade_release_set(
        course=course, component_key="", released=True, actor=None, now=timezone.now()
    )
    size = 0
    for prefix, added in (("a", 3), ("b", 27)):  # a class of 3, then of 30
        make_class(course, added, prefix=prefix)
        size += added
        services.gradebook_recompute(course=course)
        with django_assert_max_num_queries(3):
            grades = released_lms_grades(course)
        # The term is over: nothing handed in counts 0, so every final grade is final.
        assert [g.key for g in grades] == ["final"] * size
