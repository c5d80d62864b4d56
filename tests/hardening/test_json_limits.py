"""An oversized or deeply nested JSON body is a 400 in the API's error format (not an HTML
500), and nothing is written."""
from __future__ import annotations

import pytest
from django.test import override_settings

from consult.models import Ballot, Phase
from tests.api.conftest import client_for
from tests.factories import ConsultationFactory, ParticipantFactory, ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting():
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=2)
    proposal = ProposalFactory(consultation=consultation)
    api = client_for(ParticipantFactory(city=consultation.city).user)
    return consultation, proposal, api


def put(api, consultation, body: str):
    return api.generic("PUT", f"/api/v1/consultations/{consultation.pk}/ballot/", body,
                       content_type="application/json")


def assert_api_400(response, words: str):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert words in data["detail"] and data["errors"] == {}


@pytest.mark.parametrize("depth", [21, 100_000])
def test_deeply_nested_json_is_a_400(voting, depth):
    consultation, _proposal, api = voting
    assert_api_400(put(api, consultation, "[" * depth + "]" * depth), "nests deeper than 20")
    assert not Ballot.objects.exists()


def test_json_nested_exactly_at_the_limit_is_read(voting):
    consultation, proposal, api = voting
    # {"choices": [{"proposal": …, "extra": [[…]]}]}: 3 levels of ballot + 17 of lists = 20.
    extra = "[" * 17 + "]" * 17
    response = put(api, consultation,
                   f'{{"choices": [{{"proposal": {proposal.pk}, "points": 1, "x": {extra}}}]}}')
    assert response.status_code == 200, response.content


@override_settings(API_MAX_JSON_BYTES=1000)
def test_an_oversized_body_is_a_400_and_one_at_the_limit_is_read(voting):
    consultation, proposal, api = voting
    body = f'{{"choices": [{{"proposal": {proposal.pk}, "points": 1}}]}}'
    padded = body[:-1] + " " * (1000 - len(body)) + "}"
    assert len(padded) == 1000
    assert put(api, consultation, padded).status_code == 200
    assert_api_400(put(api, consultation, padded[:-1] + " }"), "larger than 1000 bytes")


def test_invalid_json_and_non_finite_numbers_are_400s(voting):
    consultation, proposal, api = voting
    assert_api_400(put(api, consultation, '{"choices": ['), "not valid JSON")
    assert_api_400(put(api, consultation,
                       f'{{"choices": [{{"proposal": {proposal.pk}, "points": NaN}}]}}'),
                   "not valid JSON")
