"""Setting up consultations through the API: POST /consultations/ and PATCH /consultations/{id}/
call the web's services; refusals are 400 (with the reason, on the field) or 403, and nothing is
saved."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from consult.models import CityRole, Consultation, Phase, Theme
from tests.api.conftest import client_for
from tests.factories import (
    CityFactory,
    CityRoleFactory,
    ConsultationFactory,
    ProposalFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/consultations/"


@pytest.fixture
def lima():
    return CityFactory(slug="lima", timezone="America/Lima", currency="PEN", country="PE")


def staff(city, role=CityRole.Role.ADMIN):
    user = UserFactory()
    CityRoleFactory(user=user, city=city, role=role)
    return user


def body(city, **changes) -> dict:
    data = {"city": city.pk, "title": "Lima 2030", "plan_start_year": 2029,
            "plan_end_year": 2032, "budget": "5000.00",
            "proposals_open_at": "2030-03-01T09:00", "proposals_close_at": "2030-04-01T09:00",
            "voting_opens_at": "2030-04-10T09:00:00-05:00",
            "voting_closes_at": "2030-05-01T09:00:00Z", "results_at": "2030-05-02T09:00:00Z",
            "voting_method": "approval", "max_choices": 2, "min_votes": 4}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


def snapshot(consultation):
    consultation.refresh_from_db()
    return ({f.name: getattr(consultation, f.name)
             for f in Consultation._meta.concrete_fields},
            list(consultation.themes.values_list("pk", "name", "position")))


def test_an_admin_creates_a_consultation(lima):
    response = client_for(staff(lima)).post(URL, body(lima), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["city"] == lima.pk and data["slug"] == "lima-2030" and data["min_votes"] == 4
    assert data["currency"] == "PEN" and len(data["themes"]) == 3  # the network's themes
    consultation = Consultation.objects.get()
    # Without an offset a time is the city's local time; with one, as given.
    assert consultation.proposals_open_at == datetime(2030, 3, 1, 9, tzinfo=ZoneInfo(
        "America/Lima"))
    assert consultation.voting_opens_at.astimezone(ZoneInfo("UTC")).hour == 14


def test_themes_given_replace_the_defaults(lima):
    response = client_for(staff(lima)).post(
        URL, body(lima, themes=[{"name": "Agua"}, {"name": "Movilidad", "description": "Bus"}]),
        format="json")
    assert response.status_code == 201
    assert [(t["name"], t["position"]) for t in response.json()["themes"]] == [
        ("Agua", 0), ("Movilidad", 1)]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"voting_opens_at": "2030-03-15T09:00"}, "voting_opens_at", "Phases must follow"),
    ({"budget": "0"}, "budget", "must be positive"),
    ({"budget": "-1"}, "budget", "must be positive"),
    ({"max_choices": None}, "max_choices", "maximum number of choices"),
    ({"max_choices": ...}, "max_choices", "maximum number of choices"),
    ({"voting_method": "cumulative"}, "max_points", "number of points"),
    ({"themes": []}, "themes", "at least one theme"),
])
def test_bad_input_is_a_400_on_its_field_and_nothing_saved(lima, changes, field, message):
    response = client_for(staff(lima)).post(URL, body(lima, **changes), format="json")
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert field in errors and message in errors[field][0], errors
    assert not Consultation.objects.exists() and not Theme.objects.exists()


@pytest.mark.parametrize(("role", "allowed", "expected"), [
    (CityRole.Role.ADMIN, False, 201),
    (CityRole.Role.PLANNER, False, 403),
    (CityRole.Role.PLANNER, True, 201),
    (CityRole.Role.MODERATOR, True, 403),
])
def test_who_may_create(lima, role, allowed, expected):
    lima.planners_may_set_up = allowed
    lima.save()
    response = client_for(staff(lima, role)).post(URL, body(lima), format="json")
    assert response.status_code == expected
    assert Consultation.objects.exists() is (expected == 201)


def test_planner_in_a_and_admin_in_b_is_refused_in_a(lima):
    quito = CityFactory(slug="quito")
    user = staff(quito)
    CityRoleFactory(user=user, city=lima, role=CityRole.Role.PLANNER)
    consultation = ConsultationFactory(city=lima)
    ThemeFactory(consultation=consultation)
    client = client_for(user)
    before = snapshot(consultation)
    assert client.post(URL, body(lima), format="json").status_code == 403
    response = client.patch(f"{URL}{consultation.pk}/", {"title": "X"}, format="json")
    assert response.status_code == 403 and "administrators" in response.json()["detail"]
    assert snapshot(consultation) == before and Consultation.objects.count() == 1
    assert client.post(URL, body(quito), format="json").status_code == 201


def test_patch_changes_texts_and_themes(lima):
    consultation = ConsultationFactory(city=lima, phase=Phase.REVIEW)
    a = ThemeFactory(consultation=consultation, name="A", position=0)
    b = ThemeFactory(consultation=consultation, name="B", position=1)
    response = client_for(staff(lima)).patch(f"{URL}{consultation.pk}/", {
        "title": "Renamed", "max_choices": 5,
        "themes": [{"id": b.pk, "name": "B"}, {"id": a.pk, "name": "A2"}, {"name": "C"}],
    }, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Renamed" and response.json()["max_choices"] == 5
    assert list(consultation.themes.values_list("name", "position")) == [
        ("B", 0), ("A2", 1), ("C", 2)]


def test_a_theme_with_proposals_cannot_be_left_out(lima):
    consultation = ConsultationFactory(city=lima, phase=Phase.PROPOSALS)
    used = ThemeFactory(consultation=consultation, name="Used")
    other = ThemeFactory(consultation=consultation, name="Other")
    ProposalFactory(consultation=consultation, theme=used)
    before = snapshot(consultation)
    response = client_for(staff(lima)).patch(f"{URL}{consultation.pk}/", {
        "title": "Changed", "themes": [{"id": other.pk, "name": "Other"}]}, format="json")
    assert response.status_code == 400
    assert "has proposals" in response.json()["errors"]["themes"][0]
    assert snapshot(consultation) == before


@pytest.mark.parametrize("changes", [
    {"max_choices": 5}, {"budget": "1.00"}, {"min_votes": 3}, {"voting_method": "knapsack"},
    {"eligibility": "verified"}, {"voting_opens_at": "2020-01-01T00:00:00Z"},
])
def test_voting_rules_frozen_once_voting_opened(lima, changes):
    consultation = ConsultationFactory(city=lima, phase=Phase.VOTING, max_choices=3)
    ThemeFactory(consultation=consultation)
    client = client_for(staff(lima))
    before = snapshot(consultation)
    response = client.patch(f"{URL}{consultation.pk}/", {"title": "Sneaky", **changes},
                            format="json")
    assert response.status_code == 400
    assert "Voting has opened" in response.json()["detail"]
    assert snapshot(consultation) == before
    # The same values as stored are no change; the texts still may change.
    same = client.patch(f"{URL}{consultation.pk}/", {"title": "Typo", "max_choices": 3},
                        format="json")
    assert same.status_code == 200 and same.json()["title"] == "Typo"


def test_another_citys_admin_is_refused_and_a_missing_consultation_is_404(lima):
    consultation = ConsultationFactory(city=lima)
    ThemeFactory(consultation=consultation)
    client = client_for(staff(CityFactory(slug="quito")))
    before = snapshot(consultation)
    assert client.patch(f"{URL}{consultation.pk}/", {"title": "X"},
                        format="json").status_code == 403
    assert client.patch(f"{URL}999999/", {"title": "X"}, format="json").status_code == 404
    assert client.post(URL, {**body(lima), "city": 999999}, format="json").status_code == 400
    assert snapshot(consultation) == before


@pytest.mark.parametrize("moment", ["9999-12-31T23:59", "0001-01-01T00:00:00+09:00"])
def test_dates_at_the_ends_of_the_calendar_are_a_400(lima, moment):
    response = client_for(staff(lima)).post(URL, body(lima, results_at=moment), format="json")
    assert response.status_code == 400
    assert "results_at" in response.json()["errors"]
    assert not Consultation.objects.exists()


def test_an_unknown_counting_rule_is_a_400_on_its_field(lima):
    response = client_for(staff(lima)).post(URL, body(lima, counting_rule="dhondt"),
                                            format="json")
    assert response.status_code == 400 and "counting_rule" in response.json()["errors"]
    assert not Consultation.objects.exists()
