"""The live report of a consultation reads every ballot and counts with every rule, so a worker
builds it and the pages (report, council pack, exports) read the copy in the shared cache: a
view never builds it, the first one says it is coming, a new count makes a new copy, and while
voting is open the copy is rebuilt at most every LIVE_REPORT_MAX_AGE seconds."""
from __future__ import annotations

import pytest
from django.test import Client, override_settings

from consult import services as consult_services
from consult.models import Phase
from planning.services import count_run_create
from reports import selectors, tasks
from tests.factories import ConsultationFactory, ParticipantFactory, ProposalFactory


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def builds(monkeypatch):
    """Every build of a report, whoever asks for it."""
    calls = []
    build = selectors.consultation_report

    def counted_build(*, consultation):
        calls.append(consultation.pk)
        return build(consultation=consultation)

    monkeypatch.setattr(selectors, "consultation_report", counted_build)
    return calls


@pytest.fixture
def queued(monkeypatch):
    """The broker's queue."""
    calls = []
    monkeypatch.setattr(tasks.build_live_report, "delay", lambda **kw: calls.append(kw))
    return calls


def test_without_a_worker_the_first_view_builds_and_later_views_read_the_copy(
        counted, people, builds):
    planner = client_for(people.planner)
    url = f"/reports/consultation/{counted.consultation.pk}/"
    first = planner.get(url)
    assert first.status_code == 200 and "Figures as of" in first.content.decode()
    assert planner.get(url).status_code == 200
    assert planner.get(f"{url}pack/").status_code == 200
    assert planner.get(f"{url}tables/votes.csv").status_code == 200
    assert builds == [counted.consultation.pk]  # one build for four views
    client_for(people.council).get(url)
    assert len(builds) == 1  # the copy is shared by everybody who may see it


def test_a_new_count_makes_a_new_copy(counted, people, builds):
    planner = client_for(people.planner)
    url = f"/reports/consultation/{counted.consultation.pk}/"
    planner.get(url)
    count_run_create(consultation=counted.consultation, rule="mes", official=True)
    assert planner.get(url).status_code == 200
    assert len(builds) == 2


def test_each_language_has_its_copy(counted, people, builds):
    planner = client_for(people.planner)
    url = f"/reports/consultation/{counted.consultation.pk}/"
    assert "Participation" in planner.get(url).content.decode()
    assert "Participación" in planner.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert len(builds) == 2


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_with_a_worker_the_page_says_the_report_is_coming_and_queues_it_once(
        counted, people, queued, builds):
    planner = client_for(people.planner)
    url = f"/reports/consultation/{counted.consultation.pk}/"
    for path in (url, f"{url}pack/", f"{url}tables/votes.xlsx"):
        response = planner.get(path)
        assert response.status_code == 202 and response["Retry-After"] == "10"
        assert "being prepared" in response.content.decode()
    assert queued == [{"consultation_id": counted.consultation.pk, "language": "en"}]
    assert builds == []  # no page view built it

    tasks.build_live_report(**queued[0])  # the worker
    response = planner.get(url)
    assert response.status_code == 200 and "Agenda internacional" in response.content.decode()
    assert "being prepared" not in response.content.decode()
    assert len(queued) == 1


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_an_out_of_date_copy_is_shown_while_the_new_one_is_built(counted, people, queued):
    planner = client_for(people.planner)
    url = f"/reports/consultation/{counted.consultation.pk}/"
    tasks.build_live_report(consultation_id=counted.consultation.pk, language="en")
    count_run_create(consultation=counted.consultation, rule="mes", official=True)
    response = planner.get(url)
    assert response.status_code == 200
    assert "newer figures are being prepared" in response.content.decode()
    assert len(queued) == 1
    tasks.build_live_report(**queued[0])
    assert "newer figures" not in planner.get(url).content.decode()


def test_while_voting_is_open_the_copy_is_rebuilt_at_most_every_max_age(
        closed, people, builds, monkeypatch):
    voting = ConsultationFactory(city=closed.city, phase=Phase.VOTING, max_choices=1)
    proposal = ProposalFactory(consultation=voting)
    planner = client_for(people.planner)
    url = f"/reports/consultation/{voting.pk}/"
    now = [300.0 * 4000]  # the start of a five-minute window
    monkeypatch.setattr(tasks.time, "time", lambda: now[0])
    with override_settings(LIVE_REPORT_MAX_AGE=300):
        planner.get(url)
        consult_services.ballot_submit(participant=ParticipantFactory(city=closed.city),
                                       consultation=voting, choices={proposal.pk: 1})
        now[0] += 299
        planner.get(url)
        assert len(builds) == 1  # a ballot within the same five minutes: the same copy
        now[0] += 1
        planner.get(url)
        assert len(builds) == 2


def test_people_who_may_not_see_the_live_report_do_not_start_a_build(
        counted, people, builds):
    url = f"/reports/consultation/{counted.consultation.pk}/"
    for user in (people.participant, people.other_planner):
        assert client_for(user).get(url).status_code == 403
    assert builds == []
