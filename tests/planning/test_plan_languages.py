"""A plan's title, objectives and actions in several languages: planners write them in the same
forms and through the API; editing a text written in another language edits that language
(docs/architecture.md, "Content in several languages")."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from planning.models import Action, Objective, StrategyPlan

pytestmark = pytest.mark.django_db


def _planner(roles) -> Client:
    client = Client()
    client.force_login(roles.planner)
    return client


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _spanish_only(model, pk: int, **texts) -> None:
    columns = {f"{name}_{code}": None for name in texts for code in ("es", "pt_br", "fr", "en")}
    columns.update({f"{name}_es": text for name, text in texts.items()})
    model.objects.filter(pk=pk).update(**columns)


def test_planners_write_the_plan_in_other_languages(drafted, roles):
    plan, _ = drafted
    client = _planner(roles)
    url = reverse("planning:plan_edit", args=[plan.pk])
    form = client.get(url, HTTP_ACCEPT_LANGUAGE="en").context["form"]
    assert {"title_fr", "title_es", "description_pt_br"} <= set(form.fields)
    data = {"title": "International strategy", "description": "", "envelope": "",
            "title_fr": "Stratégie internationale", "title_es": "", "title_pt_br": "",
            "description_fr": "", "description_es": "", "description_pt_br": ""}
    data.update({f"ceiling_{year}": "" for year in plan.years})
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.context and response.context["form"].errors
    plan = StrategyPlan.objects.get(pk=plan.pk)
    assert (plan.title_en, plan.title_fr) == ("International strategy",
                                              "Stratégie internationale")
    workspace = client.get(reverse("planning:workspace", args=[plan.pk]),
                           HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Stratégie internationale" in workspace


def test_editing_an_objective_written_in_spanish_from_english_keeps_english_empty(drafted,
                                                                                   roles):
    plan, _ = drafted
    objective = plan.objectives.first()
    _spanish_only(Objective, objective.pk, title="Ciudades verdes")
    client = _planner(roles)
    url = reverse("planning:objective_edit", args=[plan.pk, objective.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    form = page.context["form"]
    assert form.own_language == "es" and form["title"].value() == "Ciudades verdes"
    assert "Written in: Spanish. You edit this text in that language" in page.content.decode()
    response = client.post(url, {
        "title": "Ciudades más verdes", "description": "", "result_level": objective.result_level,
        "position": objective.position, "title_en": "Greener cities", "description_en": "",
        "title_fr": "", "description_fr": "", "title_pt_br": "", "description_pt_br": ""},
        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.context and response.context["form"].errors
    objective.refresh_from_db()
    assert (objective.title_es, objective.title_en) == ("Ciudades más verdes", "Greener cities")


def test_an_action_form_adds_a_language(drafted, roles):
    plan, _ = drafted
    action = plan.actions.first()
    _spanish_only(Action, action.pk, title="Techos verdes")
    client = _planner(roles)
    url = reverse("planning:action_edit", args=[plan.pk, action.pk])
    form = client.get(url, HTTP_ACCEPT_LANGUAGE="es").context["form"]
    assert form.own_language == "es" and not form.writing_note
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(title_fr="Toits verts", objective=action.objective_id,
                partner_cities=[], proposals=[p.pk for p in action.proposals.all()])
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302, response.context and response.context["form"].errors
    action.refresh_from_db()
    assert (action.title_es, action.title_fr) == ("Techos verdes", "Toits verts")


def test_the_api_writes_plan_texts_in_several_languages(drafted, roles):
    plan, _ = drafted
    api = _api(roles.planner)
    created = api.post(f"/api/v1/plans/{plan.pk}/objectives/", {
        "title": "Ciudades verdes", "title_translations": {"en": "Green cities"}},
        format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert created.status_code == 201, created.content
    assert created.json()["title_translations"] == {"es": "Ciudades verdes",
                                                    "en": "Green cities"}
    objective = created.json()["id"]
    action = api.post(f"/api/v1/plans/{plan.pk}/actions/", {
        "objective": objective, "title": "Techos verdes",
        "title_translations": {"pt-br": "Telhados verdes"}}, format="json",
        HTTP_ACCEPT_LANGUAGE="es")
    assert action.status_code == 201, action.content
    assert action.json()["title_translations"]["pt-br"] == "Telhados verdes"
    patched = api.patch(f"/api/v1/plans/{plan.pk}/", {
        "title_translations": {"fr": "Stratégie"}}, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert patched.status_code == 200, patched.content
    assert patched.json()["title_translations"]["fr"] == "Stratégie"
    refused = api.patch(f"/api/v1/plans/{plan.pk}/", {"title_translations": {"de": "?"}},
                        format="json")
    assert refused.status_code == 400


def test_an_api_patch_of_the_envelope_leaves_the_titles_languages_alone(drafted, roles):
    """Before: a PATCH without a title wrote the title the reader saw (Spanish) into the
    request's language (English)."""
    plan, _ = drafted
    _spanish_only(StrategyPlan, plan.pk, title="Estrategia internacional")
    response = _api(roles.planner).patch(f"/api/v1/plans/{plan.pk}/", {"envelope": "5000.00"},
                                         format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    plan = StrategyPlan.objects.get(pk=plan.pk)
    assert plan.title_es == "Estrategia internacional" and plan.title_en is None
    assert response.json()["title_translations"] == {"es": "Estrategia internacional"}
