"""The model is spelled Enrolment, as everywhere else; its table, columns, index and constraint
keep their names, so nothing changes in the database but the content type and permission names."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OPERATIONS = ("add", "change", "delete", "view")


def rename_permissions(apps, schema_editor, old="enrollment", new="enrolment"):
    # The content type follows RenameModel by itself; the permissions' codenames do not.
    Permission = apps.get_model("auth", "Permission")
    for op in OPERATIONS:
        Permission.objects.filter(
            content_type__app_label="course", codename=f"{op}_{old}"
        ).update(codename=f"{op}_{new}")


def unrename_permissions(apps, schema_editor):
    rename_permissions(apps, schema_editor, old="enrolment", new="enrollment")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("course", "0005_merge_parallel_work"),
    ]

    operations = [
        migrations.AlterModelTable(name="enrollment", table="course_enrollment"),
        migrations.RenameModel(old_name="Enrollment", new_name="Enrolment"),
        migrations.AlterField(
            model_name="enrolment",
            name="course",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="enrolments",
                to="course.course",
            ),
        ),
        migrations.AlterField(
            model_name="enrolment",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="enrolments",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(rename_permissions, unrename_permissions),
    ]
