"""me/verification/: verifying one's residence through the API (the same service as the web)."""
from __future__ import annotations

from io import BytesIO

import pytest

from consult import services
from consult.models import Participant, Verification
from tests.api.conftest import client_for
from tests.factories import CityFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/verification/"
NEUTRAL = ("We could not verify these details against the census of Mendoza. Check them and "
           "try again.")


@pytest.fixture
def resident():
    city = CityFactory(name="Mendoza")
    services.census_import(city=city, file=BytesIO(
        b"identifier;birth_date;district\n20.111.222;1970-05-04;Godoy Cruz\n"))
    return ParticipantFactory(city=city, is_verified=False)


def test_get_before_and_after_verifying(resident):
    client = client_for(resident.user)
    before = client.get(URL).json()
    assert before == {"verified": False, "city": resident.city_id, "city_name": "Mendoza",
                      "verified_at": None, "district": None, "census_published": True,
                      "asks_birth_date": True}
    response = client.post(URL, {"identifier": "20111222", "birth_date": "1970-05-04"},
                           format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["verified"] and body["city"] == resident.city_id
    assert body["district"] == "Godoy Cruz" and body["verified_at"]
    assert client.get(URL).json() == body
    assert Participant.objects.get(pk=resident.pk).is_verified


@pytest.mark.parametrize("data", [
    {"identifier": "99999999", "birth_date": "1970-05-04"},
    {"identifier": "20111222", "birth_date": "1970-05-05"},
    {"identifier": "20111222"},
])
def test_a_mismatch_is_a_400_with_the_one_message(resident, data):
    response = client_for(resident.user).post(URL, data, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == f"identifier: {NEUTRAL}"
    assert response.json()["errors"] == {"identifier": [NEUTRAL]}


def test_an_entry_already_used_gives_the_same_message(resident):
    client_for(resident.user).post(URL, {"identifier": "20111222", "birth_date": "1970-05-04"},
                                   format="json")
    other = ParticipantFactory(city=resident.city, is_verified=False)
    response = client_for(other.user).post(
        URL, {"identifier": "20.111.222", "birth_date": "1970-05-04"}, format="json")
    assert response.status_code == 400 and response.json()["errors"] == {"identifier": [NEUTRAL]}
    assert Verification.objects.count() == 1


@pytest.mark.parametrize("data", [
    {}, {"identifier": ""}, {"identifier": "1", "birth_date": "04/05/1970"},
    {"identifier": "1" * 500}, {"identifier": ["1"]},
])
def test_bad_input_is_a_400(resident, data):
    response = client_for(resident.user).post(URL, data, format="json")
    assert response.status_code == 400


def test_too_many_attempts_is_a_429_with_retry_after(resident, settings):
    settings.VERIFICATION_ATTEMPTS = 2
    client = client_for(resident.user)
    for _attempt in range(2):
        assert client.post(URL, {"identifier": "1"}, format="json").status_code == 400
    response = client.post(URL, {"identifier": "20111222", "birth_date": "1970-05-04"},
                           format="json")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response.json()["detail"].startswith("Too many verification attempts: try again in")


def test_verifying_again_is_a_400_that_says_so(resident):
    client = client_for(resident.user)
    data = {"identifier": "20111222", "birth_date": "1970-05-04"}
    assert client.post(URL, data, format="json").status_code == 201
    response = client.post(URL, data, format="json")
    assert response.status_code == 400
    assert "already a verified resident of Mendoza" in response.json()["detail"]


def test_an_account_without_a_profile(db):
    client = client_for(UserFactory())
    assert client.get(URL).json()["verified"] is False
    assert client.post(URL, {"identifier": "1"}, format="json").status_code == 403
