from django.db import migrations

REFRESH_TASK_NAME = "Refresh gradebooks whose inputs changed"


def create_refresh_schedule(apps, schema_editor):
    """Beat: recompute running courses whose inputs fingerprint changed (idempotent)."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=2, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=REFRESH_TASK_NAME,
        defaults={
            "task": "grading.tasks.refresh_gradebooks",
            "interval": every,
            "enabled": True,
            "description": "Catches changes made in quizzes, scribing and projects (grading/tasks.py).",
        },
    )


def remove_refresh_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=REFRESH_TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("grading", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_refresh_schedule, remove_refresh_schedule)]
