"""The production stack with real processes on loopback: two gunicorn app servers (two workers
each) sharing PostgreSQL and Redis, and one Celery worker. Ballots go through both servers, the
official count runs on the worker, and results, API throttles and sessions are the same
whichever server answers."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from celery import Celery
from django.db import connection
from django.test import override_settings
from rest_framework.authtoken.models import Token

from bench.stack import Stack, redis_available, running_stack, wait_until
from consult.models import Ballot, CityRole, Phase, Proposal
from planning.models import CountJob, CountRun
from tests.factories import (
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    UserFactory,
)
from tests.needs import needs

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "stack-test-Pa55word!"
PRODUCTION_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture
def stack(transactional_db, tmp_path) -> Iterator[Stack]:
    needs(redis_available(), "needs Redis on 127.0.0.1:6379")
    database = connection.settings_dict
    # The test database pytest-django made: the servers see what the test writes.
    url = (f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
           f"{database['PORT'] or 5432}/{database['NAME']}")
    with running_stack(database_url=url, logs=tmp_path) as running:
        yield running


def put_ballot(server: str, token: str, consultation_id: int, proposal_ids: list[int]):
    return requests.put(
        f"{server}/api/v1/consultations/{consultation_id}/ballot/",
        json={"choices": [{"proposal": pk, "points": 1} for pk in proposal_ids]},
        headers={"Authorization": f"Token {token}"}, timeout=10)


def test_two_app_servers_and_a_worker_share_results_throttles_and_sessions(stack):
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=2)
    proposals = [ProposalFactory(consultation=consultation, title=f"Proposal {i}")
                 for i in range(3)]
    voters = [ParticipantFactory(city=consultation.city) for _ in range(12)]
    tokens = [Token.objects.create(user=voter.user).key for voter in voters]

    # Ballots through both servers, alternately: every success is one stored ballot.
    expected_votes = {p.pk: 0 for p in proposals}
    ok = 0
    for i, token in enumerate(tokens):
        chosen = [proposals[0].pk, proposals[1 + i % 2].pk] if i % 3 else [proposals[2].pk]
        response = put_ballot(stack.servers[i % 2], token, consultation.pk, chosen)
        assert response.status_code == 200, response.text
        ok += 1
        for pk in chosen:
            expected_votes[pk] += 1
    assert Ballot.objects.filter(consultation=consultation).count() == ok == len(tokens)

    # Voting closes; a planner asks for the official count on one server (202 at once), the
    # worker counts, and the other server reports the job done.
    closed = ConsultationFactory.build(phase=Phase.COUNTING)
    type(consultation).objects.filter(pk=consultation.pk).update(
        voting_opens_at=closed.voting_opens_at, voting_closes_at=closed.voting_closes_at,
        results_at=closed.results_at)
    planner = UserFactory()
    CityRole.objects.create(user=planner, city=consultation.city, role=CityRole.Role.PLANNER)
    planner_auth = {"Authorization": f"Token {Token.objects.create(user=planner).key}"}
    asked = requests.post(f"{stack.servers[0]}/api/v1/count-runs/", headers=planner_auth,
                          json={"consultation": consultation.pk, "official": True}, timeout=10)
    assert asked.status_code == 202, asked.text
    again = requests.post(f"{stack.servers[1]}/api/v1/count-runs/", headers=planner_auth,
                          json={"consultation": consultation.pk, "official": True}, timeout=10)
    assert again.status_code in (202, 409)  # 409 while the first is still under way

    def job_done():
        job = requests.get(f"{stack.servers[1]}{asked.headers['Location']}",
                           headers=planner_auth, timeout=10).json()
        return job if job["state"] in ("done", "failed") else None

    job = wait_until(job_done, seconds=60, what="the official count on the worker", stack=stack)
    assert job["state"] == "done", job["error"]
    run = CountRun.objects.get(pk=job["count_run"])
    assert run.n_ballots == ok
    # The second request was refused while the first was under way (409), or came after it
    # had finished (202) and made a second official count, which is then the official one.
    wait_until(lambda: not CountJob.objects.filter(
        consultation=consultation, state__in=CountJob.UNDER_WAY).exists(),
        seconds=60, what="the second request's count", stack=stack)
    official = CountRun.objects.get(consultation=consultation, is_official=True)
    assert official.n_ballots == ok
    assert official.pk == run.pk if again.status_code == 409 else official.pk >= run.pk

    # A task sent straight to the broker (as `count_consultation --in-worker` does) runs too.
    broker = Celery(broker=stack.env["CELERY_BROKER_URL"])
    broker.send_task("planning.tasks.count_consultation", args=[consultation.pk],
                     kwargs={"official": True})
    wait_until(lambda: CountRun.objects.filter(consultation=consultation, is_official=True)
               .exclude(pk=run.pk).exclude(job__isnull=False).first(),
               seconds=60, what="the command's count on the worker", stack=stack)

    # The planner publishes the results on the other server: the proposals now say whether
    # they were selected.
    published = requests.post(
        f"{stack.servers[1]}/api/v1/consultations/{consultation.pk}/publication/",
        headers=planner_auth, timeout=10)
    assert published.status_code in (200, 201), published.text

    # Both servers answer the same results once the worker has stored the tally.
    def results(server: str):
        response = requests.get(f"{server}/api/v1/consultations/{consultation.pk}/results/",
                                timeout=10)
        return response.json() if response.status_code == 200 else None

    first = wait_until(lambda: results(stack.servers[0]), seconds=60, what="the tally",
                       stack=stack)
    assert results(stack.servers[1]) == first
    assert {row["proposal"]: row["votes"] for row in first["results"]} == {
        pk: votes for pk, votes in expected_votes.items() if votes}
    selected = set(Proposal.objects.filter(consultation=consultation,
                                           status=Proposal.Status.SELECTED)
                   .values_list("pk", flat=True))
    assert selected == {row["proposal"] for row in first["results"] if row["selected"]}
    assert selected == {int(pk) for pk in run.selected}


def test_a_throttle_counts_requests_to_both_servers(stack):
    """The API allows 120 writes a minute per person: spread over two servers with two workers
    each, the 121st is refused only if they all count in the shared cache."""
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=1)
    proposal = ProposalFactory(consultation=consultation)
    token = Token.objects.create(user=ParticipantFactory(city=consultation.city).user).key
    codes = [put_ballot(stack.servers[i % 2], token, consultation.pk, [proposal.pk]).status_code
             for i in range(124)]
    assert codes.count(200) == 120
    assert codes[120:] == [429] * 4


def test_a_login_on_one_server_is_valid_on_the_other(stack):
    person = ParticipantFactory()
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):  # what the servers verify
        person.user.set_password(PASSWORD)
    person.user.save()
    a, b = stack.servers
    login_page = requests.get(f"{a}/accounts/login/", timeout=10)
    csrf = login_page.cookies["csrftoken"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text).group(1)
    # Cookies are sent by hand: the production cookies are Secure, these servers plain HTTP.
    response = requests.post(
        f"{a}/accounts/login/",
        data={"username": person.user.username, "password": PASSWORD,
              "csrfmiddlewaretoken": token},
        headers={"Cookie": f"csrftoken={csrf}"}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    session = response.cookies["sessionid"]
    on_b = requests.get(f"{b}/accounts/profile/", headers={"Cookie": f"sessionid={session}"},
                        allow_redirects=False, timeout=10)
    assert on_b.status_code == 200
    assert person.user.username in on_b.text or person.city.name in on_b.text
    anonymous = requests.get(f"{b}/accounts/profile/", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302


def test_failed_logins_on_both_servers_lock_the_account_on_both(stack):
    """Five wrong passwords spread over two servers (two workers each) lock the username on
    both: the counts live in the shared cache, not in one process."""
    person = ParticipantFactory()
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        person.user.set_password(PASSWORD)
    person.user.save()

    def obtain(server: str, password: str):
        return requests.post(f"{server}/api/v1/auth/token/", timeout=10,
                             headers={"Accept-Language": "en"},
                             json={"username": person.user.username, "password": password})

    wrong = [obtain(stack.servers[i % 2], "not-the-password").status_code for i in range(5)]
    assert wrong == [400] * 5
    for server in stack.servers:
        refused = obtain(server, PASSWORD)
        assert refused.status_code == 429, refused.text
        assert 0 < int(refused.headers["Retry-After"]) <= 900
        assert "try again in 15 minutes" in refused.json()["detail"]
