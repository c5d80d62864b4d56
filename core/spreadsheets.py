"""Text bound for a spreadsheet. A cell that starts with `=`, `+`, `-` or `@` is a formula to
Excel, LibreOffice and Google Sheets (and tab or carriage return can smuggle one in), so text a
participant wrote — a district, a proposal's title — could run as a formula on a planner's
machine (OWASP "CSV injection"). In CSV such text gets a leading apostrophe, which spreadsheets
show as text and do not evaluate; in XLSX the cell is written as a text cell with the quote
prefix set, so it keeps its exact value and is never a formula. Numbers are data, not text: a
negative amount stays a number."""
from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """The value safe for a spreadsheet cell: text that a spreadsheet would read as a formula
    is prefixed with an apostrophe; everything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def text_cells_only(sheet) -> None:
    """Make every cell of an openpyxl sheet that it took for a formula (text starting with "=")
    a text cell with the quote prefix, and mark the other formula-like text the same way."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or (
                    cell.data_type == "s" and isinstance(cell.value, str)
                    and cell.value.startswith(FORMULA_STARTS)):
                cell.data_type = "s"
                cell.quotePrefix = True
