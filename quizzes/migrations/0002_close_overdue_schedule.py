from django.db import migrations

CLOSE_TASK_NAME = "Submit quiz attempts past their deadline"


def create_schedule(apps, schema_editor):
    """Beat: every minute, submit open attempts past deadline + grace (idempotent)."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=CLOSE_TASK_NAME,
        defaults={
            "task": "quizzes.close_overdue_attempts",
            "interval": every,
            "enabled": True,
            "description": "Reads close overdue attempts too (quizzes/tasks.py).",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=CLOSE_TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
