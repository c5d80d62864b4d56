"""Background work of the consultation domain, run by the Celery workers in production and
in-process in the embedded default (CELERY_TASK_ALWAYS_EAGER when no broker is configured)."""
from __future__ import annotations

from celery import shared_task
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.queue import request_once

from . import selectors, services
from .models import Consultation, ConsultationTally

#: What a page or the API says between the close of voting and the stored tally.
TALLY_PENDING = gettext_lazy(
    "Voting has closed: the totals are being computed and appear here in a minute.")

#: How long a request for a tally is remembered, so that page views while a worker computes
#: it do not queue it again and again.
TALLY_REQUEST_SECONDS = 300


@shared_task(name="consult.tasks.tally_consultation")
def tally_consultation(consultation_id: int) -> int:
    """Store the totals of a closed consultation; returns the tally's id."""
    consultation = Consultation.objects.get(pk=consultation_id)
    return services.tally_compute(consultation=consultation).pk


@shared_task(name="consult.tasks.tell_fates", autoretry_for=(Exception,), retry_backoff=True,
             max_retries=5, acks_late=True)
def tell_fates(consultation_id: int, selected: list[int], proposal_ids: list[int] | None,
               occasion: str) -> int:
    """Tell the people behind each proposal what became of it (and every voter, at the
    publication, that the results are out): `services.tell_proposal_fates`, after the
    publication or official choice is committed. Telling twice is a no-op (one notification
    per event and person), so a retry is safe."""
    consultation = Consultation.objects.select_related("city").get(pk=consultation_id)
    return services.tell_proposal_fates(
        consultation=consultation, selected=selected, proposal_ids=proposal_ids,
        occasion=occasion)


@shared_task(name="consult.tasks.tally_closed_consultations")
def tally_closed_consultations() -> list[int]:
    """Queue a tally for every consultation whose voting has closed and whose stored totals are
    missing or were computed for another closing time (celery beat runs this every minute)."""
    due = list(
        Consultation.objects.filter(voting_closes_at__lte=timezone.now())
        .filter(Q(tally__isnull=True) | ~Q(tally__voting_closes_at=F("voting_closes_at")))
        .values_list("pk", flat=True)
    )
    for consultation_id in due:
        request_tally(consultation_id=consultation_id)
    return due


def tally_mark(*, consultation_id: int) -> str:
    """The shared cache's mark of a tally requested (a paper ballot counted after the close
    removes it with the stale tally, so that the next page asks again at once)."""
    return f"tally-requested:{consultation_id}"


def request_tally(*, consultation_id: int) -> None:
    """Ask for a consultation's tally at most once per TALLY_REQUEST_SECONDS (the cache is
    shared by every server in production). In-process mode computes it before returning."""
    request_once(mark=tally_mark(consultation_id=consultation_id), seconds=TALLY_REQUEST_SECONDS,
                 task=tally_consultation, consultation_id=consultation_id)


def stored_tally(*, consultation: Consultation) -> ConsultationTally | None:
    """The stored totals of a closed consultation. If they are missing they are requested (a
    worker computes them; in-process mode computes them before this returns) and None means
    "coming": a page view never counts a closed consultation's ballots itself."""
    tally = selectors.current_tally(consultation=consultation)
    if tally is None:
        request_tally(consultation_id=consultation.pk)
        tally = selectors.current_tally(consultation=consultation)
    return tally


def headline_counts(*, consultation: Consultation) -> dict[str, int] | None:
    """A consultation's numbers: stored once voting has closed (None while they are being
    computed), live while it is open."""
    if consultation.voting_has_closed():
        tally = stored_tally(consultation=consultation)
        return tally.counts() if tally is not None else None
    return selectors.live_counts(consultation=consultation)


@shared_task(name="consult.tasks.voting_reminders")
def voting_reminders() -> int:
    """Beat, every hour: remind people that voting opens or closes within 48 hours."""
    return services.voting_reminders_send()
