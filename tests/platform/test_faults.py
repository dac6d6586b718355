"""Faults give answers a client can act on: a database that is away answers 503 with
Retry-After (JSON on the API, a plain page elsewhere), and a Redis outage fails no request whose
data is safe in the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from course.models import Enrolment

ROOT = Path(__file__).resolve().parents[2]
on_postgresql = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="pg_terminate_backend needs PostgreSQL (DATABASE_URL=postgres://...)",
)


# --- the database goes away mid-request ----------------------------------------------------


class TableHeld:
    """Holds an exclusive lock on a table from another connection, so that the request that
    reads it waits inside PostgreSQL; then terminates that request's backend, as a restart
    or an administrator would."""

    def __init__(self, table: str) -> None:
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        self.conn = psycopg2.connect(**params)
        self.table = table
        self.terminated: list[int] = []

    def __enter__(self) -> TableHeld:
        with self.conn.cursor() as cur:
            cur.execute(f'LOCK TABLE "{self.table}" IN ACCESS EXCLUSIVE MODE')
        return self

    def terminate_the_waiting_request(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        with self.conn.cursor() as cur:
            while time.monotonic() < deadline:
                # pg_stat_activity is read once per transaction unless its snapshot is dropped.
                cur.execute("SELECT pg_stat_clear_snapshot()")
                cur.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                pids = [row[0] for row in cur.fetchall()]
                if pids:
                    for pid in pids:
                        cur.execute("SELECT pg_terminate_backend(%s)", [pid])
                    self.terminated = pids
                    return
                time.sleep(0.05)
        raise AssertionError("no request waited on the table")

    def __exit__(self, *exc: Any) -> None:
        self.conn.rollback()
        self.conn.close()


def get_in_thread(
    session: requests.Session, url: str, **kwargs: Any
) -> tuple[threading.Thread, dict]:
    result: dict[str, Any] = {}

    def run() -> None:
        result["response"] = session.get(url, timeout=30, **kwargs)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


@pytest.fixture
def student(course: Any, make_member: Any) -> Any:
    return make_member(course, Enrolment.Role.STUDENT, username="ada")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_api_answers_503_with_retry_after_when_its_connection_is_terminated(
    live_server: Any, course: Any, student: Any
) -> None:
    api = requests.Session()
    api.auth = ("ada", "pw-for-tests")
    url = f"{live_server.url}/api/courses/{course.code}/schedule/"
    with TableHeld("course_course") as held:
        thread, result = get_in_thread(api, url)
        held.terminate_the_waiting_request()
    thread.join(30)
    response = result["response"]
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "database_unavailable"
    assert "Try again in 5 seconds" in body["detail"]
    # The broken connection was dropped: the retry gets the schedule.
    again = api.get(url, timeout=30)
    assert again.status_code == 200 and again.json()["code"] == course.code


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_page_answers_a_plain_503_when_its_connection_is_terminated(
    live_server: Any, course: Any, student: Any
) -> None:
    client = Client()
    client.force_login(student)
    browser = requests.Session()
    browser.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    url = f"{live_server.url}/c/{course.code}/schedule/"
    with TableHeld("course_course") as held:
        thread, result = get_in_thread(browser, url)
        held.terminate_the_waiting_request()
    thread.join(30)
    response = result["response"]
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Unavailable for a moment" in response.text and "nothing you saved" in response.text
    assert browser.get(url, timeout=30).status_code == 200


# --- Redis away ----------------------------------------------------------------------------


def production_caches(cache_url: str) -> dict[str, Any]:
    """CACHES as config/settings.py builds it from CACHE_URL (read in a fresh interpreter)."""
    env = {**os.environ, "CACHE_URL": cache_url, "DJANGO_SECRET_KEY": "x"}
    code = "import json; from config import settings; print(json.dumps(settings.CACHES))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def redis_unreachable() -> Iterator[dict[str, Any]]:
    # Port 1 on the loopback: nothing listens, every connection is refused at once.
    caches = production_caches("rediscache://127.0.0.1:1/0")
    with override_settings(
        CACHES=caches, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"
    ):
        yield caches


def test_the_redis_cache_ignores_an_outage() -> None:
    caches = production_caches("rediscache://127.0.0.1:6379/3")
    assert caches["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert caches["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True


@pytest.mark.django_db
def test_a_signed_in_page_is_served_while_redis_is_unreachable(
    redis_unreachable: Any, course: Any, student: Any
) -> None:
    client = Client()
    # Signing in writes the session to the database (and to the cache, which is away).
    r = client.post("/accounts/login/", {"username": "ada", "password": "pw-for-tests"})
    assert r.status_code == 302
    page = client.get(f"/c/{course.code}/")
    assert page.status_code == 200
    assert "Ada Test" in page.content.decode()  # signed in: the session came from the database
    api = client.get("/api/me/enrollments/")
    assert api.status_code == 200 and api.json()[0]["course_code"] == course.code
