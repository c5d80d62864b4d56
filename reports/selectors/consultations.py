"""The consultation report: participation, inclusion, results (once voting has closed: no
partial results leak), rules compared and how to verify the count."""
from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from django.db import connection
from django.db.models import CharField, Count, Q
from django.db.models.functions import Cast, Substr, TruncDate
from django.utils import timezone

from consult import selectors as consult_selectors
from consult.models import Ballot, Comment, Consultation, Phase, Proposal, Theme

from ..models import Dimension
from .formatting import money
from .inclusion import inclusion_tables
from .results import consultation_results
from .suppression import MIN_CELL
from .tables import table_from_frame


def _participation(consultation: Consultation) -> tuple[dict, dict]:
    counts = consult_selectors.consultation_counts(consultation=consultation)
    counts["comments"] = Comment.objects.filter(
        proposal__consultation=consultation, is_hidden=False,
        proposal__status__in=consult_selectors.VISIBLE_STATUSES, proposal__is_hidden=False,
    ).count()
    # Online and paper ballots apart (reports published before paper ballots have neither).
    counts["ballots_paper"] = consult_selectors.paper_ballot_count(consultation=consultation)
    counts["ballots_online"] = counts["ballots"] - counts["ballots_paper"]
    order = ["participants", "proposals", "supports", "comments", "ballots", "ballots_online",
             "ballots_paper"]
    frame = pd.DataFrame({"metric": order, "value": [counts[k] for k in order]})
    return counts, table_from_frame(frame, {"metric": "label", "value": "int"},
                                    vocabularies={"metric": "metric"})


def _whole_hour_offsets(tz, *moments) -> bool:
    return all(moment.astimezone(tz).utcoffset().total_seconds() % 3600 == 0
               for moment in moments)


def _ballots_per_day(consultation: Consultation) -> dict:
    """Ballots per day in the city's local time. PostgreSQL converts and truncates in SQL. On
    SQLite Django's TruncDate calls a Python function per row (1.7 s for 100,000 ballots), so
    the database groups by UTC hour (a plain substring of the stored text) and the few hundred
    hours are put into local days here — exact for zones whose offset is whole hours."""
    tz = consultation.city.tzinfo
    ballots = Ballot.objects.filter(consultation=consultation).order_by()
    per_day: dict = defaultdict(int)
    if connection.vendor == "sqlite" and _whole_hour_offsets(
            tz, consultation.voting_opens_at, consultation.voting_closes_at):
        hours = ballots.annotate(hour=Substr(Cast("created_at", CharField()), 1, 13)) \
            .values("hour").annotate(n=Count("pk"))
        for row in hours:
            moment = datetime.strptime(row["hour"], "%Y-%m-%d %H").replace(tzinfo=UTC)
            per_day[moment.astimezone(tz).date()] += row["n"]
    else:
        for row in ballots.annotate(day=TruncDate("created_at", tzinfo=tz)).values("day") \
                .annotate(n=Count("pk")):
            per_day[row["day"]] += row["n"]
    frame = pd.DataFrame(sorted(per_day.items()), columns=["day", "ballots"])
    frame["day"] = frame["day"].map(lambda d: d.isoformat() if d else "")
    frame["cumulative"] = frame["ballots"].cumsum()
    return table_from_frame(frame, {"day": "date", "ballots": "int", "cumulative": "int"})


def _proposals_per(consultation: Consultation) -> tuple[dict, dict]:
    visible = Proposal.objects.filter(
        consultation=consultation, status__in=consult_selectors.VISIBLE_STATUSES,
        is_hidden=False,
    ).order_by()
    themes = pd.DataFrame(
        list(Theme.objects.filter(consultation=consultation)
             .annotate(n=Count("proposals", filter=Q(
                 proposals__status__in=consult_selectors.VISIBLE_STATUSES,
                 proposals__is_hidden=False)))
             .order_by("position", "name").values_list("name", "n")),
        columns=["theme", "proposals"],
    )
    kinds = {row["action_kind"]: row["n"] for row in
             visible.values("action_kind").annotate(n=Count("pk"))}
    # Codes, worded when read ("" for proposals that name no kind).
    kind_rows = [(code, kinds.get(code, 0)) for code in Proposal.ActionKind.values]
    if kinds.get(""):
        kind_rows.append(("", kinds[""]))
    kind_frame = pd.DataFrame(kind_rows, columns=["kind", "proposals"])
    return (table_from_frame(themes, {"theme": "text", "proposals": "int"}),
            table_from_frame(kind_frame, {"kind": "label", "proposals": "int"},
                             vocabularies={"kind": "action_kind"}))




def _consultation_charts() -> list[dict]:
    return [
        {"id": "ballots_per_day", "table": "ballots_per_day", "type": "bar", "x": "day",
         "y": ["ballots"]},
        {"id": "proposals_per_theme", "table": "proposals_per_theme", "type": "hbar",
         "x": "theme", "y": ["proposals"]},
        {"id": "proposals_per_action_kind", "table": "proposals_per_action_kind",
         "type": "hbar", "x": "kind", "y": ["proposals"]},
    ] + [
        {"id": f"inclusion_{d}", "table": f"inclusion_{d}", "type": "hbar", "x": "group",
         "y": ["share", "population_share"]}
        for d in Dimension.values
    ]


def _results_charts(rules: list[str]) -> list[dict]:
    return [
        {"id": "votes", "table": "votes", "type": "hbar", "x": "proposal", "y": ["votes"],
         "highlight": "selected", "limit": 30},
        {"id": "rule_comparison", "table": "rule_comparison", "type": "bar",
         "x": "rule_label", "y": ["budget_share", "voters_funded"]},
        {"id": "money_per_theme", "table": "money_per_theme", "type": "stack_columns",
         "name": "theme", "columns": rules, "money": True},
    ]


def _consultation_meta(consultation: Consultation, *, closed: bool) -> dict:
    city = consultation.city
    return {
        "city": {"slug": city.slug, "name": city.name, "population": city.population},
        "consultation": {"id": consultation.pk, "slug": consultation.slug,
                         "title": consultation.title},
        "currency": consultation.currency,
        "budget": money(consultation.budget),
        "voting_method": consultation.voting_method,
        "counting_rule": consultation.counting_rule,
        "phase": str(consultation.phase),
        "voting_closed": closed,
        "timezone": city.timezone,
        "voting_closes_at": consultation.voting_closes_at.isoformat(),
        "built_at": timezone.now().isoformat(),
        # Frozen with every published report: the threshold its tables were suppressed at.
        "min_cell": MIN_CELL,
    }


def _verification(results: dict) -> dict:
    """What anyone needs to re-count: the official run's input and engine, else this count's."""
    run, election = results["run"], results["election"]
    return {
        "official": run is not None,
        "rule": results["official_rule"],
        "min_votes": run.min_votes if run else 0,
        "tie_break": run.tie_break if run else "lexicographic",
        "input_hash": run.input_hash if run else election.input_hash(),
        "n_ballots": run.n_ballots if run else election.n_voters,
        "n_projects": run.n_projects if run else election.n_projects,
        "counted_at": run.created_at.isoformat() if run else None,
        "engine_version": run.engine_version if run else None,
    }


def consultation_report(*, consultation: Consultation) -> dict[str, Any]:
    """The consultation results report: participation, inclusion, results (once voting has
    closed: no partial results leak), rules compared and how to verify the count."""
    consultation = Consultation.objects.select_related("city").get(pk=consultation.pk)
    closed = consultation.phase in (Phase.COUNTING, Phase.RESULTS)
    counts, participation = _participation(consultation)
    per_theme, per_kind = _proposals_per(consultation)
    tables = {
        "participation": participation,
        "ballots_per_day": _ballots_per_day(consultation),
        "proposals_per_theme": per_theme,
        "proposals_per_action_kind": per_kind,
        **inclusion_tables(consultation),
    }
    charts = _consultation_charts()
    meta = _consultation_meta(consultation, closed=closed)
    summary = dict(counts)
    if closed:
        results = consultation_results(consultation)
        tables.update(results["tables"])
        charts += _results_charts(results["rules"])
        meta["verification"] = _verification(results)
        summary["selected"] = results["selected_count"]
    return {"kind": "consultation", "meta": meta, "summary": summary, "tables": tables,
            "charts": charts}
