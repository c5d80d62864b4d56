"""An app server reuses its database connections (CONN_MAX_AGE) and checks them before reuse
(CONN_HEALTH_CHECKS): when PostgreSQL drops them (a restart, a failover, an idle timeout), the
next requests are answered normally instead of failing once per dropped connection."""
from __future__ import annotations

import pytest
import requests
from django.db import connection

from bench.stack import redis_available, running_stack
from tests.factories import CityFactory
from tests.needs import needs

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_requests_after_the_database_dropped_every_connection_are_answered(
        transactional_db, tmp_path, monkeypatch):
    needs(redis_available(), "needs Redis on 127.0.0.1:6379")
    CityFactory(name="Montevideo", slug="montevideo")
    database = connection.settings_dict
    url = (f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
           f"{database['PORT'] or 5432}/{database['NAME']}")
    monkeypatch.setenv("GUNICORN_THREADS", "2")
    with running_stack(database_url=url, logs=tmp_path, servers=1, workers=1,
                       celery_worker=False) as stack:
        server = stack.servers[0]
        # Both threads of the one worker open (and keep) a connection.
        session = requests.Session()
        for _ in range(8):
            assert session.get(f"{server}/api/v1/cities/", timeout=10).status_code == 200
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            (dropped,) = cursor.fetchone()
        assert dropped >= 1
        codes = [session.get(f"{server}/api/v1/cities/", timeout=10).status_code
                 for _ in range(8)]
        assert codes == [200] * 8, stack.log_tails()
