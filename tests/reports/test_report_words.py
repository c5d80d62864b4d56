"""A published report keeps its frozen figures, and its words are in the reader's language:
metrics, groups, kinds, counting rules and notes are frozen as codes and worded when read — on
the page and its charts, in the downloads and in the API. What people wrote (theme names,
proposal titles) stays as written; a report frozen with words in its tables reads as it did."""
from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import translation

from consult.models import Consultation, VotingMethod
from reports import charts, services
from reports.models import PublishedReport
from reports.selectors import report_in_language, worded_table
from reports.selectors.results import _rule_outcome

#: What the Spanish build would have frozen as words, and what French and English readers read.
WORDS = {
    "es": ["Participantes", "Apoyos", "Menos de 18", "De 18 a 29", "Mujer", "Hombre",
           "No indicado", "Asociación vecinal", "Sin organización", "Proyecto de cooperación",
           "Método de Partes Iguales", "Phragmén secuencial", "Conteo oficial"],
    "fr": ["Participant·es", "Soutiens", "Moins de 18 ans", "18 à 29 ans", "Femme", "Homme",
           "Non renseigné", "Association de quartier", "Sans organisation",
           "Projet de coopération", "Méthode des parts égales", "Phragmén séquentiel",
           "Décompte officiel"],
    "en": ["Participants", "Supports", "Under 18", "18 to 29", "Woman", "Man", "Not stated",
           "Neighbourhood association", "No organisation", "Cooperation project",
           "Method of Equal Shares", "Sequential Phragmén", "Official count"],
}
#: Spanish words that are no word of French or English (ONG and Participants are).
ONLY_SPANISH = ["Participantes", "Apoyos", "Menos de 18", "Mujer", "Hombre", "No indicado",
                "Asociación vecinal", "Proyecto de cooperación", "Método de Partes Iguales",
                "Conteo oficial"]


def get(url: str, language: str):
    response = Client().get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return response


@pytest.fixture
def published_es(counted, people) -> PublishedReport:
    with translation.override("es"):
        report = services.report_publish(user=people.planner, consultation=counted.consultation)
    assert report.language == "es"
    return report


def test_the_frozen_tables_hold_codes_not_words(published_es):
    text = json.dumps(published_es.data, ensure_ascii=False)
    for word in WORDS["es"]:
        assert f'"{word}"' not in text, word
    gender = published_es.data["tables"]["inclusion_gender"]
    assert gender["columns"][0] == {"key": "group", "type": "label", "vocabulary": "gender"}
    assert [row[0] for row in gender["rows"]][:2] == ["woman", "man"]


def chart_figure(html: str, chart: str) -> dict:
    match = re.search(rf'<script id="figure-{chart}" type="application/json">(.*?)</script>',
                      html, re.S)
    assert match, chart
    return json.loads(match.group(1))


def bar_labels(figure: dict) -> list[str]:
    return [label for trace in figure["data"] for label in trace.get("y", []) + trace.get(
        "x", []) if isinstance(label, str)]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_page_and_its_charts_speak_the_readers_language(published_es, language):
    html = get(f"/reports/published/{published_es.pk}/", language).content.decode()
    for word in WORDS[language]:
        assert word in html, word
    for word in ONLY_SPANISH:
        assert word not in html, word
    assert "Green" in html and "Fair" in html  # theme names as written
    ages = bar_labels(chart_figure(html, "inclusion_age_band"))
    assert WORDS[language][2] in ages and WORDS[language][3] in ages
    assert WORDS[language][4] in bar_labels(chart_figure(html, "inclusion_gender"))
    assert WORDS[language][9] in bar_labels(chart_figure(html, "proposals_per_action_kind"))
    assert WORDS[language][10] in bar_labels(chart_figure(html, "rule_comparison"))
    pack = get(f"/reports/published/{published_es.pk}/pack/", language).content.decode()
    assert WORDS[language][10] in pack and "Conteo oficial" not in pack


def test_each_language_has_its_own_copy_of_the_published_page(published_es):
    url = f"/reports/published/{published_es.pk}/"
    assert "Femme" in get(url, "fr").content.decode()
    english = get(url, "en").content.decode()
    assert "Woman" in english and "Femme" not in english
    assert "Femme" in get(url, "fr").content.decode()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_downloads_speak_the_readers_language(published_es, language):
    base = f"/reports/published/{published_es.pk}/tables"
    csv = "".join(get(f"{base}/{name}.csv", language).content.decode("utf-8-sig")
                  for name in ("participation", "inclusion_age_band", "inclusion_gender",
                               "inclusion_organisation_kind", "proposals_per_action_kind",
                               "rule_comparison", "proposals_per_theme"))
    for word in WORDS[language]:
        assert word in csv, word
    for word in ONLY_SPANISH:
        assert word not in csv, word
    assert "Green" in csv
    payload = json.loads(get(f"{base}/inclusion_gender.json", language).content)
    assert payload["columns"][0]["type"] == "text"
    assert payload["rows"][0]["group"] == WORDS[language][4]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_api_speaks_the_readers_language(published_es, language):
    data = get(f"/api/v1/published-reports/{published_es.pk}/", language).json()
    assert data["language"] == "es"  # the language it was built in
    text = json.dumps(data["tables"], ensure_ascii=False)
    for word in WORDS[language]:
        assert word in text, word
    for word in ONLY_SPANISH:
        assert word not in text, word
    comparison = data["tables"]["rule_comparison"]
    keys = [c["key"] for c in comparison["columns"]]
    rows = {row[0]: dict(zip(keys, row, strict=True)) for row in comparison["rows"]}
    assert rows["greedy"]["note"] == WORDS[language][12] and rows["mes"]["note"] == ""
    assert comparison["columns"][keys.index("note")] == {
        "key": "note", "type": "text", "label": "Note" if language == "en" else "Remarque"}
    themes = data["tables"]["proposals_per_theme"]["rows"]
    assert [row[0] for row in themes] == ["Green", "Fair"]


def test_a_report_frozen_with_words_reads_as_it_did(published_es, people):
    """Before codes were frozen, tables held the build language's words in text columns."""
    with translation.override("es"):
        old = report_in_language(published_es.data)
    assert old["tables"]["inclusion_gender"]["columns"][0] == {"key": "group", "type": "text"}
    frozen = PublishedReport.objects.create(
        kind=published_es.kind, city=published_es.city,
        consultation=published_es.consultation, version=published_es.version + 1,
        title=published_es.title, language="es", data=old, published_by=people.planner)
    html = get(f"/reports/published/{frozen.pk}/", "fr").content.decode()
    csv = get(f"/reports/published/{frozen.pk}/tables/rule_comparison.csv",
              "fr").content.decode("utf-8-sig")
    api = json.dumps(get(f"/api/v1/published-reports/{frozen.pk}/", "fr").json()["tables"],
                     ensure_ascii=False)
    for word in ONLY_SPANISH:
        assert word in html and word in api, word
    assert "Conteo oficial" in csv and "Método de Partes Iguales" in csv
    assert "Femme" not in html and "Décompte officiel" not in csv
    assert "Mujer" in bar_labels(chart_figure(html, "inclusion_gender"))
    with translation.override("fr"):
        assert report_in_language(old) == old  # text columns stay as they are


def test_a_rule_that_does_not_apply_says_why_in_the_readers_language(counted, people):
    """On cumulative ballots equal shares and Phragmén do not apply: the note is a code."""
    Consultation.objects.filter(pk=counted.consultation.pk).update(
        voting_method=VotingMethod.CUMULATIVE, max_points=3)
    with translation.override("es"):
        report = services.report_publish(user=people.planner, consultation=counted.consultation)
    table = report.data["tables"]["rule_comparison"]
    keys = [c["key"] for c in table["columns"]]
    notes = {row[0]: row[keys.index("note")] for row in table["rows"]}
    assert notes["mes"] == notes["phragmen"] == "not_applicable:cumulative_ballots"
    french = get(f"/reports/published/{report.pk}/tables/rule_comparison.csv",
                 "fr").content.decode("utf-8-sig")
    assert "Ne s'applique pas aux bulletins cumulatifs." in french
    english = get(f"/api/v1/published-reports/{report.pk}/", "en").json()
    assert "Does not apply to cumulative ballots." in json.dumps(english["tables"])


def test_an_engine_error_is_a_note_in_words_not_the_engines_message(counted):
    from planning.services import consultation_election

    election, _pks = consultation_election(consultation=counted.consultation)
    assert _rule_outcome(election, "no-such-rule", run=None,
                         official_rule="greedy") == "not_applicable:counting_error"
    table = {"columns": [{"key": "note", "type": "label", "vocabulary": "rule_note"}],
             "rows": [["not_applicable:counting_error"], ["no_official_count"], [""]]}
    with translation.override("en"):
        rows = worded_table(table, currency="")["rows"]
    assert rows == [["The counting engine cannot count these ballots with this rule."],
                    ["The consultation's rule; no official count yet"], [""]]


def test_unknown_codes_and_vocabularies_are_shown_as_they_are():
    table = {"columns": [{"key": "group", "type": "label", "vocabulary": "district"},
                         {"key": "kind", "type": "label", "vocabulary": "no-such-vocabulary"},
                         {"key": "n", "type": "int"}],
             "rows": [["Norte", "x", 3], ["", "y", None], [None, "z", 1]]}
    with translation.override("en"):
        worded = worded_table(table, currency="")
    assert worded["rows"] == [["Norte", "x", 3], ["Not stated", "y", None], ["", "z", 1]]
    assert [c["type"] for c in worded["columns"]] == ["text", "text", "int"]
    page = charts.present_table("inclusion_district", worded)
    assert [row[0]["text"] for row in page["rows"]] == ["Norte", "Not stated", ""]
