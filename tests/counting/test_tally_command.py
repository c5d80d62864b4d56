"""``manage.py tally``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]


def tally(*args) -> str:
    out = io.StringIO()
    call_command("tally", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes-add1", "mes-greedy", "phragmen"])
def test_json_output(rule):
    from planning.counting import count, pabulib

    data = json.loads(tally(str(FIXTURES / "small_approval.pb"), "--rule", rule))
    _meta, election, _ = pabulib.read(FIXTURES / "small_approval.pb")
    expected = count(election, rule)
    assert data["rule"] == rule
    assert data["selected"] == expected.selected
    assert data["total_cost"] == expected.total_cost
    assert data["budget"] == 100
    assert data["input_hash"] == election.input_hash()
    assert data["official_selected"] == ["1", "2", "7", "9"]
    assert set(data["explanations"]) == {"1", "2", "10", "9", "7"}


def test_min_votes_and_tie_break_options():
    data = json.loads(tally(str(FIXTURES / "small_approval.pb"), "--rule", "greedy",
                            "--min-votes", "2", "--tie-break", "votes-then-cost"))
    assert data["min_votes"] == 2 and data["tie_break"] == "votes-then-cost"
    assert data["explanations"]["9"]["reason"] == "below_min_votes"
    assert "9" not in data["selected"] and "7" not in data["selected"]


def test_table_output():
    text = tally(str(FIXTURES / "small_approval.pb"), "--rule", "mes", "--format", "table")
    assert text.startswith("rule: mes")
    assert "round 1" in text
    assert "out of money" in text or "no supporters" in text


@pytest.mark.parametrize(("name", "rule", "message"), [
    ("unknown_project.pb", "mes", "line 12: vote for unknown project '3'"),
    ("bad_cost.pb", "greedy", "line 8: bad cost"),
    ("small_cumulative.pb", "phragmen", "approval"),
])
def test_errors_raise_command_error_with_status_2(name, rule, message):
    with pytest.raises(CommandError, match=message) as info:
        tally(str(FIXTURES / name), "--rule", rule)
    assert info.value.returncode == 2


def test_exit_status_2_and_one_line_on_stderr():
    proc = subprocess.run(
        [sys.executable, "manage.py", "tally", str(FIXTURES / "unknown_project.pb"),
         "--rule", "mes"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "unknown_project.pb: line 12: vote for unknown project '3'" in lines[0]


def test_subprocess_json_on_cumulative_file():
    proc = subprocess.run(
        [sys.executable, "manage.py", "tally", str(FIXTURES / "small_cumulative.pb"),
         "--rule", "greedy", "--format", "json"], cwd=ROOT, capture_output=True, text=True,
        timeout=60)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["selected"] == ["A", "C"] and data["total_cost"] == 55
