"""Setting up consultations on the web: who may, the form's round trip (local times, field-level
messages, themes), the freeze once voting opened, the preview, and nothing saved on refusal."""
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from consult.models import CityRole, Consultation, Phase, Theme
from tests.factories import (
    CityFactory,
    CityRoleFactory,
    ConsultationFactory,
    ProposalFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIMA = ZoneInfo("America/Lima")


@pytest.fixture
def lima():
    return CityFactory(slug="lima", name="Lima", timezone="America/Lima", currency="PEN",
                       country="PE")


def staff(city, role=CityRole.Role.ADMIN):
    user = UserFactory()
    CityRoleFactory(user=user, city=city, role=role)
    return user


def form_data(**changes) -> dict:
    data = {
        "title": "Lima internacional 2028", "slug": "", "description": "Ideas para Lima.",
        "plan_start_year": "2028", "plan_end_year": "2031",
        "proposals_open_at": "2030-03-01T09:00", "proposals_close_at": "2030-04-30T23:59",
        "voting_opens_at": "2030-05-15T08:00", "voting_closes_at": "2030-05-31T20:00",
        "results_at": "2030-06-05T12:00",
        "voting_method": "approval", "max_choices": "3", "max_points": "",
        "counting_rule": "mes", "budget": "2500000", "currency": "PEN",
        "min_supports": "10", "min_votes": "5", "eligibility": "registered",
        "proposing_eligibility": "registered", "supporting_eligibility": "registered",
        "minimum_age": "",
        "flags_to_hide": "3",
        "themes-TOTAL_FORMS": "2", "themes-INITIAL_FORMS": "0",
        "themes-MIN_NUM_FORMS": "0", "themes-MAX_NUM_FORMS": "1000",
        "themes-0-name": "Agua", "themes-0-description": "", "themes-0-ORDER": "2",
        "themes-1-name": "Movilidad", "themes-1-description": "Buses", "themes-1-ORDER": "1",
    }
    data.update(changes)
    return data


def edit_data(consultation, **changes) -> dict:
    """What the edit form sends back unchanged (dates in the city's time, themes as they are)."""
    tz = consultation.city.tzinfo
    data = form_data()
    del data["slug"]
    for name in ("proposals_open_at", "proposals_close_at", "voting_opens_at",
                 "voting_closes_at", "results_at"):
        data[name] = getattr(consultation, name).astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    for name in ("title", "description", "plan_start_year", "plan_end_year", "voting_method",
                 "counting_rule", "budget", "currency", "min_supports", "min_votes",
                 "eligibility", "proposing_eligibility", "supporting_eligibility",
                 "flags_to_hide"):
        data[name] = str(getattr(consultation, name))
    data["max_choices"] = str(consultation.max_choices or "")
    data["max_points"] = str(consultation.max_points or "")
    themes = list(consultation.themes.all())
    data = {k: v for k, v in data.items() if not k.startswith("themes-")}
    data.update({"themes-TOTAL_FORMS": str(len(themes)), "themes-INITIAL_FORMS": str(len(themes)),
                 "themes-MIN_NUM_FORMS": "0", "themes-MAX_NUM_FORMS": "1000"})
    for n, theme in enumerate(themes):
        data.update({f"themes-{n}-id": str(theme.pk), f"themes-{n}-name": theme.name,
                     f"themes-{n}-description": theme.description,
                     f"themes-{n}-ORDER": str(n + 1)})
    data.update(changes)
    return data


def snapshot(consultation):
    consultation.refresh_from_db()
    fields = {f.name: getattr(consultation, f.name) for f in Consultation._meta.concrete_fields}
    return fields, list(consultation.themes.values_list("pk", "name", "position"))


# --- creating ----------------------------------------------------------------------------------


def test_an_admin_creates_a_consultation_with_local_times_and_themes(client, lima):
    client.force_login(staff(lima))
    url = reverse("consult:setup_create", args=["lima"])
    page = client.get(url).content.decode()
    assert "Urban sustainability" in page or "Sostenibilidad urbana" in page  # default themes
    response = client.post(url, form_data())
    assert response.status_code == 302
    consultation = Consultation.objects.get(city=lima)
    assert consultation.slug == "lima-internacional-2028"
    assert response["Location"] == reverse("consult:setup_edit",
                                           args=["lima", consultation.slug])
    # 09:00 in Lima (UTC-5) is 14:00 UTC.
    assert consultation.proposals_open_at == datetime(2030, 3, 1, 9, 0, tzinfo=LIMA)
    assert consultation.proposals_open_at.astimezone(ZoneInfo("UTC")).hour == 14
    assert consultation.min_votes == 5 and consultation.budget == Decimal("2500000")
    assert list(consultation.themes.values_list("name", "position")) == [
        ("Movilidad", 0), ("Agua", 1)]
    # Shown back in the city's local time.
    edit = client.get(response["Location"]).content.decode()
    assert 'value="2030-03-01T09:00"' in edit


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"voting_opens_at": "2030-04-01T00:00"}, "voting_opens_at", "Phases must follow each other"),
    ({"proposals_close_at": "2030-03-01T09:00"}, "proposals_close_at",
     "Phases must follow each other"),
    ({"budget": "0"}, "budget", "must be positive"),
    ({"budget": "-10"}, "budget", "must be positive"),
    ({"max_choices": ""}, "max_choices", "needs a maximum number of choices"),
    ({"voting_method": "cumulative", "max_points": ""}, "max_points", "needs a number of points"),
    ({"plan_end_year": "2027"}, "plan_end_year", "cannot end before it starts"),
])
def test_bad_input_is_a_message_on_its_field_and_nothing_is_saved(client, lima, changes, field,
                                                                   message):
    client.force_login(staff(lima))
    response = client.post(reverse("consult:setup_create", args=["lima"]), form_data(**changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert not Consultation.objects.exists() and not Theme.objects.exists()


def test_the_message_is_in_the_persons_language(client, lima):
    client.force_login(staff(lima))
    response = client.post(reverse("consult:setup_create", args=["lima"]),
                           form_data(budget="0"), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert response.context["form"].errors["budget"] == [
        "La bolsa presupuestaria debe ser positiva."]
    assert not Consultation.objects.exists()


def test_a_time_that_does_not_exist_locally_is_a_form_error(client):
    CityFactory(slug="mvd", timezone="Europe/Madrid")  # 2030-03-31 02:30 is skipped (DST)
    user = UserFactory()
    CityRoleFactory(user=user, city=CityFactory(slug="mvd"), role=CityRole.Role.ADMIN)
    client.force_login(user)
    response = client.post(reverse("consult:setup_create", args=["mvd"]),
                           form_data(proposals_open_at="2030-03-31T02:30", currency="EUR"))
    assert response.status_code == 400
    assert "proposals_open_at" in response.context["form"].errors
    assert not Consultation.objects.exists()


# --- who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "allowed", "expected"), [
    (CityRole.Role.ADMIN, False, 200),
    (CityRole.Role.PLANNER, False, 403),
    (CityRole.Role.PLANNER, True, 200),
    (CityRole.Role.MODERATOR, True, 403),
    (CityRole.Role.COUNCIL, True, 403),
])
def test_admins_set_up_and_planners_where_the_city_allows(client, lima, role, allowed, expected):
    lima.planners_may_set_up = allowed
    lima.save()
    consultation = ConsultationFactory(city=lima, slug="c")
    ThemeFactory(consultation=consultation)
    client.force_login(staff(lima, role))
    for name, args in (("setup_list", ["lima"]), ("setup_create", ["lima"]),
                       ("setup_edit", ["lima", "c"]), ("setup_preview", ["lima", "c"])):
        assert client.get(reverse(f"consult:{name}", args=args)).status_code == expected, name
    before = snapshot(consultation)
    response = client.post(reverse("consult:setup_edit", args=["lima", "c"]),
                           edit_data(consultation, title="Renamed"))
    assert response.status_code == (302 if expected == 200 else 403)
    if expected == 403:
        assert "administrators" in response.content.decode()
        assert snapshot(consultation) == before


def test_planner_in_a_and_admin_in_b_may_not_edit_in_a_unless_a_allows(client, lima):
    quito = CityFactory(slug="quito", name="Quito")
    user = staff(quito, CityRole.Role.ADMIN)
    CityRoleFactory(user=user, city=lima, role=CityRole.Role.PLANNER)
    consultation = ConsultationFactory(city=lima, slug="c")
    ThemeFactory(consultation=consultation)
    client.force_login(user)
    url = reverse("consult:setup_edit", args=["lima", "c"])
    before = snapshot(consultation)
    assert client.post(url, edit_data(consultation, title="Renamed")).status_code == 403
    assert client.post(reverse("consult:setup_create", args=["lima"]),
                       form_data()).status_code == 403
    assert snapshot(consultation) == before and Consultation.objects.count() == 1
    # The "waiting for you" page offers Quito only.
    home = client.get(reverse("waiting")).content.decode()
    assert reverse("consult:setup_list", args=["quito"]) in home
    assert reverse("consult:setup_list", args=["lima"]) not in home
    lima.planners_may_set_up = True
    lima.save()
    assert client.post(url, edit_data(consultation, title="Renamed")).status_code == 302
    consultation.refresh_from_db()
    assert consultation.title == "Renamed"


def test_another_citys_consultation_is_not_found_here(client, lima):
    quito = CityFactory(slug="quito")
    elsewhere = ConsultationFactory(city=quito, slug="theirs")
    ThemeFactory(consultation=elsewhere)
    user = staff(lima)
    staff_quito = CityRoleFactory(user=user, city=quito, role=CityRole.Role.PLANNER)
    assert staff_quito
    client.force_login(user)
    for name in ("setup_edit", "setup_preview"):
        assert client.get(reverse(f"consult:{name}", args=["lima", "theirs"])).status_code == 404
    before = snapshot(elsewhere)
    assert client.post(reverse("consult:setup_edit", args=["lima", "theirs"]),
                       edit_data(elsewhere, title="Mine")).status_code == 404
    # Under its own city's address the Lima admin (a mere planner in Quito) is refused.
    assert client.get(reverse("consult:setup_edit", args=["quito", "theirs"])).status_code == 403
    assert snapshot(elsewhere) == before


def test_the_list_shows_only_the_citys_consultations_with_links(client, lima):
    mine = ConsultationFactory(city=lima, slug="mine", title="Lima 2030")
    ConsultationFactory(city=CityFactory(slug="quito"), title="Quito 2030")
    client.force_login(staff(lima))
    page = client.get(reverse("consult:setup_list", args=["lima"])).content.decode()
    assert "Lima 2030" in page and "Quito 2030" not in page
    assert reverse("consult:setup_edit", args=["lima", mine.slug]) in page
    assert reverse("consult:setup_preview", args=["lima", mine.slug]) in page
    assert reverse("consult:setup_create", args=["lima"]) in page


# --- editing: themes and the freeze ------------------------------------------------------------


def test_rename_reorder_add_and_remove_themes(client, lima):
    consultation = ConsultationFactory(city=lima, slug="c")
    a = ThemeFactory(consultation=consultation, name="A", slug="a", position=0)
    b = ThemeFactory(consultation=consultation, name="B", slug="b", position=1)
    gone = ThemeFactory(consultation=consultation, name="Gone", slug="gone", position=2)
    client.force_login(staff(lima))
    data = edit_data(consultation)
    data.update({"themes-0-name": "A renamed", "themes-0-ORDER": "2", "themes-1-ORDER": "1",
                 "themes-2-DELETE": "on", "themes-TOTAL_FORMS": "4",
                 "themes-3-name": "New one", "themes-3-ORDER": "3"})
    response = client.post(reverse("consult:setup_edit", args=["lima", "c"]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert list(consultation.themes.values_list("pk", "name", "slug", "position")) == [
        (b.pk, "B", "b", 0), (a.pk, "A renamed", "a", 1),
        (consultation.themes.get(name="New one").pk, "New one", "new-one", 2)]
    assert not Theme.objects.filter(pk=gone.pk).exists()


def test_removing_a_theme_with_proposals_is_refused_and_nothing_saved(client, lima):
    consultation = ConsultationFactory(city=lima, slug="c")
    used = ThemeFactory(consultation=consultation, name="Used", slug="used", position=0)
    ThemeFactory(consultation=consultation, name="Other", slug="other", position=1)
    ProposalFactory(consultation=consultation, theme=used)
    client.force_login(staff(lima))
    before = snapshot(consultation)
    response = client.post(reverse("consult:setup_edit", args=["lima", "c"]),
                           edit_data(consultation, title="Changed", **{"themes-0-DELETE": "on"}))
    assert response.status_code == 400
    assert "“Used” has proposals" in response.content.decode()
    assert snapshot(consultation) == before


def test_once_voting_opened_the_rules_are_disabled_and_a_forced_change_refused(client, lima):
    consultation = ConsultationFactory(city=lima, slug="c", phase=Phase.VOTING, max_choices=3)
    ThemeFactory(consultation=consultation)
    client.force_login(staff(lima))
    url = reverse("consult:setup_edit", args=["lima", "c"])
    page = client.get(url).content.decode()
    assert "the voting rules are fixed" in page
    assert 'name="max_choices" value="3"' in page and "disabled" in page
    # A browser does not send disabled fields: the texts still change.
    data = edit_data(consultation, title="Typo fixed")
    for name in Consultation.VOTING_RULE_FIELDS:
        data.pop(name, None)
    assert client.post(url, data).status_code == 302
    consultation.refresh_from_db()
    assert consultation.title == "Typo fixed" and consultation.max_choices == 3
    # A request that sends a changed rule anyway is refused by the service, nothing saved.
    before = snapshot(consultation)
    for changes in ({"max_choices": "5"}, {"budget": "1"}, {"min_votes": "9"},
                    {"voting_opens_at": "2020-01-01T00:00"}):
        response = client.post(url, edit_data(consultation, title="Sneaky", **changes))
        assert response.status_code == 400, changes
        assert "can no longer change" in response.content.decode()
        assert snapshot(consultation) == before


# --- preview -----------------------------------------------------------------------------------


def test_preview_before_saving_shows_the_public_page_and_saves_nothing(client, lima):
    client.force_login(staff(lima))
    url = reverse("consult:setup_create", args=["lima"])
    response = client.post(url, form_data(preview="1"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview" in page and "Nothing is saved yet" in page
    assert "Lima internacional 2028" in page and "Movilidad" in page
    assert "A proposal needs at least 5 votes." in page
    assert not Consultation.objects.exists()
    # Bad input is not previewed: the form again, with the message.
    bad = client.post(url, form_data(preview="1", budget="0"))
    assert bad.status_code == 400 and "budget" in bad.context["form"].errors
    # "Save" from the preview saves what was previewed.
    assert client.post(url, form_data(save="1")).status_code == 302
    assert Consultation.objects.get().title == "Lima internacional 2028"


def test_preview_of_unsaved_changes_and_of_an_upcoming_consultation(client, lima):
    consultation = ConsultationFactory(city=lima, slug="c", phase=Phase.UPCOMING, title="Old")
    ThemeFactory(consultation=consultation, name="Agua")
    client.force_login(staff(lima))
    saved = client.get(reverse("consult:setup_preview", args=["lima", "c"]))
    assert saved.status_code == 200
    assert "as it is saved" in saved.content.decode() and "Old" in saved.content.decode()
    response = client.post(reverse("consult:setup_edit", args=["lima", "c"]),
                           edit_data(consultation, title="New title", preview="1"))
    assert response.status_code == 200 and "New title" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.title == "Old"


def test_the_public_page_shows_min_votes(client, lima):
    consultation = ConsultationFactory(city=lima, min_votes=2)
    page = client.get(reverse("consult:consultation", args=["lima", consultation.slug]))
    assert "A proposal needs at least 2 votes." in page.content.decode()


@pytest.mark.parametrize("moment", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_dates_at_the_ends_of_the_calendar_are_a_form_error(client, lima, moment):
    client.force_login(staff(lima))
    response = client.post(reverse("consult:setup_create", args=["lima"]),
                           form_data(results_at=moment))
    assert response.status_code == 400
    assert "results_at" in response.context["form"].errors
    assert not Consultation.objects.exists()


def test_the_public_page_links_staff_to_the_edit_page(client, lima):
    consultation = ConsultationFactory(city=lima, slug="c")
    edit = reverse("consult:setup_edit", args=["lima", "c"])
    page = reverse("consult:consultation", args=["lima", "c"])
    assert edit not in client.get(page).content.decode()
    client.force_login(staff(lima, CityRole.Role.PLANNER))
    assert edit not in client.get(page).content.decode()
    client.force_login(staff(lima))
    assert edit in client.get(page).content.decode()
    assert consultation


def test_staff_write_the_title_and_description_in_other_languages(client, lima):
    """Written in Spanish with an English version in the same form: readers of English see
    it, readers of French get the city's Spanish with a note; editing shows both."""
    client.force_login(staff(lima))
    url = reverse("consult:setup_create", args=["lima"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'name="title_en"' in page and 'name="title_es"' not in page  # the others only
    response = client.post(url, form_data(title_en="International Lima 2028",
                                          description_en="Ideas for Lima."),
                           HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    consultation = Consultation.objects.get(city=lima)
    assert (consultation.title_es, consultation.title_en) == ("Lima internacional 2028",
                                                              "International Lima 2028")
    public = reverse("consult:consultation", args=["lima", consultation.slug])
    english = client.get(public, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "International Lima 2028" in english and "Ideas for Lima." in english
    french = client.get(public, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Lima internacional 2028" in french
    edit = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'value="International Lima 2028"' in edit


def test_the_api_sets_up_a_consultation_with_its_translations(client, lima):
    import json

    client.force_login(staff(lima))
    body = {
        "city": lima.pk, "title": "Lima internacional 2029", "description": "Ideas.",
        "title_translations": {"en": "International Lima 2029", "fr": "Lima internationale"},
        "plan_start_year": 2029, "plan_end_year": 2031,
        "proposals_open_at": "2030-03-01T09:00", "proposals_close_at": "2030-04-30T23:59",
        "voting_opens_at": "2030-05-15T08:00", "voting_closes_at": "2030-05-31T20:00",
        "results_at": "2030-06-05T12:00", "voting_method": "approval", "max_choices": 3,
        "counting_rule": "mes", "budget": "2500000",
    }
    response = client.post("/api/v1/consultations/", json.dumps(body),
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title_translations"] == {"es": "Lima internacional 2029",
                                          "en": "International Lima 2029",
                                          "fr": "Lima internationale"}
    patched = client.patch(f"/api/v1/consultations/{data['id']}/", json.dumps(
        {"title_translations": {"xx": "?"}}), content_type="application/json")
    assert patched.status_code == 400 and "title_translations" in patched.json()["errors"]


def test_the_networks_themes_are_named_in_every_language(client, lima):
    """A new consultation's form offers the network's themes in the writer's language, with
    the other languages filled in too."""
    client.force_login(staff(lima))
    page = client.get(reverse("consult:setup_create", args=["lima"]), HTTP_ACCEPT_LANGUAGE="en")
    first = page.context["themes"].forms[0]
    assert first["name"].value() == "Urban sustainability"
    others = [first[f"name_{code}"].value() for code in ("es", "pt_br", "fr")]
    assert all(others) and "Urban sustainability" not in others, others


def test_staff_name_a_theme_in_another_language(client, lima):
    client.force_login(staff(lima))
    response = client.post(reverse("consult:setup_create", args=["lima"]),
                           form_data(**{"themes-0-name_en": "Water"}),
                           HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    water = Theme.objects.get(name_es="Agua")
    assert water.name_en == "Water" and water.name_fr is None
    public = reverse("consult:consultation", args=["lima", water.consultation.slug])
    assert "Water" in client.get(public, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_theme_named_only_in_another_language_is_kept(client, lima):
    """A new row with no name in the form's language but one in another is a theme."""
    client.force_login(staff(lima))
    response = client.post(reverse("consult:setup_create", args=["lima"]), form_data(**{
        "themes-0-name": "", "themes-0-name_en": "Water"}), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    water = Theme.objects.get(name_en="Water")
    assert not water.name_es and water.slug == "water"


def test_editing_a_consultation_written_in_another_language_edits_that_language(client, lima):
    consultation = ConsultationFactory(city=lima, slug="c", phase=Phase.PROPOSALS)
    Consultation.objects.filter(pk=consultation.pk).update(
        title_es="Lima internacional", title_en=None, title_fr=None, title_pt_br=None)
    theme = ThemeFactory(consultation=consultation, name="x")
    Theme.objects.filter(pk=theme.pk).update(name_es="Agua", name_en=None, name_fr=None,
                                             name_pt_br=None)
    consultation.refresh_from_db()
    client.force_login(staff(lima))
    url = reverse("consult:setup_edit", args=["lima", "c"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    form, themes = page.context["form"], page.context["themes"]
    assert form.own_language == "es" and form["title"].value() == "Lima internacional"
    assert themes.forms[0]["name"].value() == "Agua" and "name_en" in themes.forms[0].fields
    data = edit_data(consultation, title="Lima internacional 2030", title_en="",
                     **{"themes-0-name": "Agua potable", "themes-0-name_en": "Drinking water"})
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.context and response.context["form"].errors
    consultation.refresh_from_db()
    theme.refresh_from_db()
    assert (consultation.title_es, consultation.title_en) == ("Lima internacional 2030", None)
    assert (theme.name_es, theme.name_en) == ("Agua potable", "Drinking water")


def test_the_api_names_themes_in_several_languages(client, lima):
    from rest_framework.test import APIClient

    consultation = ConsultationFactory(city=lima, slug="c", phase=Phase.PROPOSALS)
    api = APIClient()
    api.force_authenticate(staff(lima))
    response = api.patch(f"/api/v1/consultations/{consultation.pk}/", {"themes": [
        {"name": "Agua", "name_translations": {"en": "Water", "fr": "Eau"}},
        {"name_translations": {"en": "Mobility"}},
    ]}, format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200, response.content
    themes = response.json()["themes"]
    assert themes[0]["name_translations"] == {"es": "Agua", "fr": "Eau", "en": "Water"}
    assert themes[1]["name_translations"] == {"en": "Mobility"}
    nameless = api.patch(f"/api/v1/consultations/{consultation.pk}/", {"themes": [
        {"description": "?"}]}, format="json")
    assert nameless.status_code == 400
    assert consultation.themes.count() == 2
