"""Your account through the API: download your data, edit your profile answers, delete your
account (with your password; contributions stay, anonymised, so totals hold)."""
from __future__ import annotations

import pytest

from consult.models import Ballot, Participant, Support
from tests.api.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def test_me_data_returns_own_supports(world):
    user = world.users["participant"]
    client = client_for(user)
    assert client.put(f"/api/v1/proposals/{world.proposal.pk}/support/").status_code == 200
    response = client.get("/api/v1/me/data/")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["account"]["username"] == user.get_username()
    assert [s["proposal_id"] for s in data["supports"]] == [world.proposal.pk]
    assert [b["consultation"] for b in data["ballots"]] == [world.voting.slug]
    # Only one's own: the author's support is not in the participant's data.
    other = client_for(world.author.user).get("/api/v1/me/data/").json()["data"]
    assert other["supports"] == []


def test_me_patch_changes_the_profile_answers_only(world):
    client = client_for(world.users["participant"])
    response = client.patch("/api/v1/me/", {"district": " Tlalpan ", "gender": "woman"},
                            format="json")
    assert response.status_code == 200, response.content
    participant = Participant.objects.get(user=world.users["participant"])
    assert (participant.district, participant.gender) == ("Tlalpan", "woman")
    assert response.json()["data"]["profile"]["district"] == "Tlalpan"
    response = client.patch("/api/v1/me/", {"age_band": "ancient"}, format="json")
    assert response.status_code == 400 and "age_band" in response.json()["errors"]


def test_delete_me_anonymises_and_keeps_totals(world):
    user = world.users["participant"]
    participant = user.participant
    client = client_for(user)
    client.put(f"/api/v1/proposals/{world.proposal.pk}/support/")
    supports, ballots = Support.objects.count(), Ballot.objects.count()
    counts = client.get(f"/api/v1/consultations/{world.voting.pk}/").json()["counts"]

    response = client.delete("/api/v1/me/", {"password": "wrong", "confirm": True},
                             format="json")
    assert response.status_code == 400 and "password" in response.json()["errors"]
    response = client.delete("/api/v1/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 400 and "confirm" in response.json()["errors"]

    response = client.delete("/api/v1/me/", {"password": PASSWORD, "confirm": True},
                             format="json")
    assert response.status_code == 204
    participant.refresh_from_db()
    assert participant.user_id is None and participant.district == ""
    assert (Support.objects.count(), Ballot.objects.count()) == (supports, ballots)
    anonymous = client_for(None)
    assert anonymous.get(f"/api/v1/consultations/{world.voting.pk}/").json()["counts"] == counts
    assert client.get("/api/v1/me/").status_code == 401  # the token went with the account
