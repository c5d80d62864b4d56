"""The page where a participant verifies their residence, and its status on the profile."""
from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse

from consult import services
from consult.models import Participant, Verification
from tests.factories import CityFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/verify/"


@pytest.fixture
def city():
    city = CityFactory(name="Rosario", slug="rosario")
    services.census_import(city=city, file=BytesIO(
        b"identifier,birth_date,district\n20.111.222,1970-05-04,Centro\n30333444,,\n"))
    return city


@pytest.fixture
def resident(city, client):
    participant = ParticipantFactory(city=city, is_verified=False)
    client.force_login(participant.user)
    return participant


def test_the_url_is_named():
    assert reverse("consult:verify_residence") == URL


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_account_without_a_profile_is_sent_to_complete_it(client):
    client.force_login(UserFactory())
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"] == reverse("consult:profile")


def test_the_form_asks_the_birth_date_when_the_census_has_them(resident, client):
    page = client.get(URL).content.decode()
    assert 'name="identifier"' in page and 'name="birth_date"' in page
    assert "We never store your document number" in page


def test_the_form_does_not_ask_a_birth_date_the_census_lacks(client):
    city = CityFactory()
    services.census_import(city=city, file=BytesIO(b"identifier\nA1\n"))
    client.force_login(ParticipantFactory(city=city, is_verified=False).user)
    page = client.get(URL).content.decode()
    assert 'name="identifier"' in page and 'name="birth_date"' not in page
    assert client.post(URL, {"identifier": "a-1"}).status_code == 302


def test_a_match_verifies_and_the_profile_says_since_when(resident, client):
    response = client.post(URL, {"identifier": "20111222", "birth_date": "04/05/1970"})
    assert response.status_code == 302 and response["Location"] == reverse("consult:profile")
    resident.refresh_from_db()
    assert resident.is_verified and resident.district == "Centro"
    page = client.get(reverse("consult:profile")).content.decode()
    assert "Verified resident of Rosario since" in page
    page = client.get(URL).content.decode()
    assert "You are a verified resident of Rosario since" in page
    assert 'name="identifier"' not in page


def test_the_profile_links_an_unverified_participant_to_the_page(resident, client):
    page = client.get(reverse("consult:profile")).content.decode()
    assert "Not verified" in page and f'href="{URL}"' in page


@pytest.mark.parametrize("data", [
    {"identifier": "99999999", "birth_date": "1970-05-04"},   # not in the census
    {"identifier": "20111222", "birth_date": "1971-05-04"},   # wrong birth date
])
def test_a_mismatch_is_a_400_with_the_one_message(resident, client, data):
    response = client.post(URL, data)
    assert response.status_code == 400
    assert ("We could not verify these details against the census of Rosario. Check them and "
            "try again.") in response.content.decode()
    assert not Verification.objects.exists()


@pytest.mark.parametrize("data", [
    {},
    {"identifier": "20111222", "birth_date": "the fourth of May"},
    {"identifier": "20111222", "birth_date": "1970-02-31"},
    {"identifier": "x" * 500, "birth_date": "1970-05-04"},
    {"identifier": "20111222"},
])
def test_bad_input_is_a_400_with_form_errors(resident, client, data):
    response = client.post(URL, data)
    assert response.status_code == 400
    assert not Participant.objects.get(pk=resident.pk).is_verified


def test_too_many_attempts_is_a_429_that_says_when(resident, client, settings):
    settings.VERIFICATION_ATTEMPTS = 2
    for _attempt in range(2):
        assert client.post(URL, {"identifier": "1", "birth_date": "1970-05-04"}).status_code == 400
    response = client.post(URL, {"identifier": "20111222", "birth_date": "1970-05-04"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many verification attempts: try again in" in response.content.decode()
    assert not Participant.objects.get(pk=resident.pk).is_verified


def test_a_city_without_a_census_says_so_and_shows_no_form(client):
    city = CityFactory(name="Paraná")
    client.force_login(ParticipantFactory(city=city, is_verified=False).user)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Paraná has not published a census yet" in page and 'name="identifier"' not in page
    assert client.post(URL, {"identifier": "1"}).status_code == 400


def test_my_data_download_holds_the_verification_but_no_number(resident, client):
    client.post(URL, {"identifier": "20111222", "birth_date": "1970-05-04"})
    data = client.get(reverse("consult:data_download")).json()
    assert data["profile"]["is_verified"] is True
    assert [v["city__slug"] for v in data["verifications"]] == ["rosario"]
    assert data["verifications"][0]["birth_date"] == "1970-05-04"
    assert "20111222" not in client.get(reverse("consult:data_download")).content.decode()
