"""Every report table as CSV, XLSX or JSON, built with pandas from the same table dict the
page shows (suppressed cells stay SUPPRESSED, "<10"). CSV and XLSX carry the column labels of
the active language; JSON carries the stable column keys, their labels and types. Text cells of
CSV and XLSX that a spreadsheet would run as a formula are neutralised (`core.spreadsheets`)."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pandas as pd

from core.spreadsheets import neutralised, text_cells_only

from .selectors import column_label, table_frame, table_title
from .selectors.tables import worded_table

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


def export_table(table: dict, *, name: str, fmt: str, stem: str = "report",
                 currency: str = "") -> Export:
    """One table in one format, in the reader's language; raises KeyError for an unknown
    format."""
    table = worded_table(table, currency=currency)
    content_type = FORMATS[fmt]
    filename = f"{stem}-{name}.{fmt}"
    if fmt == "json":
        payload = {
            "table": name,
            "title": table_title(name),
            "columns": [{"key": c["key"], "label": column_label(c["key"]), "type": c["type"]}
                        for c in table["columns"]],
            "rows": [dict(zip([c["key"] for c in table["columns"]], row, strict=True))
                     for row in table["rows"]],
        }
        content = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
        return Export(content, content_type, filename)
    frame = table_frame(table, labels=True)
    if fmt == "csv":
        # UTF-8 with a byte-order mark so that spreadsheet programs read accents right; CRLF
        # rows (RFC 4180), so that a field holding a carriage return is quoted too.
        content = frame.map(neutralised).to_csv(index=False, lineterminator="\r\n").encode(
            "utf-8-sig")
        return Export(content, content_type, filename)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=name[:31])
        sheet = writer.sheets[name[:31]]
        text_cells_only(sheet)
        for column_cells in sheet.columns:
            width = max(len(str(cell.value or "")) for cell in column_cells)
            sheet.column_dimensions[column_cells[0].column_letter].width = min(60, width + 2)
    return Export(buffer.getvalue(), content_type, filename)
