"""Fixtures of the accounts tests: a roster file, the invitation link out of an e-mail."""

from __future__ import annotations

import re
from typing import Any

import pytest

ROSTER = (
    "First name,Last name,Email address,ID number,Roles\n"
    "Ada,Lovelace,ada@example.org,20260001,Student\n"
    "Alan,Turing,alan@example.org,20260002,Student\n"
)

LINK = re.compile(r"https?://\S+/accounts/(?:invitation|reset)/\S+/")


def link_in(body: str) -> str:
    """The one link to choose a password in a message body."""
    found = LINK.findall(body)
    assert len(found) == 1, body
    return found[0]


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def roster_text() -> str:
    return ROSTER


@pytest.fixture
def instructor(course: Any, make_member: Any) -> Any:
    user = make_member(course, "instructor", username="prof")
    user.is_superuser = True  # the roster page is the instructor's: superuser skips scoping
    user.save()
    return user
