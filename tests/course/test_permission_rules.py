"""The admin's per-course rights and who may edit an account: pure rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.models import Enrolment
from course.permissions import AdminOperation, account_editable_by, admin_may

Role = Enrolment.Role
APPS = ["course", "quizzes", "scribing", "projects", "grading"]


@pytest.mark.parametrize(
    ("role", "operation", "app", "allowed"),
    [
        (Role.INSTRUCTOR, "delete", "course", True),
        (Role.INSTRUCTOR, "change", "grading", True),
        (Role.TA, "view", "course", True),
        (Role.TA, "add", "grading", True),
        (Role.TA, "change", "quizzes", True),
        (Role.TA, "change", "course", False),
        (Role.TA, "delete", "grading", False),
        (Role.STUDENT, "view", "quizzes", False),
        (Role.AUDITOR, "view", "course", False),
        (None, "view", "course", False),
    ],
)
def test_admin_rights_by_role(role: str | None, operation: str, app: str, allowed: bool) -> None:
    assert admin_may(role, operation, app) is allowed


@given(st.sampled_from([*Role.values, None]), st.sampled_from(APPS))
def test_whoever_may_change_or_delete_may_view(role: str | None, app: str) -> None:
    if admin_may(role, AdminOperation.CHANGE, app) or admin_may(role, AdminOperation.DELETE, app):
        assert admin_may(role, AdminOperation.VIEW, app)


course_ids = st.sets(st.integers(min_value=1, max_value=6), max_size=6)


@given(privileged=st.booleans(), account=course_ids, editor=course_ids)
def test_an_account_is_editable_only_inside_the_editors_courses(
    privileged: bool, account: set[int], editor: set[int]
) -> None:
    editable = account_editable_by(
        privileged=privileged, account_course_ids=account, editor_course_ids=editor
    )
    assert editable == (not privileged and account <= editor)
    if account - editor:  # one course that is not the editor's is enough to refuse
        assert not editable
