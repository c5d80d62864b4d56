"""The small-cell boundary: a demographic cell of exactly MIN_CELL (10) people is shown, one
of MIN_CELL - 1 is not, in the report itself, on the page and in its exports."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from consult.models import Support
from reports import charts, selectors
from reports.exports import export_table
from reports.selectors import MIN_CELL, SUPPRESSED, suppression_mask, worded_table
from tests.factories import CityFactory, ConsultationFactory, ParticipantFactory, ProposalFactory


def test_the_threshold_is_ten():
    assert MIN_CELL == 10
    assert SUPPRESSED == "<10"


def test_mask_at_the_boundary():
    # Two cells under the threshold, so no complementary suppression blurs the boundary.
    assert suppression_mask([MIN_CELL, MIN_CELL - 1, 0]) == [None, SUPPRESSED, SUPPRESSED]
    assert suppression_mask([MIN_CELL + 1, MIN_CELL]) == [None, None]


@pytest.fixture
def gender_table(db):
    """10 women and 9 men supported a proposal whose author gave no gender."""
    city = CityFactory()
    consultation = ConsultationFactory(city=city)
    proposal = ProposalFactory(consultation=consultation,
                               author=ParticipantFactory(city=city, gender=""))
    for gender, people in (("woman", MIN_CELL), ("man", MIN_CELL - 1)):
        for _ in range(people):
            Support.objects.create(participant=ParticipantFactory(city=city, gender=gender),
                                   proposal=proposal)
    report = selectors.consultation_report(consultation=consultation)
    return report["tables"]["inclusion_gender"]


def by_group(table) -> dict[str, dict]:
    keys = [c["key"] for c in table["columns"]]
    return {row[0]: dict(zip(keys, row, strict=True)) for row in table["rows"]}


def test_a_cell_of_exactly_ten_is_shown_and_one_of_nine_is_not(gender_table):
    groups = by_group(gender_table)
    assert groups["woman"]["participants"] == 10
    assert groups["woman"]["share"] == round(10 / 19 * 100, 1)
    assert groups["man"]["participants"] == SUPPRESSED
    assert groups["man"]["share"] is None


def test_the_boundary_on_the_page(gender_table):
    cells = {row[0]["text"]: row[1] for row in
             charts.present_table("inclusion_gender",
                                  worded_table(gender_table, currency=""))["rows"]}
    assert cells["Woman"] == {"text": "10", "numeric": True, "suppressed": False}
    assert cells["Man"] == {"text": "< 10", "numeric": True, "suppressed": True}


def test_the_boundary_in_the_exports(gender_table):
    csv = export_table(gender_table, name="inclusion_gender", fmt="csv").content
    frame = pd.read_csv(io.BytesIO(csv), dtype=str, keep_default_na=False)
    participants = dict(zip(frame["Group"], frame["Participants"], strict=True))
    assert participants["Woman"] == "10"
    assert participants["Man"] == "<10"
    payload = json.loads(export_table(gender_table, name="inclusion_gender", fmt="json").content)
    rows = {row["group"]: row for row in payload["rows"]}
    assert rows["Woman"]["participants"] == 10
    assert rows["Man"]["participants"] == "<10"
