"""/.well-known/security.txt (RFC 9116) tells a researcher where to report a vulnerability."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import override_settings


@override_settings(SECURITY_CONTACT=["mailto:security@city.example", "https://city.example/sec"],
                   SECURITY_POLICY_URL="https://city.example/security-policy")
def test_security_txt_names_the_contacts_and_expires_within_a_year(client):
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = [line.split(": ", 1) for line in response.content.decode().splitlines()]
    assert ["Contact", "mailto:security@city.example"] in fields
    assert ["Contact", "https://city.example/sec"] in fields
    assert ["Policy", "https://city.example/security-policy"] in fields
    assert ["Canonical", "http://testserver/.well-known/security.txt"] in fields
    expires = datetime.fromisoformat(dict(fields)["Expires"].replace("Z", "+00:00"))
    days_ahead = (expires - datetime.now(UTC)).days
    assert 330 <= days_ahead <= 366  # RFC 9116: less than a year ahead, and not stale


@override_settings(SECURITY_CONTACT=[])
def test_without_a_contact_there_is_no_security_txt(client):
    assert client.get("/.well-known/security.txt").status_code == 404


@pytest.mark.parametrize("contact", ["security@city.example", "http://city.example/sec"])
def test_a_contact_that_is_not_an_address_stops_the_start(monkeypatch, contact):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import config.settings.base as base

    monkeypatch.setenv("SECURITY_CONTACT", contact)
    with pytest.raises(ImproperlyConfigured, match="SECURITY_CONTACT"):
        importlib.reload(base)
    monkeypatch.delenv("SECURITY_CONTACT")
    importlib.reload(base)
