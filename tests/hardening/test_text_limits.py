"""Proposal and comment bodies have a documented size limit (docs/domain.md): exactly at the
limit is accepted, one character more is refused with a message on the web, in the API and by
the service, and a database constraint backs them for writes that skip validation."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from consult import services
from consult.models import COMMENT_BODY_MAX_CHARS, PROPOSAL_BODY_MAX_CHARS, Comment, Phase, Proposal
from core.errors import ServiceError
from tests.api.conftest import client_for
from tests.factories import (
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_consultation():
    consultation = ConsultationFactory(phase=Phase.PROPOSALS, plan_start_year=2027,
                                       plan_end_year=2028)
    ThemeFactory(consultation=consultation)
    return consultation


def proposal_body(consultation, n: int):
    api = client_for(ParticipantFactory(city=consultation.city).user)
    return api.post(f"/api/v1/consultations/{consultation.pk}/proposals/", {
        "theme": consultation.themes.first().pk, "title": "Long", "summary": "Long.",
        "body": "x" * n, "estimated_cost": "10", "action_kind": "cooperation",
    }, format="json")


def test_a_proposal_body_of_exactly_the_limit_is_accepted_and_one_more_is_refused(
        open_consultation):
    assert proposal_body(open_consultation, PROPOSAL_BODY_MAX_CHARS).status_code == 201
    response = proposal_body(open_consultation, PROPOSAL_BODY_MAX_CHARS + 1)
    assert response.status_code == 400 and "body" in response.json()["errors"]
    assert Proposal.objects.count() == 1


def test_the_service_refuses_a_long_proposal_body(open_consultation):
    with pytest.raises(ServiceError) as refused:
        services.proposal_create(
            author=ParticipantFactory(city=open_consultation.city),
            consultation=open_consultation, theme=open_consultation.themes.first(),
            title="Long", summary="Long.", estimated_cost=10, action_kind="cooperation",
            body="x" * (PROPOSAL_BODY_MAX_CHARS + 1))
    assert refused.value.field == "body" and "20000" in refused.value.message.replace(",", "")


def test_the_web_form_refuses_a_long_proposal_body(open_consultation, client):
    participant = ParticipantFactory(city=open_consultation.city)
    client.force_login(participant.user)
    page = reverse("consult:proposal_create",
                   args=[open_consultation.city.slug, open_consultation.slug])
    token = client.get(page).context["once"]
    response = client.post(page, {
        "title": "Long", "summary": "Long.", "body": "x" * (PROPOSAL_BODY_MAX_CHARS + 1),
        "theme": open_consultation.themes.first().pk, "action_kind": "cooperation",
        "estimated_cost": "10", "cost_2027": "", "cost_2028": "", "publish": "1",
        "once": token})
    assert response.status_code == 400 and "body" in response.context["form"].errors
    assert not Proposal.objects.exists()


def test_a_comment_of_exactly_the_limit_is_accepted_and_one_more_is_refused(
        open_consultation):
    proposal = ProposalFactory(consultation=open_consultation)
    api = client_for(ParticipantFactory(city=open_consultation.city).user)
    url = f"/api/v1/proposals/{proposal.pk}/comments/"
    assert api.post(url, {"body": "y" * COMMENT_BODY_MAX_CHARS},
                    format="json").status_code == 201
    response = api.post(url, {"body": "y" * (COMMENT_BODY_MAX_CHARS + 1)}, format="json")
    assert response.status_code == 400 and "body" in response.json()["errors"]
    with pytest.raises(ServiceError):
        services.comment_create(author=ParticipantFactory(city=open_consultation.city),
                                proposal=proposal, body="y" * (COMMENT_BODY_MAX_CHARS + 1))
    assert Comment.objects.count() == 1


def test_the_database_refuses_texts_over_the_limit():
    proposal = ProposalFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(body="x" * (PROPOSAL_BODY_MAX_CHARS + 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(proposal=proposal, author=ParticipantFactory(),
                               body="y" * (COMMENT_BODY_MAX_CHARS + 1))
