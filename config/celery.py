"""The Celery application: settings from Django's (the CELERY_* names), tasks from every app's
`tasks` module. Start a worker with `celery -A config worker` (docs/deployment.md)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("cabildo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
