"""The schema validates; the documentation pages load their assets from this site; every error
has the one format; writes are throttled."""
from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

from tests.api.conftest import client_for


def test_schema_validates_without_warnings(tmp_path):
    """`manage.py spectacular --validate --fail-on-warn`, with the project's settings."""
    call_command("spectacular", "--validate", "--fail-on-warn",
                 "--file", str(tmp_path / "schema.yaml"), stdout=io.StringIO())
    assert "/api/v1/consultations/{id}/ballot/" in (tmp_path / "schema.yaml").read_text()


@pytest.mark.django_db
def test_schema_endpoint_serves_openapi_3(api):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"detail", "errors"}


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_documentation_pages_load_no_cdn(api, page):
    response = api.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    for url in [part.split('"')[0] for part in html.split('src="')[1:]]:
        if url.startswith(settings.STATIC_URL) or url.startswith("/" + settings.STATIC_URL):
            # The site's own static files (the pages' init scripts): collected, not a view.
            assert finders.find(url.split(settings.STATIC_URL, 1)[1]), url
            continue
        asset = api.get(url)
        assert asset.status_code == 200, url


@pytest.mark.django_db
def test_unknown_api_address_is_a_json_404(api):
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no such API address.", "errors": {}}


def test_validation_error_names_fields(world):
    client = client_for(world.users["participant"])
    response = client.post(f"/api/v1/consultations/{world.open.pk}/proposals/",
                           {"title": ""}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert {"title", "summary", "theme", "estimated_cost", "action_kind"} <= set(body["errors"])
    assert body["detail"].split(":")[0] in body["errors"]


def test_service_error_with_a_field_is_a_400_on_that_field(world):
    client = client_for(world.users["participant"])
    response = client.post(f"/api/v1/consultations/{world.open.pk}/proposals/", {
        "theme": world.theme.pk, "title": "T", "summary": "S", "estimated_cost": "100.00",
        "action_kind": "promotion", "year_costs": [{"year": 2099, "amount": "100.00"}],
    }, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "year_costs": ["2099 is outside the plan period 2027–2030."]}


def test_a_form_body_with_too_many_fields_is_a_json_400(world):
    """Django refuses bodies over DATA_UPLOAD_MAX_NUMBER_FIELDS while DRF parses request.data;
    the API answers in its own format instead of Django's HTML 400 page (found by schemathesis)."""
    client = client_for(world.users["participant"])
    body = "&".join(f"partner_cities={i}" for i in range(1500)) + "&title=T"
    response = client.post(f"/api/v1/consultations/{world.open.pk}/proposals/", body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith("The request body could not be read")


def test_not_allowed_is_a_403_with_the_service_message(world):
    client = client_for(world.users["participant"])
    response = client.put(f"/api/v1/consultations/{world.open.pk}/ballot/",
                          {"choices": [{"proposal": world.proposal.pk}]}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Voting is not open for you in this consultation.",
                               "errors": {}}


def test_anonymous_write_is_a_401_with_a_challenge(world, api):
    response = api.put(f"/api/v1/proposals/{world.proposal.pk}/support/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.json()) == {"detail", "errors"}


def test_bad_token_is_a_401(world, api):
    api.credentials(HTTP_AUTHORIZATION="Token nope")
    response = api.get("/api/v1/cities/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token.", "errors": {}}


def test_token_endpoint_returns_a_working_token(world, api):
    user = world.users["participant"]
    response = api.post("/api/v1/auth/token/",
                        {"username": user.get_username(), "password": "s3cret-pass"})
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/me/").json()["data"]["account"]["username"] == user.get_username()


def test_session_authentication_works_too(world, api):
    api.force_login(world.users["participant"])
    assert api.get(f"/api/v1/consultations/{world.voting.pk}/ballot/").status_code == 200


def test_writes_are_throttled_reads_are_not(world, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"writes": "3/minute",
                                                          "anon": "1000/minute"}}
    client = client_for(world.users["participant"])
    url = f"/api/v1/proposals/{world.proposal.pk}/support/"
    assert [client.put(url).status_code for _ in range(3)] == [200, 200, 200]
    response = client.put(url)
    assert response.status_code == 429
    assert "Retry-After" in response
    assert set(response.json()) == {"detail", "errors"}
    assert client.get(url).status_code == 200  # reads are not counted as writes
