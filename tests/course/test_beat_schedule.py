"""The periodic tasks live in settings.CELERY_BEAT_SCHEDULE; beat writes them into
django-celery-beat's table by name when it starts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from config.celery import app

pytestmark = pytest.mark.django_db


def test_every_scheduled_task_is_a_task_the_workers_know() -> None:
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


def test_beat_writes_the_schedule_and_the_admin_shows_it(beat_schedule: None) -> None:
    rows = {t.name: t for t in PeriodicTask.objects.filter(name__in=settings.CELERY_BEAT_SCHEDULE)}
    assert set(rows) == set(settings.CELERY_BEAT_SCHEDULE)
    dispatch = rows["Dispatch due reminders and announcements"]
    assert dispatch.task == "course.dispatch_reminders" and dispatch.enabled
    assert dispatch.interval.schedule.run_every == timedelta(minutes=5)


# Outside a test transaction: the real scheduler closes old connections on start-up, as beat does.
@pytest.mark.django_db(transaction=True)
def test_an_older_databases_row_is_updated_not_duplicated_and_admin_rows_stay() -> None:
    # What a data migration left in an older database, and a task a superuser added.
    minutely, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.create(
        name="Submit quiz attempts past their deadline",
        task="quizzes.close_overdue_attempts",
        interval=minutely,
        description="made by a data migration",
    )
    PeriodicTask.objects.create(
        name="Added in the admin", task="course.dispatch_reminders", interval=minutely
    )

    DatabaseScheduler(app=app)
    DatabaseScheduler(app=app)  # a restart of beat

    for name in settings.CELERY_BEAT_SCHEDULE:
        assert PeriodicTask.objects.filter(name=name).count() == 1
    kept = PeriodicTask.objects.get(name="Submit quiz attempts past their deadline")
    assert kept.task == "quizzes.close_overdue_attempts"
    assert kept.interval.schedule.run_every == timedelta(minutes=1)
    assert PeriodicTask.objects.filter(name="Added in the admin").exists()
