"""The network dashboard: the cities side by side and their approved plans' budgets per
theme."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import pandas as pd
from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone

from consult.models import Ballot, City, Proposal, Support, Theme
from consult.services import DEFAULT_THEMES
from planning import selectors as plan_selectors
from planning.models import PlanStatus, PlanVersion

from .formatting import money
from .tables import table_from_frame


def _participants_per_city() -> dict[int, int]:
    """Distinct people who supported, voted or proposed in each city's consultations: one
    query (a UNION of (city, participant) pairs, counted per city in the database), plus one
    person per paper ballot (one more query)."""
    sql_pairs = (
        Ballot.objects.filter(participant__isnull=False).order_by()
        .annotate(c=F("consultation__city_id"), p=F("participant_id"))
        .values_list("c", "p")
        .union(
            Support.objects.order_by().annotate(c=F("proposal__consultation__city_id"),
                                                p=F("participant_id")).values_list("c", "p"),
            Proposal.objects.order_by().annotate(c=F("consultation__city_id"),
                                                 p=F("author_id")).values_list("c", "p"),
        )
    )
    sql, params = sql_pairs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT c, COUNT(*) FROM ({sql}) pairs GROUP BY c", params)
        people = {city: n for city, n in cursor.fetchall()}
    for row in (Ballot.objects.filter(channel=Ballot.Channel.PAPER).order_by()
                .values("consultation__city_id").annotate(n=Count("pk"))):
        city = row["consultation__city_id"]
        people[city] = people.get(city, 0) + row["n"]
    return people


def _cities_frame(now: datetime) -> pd.DataFrame:
    """Per city: kind, population, consultations held and distinct participants (and per
    1,000 inhabitants where the population is known)."""
    cities = list(
        City.objects.annotate(held=Count("consultations", filter=Q(
            consultations__proposals_open_at__lte=now)))
        .order_by("kind", "name").values("pk", "name", "kind", "population", "held")
    )
    participants = _participants_per_city()
    frame = pd.DataFrame(
        [(c["name"], c["kind"], c["population"], c["held"],
          participants.get(c["pk"], 0)) for c in cities],
        columns=["city", "kind", "population", "consultations", "participants"])
    pop = pd.to_numeric(frame["population"], errors="coerce").astype(float)
    frame["per_thousand"] = (frame["participants"].astype(float) / pop * 1000).round(2)
    frame["population"] = pd.Series([None if pd.isna(v) else int(v) for v in pop], dtype=object)
    return frame


def _plan_budgets_frame() -> pd.DataFrame:
    """Each approved (not superseded) plan's budget per theme, in amounts and shares; themes
    are named by the default theme they come from, else by the objective's title."""
    versions = (
        PlanVersion.objects.filter(plan__approved_version=F("pk"))
        .exclude(plan__status=PlanStatus.SUPERSEDED)
        .select_related("plan__city").order_by("plan__city__name", "plan_id")
    )
    budget_rows, theme_ids, snapshots = [], set(), []
    for version in versions:
        snapshot = version.snapshot
        snapshots.append((version.plan.city.name, snapshot))
        theme_ids |= {o.get("theme") for o in snapshot.get("objectives", []) if o.get("theme")}
    theme_slugs = dict(Theme.objects.filter(pk__in=theme_ids).values_list("pk", "slug"))
    default_labels = {slug: str(label) for slug, label in DEFAULT_THEMES}
    for city_name, snapshot in snapshots:
        view = plan_selectors.snapshot_view(snapshot)
        per_theme = defaultdict(float)
        for objective in view["objectives"]:
            slug = theme_slugs.get(objective.get("theme"))
            label = default_labels.get(slug) or objective["title"]
            per_theme[label] += money(objective["total"])
        total = sum(per_theme.values())
        for label, amount in per_theme.items():
            budget_rows.append((city_name, snapshot["plan"]["title"],
                                snapshot["plan"]["currency"], label, amount,
                                amount / total * 100 if total else None))
    return pd.DataFrame(budget_rows, columns=["city", "plan", "currency", "theme", "amount",
                                              "budget_share"])


def network_report() -> dict[str, Any]:
    """The network's cities side by side: consultations held, participation per 1,000
    inhabitants where the population is known, and approved plan budgets per theme."""
    now = timezone.now()
    frame = _cities_frame(now)
    budgets = _plan_budgets_frame()
    shares = budgets.pivot_table(index="city", columns="theme", values="budget_share",
                                 aggfunc="sum", fill_value=0.0) if len(budgets) else None
    tables = {
        "cities": table_from_frame(frame, {
            "city": "text", "kind": "label", "population": "int", "consultations": "int",
            "participants": "int", "per_thousand": "number"}, vocabularies={"kind": "city_kind"}),
        "plan_budget_theme": table_from_frame(budgets, {
            "city": "text", "plan": "text", "currency": "text", "theme": "text",
            "amount": "number", "budget_share": "percent"}),
    }
    charts = [
        {"id": "cities", "table": "cities", "type": "hbar", "x": "city",
         "y": ["per_thousand"]},
        {"id": "plan_budget_theme", "table": "plan_budget_theme", "type": "stack_long",
         "x": "city", "color": "theme", "y": "budget_share"},
    ]
    return {"kind": "network", "meta": {"built_at": now.isoformat(),
                                        "themes": list(shares.columns) if shares is not None
                                        else []},
            "summary": {"cities": len(frame), "participants": int(frame["participants"].sum()),
                        "consultations": int(frame["consultations"].sum())},
            "tables": tables, "charts": charts}
