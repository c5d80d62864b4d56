"""The counts of a consultation: the official one (the latest OfficialChoice), the history of
choices, its publication, the counting page's lists and the side-by-side comparison. Each read
is a fixed number of queries, whatever the number of counts or proposals."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from consult.models import Consultation, Proposal

from ..models import CountJob, CountRun, OfficialChoice, ResultsPublication

#: How many counts and finished jobs the counting page lists.
COUNTS_LISTED = 50


def official_choice_latest(*, consultation: Consultation) -> OfficialChoice | None:
    """The choice that decides the consultation now (with its count), if any."""
    return (OfficialChoice.objects.filter(consultation=consultation)
            .select_related("count_run", "created_by").order_by("-created_at", "-pk").first())


def count_run_official(*, consultation: Consultation) -> CountRun | None:
    """The count that decides the consultation: the one its latest OfficialChoice names."""
    choice = official_choice_latest(consultation=consultation)
    if choice is None:
        return None
    run = choice.count_run
    run.is_official = True
    return run


def official_choices(*, consultation: Consultation) -> QuerySet[OfficialChoice]:
    """Every choice of the official count, latest first: the reason and who chose."""
    return (OfficialChoice.objects.filter(consultation=consultation)
            .select_related("count_run", "created_by").order_by("-created_at", "-pk"))


def results_publication_of(*, consultation: Consultation) -> ResultsPublication | None:
    return ResultsPublication.objects.filter(consultation=consultation).first()


def count_runs_of(*, consultation: Consultation) -> QuerySet[CountRun]:
    """The consultation's counts, newest first (``is_official`` annotated)."""
    return (CountRun.objects.filter(consultation=consultation).select_related("created_by")
            .order_by("-created_at", "-pk"))


def count_jobs_of(*, consultation: Consultation) -> dict[str, list[CountJob]]:
    """The jobs under way and those that failed (newest first), for the counting page."""
    jobs = list(consultation.count_jobs.exclude(state=CountJob.State.DONE)
                .select_related("requested_by").order_by("-created_at", "-pk")[:COUNTS_LISTED])
    return {"under_way": [j for j in jobs if j.under_way],
            "failed": [j for j in jobs if j.state == CountJob.State.FAILED]}


def count_runs_compare(*, consultation: Consultation, run_ids) -> list[dict[str, Any]]:
    """The consultation's counts among ``run_ids`` side by side (two queries): for each, its
    selected proposals (title, and whether every compared count selects it too), money spent
    and left, and the share of voters with a funded proposal (stored with the count)."""
    runs = list(count_runs_of(consultation=consultation).filter(pk__in=list(run_ids)))
    chosen = {pk for run in runs for pk in run.selected_proposal_ids}
    titles = dict(Proposal.objects.filter(consultation=consultation, pk__in=chosen)
                  .values_list("pk", "title"))
    in_all = set.intersection(*(set(r.selected_proposal_ids) for r in runs)) if runs else set()
    return [{
        "run": run,
        "selected": sorted(
            ({"pk": pk, "title": titles.get(pk, ""), "shared": pk in in_all}
             for pk in run.selected_proposal_ids), key=lambda p: p["title"].casefold()),
        "n_different": sum(1 for pk in run.selected_proposal_ids if pk not in in_all),
    } for run in runs]


def results_public_state(*, consultation: Consultation, user) -> dict[str, Any]:
    """What the public results page may show of the counting: once the results are published,
    the official count (rule, reason, the history of choices); before, nothing of the selection
    — except to the city's planners, who see it as a preview."""
    from .. import rules as plan_rules

    publication = results_publication_of(consultation=consultation)
    choices = list(official_choices(consultation=consultation)) if consultation.pk else []
    official = choices[0] if choices else None
    preview = (publication is None and official is not None
               and bool(user and user.is_authenticated)
               and plan_rules.can_draft_plan(user, consultation))
    shown = publication is not None or preview
    return {
        "published": publication is not None, "publication": publication, "preview": preview,
        "show_selection": shown, "official": official if shown else None,
        "choices": choices if shown else [],
    }
