"""Permissions, publishing, frozen snapshots, exports over HTTP and bad input."""
from __future__ import annotations

import io
import json
from decimal import Decimal

import pandas as pd
import pytest
from django.test import Client

from consult.models import Phase, Proposal
from core.errors import NotAllowed, ServiceError
from planning.immutable import FrozenRecord
from reports import selectors, services
from reports.models import PublishedReport
from tests.factories import ConsultationFactory


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def live_urls(consultation, plan=None):
    urls = [f"/reports/consultation/{consultation.pk}/",
            f"/reports/consultation/{consultation.pk}/pack/",
            f"/reports/consultation/{consultation.pk}/tables/votes.csv"]
    if plan is not None:
        urls += [f"/reports/plan/{plan.pk}/", f"/reports/plan/{plan.pk}/pack/",
                 f"/reports/plan/{plan.pk}/tables/execution.json"]
    return urls


def test_live_reports_only_for_the_citys_planners_and_council(counted, people, approved_plan):
    for url in live_urls(counted.consultation, approved_plan):
        assert client_for().get(url).status_code == 403, url
        assert client_for(people.participant).get(url).status_code == 403, url
        assert client_for(people.other_planner).get(url).status_code == 403, url
        assert client_for(people.planner).get(url).status_code == 200, url
        assert client_for(people.council).get(url).status_code == 200, url


def test_publish_freezes_the_figures(counted, people):
    consultation = counted.consultation
    response = client_for(people.planner).post(
        f"/reports/consultation/{consultation.pk}/publish/")
    assert response.status_code == 302
    report = PublishedReport.objects.get()
    assert report.version == 1 and report.published_by == people.planner
    page = client_for().get(f"/reports/published/{report.pk}/")
    assert page.status_code == 200 and "Agenda internacional" in page.content.decode()

    # Data change after publication: a proposal is renamed and costs change.
    Proposal.objects.filter(pk=counted.proposals["a"].pk).update(
        title="Renamed later", estimated_cost=Decimal("999"))
    report.refresh_from_db()
    html = client_for().get(f"/reports/published/{report.pk}/").content.decode()
    assert "Renamed later" not in html
    frozen = client_for().get(f"/reports/published/{report.pk}/tables/votes.json")
    rows = {row["proposal_id"]: row for row in json.loads(frozen.content)["rows"]}
    assert rows["a"]["proposal"] == "A" and rows["a"]["cost"] == 400.0
    live = selectors.consultation_report(consultation=consultation)
    assert "Renamed later" in json.dumps(live)

    # Republishing makes a new dated version; the first one stays as it was.
    second = services.report_publish(user=people.planner, consultation=consultation)
    assert second.version == 2
    assert "Renamed later" in json.dumps(second.data)
    assert "Renamed later" not in json.dumps(PublishedReport.objects.get(version=1).data)


def test_published_reports_are_immutable(counted, people):
    report = services.report_publish(user=people.planner, consultation=counted.consultation)
    report.title = "Changed"
    with pytest.raises(FrozenRecord):
        report.save()
    with pytest.raises(FrozenRecord):
        report.delete()


def test_publish_permissions_and_phase(counted, people, approved_plan):
    for user in (people.council, people.participant, people.other_planner):
        with pytest.raises(NotAllowed):
            services.report_publish(user=user, consultation=counted.consultation)
        assert client_for(user).post(
            f"/reports/consultation/{counted.consultation.pk}/publish/").status_code == 403
    assert client_for().post(
        f"/reports/plan/{approved_plan.pk}/publish/").status_code == 403
    voting = ConsultationFactory(city=counted.city, phase=Phase.VOTING)
    with pytest.raises(ServiceError):
        services.report_publish(user=people.planner, consultation=voting)
    assert client_for(people.planner).post(
        f"/reports/consultation/{voting.pk}/publish/").status_code == 400
    assert client_for(people.planner).get(
        f"/reports/consultation/{counted.consultation.pk}/publish/").status_code == 405


def test_plan_report_published_from_the_approved_version(approved_plan, people):
    from planning import services as plan_services

    report = services.report_publish(user=people.planner, plan=approved_plan)
    assert report.kind == "plan" and report.data["meta"]["source"] == "approved_version"
    total = report.data["summary"]["total"]
    assert total == 800.0
    # A revision changes the working copy, not the published (or approved) figures.
    plan_services.plan_revision_start(plan=approved_plan, user=people.planner)
    action = approved_plan.actions.first()
    plan_services.budget_line_create(action=action, user=people.planner, year=2027,
                                     amount=Decimal("5000"), source="national")
    live = selectors.plan_report(plan=approved_plan, live=True)
    assert live["summary"]["total"] == 5800.0
    assert selectors.plan_report(plan=approved_plan, live=False)["summary"]["total"] == 800.0
    page = client_for().get(f"/reports/published/{report.pk}/")
    assert page.status_code == 200
    sources = client_for().get(f"/reports/published/{report.pk}/tables/budget_source.csv")
    frame = pd.read_csv(io.BytesIO(sources.content))
    assert frame["Amount"].tolist() == [800.0]


def test_plan_without_approval_cannot_be_published(counted, people):
    from planning import services as plan_services

    plan, _ = plan_services.plan_draft_for_consultation(
        consultation=counted.consultation, user=people.planner, count_now=True)
    with pytest.raises(ServiceError):
        services.report_publish(user=people.planner, plan=plan)


def test_exports_over_http(counted, people):
    client = client_for(people.planner)
    base = f"/reports/consultation/{counted.consultation.pk}/tables"
    response = client.get(f"{base}/rule_comparison.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    frame = pd.read_excel(io.BytesIO(response.content))
    assert frame["Money allocated"].tolist() == [800, 500, 800, 800]
    response = client.get(f"{base}/participation.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert pd.read_csv(io.BytesIO(response.content))["Value"].tolist() == [23, 4, 12, 1, 7, 7, 0]


@pytest.mark.parametrize("path", [
    "tables/nope.csv", "tables/votes.pdf", "tables/votes.exe", "tables/..csv",
])
def test_bad_input_is_404_not_500(counted, people, path):
    client = client_for(people.planner)
    response = client.get(f"/reports/consultation/{counted.consultation.pk}/{path}")
    assert response.status_code == 404


def test_bad_subjects_are_404(db):
    client = client_for()
    for url in ("/reports/consultation/999/", "/reports/plan/999/", "/reports/published/999/",
                "/reports/published/999/tables/votes.csv", "/reports/network/tables/x.csv",
                "/reports/network/tables/cities.doc", "/reports/consultation/999/ballots.pb"):
        assert client.get(url).status_code == 404, url


def test_public_pages(counted, people, approved_plan):
    client = client_for()
    for url in ("/reports/", "/reports/network/",
                f"/reports/consultation/{counted.consultation.pk}/published/",
                f"/reports/plan/{approved_plan.pk}/published/",
                "/reports/network/tables/cities.csv"):
        assert client.get(url).status_code == 200, url


def test_ballots_pabulib(counted, people):
    from planning.counting import count, pabulib

    url = f"/reports/consultation/{counted.consultation.pk}/ballots.pb"
    response = client_for().get(url)  # results phase: public
    assert response.status_code == 200
    _meta, election, _extras = pabulib.read(b"".join(response.streaming_content))
    run = counted.consultation.count_runs.get(is_official=True)
    assert election.input_hash() == run.input_hash
    assert count(election, "greedy").selected == run.selected
    voting = ConsultationFactory(city=counted.city, phase=Phase.VOTING)
    assert client_for(people.planner).get(
        f"/reports/consultation/{voting.pk}/ballots.pb").status_code == 403


def test_ballots_while_counting_only_for_planners_and_council(counted, people):
    from tests.planning.conftest import close_voting

    close_voting(counted.consultation, Phase.COUNTING)
    url = f"/reports/consultation/{counted.consultation.pk}/ballots.pb"
    assert client_for().get(url).status_code == 403
    assert client_for(people.council).get(url).status_code == 200


def test_published_report_data_for_the_api(counted, people):
    report = services.report_publish(user=people.planner, consultation=counted.consultation)
    data = selectors.published_report_data(report)
    assert data["version"] == 1 and data["kind"] == "consultation"
    assert data["tables"]["votes"]["columns"][0]["label"] == "Project id"
    assert json.loads(json.dumps(data))["summary"]["ballots"] == 7


def test_report_page_has_chart_and_table(counted, people):
    html = client_for(people.planner).get(
        f"/reports/consultation/{counted.consultation.pk}/").content.decode()
    assert 'src="/static/plotly/plotly.min.js"' in html
    assert 'data-figure="figure-votes"' in html and 'id="figure-votes"' in html
    assert '<caption id="table-votes"' in html
    assert "cdn" not in html.lower()
    assert "&lt; 10" in html or "< 10" in html


def test_numbers_follow_the_language(counted, people):
    client = client_for(people.planner)
    html = client.get(f"/reports/consultation/{counted.consultation.pk}/",
                      HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "1.000\xa0MXN" in html or "1.000&nbsp;MXN" in html or "1\xa0000" in html
