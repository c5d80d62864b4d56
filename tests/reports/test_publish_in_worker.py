"""Publishing is a worker's job: the page checks who and when at once, queues the build, and a
published report's charts are drawn once and served from the cache."""
from __future__ import annotations

import pytest
from django.test import Client, override_settings

from consult.models import Phase
from reports import charts, tasks
from reports.models import PublishedReport
from tests.factories import ConsultationFactory


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def queued(monkeypatch):
    """The broker's queue: what the page asked a worker to do."""
    calls = []
    monkeypatch.setattr(tasks.publish_report, "delay", lambda **kwargs: calls.append(kwargs))
    return calls


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_with_a_worker_publishing_is_queued_and_the_page_says_so(counted, people, queued):
    consultation = counted.consultation
    response = client_for(people.planner).post(
        f"/reports/consultation/{consultation.pk}/publish/", follow=True)
    assert response.status_code == 200
    assert "being published" in response.content.decode()
    assert queued == [{"user_id": people.planner.pk, "language": "en",
                       "consultation_id": consultation.pk}]
    assert not PublishedReport.objects.exists()
    tasks.publish_report(**queued[0])  # what the worker does
    assert PublishedReport.objects.get().consultation == consultation


def test_refusals_come_before_anything_is_queued(counted, people, queued):
    assert client_for(people.council).post(
        f"/reports/consultation/{counted.consultation.pk}/publish/").status_code == 403
    voting = ConsultationFactory(city=counted.city, phase=Phase.VOTING)
    assert client_for(people.planner).post(
        f"/reports/consultation/{voting.pk}/publish/").status_code == 400
    assert queued == []


def test_the_worker_publishes_in_the_language_the_planner_asked_in(counted, people):
    pk = tasks.publish_report(user_id=people.planner.pk, language="fr",
                              consultation_id=counted.consultation.pk)
    report = PublishedReport.objects.get(pk=pk)
    assert report.language == "fr" and report.title.startswith("Résultats")


def test_a_published_report_is_drawn_once_per_language(counted, people, monkeypatch):
    pk = tasks.publish_report(user_id=people.planner.pk, language="en",
                              consultation_id=counted.consultation.pk)
    drawn = []
    real = charts.charts_for
    monkeypatch.setattr(charts, "charts_for", lambda report: drawn.append(1) or real(report))
    for _ in range(3):
        assert client_for().get(f"/reports/published/{pk}/").status_code == 200
    assert len(drawn) == 1
    assert client_for().get(f"/reports/published/{pk}/",
                            HTTP_ACCEPT_LANGUAGE="es").status_code == 200
    assert len(drawn) == 2
