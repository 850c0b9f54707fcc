"""Celery application. Without CELERY_BROKER_URL tasks run eagerly in the calling process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("enlace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Static part of the beat schedule; each app adds its own entries in its tasks module through
# `enlace.core.tasks.register_periodic`. django-celery-beat keeps them in the database so that
# operators can change times in the admin.
app.conf.beat_schedule = {
    "core-heartbeat": {"task": "enlace.core.tasks.heartbeat", "schedule": 300.0},
}
