"""What readers see: the proposal list filtered like the web (same FilterSet), in a bounded
number of queries; no drafts, no hidden content, no personal data; plans as approved."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consult import services as consult_services
from consult.filters import ProposalFilter
from consult.models import Consultation, Phase, Proposal
from tests.api.conftest import client_for
from tests.factories import (
    ConsultationFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProposalFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["title"] for p in response.json()["results"]]


def test_proposal_list_uses_the_web_filterset():
    from api.views import ProposalList

    assert ProposalList.filterset_class is ProposalFilter


def test_proposal_filters_and_ordering(api):
    consultation = ConsultationFactory(phase=Phase.PROPOSALS)
    green = ThemeFactory(consultation=consultation, slug="green")
    fair = ThemeFactory(consultation=consultation, slug="fair")
    org = OrganisationFactory(city=consultation.city, slug="ngo")
    a = ProposalFactory(consultation=consultation, theme=green, title="Solar roofs",
                        district="Centro", organisation=org)
    b = ProposalFactory(consultation=consultation, theme=fair, title="Migrant desk",
                        district="Norte")
    ProposalFactory(consultation=consultation, theme=fair, title="Withdrawn idea",
                    status=Proposal.Status.WITHDRAWN, status_reason="No longer needed.")
    for person in ParticipantFactory.create_batch(2, city=consultation.city):
        consult_services.support_add(participant=person, proposal=b)
    url = f"/api/v1/consultations/{consultation.pk}/proposals/"
    assert titles(api.get(url)) == ["Migrant desk", "Withdrawn idea", "Solar roofs"]
    assert titles(api.get(url, {"theme": "green"})) == ["Solar roofs"]
    assert titles(api.get(url, {"status": "withdrawn"})) == ["Withdrawn idea"]
    assert titles(api.get(url, {"organisation": "ngo"})) == ["Solar roofs"]
    assert titles(api.get(url, {"district": "Norte"})) == ["Migrant desk"]
    assert titles(api.get(url, {"q": "solar"})) == ["Solar roofs"]
    assert titles(api.get(url, {"order": "newest"}))[0] == "Withdrawn idea"
    random_order = titles(api.get(url, {"order": "random", "seed": 42}))
    assert random_order == titles(api.get(url, {"order": "random", "seed": 42}))
    response = api.get(url, {"theme": "nope"})
    assert response.status_code == 400 and "theme" in response.json()["errors"]
    assert a.pk in [p["id"] for p in api.get(url).json()["results"]]


def test_proposal_list_queries_do_not_grow_with_rows(api):
    consultation = ConsultationFactory(phase=Phase.PROPOSALS)
    ProposalFactory(consultation=consultation)
    url = f"/api/v1/consultations/{consultation.pk}/proposals/"
    with CaptureQueriesContext(connection) as few:
        api.get(url)
    theme = consultation.themes.first()
    for _ in range(15):
        proposal = ProposalFactory(consultation=consultation, theme=theme)
        proposal.year_costs.create(year=2027, amount=Decimal("1"))
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(url).json()["results"]) == 16
    assert len(many) == len(few)


def test_no_drafts_no_hidden_content_no_personal_data(world, api):
    draft = ProposalFactory(consultation=world.open, theme=world.theme, author=world.author,
                            status=Proposal.Status.DRAFT, published_at=None, title="My draft")
    hidden = ProposalFactory(consultation=world.open, theme=world.theme, is_hidden=True,
                             title="Hidden")
    url = f"/api/v1/consultations/{world.open.pk}/proposals/"
    assert titles(api.get(url)) == ["Urban forests"]
    assert api.get(f"/api/v1/proposals/{draft.pk}/").status_code == 404
    assert api.get(f"/api/v1/proposals/{hidden.pk}/").status_code == 404
    author = client_for(world.author.user)
    assert author.get(f"/api/v1/proposals/{draft.pk}/").status_code == 200
    assert client_for(world.users["moderator"]).get(
        f"/api/v1/proposals/{hidden.pk}/").status_code == 200
    data = api.get(f"/api/v1/proposals/{world.proposal.pk}/").json()
    # no public name chosen: the author reads as a participant of her city
    assert data["author"] == f"A participant of {world.author.city.name}"
    text = api.get(url).content.decode() + api.get(
        f"/api/v1/proposals/{world.proposal.pk}/comments/").content.decode()
    assert world.author.user.email not in text
    assert world.author.user.get_username() not in text  # a login is never shown
    world.author.public_name = "Lucía R."
    world.author.save()
    assert api.get(f"/api/v1/proposals/{world.proposal.pk}/").json()["author"] == "Lucía R."
    assert "30-44" not in text  # demographics never leave the profile
    comments = api.get(f"/api/v1/proposals/{world.proposal.pk}/comments/").json()["results"]
    hidden_comment = next(c for c in comments if c["id"] == world.hidden_comment.pk)
    assert hidden_comment["body"] is None and hidden_comment["is_hidden"]
    mine = author.get(f"/api/v1/proposals/{world.proposal.pk}/comments/").json()["results"]
    assert next(c for c in mine if c["id"] == world.hidden_comment.pk)["body"] == "Rude words."


def test_former_participants_are_anonymous(world, api):
    consult_services.participant_erase(participant=world.author)
    data = api.get(f"/api/v1/proposals/{world.proposal.pk}/").json()
    assert data["author"] == "Former participant"


def test_authors_read_decisions_on_their_content(world):
    response = client_for(world.author.user).get("/api/v1/moderation-decisions/")
    assert [d["id"] for d in response.json()["results"]] == [world.decision.pk]
    assert response.json()["results"][0]["reason"] == "Insults."
    other = ParticipantFactory(city=world.city)
    assert client_for(other.user).get("/api/v1/moderation-decisions/").json()["count"] == 0


def test_consultation_phase_filter_agrees_with_the_model(api):
    for phase in Phase:
        ConsultationFactory(phase=phase, slug=f"c-{phase.value}")
    for phase in Phase:
        response = api.get("/api/v1/consultations/", {"phase": phase.value})
        found = response.json()["results"]
        assert [c["slug"] for c in found] == [f"c-{phase.value}"]
        assert Consultation.objects.get(slug=f"c-{phase.value}").phase == phase
        assert found[0]["phase"] == phase.value


def test_results_only_after_voting_closes(world, api):
    assert api.get(f"/api/v1/consultations/{world.voting.pk}/results/").status_code == 401
    participant = client_for(world.users["participant"])
    assert participant.get(
        f"/api/v1/consultations/{world.voting.pk}/results/").status_code == 403
    results = api.get(f"/api/v1/consultations/{world.closed.pk}/results/").json()["results"]
    assert {r["title"]: r["votes"] for r in results} == {"A": 2, "B": 2}


def test_count_outcome_can_be_downloaded(world, api):
    data = api.get(f"/api/v1/count-runs/{world.count_run.pk}/").json()
    assert data["rule"] == "greedy" and data["is_official"]
    assert sorted(data["selected_proposal_ids"]) == sorted(
        world.count_run.selected_proposal_ids)
    assert data["outcome"] == world.count_run.outcome
    listed = api.get("/api/v1/count-runs/", {"consultation": world.closed.pk}).json()
    # The official count and the comparison count the world's planner asked a worker for.
    assert listed["count"] == 2 and "outcome" not in listed["results"][0]
    assert {r["id"] for r in listed["results"]} == {world.count_run.pk,
                                                   world.count_job.count_run_id}


def test_serving_the_schema_does_not_break_the_district_filter(api):
    """Regression: introspecting ProposalFilter for the schema must not freeze its district
    choices (empty at class level) for every later list, web pages included."""
    from drf_spectacular.generators import SchemaGenerator

    consultation = ConsultationFactory(phase=Phase.PROPOSALS)
    ProposalFactory(consultation=consultation, district="Norte", title="North")
    SchemaGenerator().get_schema(request=None, public=True)
    url = f"/api/v1/consultations/{consultation.pk}/proposals/"
    assert titles(api.get(url, {"district": "Norte"})) == ["North"]
    web = api.get(f"/{consultation.city.slug}/{consultation.slug}/proposals/",
                  {"district": "Norte"})
    assert web.status_code == 200 and "North" in web.content.decode()


def test_published_report_data(world, api):
    listed = api.get("/api/v1/published-reports/", {"consultation": world.closed.pk}).json()
    assert [r["id"] for r in listed["results"]] == [world.report.pk]
    data = api.get(f"/api/v1/published-reports/{world.report.pk}/").json()
    assert data["kind"] == "consultation" and data["consultation"] == world.closed.pk
    assert isinstance(data["tables"], dict)
