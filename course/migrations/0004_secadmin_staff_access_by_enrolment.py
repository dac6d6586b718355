"""Course staff now enter the admin by their enrolment: the code-managed staff groups, and the
staff flag they came with, are retired (superusers keep theirs)."""

from django.db import migrations

STAFF_GROUPS = ["Instructors", "Teaching assistants"]


def retire_staff_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("course", "User")
    groups = Group.objects.filter(name__in=STAFF_GROUPS)
    User.objects.filter(groups__in=groups, is_superuser=False).update(is_staff=False)
    groups.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("course", "0003_notifications"),
    ]

    operations = [migrations.RunPython(retire_staff_groups, migrations.RunPython.noop)]
