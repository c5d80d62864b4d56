"""Background work of the reports: publishing freezes a whole report (every table and chart of a
consultation or a plan), which reads every ballot, so a Celery worker does it (in-process
without a broker)."""
from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import translation

from consult.models import Consultation
from planning.models import StrategyPlan

from . import services


@shared_task(name="reports.tasks.publish_report")
def publish_report(
    *, user_id: int, language: str, consultation_id: int | None = None,
    plan_id: int | None = None,
) -> int:
    """Publish the next version of a report, in the language the planner asked in; returns
    the PublishedReport's id."""
    user = get_user_model().objects.get(pk=user_id)
    with translation.override(language):
        report = services.report_publish(
            user=user,
            consultation=Consultation.objects.get(pk=consultation_id) if consultation_id else None,
            plan=StrategyPlan.objects.get(pk=plan_id) if plan_id else None,
        )
    return report.pk
