"""The production stack with real processes on loopback: two gunicorn app servers (two workers
each) sharing PostgreSQL and Redis, and one Celery worker. Ballots go through both servers, the
official count runs on the worker, and results, API throttles and sessions are the same
whichever server answers."""
from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from celery import Celery
from django.db import connection
from django.test import override_settings
from rest_framework.authtoken.models import Token

from consult.models import Ballot, Phase, Proposal
from planning.models import CountRun
from tests.factories import (
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
)
from tests.needs import needs

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
CACHE_DB, BROKER_DB = 13, 14  # Redis databases of their own, emptied before the test
PASSWORD = "stack-test-Pa55word!"
PRODUCTION_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def redis_available() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    servers: list[str]
    broker_url: str
    logs: Path


def wait_until(check, *, seconds: float, what: str, logs: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    tails = "".join(f"\n--- {log.name}\n{log.read_text()[-2000:]}"
                    for log in sorted(logs.glob("*.log"))) if logs else ""
    raise AssertionError(f"timed out waiting for {what}{tails}")


@pytest.fixture
def stack(transactional_db, tmp_path) -> Iterator[Stack]:
    needs(redis_available(), f"needs Redis on {REDIS_HOST}:{REDIS_PORT}")
    import redis

    for db in (CACHE_DB, BROKER_DB):
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db).flushdb()
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        # The test database pytest-django made: the servers see what the test writes.
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
                        f"{database['PORT'] or 5432}/{database['NAME']}",
        "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{CACHE_DB}",
        "CACHE_KEY_PREFIX": f"stack-{os.getpid()}",
        "CELERY_BROKER_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{BROKER_DB}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESS_LOG": "",
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=env, check=True, timeout=120)
    ports = [free_port(), free_port()]
    processes = []
    logs = []
    try:
        for port in ports:
            log = open(tmp_path / f"gunicorn-{port}.log", "w")  # noqa: SIM115
            logs.append(log)
            processes.append(subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
                cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                stdout=log, stderr=subprocess.STDOUT))
        log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
        logs.append(log)
        processes.append(subprocess.Popen(
            [str(BIN / "celery"), "-A", "config", "worker", "--concurrency", "1",
             "--without-gossip", "--without-mingle", "-l", "info"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        servers = [f"http://127.0.0.1:{port}" for port in ports]
        for server in servers:
            wait_until(lambda server=server: _healthy(server), seconds=60,
                       what=f"{server}/healthz", logs=tmp_path)
        wait_until(lambda: "ready" in (tmp_path / "worker.log").read_text(), seconds=60,
                   what="the Celery worker", logs=tmp_path)
        yield Stack(servers=servers, broker_url=env["CELERY_BROKER_URL"], logs=tmp_path)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()


def _healthy(server: str) -> bool:
    try:
        return requests.get(f"{server}/healthz", timeout=5).status_code == 200
    except requests.RequestException:  # not listening yet, or still loading the app
        return False


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

    # Voting closes; the official count runs on the worker, queued through the broker.
    closed = ConsultationFactory.build(phase=Phase.COUNTING)
    type(consultation).objects.filter(pk=consultation.pk).update(
        voting_opens_at=closed.voting_opens_at, voting_closes_at=closed.voting_closes_at,
        results_at=closed.results_at)
    broker = Celery(broker=stack.broker_url)
    broker.send_task("planning.tasks.count_consultation", args=[consultation.pk],
                     kwargs={"official": True})
    run = wait_until(lambda: CountRun.objects.filter(consultation=consultation,
                                                     is_official=True).first(),
                     seconds=60, what="the official count on the worker", logs=stack.logs)
    assert run.n_ballots == ok

    # Both servers answer the same results once the worker has stored the tally.
    def results(server: str):
        response = requests.get(f"{server}/api/v1/consultations/{consultation.pk}/results/",
                                timeout=10)
        return response.json() if response.status_code == 200 else None

    first = wait_until(lambda: results(stack.servers[0]), seconds=60, what="the tally",
                       logs=stack.logs)
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
