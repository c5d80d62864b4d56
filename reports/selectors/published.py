"""Published reports (the frozen figures as the API serves them) and what the reports page
lists for each person."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from consult.models import CityRole, Consultation
from planning.models import StrategyPlan

from ..models import PublishedReport
from .tables import column_label, report_in_language, table_title


def published_reports(*, consultation: Consultation | None = None,
                      plan: StrategyPlan | None = None) -> QuerySet[PublishedReport]:
    qs = PublishedReport.objects.select_related("city", "published_by", "consultation", "plan") \
        .defer("data")
    if consultation is not None:
        qs = qs.filter(consultation=consultation)
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs.order_by("-published_at", "-pk")


NO_SUCH_REPORT = gettext_lazy("No such report.")


def published_report_get(*, pk: int) -> PublishedReport:
    return PublishedReport.objects.select_related(
        "city", "published_by", "consultation", "plan").get(pk=pk)


def published_report_data(report: PublishedReport) -> dict:
    """A published report as the API serves it: what was frozen, with where it came from;
    its labels and words (groups, metrics, rules, notes, explanations) in the request's
    language."""
    data = report_in_language(report.data)
    return {
        "id": report.pk,
        "kind": report.kind,
        "title": report.title,
        "version": report.version,
        "language": report.language,
        "city": report.city.slug,
        "consultation": report.consultation_id,
        "plan": report.plan_id,
        "published_at": report.published_at.isoformat(),
        "published_by": report.published_by.get_username() if report.published_by else None,
        "meta": data.get("meta", {}),
        "summary": data.get("summary", {}),
        "tables": {
            name: {**table, "title": table_title(name),
                   "columns": [{**c, "label": column_label(c["key"])}
                               for c in table["columns"]]}
            for name, table in data.get("tables", {}).items()
        },
        "charts": data.get("charts", []),
    }


def reports_index(user) -> dict[str, Any]:
    """What the reports page lists: published reports for everyone; consultations and plans of
    the cities where the user plans or sits on the council, for their live reports."""
    working_consultations = Consultation.objects.none()
    working_plans = StrategyPlan.objects.none()
    if user.is_authenticated:
        cities = CityRole.objects.filter(user=user, role__in=[
            CityRole.Role.PLANNER, CityRole.Role.ADMIN, CityRole.Role.COUNCIL]).values("city_id")
        working_consultations = (Consultation.objects.filter(city_id__in=cities)
                                 .select_related("city").order_by("city__name",
                                                                  "-voting_opens_at"))
        working_plans = (StrategyPlan.objects.filter(city_id__in=cities)
                         .select_related("city").order_by("city__name", "-start_year"))
    return {"published": published_reports()[:100], "consultations": working_consultations,
            "plans": working_plans}

