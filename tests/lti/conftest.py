"""Fixtures: the test LTI platform on its own HTTP server, registered with Coursekit."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from course.models import Course, Enrolment
from lti.models import Platform

from .platform import INSTRUCTOR, LtiPlatform, Member


@pytest.fixture
def lms() -> Iterator[LtiPlatform]:
    cache.clear()  # access tokens of another test's platform
    platform = LtiPlatform(
        tool_login_url="http://testserver/lti/login/",
        tool_launch_url="http://testserver/lti/launch/",
        target_link_uri="http://testserver/c/TST101/",
    ).start()
    yield platform
    platform.stop()


def register(lms: LtiPlatform) -> Platform:
    return Platform.objects.create(
        name="StudiUM (test)",
        issuer=lms.issuer,
        client_id=lms.client_id,
        deployment_ids=f"{lms.deployment_id}\n",
        auth_login_url=lms.auth_login_url,
        auth_token_url=lms.auth_token_url,
        key_set_url=lms.key_set_url,
    )


@pytest.fixture
def registered(db: Any, lms: LtiPlatform) -> Platform:
    return register(lms)


def start_login(client: Client, lms: LtiPlatform, login_hint: str, secure: bool = False) -> Any:
    return client.get("/lti/login/", lms.login_initiation(login_hint), secure=secure)


def form_fields(body: str) -> dict[str, str]:
    return dict(re.findall(r"name='([^']+)' value='([^']*)'", body))


def launch(
    client: Client, lms: LtiPlatform, login_hint: str, secure: bool = False, **token_options: Any
) -> tuple[Any, dict[str, str]]:
    """The whole flow as a browser walks it: login initiation at the tool, the platform's
    authorization endpoint, the form post of the id_token. Returns (response, posted form)."""
    response = start_login(client, lms, login_hint, secure=secure)
    assert response.status_code == 302, response.content
    query = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    assert response["Location"].startswith(lms.auth_login_url)
    status, body = lms.authorize(query, **token_options)
    assert status == 200, body
    fields = form_fields(body)
    return client.post("/lti/launch/", fields, secure=secure), fields


@pytest.fixture
def do_launch(lms: LtiPlatform) -> Callable[..., Any]:
    def do(login_hint: str, client: Client | None = None, **token_options: Any) -> Any:
        response, _ = launch(client or Client(), lms, login_hint, **token_options)
        return response

    return do


@pytest.fixture
def bound_course(
    course: Course, registered: Platform, lms: LtiPlatform, make_member: Any, do_launch: Any
) -> Course:
    """TST101 linked to the test platform's course by its instructor's first launch."""
    make_member(course, Enrolment.Role.INSTRUCTOR, username="prof")
    lms.members["prof"] = Member("lms-prof", "prof@example.org", "Pat", "Prof", INSTRUCTOR)
    response = do_launch("prof")
    assert response.status_code == 302, response.content
    return course
