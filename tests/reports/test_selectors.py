"""Report numbers against the hand-computed fixture of conftest.py."""
from __future__ import annotations

import json

import pytest

from reports import selectors
from reports.selectors import HIDDEN, SUPPRESSED, suppression_mask
from reports.selectors.tables import worded_table


def rows(report, name):
    table = report["tables"][name]
    keys = [c["key"] for c in table["columns"]]
    return [dict(zip(keys, row, strict=True)) for row in table["rows"]]


def by(report, name, key):
    return {row[key]: row for row in rows(report, name)}


@pytest.fixture
def report(counted):
    return selectors.consultation_report(consultation=counted.consultation)


def test_participation(report):
    figures = {row["metric"]: row["value"] for row in rows(report, "participation")}
    # 4 authors + 7 voters + 12 supporters; supports of a; one comment; seven ballots, all
    # online. The table holds the figures' codes; they are worded when read (test_report_words).
    assert figures == {"participants": 23, "proposals": 4, "supports": 12, "comments": 1,
                       "ballots": 7, "ballots_online": 7, "ballots_paper": 0}


def test_ballots_per_day_in_local_time(report):
    # 05:00 UTC on May 1st is 23:00 on April 30th in Mexico City.
    assert rows(report, "ballots_per_day") == [
        {"day": "2027-04-30", "ballots": 3, "cumulative": 3},
        {"day": "2027-05-01", "ballots": 4, "cumulative": 7},
    ]


def test_proposals_per_theme_and_kind(report):
    assert {r["theme"]: r["proposals"] for r in rows(report, "proposals_per_theme")} == {
        "Green": 2, "Fair": 2}
    assert by(report, "proposals_per_action_kind", "kind")["cooperation"][
        "proposals"] == 4


def test_votes_selection_and_explanations(report):
    votes = by(report, "votes", "proposal_id")
    assert {pid: row["votes"] for pid, row in votes.items()} == {"a": 4, "b": 3, "c": 3, "d": 2}
    assert [pid for pid, row in votes.items() if row["selected"]] == ["a", "b", "c"]
    assert votes["a"]["cost"] == 400.0
    # greedy: a (1,000 left), b (600 left), c (300 left); d finds 200 left for its 900.
    # The table keeps the count's figures; they are put in words when read.
    assert votes["d"]["explanation"]["explanation"]["remaining_before"] == 200
    votes = {row[0]: dict(zip([c["key"] for c in table["columns"]], row, strict=True))
             for table in [worded_table(report["tables"]["votes"], currency="")]
             for row in table["rows"]}
    assert "ranked 1" in votes["a"]["explanation"] and "1,000" in votes["a"]["explanation"]
    assert votes["d"]["explanation"].startswith("Not selected")
    assert "200" in votes["d"]["explanation"] and "900" in votes["d"]["explanation"]


def test_rules_compared_by_hand(report):
    """Budget 1000, 7 voters (142.86 each).
    greedy: a, b, c = 800. MES: a at 100 per supporter (rho 0.25) → supporters of b hold
    42.86 + 42.86 + 142.86 < 300, dropped; c at 33.33 each → {a, c} = 500.
    MES + greedy completion adds b (500 left) → 800. Phragmén: c at t=33.3, b at 111.1,
    a at 163.9; d at 505.6 would overspend → {a, b, c} = 800.
    Voters with a funded proposal: all but [d] → 6/7; under MES also not [b, d] → 5/7."""
    compared = by(report, "rule_comparison", "rule")
    assert list(compared) == ["greedy", "mes", "mes-greedy", "phragmen"]
    assert compared["greedy"]["official"] is True
    assert [compared[r]["allocated"] for r in compared] == [800.0, 500.0, 800.0, 800.0]
    assert [compared[r]["funded"] for r in compared] == [3, 2, 3, 3]
    assert [compared[r]["budget_share"] for r in compared] == [80.0, 50.0, 80.0, 80.0]
    assert compared["greedy"]["voters_funded"] == round(6 / 7 * 100, 1)
    assert compared["mes"]["voters_funded"] == round(5 / 7 * 100, 1)
    money = by(report, "money_per_theme", "theme")
    assert money["Green"] == {"theme": "Green", "greedy": 500.0, "mes": 500.0,
                              "mes-greedy": 500.0, "phragmen": 500.0}
    assert money["Fair"]["mes"] == 0.0 and money["Fair"]["greedy"] == 300.0
    assert by(report, "selection_by_rule", "proposal")["B"]["mes"] is False


def test_verification(report, counted):
    run = counted.consultation.count_runs.get(is_official=True)
    verification = report["meta"]["verification"]
    assert verification["input_hash"] == run.input_hash
    assert verification["rule"] == "greedy" and verification["n_ballots"] == 7


def test_report_is_json(report):
    assert json.loads(json.dumps(report))["summary"]["selected"] == 3


def test_no_results_while_voting(db):
    from consult.models import Phase
    from tests.factories import ConsultationFactory

    report = selectors.consultation_report(consultation=ConsultationFactory(phase=Phase.VOTING))
    assert "votes" not in report["tables"] and "verification" not in report["meta"]


# --- suppression -------------------------------------------------------------------------------


def test_suppression_mask():
    assert suppression_mask([25, 12, 3]) == [None, HIDDEN, SUPPRESSED]
    assert suppression_mask([25, 12]) == [None, None]
    assert suppression_mask([4, 6, 30]) == [SUPPRESSED, SUPPRESSED, None]
    assert suppression_mask([9, 40]) == [SUPPRESSED, HIDDEN]
    assert suppression_mask([0, 50, 50]) == [SUPPRESSED, HIDDEN, None]


def test_inclusion_suppresses_small_groups(report):
    gender = by(report, "inclusion_gender", "group")
    # women 5 voters + 8 supporters = 13; men 2 + 4 = 6 (< 10); four authors did not say.
    assert gender["woman"]["participants"] == 13
    assert gender["woman"]["share"] == round(13 / 19 * 100, 1)
    assert gender["woman"]["population_share"] == 52.0
    assert gender["woman"]["representation"] == round(13 / 19 * 100 / 52, 2)
    assert gender["man"]["participants"] == SUPPRESSED
    assert gender["man"]["share"] is None and gender["man"]["representation"] is None
    assert gender["man"]["population"] == 480
    assert gender[""]["participants"] == SUPPRESSED  # not stated
    district = by(report, "inclusion_district", "group")
    assert district["Norte"]["participants"] == 12
    assert district["Centro"]["participants"] == SUPPRESSED
    text = json.dumps(report["tables"]["inclusion_gender"])
    assert '"man", 6' not in text


def test_complementary_suppression_hides_a_second_cell(counted):
    """Authors give a district: Centro 7 + Norte 16. Centro alone would be suppressed and
    recoverable as 23 − 16, so Norte is hidden too."""
    from consult.models import Participant

    Participant.objects.filter(proposals__consultation=counted.consultation).update(
        district="Norte")
    report = selectors.consultation_report(consultation=counted.consultation)
    district = by(report, "inclusion_district", "group")
    assert district["Centro"]["participants"] == SUPPRESSED
    assert district["Norte"]["participants"] == HIDDEN
    assert "" not in district  # everyone gave a district
    cells = [row["participants"] for row in district.values()]
    assert all(not isinstance(cell, int) for cell in cells)


def test_query_count_does_not_grow_with_ballots(counted, django_assert_max_num_queries):
    from consult import services as consult_services
    from consult.models import Consultation, Phase
    from tests.factories import ParticipantFactory
    from tests.planning.conftest import close_voting

    def queries_for(consultation) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            selectors.consultation_report(consultation=consultation)
        return len(ctx)

    consultation = counted.consultation
    before = queries_for(consultation)
    factory_dates = __import__("tests.factories", fromlist=["phase_dates"]).phase_dates(
        Phase.VOTING)
    Consultation.objects.filter(pk=consultation.pk).update(**factory_dates)
    consultation.refresh_from_db()
    a, c = counted.proposals["a"], counted.proposals["c"]
    for _ in range(40):
        consult_services.ballot_submit(participant=ParticipantFactory(city=counted.city),
                                       consultation=consultation, choices={a.pk: 1, c.pk: 1})
    close_voting(consultation)
    after = queries_for(consultation)
    assert after == before
    assert after <= 30


def test_a_column_of_years_with_a_gap_reads_as_years_not_floats():
    """pandas turns a column of years with a gap into floats: an indicator without a baseline
    year made the others read "2026.0" (tables are built from frames, and a report frozen
    before this fix still holds the floats)."""
    import pandas as pd

    from reports.charts import fmt_value
    from reports.selectors.tables import table_from_frame

    frame = pd.DataFrame({"indicator": ["a", "b"], "baseline_year": [2026, None]})
    table = table_from_frame(frame, {"indicator": "text", "baseline_year": "year"})
    assert table["rows"] == [["a", 2026], ["b", None]]
    assert type(table["rows"][0][1]) is int
    assert fmt_value(2026.0, "year") == "2026"
    assert fmt_value(2026, "year") == "2026"
    assert fmt_value("2026–2027", "year") == "2026–2027"
