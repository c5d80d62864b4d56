"""Report pages, exports and publishing. Thin: load the subject, check the predicate, ask the
selectors for the report (or read the frozen one), hand it to a template or an exporter.

Live reports are for the city's planners and council members (403 for everyone else);
published reports are public. Bad input (an unknown table or format) is a 404, never a 500."""
from __future__ import annotations

import functools

from celery.result import EagerResult
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from consult.models import Consultation
from core.errors import NotAllowed, ServiceError
from core.web import error_page, render
from planning.models import StrategyPlan

from . import charts, rules, selectors, services, tasks
from .exports import FORMATS, export_table
from .models import PublishedReport

SECTIONS = {
    "consultation": [
        ("participation", gettext_lazy("Participation"),
         ["participation", "ballots_per_day", "proposals_per_theme",
          "proposals_per_action_kind"]),
        ("inclusion", gettext_lazy("Inclusion"),
         ["inclusion_district", "inclusion_age_band", "inclusion_gender",
          "inclusion_organisation_kind"]),
        ("results", gettext_lazy("Results"), ["votes", "rule_comparison", "money_per_theme",
                                               "selection_by_rule"]),
    ],
    "plan": [
        ("budget", gettext_lazy("Budget"),
         ["budget_year_objective", "budget_source", "budget_hierarchy"]),
        ("traceability", gettext_lazy("From proposals to actions"), ["proposal_flows"]),
        ("indicators", gettext_lazy("Indicators"), ["indicators"]),
        ("execution", gettext_lazy("Execution"), ["execution"]),
    ],
    "network": [
        ("cities", gettext_lazy("Cities"), ["cities"]),
        ("plans", gettext_lazy("Plan budgets"), ["plan_budget_theme"]),
    ],
}


#: The title of every 403 in the reports: what is refused is not public (yet).
NOT_PUBLIC = gettext_lazy("This report is not public")


def _error_page(request: HttpRequest, message: str, *, status: int, **context) -> HttpResponse:
    """core.web's error page in the reports' template, with the reports' own title for a 403."""
    return error_page(request, message, status=status, template="reports/error.html",
                      title=NOT_PUBLIC if status == 403 else None, **context)


def _denied(request, subject, published_url: str) -> HttpResponse | None:
    """None when the user may read the live report; otherwise a 403 page that points to the
    published versions."""
    if rules.can_view_live_report(request.user, subject):
        return None
    return _error_page(
        request,
        _("Reports are public once the city's planners publish them. The live report is for "
          "the city's planners and council members."),
        status=403, published_url=published_url,
    )


def _layout(report: dict, export_urls) -> list[dict]:
    """The report's sections in the active language, each a list of items: a chart with its
    table, or a table."""
    report = selectors.report_in_language(report)
    currency = report.get("meta", {}).get("currency", "")
    drawn = {chart["table_name"]: chart for chart in charts.charts_for(report)}
    sections = []
    for key, title, names in SECTIONS[report["kind"]]:
        items = []
        for name in names:
            table = report["tables"].get(name)
            if table is None:
                continue
            items.append({
                "chart": drawn.get(name),
                "table": charts.present_table(name, table, currency=currency,
                                              exports=export_urls(name)),
            })
        sections.append({"id": key, "title": title, "items": items})
    return sections


def _page(request, report: dict, *, template: str = "reports/report.html", export_urls,
          city=None, frozen: PublishedReport | None = None, **context) -> HttpResponse:
    if frozen is not None:
        # A published report never changes: its charts are drawn once per language and kept
        # in the shared cache; the template caches the rendered body too, so `sections` is
        # only read (a callable, resolved by the template) when that copy is missing.
        key = f"published-layout:{frozen.pk}:{get_language()}"

        @functools.cache
        def sections():
            return cache.get_or_set(key, lambda: _layout(report, export_urls),
                                    PUBLISHED_CACHE_SECONDS)
    else:
        sections = _layout(report, export_urls)
    return render(request, template, {
        "report": report, "meta": report.get("meta", {}), "summary": report.get("summary", {}),
        "sections": sections, "city": city, **context,
    })


PUBLISHED_CACHE_SECONDS = 60 * 60 * 24


def _urls(name: str, *args):
    def export_urls(table: str) -> dict[str, str]:
        return {fmt: reverse(f"reports:{name}", args=[*args, table, fmt]) for fmt in FORMATS}

    return export_urls


def _known_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Http404(_("No such format."))


def _export(report: dict, table: str, fmt: str, stem: str) -> HttpResponse:
    if fmt not in FORMATS or table not in report.get("tables", {}):
        raise Http404(_("No such table or format."))
    export = export_table(report["tables"][table], name=table, fmt=fmt, stem=stem,
                          currency=report.get("meta", {}).get("currency", ""))
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


def _consultation(pk: int) -> Consultation:
    return get_object_or_404(Consultation.objects.select_related("city"), pk=pk)


def _plan(pk: int) -> StrategyPlan:
    return get_object_or_404(StrategyPlan.objects.select_related("city", "approved_version"),
                             pk=pk)


# --- index and network -------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html", selectors.reports_index(request.user))


@require_GET
def network(request: HttpRequest) -> HttpResponse:
    report = selectors.network_report()
    return _page(request, report, export_urls=_urls("network_export"),
                 title=_("Network dashboard"), source="network")


@require_GET
def network_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    _known_format(fmt)
    return _export(selectors.network_report(), table, fmt, "network")


# --- consultations -----------------------------------------------------------------------------


def _consultation_context(request, consultation: Consultation) -> dict:
    return {
        "consultation": consultation,
        "published_list": selectors.published_reports(consultation=consultation)[:20],
        "can_publish": rules.can_publish_report(request.user, consultation),
        "can_download_ballots": rules.can_download_ballots(request.user, consultation),
        "ballots_url": reverse("reports:ballots", args=[consultation.pk]),
    }


@require_GET
def consultation_report(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(pk)
    denied = _denied(request, consultation,
                     reverse("reports:consultation_published", args=[pk]))
    if denied:
        return denied
    live = _live(consultation)
    if live.report is None:
        return _being_built(request, consultation)
    return _page(request, live.report, export_urls=_urls("consultation_export", pk),
                 city=consultation.city, source="live", title=consultation.title,
                 pack_url=reverse("reports:consultation_pack", args=[pk]),
                 publish_url=reverse("reports:consultation_publish", args=[pk]),
                 built_at=live.built_at, updating=live.updating,
                 **_consultation_context(request, consultation))


def _live(consultation: Consultation) -> tasks.LiveReport:
    return tasks.live_consultation_report(
        consultation=consultation, language=get_language() or settings.LANGUAGE_CODE)


def _being_built(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    """The first build of a live report is under way on a worker: say so, and refresh."""
    response = render(request, "reports/being_built.html", {
        "consultation": consultation, "city": consultation.city,
    }, status=202)
    response["Retry-After"] = "10"
    return response


@require_GET
def consultation_pack(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(pk)
    denied = _denied(request, consultation,
                     reverse("reports:consultation_published", args=[pk]))
    if denied:
        return denied
    live = _live(consultation)
    if live.report is None:
        return _being_built(request, consultation)
    return _page(request, live.report, template="reports/pack.html",
                 export_urls=_urls("consultation_export", pk), city=consultation.city,
                 source="live", title=consultation.title, consultation=consultation)


@require_GET
def consultation_export(request: HttpRequest, pk: int, table: str, fmt: str) -> HttpResponse:
    consultation = _consultation(pk)
    _known_format(fmt)
    denied = _denied(request, consultation,
                     reverse("reports:consultation_published", args=[pk]))
    if denied:
        return denied
    live = _live(consultation)
    if live.report is None:
        return _being_built(request, consultation)
    return _export(live.report, table, fmt, f"{consultation.city.slug}-{consultation.slug}")


def _published_list(request: HttpRequest, *, live_url: str, **subject) -> HttpResponse:
    """The published versions of a consultation's or a plan's report."""
    (obj,) = subject.values()
    return render(request, "reports/published_list.html", {
        "subject_title": obj.title, "city": obj.city,
        "reports": selectors.published_reports(**subject),
        "live_url": live_url if rules.can_view_live_report(request.user, obj) else "",
    })


def _publish(request: HttpRequest, **subject) -> HttpResponse:
    """Freeze a consultation's or a plan's report as a new published version: a worker builds
    it (in-process without a broker, and then the page opens at once)."""
    target = subject.get("consultation") or subject.get("plan")
    try:
        services.ensure_can_publish(user=request.user, subject=target)
    except NotAllowed as error:
        return _error_page(request, error.message, status=403)
    except ServiceError as error:
        return _error_page(request, error.message, status=400)
    try:
        result = tasks.publish_report.delay(
            user_id=request.user.pk, language=get_language() or settings.LANGUAGE_CODE,
            **{f"{name}_id": value.pk for name, value in subject.items()})
    except ServiceError as error:  # in-process: the service's own refusal, e.g. a race
        return _error_page(request, error.message, status=400)
    list_name = "consultation_published" if "consultation" in subject else "plan_published"
    if not isinstance(result, EagerResult):
        messages.info(request, _("The report is being published; it appears in this list in a "
                                 "minute."))
        return redirect(f"reports:{list_name}", pk=target.pk)
    report = PublishedReport.objects.get(pk=result.get())
    messages.success(request, _("Report published as version %(n)s.") % {"n": report.version})
    return redirect("reports:published", pk=report.pk)


@require_GET
def consultation_published(request: HttpRequest, pk: int) -> HttpResponse:
    return _published_list(request, consultation=_consultation(pk),
                           live_url=reverse("reports:consultation", args=[pk]))


@require_POST
def consultation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _publish(request, consultation=_consultation(pk))


@require_GET
def ballots_pabulib(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The anonymised ballots as a Pabulib file, to re-count (only once voting has closed)."""
    from planning.pabulib_io import consultation_export_pabulib_stream

    consultation = _consultation(pk)
    if not rules.is_voting_closed(request.user, consultation):
        return _error_page(request, _("The ballots can be downloaded once voting has closed."),
                           status=403)
    if not rules.can_download_ballots(request.user, consultation):
        return _error_page(request, _("The ballots are public once the results are published; "
                                      "until then only the city's planners and council "
                                      "members can download them."), status=403)
    pieces = consultation_export_pabulib_stream(consultation=consultation)
    response = StreamingHttpResponse((piece.encode("utf-8") for piece in pieces),
                                     content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{consultation.city.slug}-{consultation.slug}.pb"')
    return response


# --- plans -------------------------------------------------------------------------------------


@require_GET
def plan_report(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    denied = _denied(request, plan, reverse("reports:plan_published", args=[pk]))
    if denied:
        return denied
    approved = request.GET.get("source") == "approved" and plan.approved_version_id
    report = selectors.plan_report(plan=plan, live=not approved)
    return _page(request, report, export_urls=_urls("plan_export", pk), city=plan.city,
                 source="approved" if approved else "live", title=plan.title, plan=plan,
                 pack_url=reverse("reports:plan_pack", args=[pk]),
                 publish_url=reverse("reports:plan_publish", args=[pk]),
                 published_list=selectors.published_reports(plan=plan)[:20],
                 can_publish=rules.can_publish_report(request.user, plan)
                 and plan.approved_version_id is not None)


@require_GET
def plan_pack(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(pk)
    denied = _denied(request, plan, reverse("reports:plan_published", args=[pk]))
    if denied:
        return denied
    report = selectors.plan_report(plan=plan, live=True)
    return _page(request, report, template="reports/pack.html",
                 export_urls=_urls("plan_export", pk), city=plan.city, source="live",
                 title=plan.title, plan=plan)


@require_GET
def plan_export(request: HttpRequest, pk: int, table: str, fmt: str) -> HttpResponse:
    plan = _plan(pk)
    _known_format(fmt)
    denied = _denied(request, plan, reverse("reports:plan_published", args=[pk]))
    if denied:
        return denied
    return _export(selectors.plan_report(plan=plan, live=True), table, fmt,
                   f"{plan.city.slug}-plan-{plan.pk}")


@require_GET
def plan_published(request: HttpRequest, pk: int) -> HttpResponse:
    return _published_list(request, plan=_plan(pk), live_url=reverse("reports:plan", args=[pk]))


@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _publish(request, plan=_plan(pk))


# --- published reports -------------------------------------------------------------------------


def _published(pk: int) -> PublishedReport:
    try:
        return selectors.published_report_get(pk=pk)
    except PublishedReport.DoesNotExist as error:
        raise Http404(selectors.NO_SUCH_REPORT) from error


@require_GET
def published(request: HttpRequest, pk: int) -> HttpResponse:
    report = _published(pk)
    subject = report.subject
    context = {}
    if report.kind == PublishedReport.Kind.CONSULTATION:
        context = {
            "consultation": subject,
            "can_download_ballots": rules.can_download_ballots(request.user, subject),
            "ballots_url": reverse("reports:ballots", args=[subject.pk]),
        }
    return _page(request, report.data, export_urls=_urls("published_export", pk),
                 city=report.city, source="published", published=report, title=report.title,
                 frozen=report,
                 pack_url=reverse("reports:published_pack", args=[pk]),
                 published_list=selectors.published_reports(
                     consultation=report.consultation if report.consultation_id else None,
                     plan=report.plan if report.plan_id else None)[:20],
                 **context)


@require_GET
def published_pack(request: HttpRequest, pk: int) -> HttpResponse:
    report = _published(pk)
    return _page(request, report.data, template="reports/pack.html",
                 export_urls=_urls("published_export", pk), city=report.city,
                 source="published", published=report, title=report.title,
                 consultation=report.consultation)


@require_GET
def published_export(request: HttpRequest, pk: int, table: str, fmt: str) -> HttpResponse:
    report = _published(pk)
    return _export(report.data, table, fmt, f"{report.city.slug}-report-{pk}-v{report.version}")
