"""The bench scripts run in CI in their small mode, so that they cannot rot: each runs in a
subprocess with this python on a throw-away SQLite database, exits 0 and prints its ratios.

The scripts start at once (module fixture) and each test waits for its own."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 900  # counting.py --quick takes ~2.5 min on 2 cores

SCRIPTS = {
    "pages": ["bench/pages.py", "--tiny"],
    "reports": ["bench/reports.py", "--tiny"],
    "census": ["bench/census.py", "--tiny"],
    "counting": ["bench/counting.py", "--quick"],  # its quick mode (no --tiny, another owner)
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "BENCH_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    started = {}
    for name, argv in SCRIPTS.items():
        workdir = tmp_path_factory.mktemp(f"bench-{name}")
        # A throw-away SQLite file (the scripts make their own when no URL is given; this one
        # is pinned so that nothing can reach a developer's or CI's server database).
        child = dict(env, TMPDIR=str(workdir))
        started[name] = subprocess.Popen(
            [sys.executable, *argv], cwd=ROOT, env=child, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
    yield started
    for process in started.values():
        if process.poll() is None:
            process.kill()


def finished(runs, name: str) -> str:
    process = runs[name]
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 0, output[-4000:]
    return output


def test_pages_tiny_prints_its_ratios(runs):
    output = finished(runs, "pages")
    assert "× healthz" in output
    for ratio in ("results page: 2,000 vs 1,000 ballots",
                  "consultation page: 2,000 vs 1,000 ballots",
                  "small city's page: with vs without",
                  "proposal list: 300 vs 100 proposals",
                  "proposal list (big) vs /healthz"):
        line = next(line for line in output.splitlines() if line.startswith(ratio))
        assert "×" in line and ("met" in line or "MISSED" in line), line
    assert "sqlite" in output


def test_reports_tiny_prints_its_ratios(runs):
    output = finished(runs, "reports")
    assert "× healthz" in output and "2,000 ballots" in output
    assert "results report page, live (planner)" in output
    assert "sqlite" in output


def test_counting_quick_prints_its_speed_ups(runs):
    output = finished(runs, "counting")
    assert "speed-up" in output
    assert any(line.count("×") for line in output.splitlines() if "Warszawa" in line)


def test_census_tiny_prints_its_ratio(runs):
    output = finished(runs, "census")
    assert "census_import, replacing" in output and "sqlite" in output
    line = next(line for line in output.splitlines()
                if line.startswith("import (replacing) vs read + hash + raw insert"))
    assert "×" in line and ("met" in line or "MISSED" in line), line
