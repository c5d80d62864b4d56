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


@pytest.mark.parametrize("rule",
                         ["greedy", "mes", "mes-add1", "mes-add1u", "mes-greedy", "phragmen"])
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


def test_rule_and_option_choices_agree_with_the_engine():
    from planning.counting import ADD1_STOPS, COMPARISONS, RULES
    from planning.management.commands import tally as command

    assert command.RULE_CHOICES == list(RULES)
    assert tuple(command.ADD1_STOP_CHOICES) == ADD1_STOPS
    assert tuple(command.COMPARISON_CHOICES) == COMPARISONS


def _past_exhaustive_file(tmp_path):
    """mes-add1 stops at b, c, d (exhaustive); with the overspend stop it goes on to a (the
    same election as tests/counting/test_add1_options.py's _past_exhaustive)."""
    votes = ["a,b", "a,b", "a,c", "a,d", "c", "d", "c", "d", "a"]
    lines = ["META", "key;value", "budget;90", "vote_type;approval", "num_projects;4",
             f"num_votes;{len(votes)}", "PROJECTS", "project_id;cost",
             "a;90", "b;10", "c;40", "d;40", "VOTES", "voter_id;vote"]
    lines += [f"{i};{v}" for i, v in enumerate(votes, start=1)]
    path = tmp_path / "past_exhaustive.pb"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_add1_stop_and_comparison_options(tmp_path):
    from planning.counting import count, pabulib

    path = _past_exhaustive_file(tmp_path)
    _meta, election, _ = pabulib.read(path)
    default = json.loads(tally(str(path), "--rule", "mes-add1"))
    assert default["options"] == {"add1_stop": "exhaustive", "comparison": None}
    assert default["trace"]["stopped_by"] == "exhaustive"
    assert default["comparison"] is None
    assert default["selected"] == count(election, "mes-add1").selected == ["b", "c", "d"]

    data = json.loads(tally(str(path), "--rule", "mes-add1u", "--add1-stop", "overspend",
                            "--comparison", "exclusion"))
    expected = count(election, "mes-add1u", add1_stop="overspend", comparison="exclusion")
    assert data["options"] == {"add1_stop": "overspend", "comparison": "exclusion"}
    assert data["selected"] == expected.selected == ["a"]
    assert data["trace"]["stopped_by"] == "overspend"
    assert data["comparison"]["method"] == "exclusion"
    assert data["comparison"]["prefer_greedy"] == expected.comparison["prefer_greedy"]

    data = json.loads(tally(str(path), "--rule", "mes", "--comparison", "satisfaction"))
    assert data["options"] == {"comparison": "satisfaction"}
    assert data["comparison"]["kept"] in ("equal_shares", "greedy")


def test_table_shows_options_stop_and_comparison(tmp_path):
    text = tally(str(_past_exhaustive_file(tmp_path)), "--rule", "mes-add1u", "--add1-stop",
                 "overspend", "--comparison", "satisfaction", "--format", "table")
    assert "options: add1 stop: overspend  comparison: satisfaction" in text
    assert "stopped by overspend" in text
    assert "comparison (satisfaction):" in text and "kept: equal shares" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--rule", "greedy", "--add1-stop", "overspend"], "does not apply to rule 'greedy'"),
    (["--rule", "phragmen", "--comparison", "exclusion"], "does not apply to rule 'phragmen'"),
])
def test_options_for_the_wrong_rule_exit_with_status_2(args, message):
    with pytest.raises(CommandError, match=message) as info:
        tally(str(FIXTURES / "small_approval.pb"), *args)
    assert info.value.returncode == 2


def test_unknown_option_value_is_refused_by_the_parser():
    proc = subprocess.run(
        [sys.executable, "manage.py", "tally", str(FIXTURES / "small_approval.pb"),
         "--rule", "mes-add1", "--add1-stop", "never"], cwd=ROOT, capture_output=True,
        text=True, timeout=60)
    assert proc.returncode == 2
    assert "invalid choice: 'never'" in proc.stderr
