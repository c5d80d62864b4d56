"""API tokens expire after API_TOKEN_MAX_AGE and can be revoked by their owner."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Tok3n-Pa55word!"
DAY = 24 * 60 * 60


@pytest.fixture
def person():
    participant = ParticipantFactory()
    participant.user.set_password(PASSWORD)
    participant.user.save()
    return participant.user


def obtain(user) -> dict:
    response = APIClient().post("/api/v1/auth/token/",
                                {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def me(key: str):
    return APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")


def age(key: str, seconds: float) -> None:
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(seconds=seconds))


@override_settings(API_TOKEN_MAX_AGE=30 * DAY)
def test_a_token_says_when_it_expires_and_works_until_then(person):
    data = obtain(person)
    token = Token.objects.get(key=data["token"])
    assert data["expires_at"].startswith((token.created + timedelta(days=30)).date().isoformat())
    age(data["token"], 30 * DAY - 60)
    assert me(data["token"]).status_code == 200
    assert obtain(person)["token"] == data["token"]  # the same token while it lasts


@override_settings(API_TOKEN_MAX_AGE=30 * DAY)
def test_an_expired_token_is_refused_and_a_new_one_replaces_it(person):
    old = obtain(person)["token"]
    age(old, 30 * DAY)
    refused = me(old)
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]
    new = obtain(person)["token"]
    assert new != old and me(new).status_code == 200
    assert not Token.objects.filter(key=old).exists()


def test_the_owner_revokes_a_token(person):
    key = obtain(person)["token"]
    client = APIClient()
    assert client.delete("/api/v1/auth/token/").status_code == 401
    assert client.delete("/api/v1/auth/token/",
                         HTTP_AUTHORIZATION=f"Token {key}").status_code == 204
    assert me(key).status_code == 401
    assert not Token.objects.filter(user=person).exists()


@override_settings(API_TOKEN_MAX_AGE=0)
def test_with_no_maximum_age_tokens_last_until_revoked(person):
    data = obtain(person)
    assert data["expires_at"] is None
    age(data["token"], 3650 * DAY)
    assert me(data["token"]).status_code == 200
