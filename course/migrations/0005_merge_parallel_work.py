# Joins the migrations that five branches added side by side; it changes nothing.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("course", "0004_accounts_invitations_sso"),
        ("course", "0004_outbox_delivery_claim"),
        ("course", "0004_secadmin_staff_access_by_enrolment"),
        ("course", "0004_secinput_web_links"),
        ("course", "0004_syllabus_days_off"),
    ]

    operations = []
