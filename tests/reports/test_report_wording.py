"""A report reads right for the person in front of it: called a report (Informe, Relatório,
Rapport), never by the word for flagging abuse; its verification block names the counting rule
and says how ties are broken in words (the command line keeps the codes, for experts); a
heading is not repeated by the chart and the table under it; chart labels are readable."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from reports import charts
from reports.charts import MIN_FONT_PX

pytestmark = pytest.mark.django_db

#: The report document and the abuse flag, per language (the flag keeps its word).
WORDS = {"es": ("Informe", "Denunciar"), "pt-br": ("Relatório", "Denunciar"),
         "fr": ("Rapport", "Signaler"), "en": ("Report", "Report")}


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("language", sorted(WORDS))
def test_a_report_is_a_report_and_a_flag_is_a_flag(counted, people, language):
    document, flag = WORDS[language]
    report_url = f"/reports/consultation/{counted.consultation.pk}/"
    page = client_for(people.planner).get(report_url, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    title = re.search(r"<title>(.*?)</title>", page.content.decode(), re.S).group(1)
    assert title.startswith(f"{document} — "), title
    consultation = counted.consultation
    proposal = counted.proposals["a"]  # it has a comment
    proposal_url = reverse("consult:proposal",
                           args=[consultation.city.slug, consultation.slug, proposal.pk])
    html = client_for(people.participant).get(proposal_url,
                                              HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'>{flag}<span class="visually-hidden">' in html  # the comment's flag link


def test_verification_names_the_rule_and_words_the_tie_break(counted, people):
    html = client_for(people.planner).get(
        f"/reports/consultation/{counted.consultation.pk}/").content.decode()
    block = html[html.index('id="section-verification"'):]
    facts = block[:block.index("</dl>")]
    assert "Greedy (most votes first)" in facts
    assert "Ties go to the proposal whose id in the ballot file comes first" in facts
    assert "<code>greedy</code>" not in facts and "lexicographic" not in facts
    # The command line still carries the codes, for whoever re-counts.
    assert "--rule greedy" in block and "--tie-break lexicographic" in block
    results = html[html.index('id="section-results"'):html.index('id="section-verification"')]
    assert "rule “Greedy (most votes first)”" in results


def test_headings_are_not_repeated(counted, people):
    html = client_for(people.planner).get(
        f"/reports/consultation/{counted.consultation.pk}/").content.decode()
    visible = re.sub(r'<caption[^>]*class="visually-hidden"[^>]*>.*?</caption>', "", html,
                     flags=re.S)
    section = visible[visible.index('id="section-participation"'):
                      visible.index('id="section-inclusion"')]
    headings = re.findall(r"<(?:h2|h3|caption)[^>]*>(.*?)</(?:h2|h3|caption)>", section, re.S)
    assert headings.count("Participation") == 1, headings
    assert len(headings) == len(set(headings)), headings
    # Every table keeps its accessible name.
    assert '<caption id="table-participation" class="visually-hidden">' \
        "Participants, proposals, supports, comments and ballots</caption>" in html


def _sizes(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "size" and isinstance(value, int | float):
                found.append(value)
            else:
                _sizes(value, found)
    elif isinstance(node, list):
        for value in node:
            _sizes(value, found)
    return found


def test_treemap_and_sankey_labels_are_readable():
    table = {"columns": [{"key": "theme", "type": "text"}, {"key": "objective", "type": "text"},
                         {"key": "action", "type": "text"}, {"key": "total", "type": "money"}],
             "rows": [["Green", "Roofs", "Plant roofs", 400.0],
                      ["Green", "Air", "Measure the air", 100.0],
                      ["Fair", "Desk", "Open a desk", 300.0]]}
    treemap = charts.figure({"type": "treemap", "path": ["theme", "objective", "action"],
                             "value": "total"}, table, currency="MXN")
    sankey = charts.figure({"type": "sankey", "path": ["theme", "objective", "action"],
                            "value": "total"}, table, currency="MXN")
    for fig in (treemap, sankey):
        assert fig["layout"]["font"]["size"] >= MIN_FONT_PX >= 12
        assert fig["layout"]["uniformtext"] == {"minsize": MIN_FONT_PX, "mode": "hide"}
        sizes = _sizes(fig["data"], [])
        assert sizes and min(sizes) >= MIN_FONT_PX, sizes
    trace = treemap["data"][0]
    assert trace["textinfo"] == "label" and trace["textfont"]["size"] >= 12
    assert sankey["data"][0]["textfont"]["size"] >= 12
