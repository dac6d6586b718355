from django.db import migrations

ROSTER_SYNC_TASK_NAME = "Sync the rosters of courses linked to an LMS"


def create_roster_sync_schedule(apps, schema_editor):
    """Beat: every night at 3:30 (America/Montreal), each linked course's roster follows the LMS."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="America/Montreal",
    )
    PeriodicTask.objects.get_or_create(
        name=ROSTER_SYNC_TASK_NAME,
        defaults={
            "task": "lti.roster_sync_all",
            "crontab": nightly,
            "enabled": True,
            "description": "Names and Role Provisioning Services (lti/tasks.py).",
        },
    )


def remove_roster_sync_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name=ROSTER_SYNC_TASK_NAME
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lti", "0001_lti_platforms_keys_links"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_roster_sync_schedule, remove_roster_sync_schedule)]
