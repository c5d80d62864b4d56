"""The benchmarks that need the production stack run here at a tiny size, so that they cannot
rot (the SQLite-only ones run in tests/test_bench.py). They print their ratios; the load bench
also fails if a ballot is refused or lost."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.stack import redis_available
from tests.needs import needs

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]


def run_bench(script: str, database_url: str) -> str:
    result = subprocess.run(
        [sys.executable, f"bench/{script}", "--tiny"], cwd=ROOT, capture_output=True,
        text=True, timeout=600, env={**os.environ, "DATABASE_URL": database_url})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def server_url(settings) -> str:
    database = settings.DATABASES["default"]
    return (f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/postgres")


def test_count_bench_runs_and_reports_its_ratio(settings):
    out = run_bench("count_db.py", server_url(settings))
    assert "2,000 ballots, 2,000 counted" in out and "×** (target ≤ 3×)" in out


def test_load_bench_runs_with_no_ballot_lost(settings):
    needs(redis_available(), "needs Redis on 127.0.0.1:6379")
    out = run_bench("load.py", server_url(settings))
    assert "64 ok, 64 stored | 0 errors" in out
    assert "alone (target ≥ 0.5)" in out
