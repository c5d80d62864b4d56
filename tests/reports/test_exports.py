"""Every table of every report opens and round-trips in CSV, XLSX and JSON."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from reports import selectors
from reports.exports import FORMATS, export_table
from reports.selectors import table_frame
from reports.selectors.tables import worded_table


def normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """Compare as text what a spreadsheet may retype: numbers as floats, the rest as str."""
    out = {}
    for column in frame.columns:
        values = frame[column].tolist()
        cleaned = []
        for value in values:
            if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
                cleaned.append("")
            elif isinstance(value, bool):
                cleaned.append(str(value))
            else:
                try:
                    cleaned.append(repr(round(float(value), 4)))
                except (TypeError, ValueError):
                    cleaned.append(str(value))
        out[column] = cleaned
    return pd.DataFrame(out)


def reports_to_check(counted, approved_plan):
    return [
        selectors.consultation_report(consultation=counted.consultation),
        selectors.plan_report(plan=approved_plan, live=True),
        selectors.network_report(),
    ]


def test_every_table_round_trips(counted, approved_plan):
    for report in reports_to_check(counted, approved_plan):
        for name, table in report["tables"].items():
            # an explanation is stored as the count's figures, exported in words
            expected = table_frame(worded_table(table, currency=""), labels=True)
            csv = export_table(table, name=name, fmt="csv")
            read = pd.read_csv(io.BytesIO(csv.content), keep_default_na=False)
            assert list(read.columns) == list(expected.columns), name
            pd.testing.assert_frame_equal(normalised(read), normalised(expected),
                                          check_dtype=False)
            xlsx = export_table(table, name=name, fmt="xlsx")
            read = pd.read_excel(io.BytesIO(xlsx.content), sheet_name=name[:31])
            pd.testing.assert_frame_equal(normalised(read), normalised(expected),
                                          check_dtype=False)
            payload = json.loads(export_table(table, name=name, fmt="json").content)
            assert [c["key"] for c in payload["columns"]] == [c["key"] for c in
                                                              table["columns"]]
            back = pd.DataFrame(payload["rows"])
            if len(back):
                worded = table_frame(worded_table(table, currency=""))
                assert back.values.tolist() == worded.values.tolist() or \
                    normalised(back).equals(normalised(worded))


def test_suppressed_cells_stay_suppressed_in_exports(counted):
    report = selectors.consultation_report(consultation=counted.consultation)
    table = report["tables"]["inclusion_gender"]
    for fmt in FORMATS:
        content = export_table(table, name="inclusion_gender", fmt=fmt).content
        if fmt != "xlsx":
            assert "<10" in content.decode("utf-8-sig")
    frame = pd.read_excel(io.BytesIO(export_table(table, name="g", fmt="xlsx").content))
    assert "<10" in frame["Participants"].astype(str).tolist()


def test_unknown_format():
    with pytest.raises(KeyError):
        export_table({"columns": [], "rows": []}, name="x", fmt="pdf")
