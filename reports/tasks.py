"""Background work of the reports: publishing freezes a whole report (every table and chart of a
consultation or a plan), which reads every ballot, so a Celery worker does it (in-process
without a broker)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone, translation

from consult.models import Consultation, ConsultationTally
from core.queue import request_once
from planning.models import StrategyPlan

from . import selectors, services


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


# --- the live consultation report ---------------------------------------------------------------
# Building it reads every ballot and counts with every rule, so a worker builds it and the pages
# read the copy in the shared cache. While voting is open the copy is rebuilt at most every
# LIVE_REPORT_MAX_AGE seconds; once voting has closed it changes only with a new count or a
# recomputed tally. A page whose copy is out of date shows it, says so, and asks for a new one.


@dataclass(frozen=True)
class LiveReport:
    report: dict | None  # None: the first build is under way
    built_at: datetime | None = None
    updating: bool = False


def live_report_version(*, consultation: Consultation) -> str:
    if consultation.voting_has_closed():
        tally = ConsultationTally.objects.filter(consultation=consultation).values_list(
            "computed_at", flat=True).first()
        latest = consultation.count_runs.order_by("-pk").values_list("pk", flat=True).first()
        return f"closed:{tally and tally.isoformat()}:{latest}"
    return f"open:{int(time.time()) // max(settings.LIVE_REPORT_MAX_AGE, 1)}"


def _live_key(consultation_id: int, language: str) -> str:
    return f"live-report:consultation:{consultation_id}:{language}"


@shared_task(name="reports.tasks.build_live_report")
def build_live_report(*, consultation_id: int, language: str) -> str:
    """Build a consultation's live report in `language` and keep it in the shared cache;
    returns the version built."""
    consultation = Consultation.objects.select_related("city").get(pk=consultation_id)
    version = live_report_version(consultation=consultation)
    with translation.override(language):
        report = selectors.consultation_report(consultation=consultation)
    cache.set(_live_key(consultation_id, language),
              {"version": version, "built_at": timezone.now(), "report": report},
              LIVE_REPORT_KEEP_SECONDS)
    return version


def live_consultation_report(*, consultation: Consultation, language: str) -> LiveReport:
    """The consultation's live report as the pages show it: the current copy, an older copy
    while a worker builds the current one (`updating`), or nothing yet (`report` None)."""
    version = live_report_version(consultation=consultation)
    cached = cache.get(_live_key(consultation.pk, language))
    if cached is None or cached["version"] != version:
        request_once(mark=f"live-report-requested:{consultation.pk}:{language}:{version}",
                     seconds=LIVE_REPORT_BUILD_SECONDS, task=build_live_report,
                     consultation_id=consultation.pk, language=language)
        cached = cache.get(_live_key(consultation.pk, language)) or cached  # built in-process
    if cached is None:
        return LiveReport(report=None)
    return LiveReport(report=cached["report"], built_at=cached["built_at"],
                      updating=cached["version"] != version)


#: How long a build is expected to take at most: a request for the same version is not queued
#: again before that.
LIVE_REPORT_BUILD_SECONDS = 10 * 60
#: How long an unused copy stays in the cache.
LIVE_REPORT_KEEP_SECONDS = 7 * 24 * 60 * 60
