"""A REAL Celery worker subprocess on the real Redis broker and the PostgreSQL test database.

Use the `celery_worker` fixture (exposed by tests/<app>/conftest.py) in tests marked
`@pytest.mark.worker` and `@pytest.mark.django_db(transaction=True)` (the worker only sees
committed rows). Skipped on SQLite or without CELERY_BROKER_URL=redis://...; with
REQUIRE_WORKER=1 (CI) those reasons FAIL the test instead.

    worker = celery_worker()            # started and ready
    worker.kill()                       # SIGKILL, as when a machine dies
    worker = celery_worker()            # a fresh one on the same queue and mail directory
    worker.mail_headers("X-Coursekit-Outbox")  # one entry per e-mail written by any worker
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from email import message_from_string
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


def worker_unavailable_reason() -> str | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return "real-worker tests need PostgreSQL (DATABASE_URL=postgres://...)"
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith(("redis://", "rediss://")):
        return "real-worker tests need a Redis broker (CELERY_BROKER_URL=redis://127.0.0.1:6379/N)"
    return None


def skip_or_fail(reason: str) -> None:
    if os.environ.get("REQUIRE_WORKER") == "1":
        pytest.fail(f"REQUIRE_WORKER=1 but {reason}")
    pytest.skip(reason)


def database_url(settings_dict: dict[str, Any]) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def purge_queue() -> None:
    """Drop messages a previous run left on the broker (their ids mean nothing in this database)."""
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)


class CeleryWorker:
    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.name = f"test-{uuid.uuid4().hex[:8]}@%h"
        self.log_file = log_path.open("a")
        self._start_offset = log_path.stat().st_size
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                self.name,
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[self._start_offset :]

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Celery worker exited ({self.proc.returncode}):\n{self.log()}")
            if " ready." in self.log():
                return
            time.sleep(0.1)
        raise RuntimeError(f"Celery worker not ready after {timeout}s:\n{self.log()}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.alive():
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        self.log_file.close()

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


class WorkerFactory:
    """Starts workers sharing one broker queue, one test database and one mail directory."""

    def __init__(self, tmp_path: Path, extra_env: dict[str, str] | None = None) -> None:
        from django.db import connection

        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = tmp_path / "worker.log"
        self.log_path.touch()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "COURSEKIT_TEST_WORKER_SETTINGS", "tests.celery_worker_settings"
            ),
            "DATABASE_URL": database_url(connection.settings_dict),
            "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "COURSEKIT_TEST_MAIL_DIR": str(self.mail_dir),
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        self.workers: list[CeleryWorker] = []

    def __call__(self, **extra_env: str) -> CeleryWorker:
        worker = CeleryWorker({**self.env, **extra_env}, self.log_path)
        self.workers.append(worker)
        worker.wait_ready()
        return worker

    def mail_headers(self, header: str) -> list[str]:
        """The value of `header` in every e-mail written so far, one entry per e-mail."""
        values: list[str] = []
        for path in sorted(self.mail_dir.glob("*.log")):
            text = path.read_text(errors="replace")
            # The file backend separates messages by a line of 79 dashes.
            for chunk in text.split("-" * 79):
                if chunk.strip():
                    value = message_from_string(chunk.strip()).get(header)
                    if value is not None:
                        values.append(str(value))
        return values

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker.alive():
                worker.stop()


def wait_until(predicate: Callable[[], bool], timeout: float = 60, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.fixture
def celery_worker(transactional_db: Any, tmp_path: Path) -> Iterator[WorkerFactory]:
    """Factory of real Celery workers; the test process queues to the same Redis broker."""
    reason = worker_unavailable_reason()
    if reason:
        skip_or_fail(reason)
    from config.celery import app

    purge_queue()
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    factory = WorkerFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()
        app.conf.task_always_eager = saved
        purge_queue()
