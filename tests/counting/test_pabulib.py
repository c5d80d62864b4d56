"""Pabulib reader and writer."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from planning.counting import Election, count, pabulib
from planning.counting.pabulib import PabulibError

FIXTURES = Path(__file__).parent / "fixtures"


def test_reads_sections_ballots_and_extras():
    meta, e, extras = pabulib.read(FIXTURES / "small_approval.pb")
    assert meta["description"] == "Small approval fixture"
    assert meta["currency"] == "EUR"
    assert e.vote_type == "approval"
    assert e.project_ids == ("1", "2", "10", "9", "7")
    assert e.costs_exact == (40, 30, 50, 20, 0)
    assert e.budget == 100
    assert e.n_voters == 6  # the blank line is skipped, the empty ballot kept
    assert [e.ballot(v) for v in range(6)] == [
        ["1", "2", "10"], ["1", "2"], ["1", "10"], ["1", "2", "10"], ["9"], []]
    assert extras.voter_ids == ["v1", "v2", "v3", "v4", "v5", "v6"]
    assert extras.voter_fields["age"] == ["34", "51", "22", "45", "30", "61"]
    assert extras.project_fields["1"]["name"] == 'Library "corner"'
    assert extras.official_selected() == ["1", "2", "7", "9"]


def test_reads_cumulative_points():
    _meta, e, _ = pabulib.read(FIXTURES / "small_cumulative.pb")
    assert e.vote_type == "cumulative"
    assert e.points.tolist() == [2, 1, 3, 1, 1, 1, 3, 1, 2]  # ballot 5 sorted: A:1, C:2
    assert e.total_points_exact() == [4, 4, 6, 1]
    # greedy by total points: C (6), then A/B tie on 4 points -> "A" first; D fits last
    assert count(e, "greedy").selection_order == ["C", "A"]


def test_reads_text_and_bytes_as_well_as_paths():
    text = (FIXTURES / "small_approval.pb").read_text()
    _m, from_text, _ = pabulib.read(text)
    _m, from_bytes, _ = pabulib.read(text.encode("utf-8-sig"))
    _m, from_path, _ = pabulib.read(str(FIXTURES / "small_approval.pb"))
    assert from_text.input_hash() == from_bytes.input_hash() == from_path.input_hash()


def test_crlf_and_decimal_costs():
    text = ("META\r\nkey;value\r\nbudget;10,5\r\nvote_type;approval\r\nPROJECTS\r\n"
            "project_id;cost\r\na;2.5\r\nb;4000.0\r\nVOTES\r\nvoter_id;vote\r\n1;a\r\n")
    _m, e, _ = pabulib.read(text)
    assert e.budget == Fraction(21, 2)
    assert e.costs_exact == (Fraction(5, 2), 4000)
    assert isinstance(e.costs_exact[1], int)


@pytest.mark.parametrize("name", ["small_approval.pb", "small_cumulative.pb"])
def test_round_trip(tmp_path, name):
    meta, e, extras = pabulib.read(FIXTURES / name)
    out = tmp_path / "out.pb"
    pabulib.write(out, e, meta, extras)
    meta2, e2, extras2 = pabulib.read(out)
    assert meta2 == meta | {"num_votes": str(e.n_voters), "num_projects": str(e.n_projects)}
    assert e2.input_hash() == e.input_hash()
    assert e2.project_ids == e.project_ids
    assert extras2.project_fields == extras.project_fields
    assert extras2.voter_ids == extras.voter_ids
    assert extras2.voter_fields == extras.voter_fields
    # writing again gives the same text
    assert pabulib.dumps(e2, meta2, extras2) == out.read_text()


def test_write_selected_column():
    meta, e, extras = pabulib.read(FIXTURES / "small_approval.pb")
    outcome = count(e, "mes")
    text = pabulib.dumps(e, meta, extras, selected=outcome.selected)
    _m, _e, extras2 = pabulib.read(text)
    assert extras2.official_selected() == outcome.selected


def test_write_from_scratch_and_read_back():
    e = Election.from_ballots(["x", "y"], [3, Fraction(7, 2)], 5, [["x"], ["y", "x"], []])
    _m, e2, _ = pabulib.read(pabulib.dumps(e, {"description": "made up"}))
    assert e2.input_hash() == e.input_hash()
    assert e2.costs_exact == (3, Fraction(7, 2))


@pytest.mark.parametrize(("name", "line", "message"), [
    ("unknown_project.pb", 12, "unknown project '3'"),
    ("bad_cost.pb", 8, "bad cost 'thirty'"),
])
def test_errors_name_the_line(name, line, message):
    with pytest.raises(PabulibError) as info:
        pabulib.read(FIXTURES / name)
    assert info.value.line == line
    assert message in str(info.value)
    assert f"line {line}" in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("name", "message"), [
    ("no_budget.pb", "META has no budget"),
    ("no_votes_section.pb", "missing section VOTES"),
])
def test_errors_for_missing_parts(name, message):
    with pytest.raises(PabulibError, match=message):
        pabulib.read(FIXTURES / name)


@pytest.mark.parametrize(("text", "line", "message"), [
    ("META\nkey;value\nbudget;1\nvote_type;approval\nPROJECTS\nproject_id;cost\na;1\na;2\n"
     "VOTES\nvoter_id;vote\n", 8, "duplicate project id"),
    ("META\nkey;value\nbudget;1\nvote_type;cumulative\nPROJECTS\nproject_id;cost\na;1\n"
     "VOTES\nvoter_id;vote;points\n1;a;1\n2;a;1,2\n", 11, "1 projects but 2 points"),
    ("META\nkey;value\nbudget;lots\nvote_type;approval\nPROJECTS\nproject_id;cost\na;1\n"
     "VOTES\nvoter_id;vote\n", 3, "bad budget"),
    ("META\nkey;value\nbudget;1\nvote_type;ordinal\nPROJECTS\nproject_id;cost\na;1\n"
     "VOTES\nvoter_id;vote\n", 4, "not supported"),
    ("META\nkey;value\nbudget;1\nvote_type;approval\nPROJECTS\nproject_id;cost\na;1\n"
     "VOTES\nvoter_id;vote\n1;a\n2;a;extra\n", 11, "fields but the VOTES header has 2"),
])
def test_inconsistent_files(text, line, message):
    with pytest.raises(PabulibError, match=message) as info:
        pabulib.read(text)
    assert info.value.line == line


def test_duplicate_approvals_count_once():
    text = ("META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
            "a;5\nb;5\nVOTES\nvoter_id;vote\n1;a,a,b\n2;b\n")
    _m, e, _ = pabulib.read(text)
    assert e.supporters().tolist() == [1, 2]
    assert np.diff(e.indptr).tolist() == [2, 1]


# -- the numeric fast path of the VOTES reader -------------------------------------------------

_NUMERIC = """META
key;value
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
7;40;Seven, with a comma
12;30;Twelve
100;20;Hundred
VOTES
voter_id;vote;district
v1;100,7;North, east
v2;12;South
v3;7,12,100,7;West
"""


def _general(text: str):
    """Read with the numeric fast path switched off (the general reader)."""
    original = pabulib._votes_numeric
    pabulib._votes_numeric = lambda *args: None
    try:
        return pabulib.read(text)
    finally:
        pabulib._votes_numeric = original


@pytest.mark.parametrize("variant", [
    lambda t: t,
    lambda t: t.rstrip("\n"),  # no final newline
    lambda t: "\ufeff" + t.replace("\n", "\r\n"),  # BOM and CRLF
    lambda t: t.replace("v2;12;", "v2;12 ;"),  # a space: general path
    lambda t: t.replace("v2;12;", "v2;;"),  # an empty ballot: general path
    lambda t: t + "\n",  # a blank line at the end: general path
])
def test_numeric_votes_equal_the_general_reader(variant):
    text = variant(_NUMERIC)
    meta, e, extras = pabulib.read(text)
    meta2, e2, extras2 = _general(text)
    assert meta == meta2
    assert e.input_hash() == e2.input_hash()
    assert e.indptr.tolist() == e2.indptr.tolist()
    assert e.indices.tolist() == e2.indices.tolist()
    assert extras.voter_ids == extras2.voter_ids
    assert extras.voter_fields == extras2.voter_fields
    for data in (text, text.encode("utf-8")):
        assert pabulib.read(data)[1].input_hash() == e.input_hash()


def test_numeric_votes_from_a_file(tmp_path):
    path = tmp_path / "numeric.pb"
    path.write_bytes(("\ufeff" + _NUMERIC.replace("Twelve", "Dwanaście łódź")).encode("utf-8"))
    _meta, e, extras = pabulib.read(path)
    assert [e.ballot(v) for v in range(3)] == [["7", "100"], ["12"], ["7", "12", "100"]]
    assert extras.voter_fields["district"] == ["North, east", "South", "West"]
    assert extras.project_fields["12"]["name"] == "Dwanaście łódź"


@pytest.mark.parametrize("vote, message", [
    ("07", "vote for unknown project '07'"),  # a leading zero is not the id 7
    ("+7", "vote for unknown project '+7'"),
    ("13", "vote for unknown project '13'"),
    ("7,99", "vote for unknown project '99'"),
])
def test_numeric_votes_errors_name_the_line(vote, message):
    text = _NUMERIC.replace("v2;12;", f"v2;{vote};")
    with pytest.raises(PabulibError) as info:
        pabulib.read(text)
    assert info.value.line == 13
    assert message in str(info.value)


def test_numeric_votes_wrong_number_of_fields_names_the_line():
    with pytest.raises(PabulibError) as info:
        pabulib.read(_NUMERIC.replace("v3;7,12,100,7;West", "v3;7;West;extra"))
    assert info.value.line == 14
    assert "4 fields but the VOTES header has 3" in str(info.value)
