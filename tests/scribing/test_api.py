"""Scribing API: permissions, sign-up errors named by field, query counts."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse

from course.models import Enrolment
from scribing import services
from scribing.models import ScribeAssignment

from .conftest import at

pytestmark = pytest.mark.django_db


def api(name: str, course: Any, **kw: Any) -> str:
    return reverse(name, kwargs={"code": course.code, **kw})


def test_permissions(client: Any, course: Any, slots: list, make_member: Any) -> None:
    assert client.get(api("api_scribe_slots", course)).status_code in (401, 403)
    client.force_login(make_member(course, Enrolment.Role.AUDITOR))
    assert client.get(api("api_scribe_slots", course)).status_code == 403
    assert client.post(api("api_scribe_claim", course, pk=slots[0].pk)).status_code == 403


@time_machine.travel(at(2021, 1, 5), tick=False)
def test_claim_full_mine_drop(
    client: Any, course: Any, slots: list, student: Any, make_member: Any
) -> None:
    for _ in range(2):
        services.scribe_slot_claim(
            slot=slots[3], student=make_member(course, Enrolment.Role.STUDENT), now=at(2021, 1, 1)
        )
    client.force_login(student)
    r = client.post(api("api_scribe_claim", course, pk=slots[3].pk))
    assert r.status_code == 400 and "slot" in r.json()
    assert client.get(api("api_scribe_mine", course)).status_code == 404
    assert client.post(api("api_scribe_claim", course, pk=slots[4].pk)).status_code == 201
    mine = client.get(api("api_scribe_mine", course)).json()
    assert mine["number"] == slots[4].session.number and mine["late_if_submitted_now"] is False
    rows = client.get(api("api_scribe_slots", course)).json()
    assert [r["mine"] for r in rows].count(True) == 1
    assert client.delete(api("api_scribe_mine", course)).status_code == 204
    assert not ScribeAssignment.objects.filter(student=student).exists()


def test_slot_list_query_count(
    client: Any, course: Any, slots: list, make_member: Any, django_assert_max_num_queries: Any
) -> None:
    viewer = make_member(course, Enrolment.Role.STUDENT)
    client.force_login(viewer)

    def add(n: int) -> None:
        for _ in range(n):
            s = make_member(course, Enrolment.Role.STUDENT, now=at(2021, 1, 1))
            free = next(x for x in slots if ScribeAssignment.objects.filter(slot=x).count() < 2)
            services.scribe_slot_claim(slot=free, student=s, now=at(2021, 1, 1))

    add(2)
    with django_assert_max_num_queries(8):
        assert client.get(api("api_scribe_slots", course)).status_code == 200
    add(10)
    with django_assert_max_num_queries(8):
        assert len(client.get(api("api_scribe_slots", course)).json()) == len(slots)
