"""The Celery app. Broker from CELERY_BROKER_URL: a filesystem queue by default, Redis in production."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("coursekit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
