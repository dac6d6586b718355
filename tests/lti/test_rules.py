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
