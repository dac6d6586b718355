"""A notification keeps its subject and body as data (course.texts.Text) too, so the in-app list
reads in the reader's language of the moment; rows from before keep their stored strings."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("course", "0006_enrolment_one_spelling"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="body_text",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="subject_text",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
    ]
