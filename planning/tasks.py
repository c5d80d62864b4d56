"""Background work of the planning domain: the count of a consultation, which reads every
ballot, runs on a Celery worker (in-process without a broker, like every task)."""
from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from consult.models import Consultation

from . import services


@shared_task(name="planning.tasks.count_consultation")
def count_consultation(
    consultation_id: int, *, rule: str | None = None, min_votes: int = 0,
    tie_break: str = "lexicographic", official: bool = False, user_id: int | None = None,
) -> int:
    """Count the consultation and store the immutable CountRun; returns its id. The checks are
    the service's (closed voting; the city's planners when a user is given)."""
    user = get_user_model().objects.get(pk=user_id) if user_id is not None else None
    run = services.count_run_create(
        consultation=Consultation.objects.get(pk=consultation_id), rule=rule,
        min_votes=min_votes, tie_break=tie_break, official=official, user=user,
    )
    return run.pk


@shared_task(name="planning.tasks.run_count_job")
def run_count_job(job_id: int) -> str:
    """Carry out a count asked for on the web or through the API; returns the job's state."""
    return services.count_job_run(job_id=job_id).state
