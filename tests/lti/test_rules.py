"""The pure launch rules: LMS roles to course roles, where a launch lands."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti import rules

LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([f"{LIS}#Instructor"], "instructor"),
        ([f"{LIS}#Instructor", f"{LIS}/Instructor#TeachingAssistant"], "ta"),
        ([f"{LIS}#TeachingAssistant"], "ta"),
        ([f"{LIS}#Learner"], "student"),
        ([f"{LIS}#Learner", f"{INSTITUTION}Student"], "student"),
        (["Instructor"], "instructor"),
        (["Learner"], "student"),
        ([f"{LIS}#Mentor"], None),
        ([f"{INSTITUTION}Administrator"], None),
        ([], None),
    ],
)
def test_course_role(roles: list[str], expected: str | None) -> None:
    assert rules.course_role(roles) == expected


role_uris = st.sampled_from(
    [
        f"{LIS}#Instructor",
        f"{LIS}/Instructor#TeachingAssistant",
        f"{LIS}#Learner",
        f"{LIS}#Mentor",
        f"{LIS}#ContentDeveloper",
        f"{INSTITUTION}Faculty",
        f"{INSTITUTION}Student",
    ]
)


@given(st.lists(role_uris, max_size=6))
def test_institution_roles_never_change_the_course_role(roles: list[str]) -> None:
    context_only = [r for r in roles if r.startswith(LIS)]
    assert rules.course_role(roles) == rules.course_role(context_only)


@given(st.lists(role_uris, max_size=6))
def test_a_teaching_assistant_is_never_made_instructor(roles: list[str]) -> None:
    if f"{LIS}/Instructor#TeachingAssistant" in roles:
        assert rules.course_role(roles) == "ta"


@pytest.mark.parametrize(
    ("lms_role", "current", "dropped", "expected"),
    [
        ("student", None, False, "student"),
        ("student", "student", False, None),
        ("student", "auditor", False, None),
        ("student", "auditor", True, "student"),
        ("student", "student", True, "student"),
        ("ta", "student", False, "ta"),
        ("instructor", "instructor", False, None),
    ],
)
def test_role_to_apply(
    lms_role: str, current: str | None, dropped: bool, expected: str | None
) -> None:
    assert (
        rules.role_to_apply(lms_role=lms_role, current_role=current, current_dropped=dropped)
        == expected
    )


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/c/IFT6085/", "/c/IFT6085/"),
        ("/c/IFT6085/schedule/", "/c/IFT6085/schedule/"),
        ("/c/OTHER1/schedule/", "/c/IFT6085/"),
        ("/admin/", "/c/IFT6085/"),
        ("", "/c/IFT6085/"),
    ],
)
def test_landing_path(target: str, landing: str) -> None:
    assert (
        rules.landing_path(
            target_path=target, course_code="IFT6085", course_home_path="/c/IFT6085/"
        )
        == landing
    )


def test_roster_plan_adds_changes_and_drops() -> None:
    current = {1: ("student", False), 2: ("ta", False), 3: ("student", False), 4: ("student", True)}
    lms = {1: "student", 2: "student", 4: "student", 5: "ta"}
    assert rules.roster_plan(current=current, lms=lms) == [
        (2, rules.ROLE_CHANGED, "student"),
        (4, rules.ADDED, "student"),
        (5, rules.ADDED, "ta"),
        (3, rules.DROPPED, "student"),
    ]


course_roles = st.sampled_from(["instructor", "ta", "student", "auditor"])


@given(
    st.dictionaries(st.integers(1, 20), st.tuples(course_roles, st.booleans())),
    st.dictionaries(st.integers(1, 20), st.sampled_from(["instructor", "ta", "student"])),
)
def test_roster_plan_never_drops_auditors_or_instructors_and_is_idempotent(
    current: dict[int, tuple[str, bool]], lms: dict[int, str]
) -> None:
    plan = rules.roster_plan(current=current, lms=lms)
    for user_id, kind, _role in plan:
        if kind == rules.DROPPED:
            assert current[user_id][0] in ("student", "ta") and user_id not in lms
    # Applying the plan, then planning again, finds nothing to do.
    after = dict(current)
    for user_id, kind, role in plan:
        after[user_id] = (role, kind == rules.DROPPED)
    assert rules.roster_plan(current=after, lms=lms) == []


@pytest.mark.parametrize(
    ("last", "error", "score", "post"),
    [
        (None, "", "80", True),
        ("80", "", "80.00", False),
        ("80", "", "81", True),
        ("80", "timeout", "80", True),
    ],
)
def test_grade_needs_post(last: str | None, error: str, score: str, post: bool) -> None:
    from decimal import Decimal

    assert (
        rules.grade_needs_post(
            last_posted=Decimal(last) if last else None, last_error=error, score=Decimal(score)
        )
        is post
    )
