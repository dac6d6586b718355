"""Fixtures of the course tests. `celery_worker` starts a real Celery worker (tests/celery_worker.py)."""

from tests.celery_worker import celery_worker  # noqa: F401
