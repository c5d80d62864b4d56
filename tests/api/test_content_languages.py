"""Translations through the API: every language returned, accepted on write, refused when
not one of the site's (docs/api.md)."""
from __future__ import annotations

import pytest

from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_api_returns_and_accepts_every_language(world):
    client = client_for(world.author.user)
    response = client.post(f"/api/v1/consultations/{world.open.pk}/proposals/", {
        "theme": world.theme.pk, "title": "Más árboles", "summary": "Sombra",
        "estimated_cost": "100.00", "action_kind": "promotion",
        "title_translations": {"en": "More trees", "fr": "Plus d'arbres"},
        "summary_translations": {"en": "Shade"},
    }, format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == "Más árboles"
    assert data["title_translations"] == {
        "es": "Más árboles", "fr": "Plus d'arbres", "en": "More trees"}
    assert data["summary_translations"] == {"es": "Sombra", "en": "Shade"}
    pk = data["id"]
    english = client.get(f"/api/v1/proposals/{pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["title"] == "More trees"
    # PATCH: one language changes, an empty text clears one, the others stay.
    patched = client.patch(f"/api/v1/proposals/{pk}/", {
        "title_translations": {"fr": "", "en": "Many more trees"}}, format="json").json()
    assert patched["title_translations"] == {"es": "Más árboles", "en": "Many more trees"}


def test_the_api_refuses_an_unknown_language(world):
    client = client_for(world.author.user)
    response = client.patch(f"/api/v1/proposals/{world.proposal.pk}/", {
        "title_translations": {"de": "Mehr Bäume"}}, format="json")
    assert response.status_code == 400
    assert "title_translations" in response.json()["errors"]
