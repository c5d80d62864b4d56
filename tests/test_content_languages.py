"""Content written in several languages: the reader's language, else the city's default, with
a note; the API returns and accepts every language; old text moved to the city's default; plan
snapshots keep every language (docs/architecture.md, "Content in several languages")."""
from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import translation

from consult.models import Proposal
from core.i18n import localized, localized_dict
from planning.selectors.snapshots import snapshot_view
from tests.factories import CityFactory, ConsultationFactory, ProposalFactory

pytestmark = pytest.mark.django_db

NOTE_EN = "Not written in your language; shown in: "


def _page(client, proposal, language):
    url = reverse("consult:proposal", args=[proposal.consultation.city.slug,
                                            proposal.consultation.slug, proposal.pk])
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _spanish_and_english(city_language="es"):
    city = CityFactory(default_language=city_language)
    proposal = ProposalFactory(consultation=ConsultationFactory(city=city))
    Proposal.objects.filter(pk=proposal.pk).update(
        title_es="Más árboles", title_en="More trees", title_pt_br=None, title_fr=None,
        summary_es="Sombra en las calles", summary_en=None, summary_pt_br=None, summary_fr=None)
    return Proposal.objects.get(pk=proposal.pk)


def test_the_reader_sees_their_language_without_a_note(client):
    proposal = _spanish_and_english()
    html = _page(client, proposal, "en")
    assert "More trees" in html and "Más árboles" not in html
    # The summary exists in Spanish only: shown, with the note.
    assert "Sombra en las calles" in html and NOTE_EN in html
    assert "Más árboles" in _page(client, proposal, "es")


def test_a_language_not_written_falls_back_to_the_citys_default_with_a_note(client):
    proposal = _spanish_and_english()
    html = _page(client, proposal, "fr")
    assert "Más árboles" in html and "More trees" not in html
    assert 'lang="es"' in html and 'class="language-note"' in html


def test_the_fallback_is_the_citys_default_not_the_sites():
    city = CityFactory(default_language="pt-br")
    proposal = ProposalFactory(consultation=ConsultationFactory(city=city))
    Proposal.objects.filter(pk=proposal.pk).update(
        title_es="Más árboles", title_pt_br="Mais árvores", title_en=None, title_fr=None)
    proposal = Proposal.objects.select_related("consultation__city").get(pk=proposal.pk)
    text = localized(proposal, "title", language="fr")
    assert text == "Mais árvores" and text.language == "pt-br" and text.is_other_language
    with translation.override("fr"):
        assert text.note  # worded in French
        assert proposal.title == "Mais árvores"  # the plain accessor, city loaded
    assert localized(proposal, "title", language="es") == "Más árboles"
    assert not localized(proposal, "title", language="es").note


def test_text_written_in_no_language_of_the_reader_or_city_shows_what_exists():
    proposal = _spanish_and_english(city_language="pt-br")
    text = localized(proposal, "title", language="fr")
    assert text in {"Más árboles", "More trees"} and text.note


def test_old_text_moves_to_the_citys_default_language():
    migration = importlib.import_module("consult.migrations.0013_content_translations")
    brazil = ProposalFactory(consultation=ConsultationFactory(
        city=CityFactory(default_language="pt-br")))
    mexico = ProposalFactory()
    for proposal in (brazil, mexico):
        Proposal.objects.rewrite(False).filter(pk=proposal.pk).update(
            title="Old text", title_es=None, title_pt_br=None, title_fr=None, title_en=None)
    state = MigrationLoader(connection).project_state(("consult", "0013_content_translations"))
    migration.existing_text_to_default_language(state.apps, None)
    brazil, mexico = (Proposal.objects.get(pk=p.pk) for p in (brazil, mexico))
    assert (brazil.title_pt_br, brazil.title_es) == ("Old text", None)
    assert (mexico.title_es, mexico.title_pt_br) == ("Old text", None)


def _snapshot(plan_texts: dict | None):
    plan = {"id": 1, "title": "Plan de árboles", "description": "", "start_year": 2027,
            "end_year": 2027, "currency": "MXN", "envelope": None,
            "city": {"id": 1, "slug": "c", "name": "C", "default_language": "es"}}
    if plan_texts is not None:
        plan["translations"] = plan_texts
    return {"plan": plan, "ceilings": {}, "objectives": [], "actions": [], "indicators": []}


def test_a_snapshot_with_translations_shows_the_readers_language():
    snapshot = _snapshot({"title": {"es": "Plan de árboles", "en": "Tree plan"}})
    with translation.override("en"):
        assert snapshot_view(snapshot)["plan"]["title"] == "Tree plan"
    with translation.override("fr"):
        title = snapshot_view(snapshot)["plan"]["title"]
        assert title == "Plan de árboles" and title.note


def test_an_old_snapshot_without_translations_stays_readable():
    with translation.override("en"):
        assert snapshot_view(_snapshot(None))["plan"]["title"] == "Plan de árboles"
    assert localized_dict(None, "x", default_language=None, language="en") == "x"


def test_lists_mark_a_text_shown_in_another_language(client):
    """A list shows each title in the reader's language when written; one shown in another
    language carries its language (lang, and a short "in Spanish"), without a query more."""
    spanish = _spanish_and_english()
    consultation = spanish.consultation
    Proposal.objects.filter(pk=spanish.pk).update(title_en=None)
    english = ProposalFactory(consultation=consultation, theme=spanish.theme)
    Proposal.objects.filter(pk=english.pk).update(title_en="Bike lanes", title_es="Ciclovías")
    url = reverse("consult:proposals", args=[consultation.city.slug, consultation.slug])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span lang="es">Más árboles</span> <small class="language-tag">in Spanish</small>' \
        in html
    assert "Bike lanes</a>" in html and "Ciclovías" not in html
    spanish_page = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Más árboles</a>" in spanish_page and 'class="language-tag"' not in spanish_page
