"""Shared XLSX layout: cell formats, typed columns and the table writer used by every workbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pipelines.publish.cells import write_text

MIN_WIDTH = 6
MAX_WIDTH = 60
WIDTH_SAMPLE_ROWS = 500


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: where the value comes from, its header and its cell kind.

    `kind` is `text` (also for NIK and No KK, written as text cells), `int`, `idr` (rupiah,
    integer with thousands separators), `date`, or `wrap` (long text shown wrapped).
    """

    header: str
    value: Callable[[dict[str, Any]], Any]
    kind: str = "text"
    width: float | None = None


class Formats:
    """Cell formats of one workbook (xlsxwriter formats belong to the workbook that made them)."""

    def __init__(self, workbook: Workbook):
        base = {"font_name": "Calibri", "font_size": 10, "valign": "top"}
        self.title = workbook.add_format({**base, "bold": True, "font_size": 13})
        self.subtitle = workbook.add_format({**base, "italic": True, "font_color": "#555555"})
        self.header = workbook.add_format(
            {
                **base,
                "bold": True,
                "bg_color": "#1F4E79",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "border": 1,
                "valign": "vcenter",
            }
        )
        self.text = workbook.add_format(base)
        self.text_guarded = workbook.add_format({**base, "quote_prefix": True})
        self.wrap = workbook.add_format({**base, "text_wrap": True})
        self.wrap_guarded = workbook.add_format({**base, "text_wrap": True, "quote_prefix": True})
        self.integer = workbook.add_format({**base, "num_format": "#,##0"})
        self.idr = workbook.add_format({**base, "num_format": '"Rp "#,##0'})
        self.date = workbook.add_format({**base, "num_format": "dd-mm-yyyy"})
        self.input = workbook.add_format({**base, "bg_color": "#FFF2CC", "border": 1})
        self.input_wrap = workbook.add_format(
            {**base, "bg_color": "#FFF2CC", "border": 1, "text_wrap": True}
        )


def write_cell(ws: Worksheet, row: int, col: int, value: Any, kind: str, formats: Formats) -> None:
    """Write one value by column kind; every text goes through the formula-safe writer."""
    if value is None or value == "":
        ws.write_blank(row, col, None, formats.text)
        return
    is_number = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
    if kind in ("int", "idr") and is_number:
        ws.write_number(row, col, float(value), formats.integer if kind == "int" else formats.idr)
        return
    if kind == "date" and isinstance(value, (dt.date, dt.datetime)):
        moment = (
            value
            if isinstance(value, dt.datetime)
            else dt.datetime(value.year, value.month, value.day)
        )
        ws.write_datetime(row, col, moment, formats.date)
        return
    if kind == "wrap":
        write_text(ws, row, col, value, formats.wrap, formats.wrap_guarded)
        return
    write_text(ws, row, col, value, formats.text, formats.text_guarded)


def write_table(
    ws: Worksheet,
    formats: Formats,
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
    header_row: int,
) -> int:
    """Write a header and `rows` from `header_row` down; return the last row index written."""
    for col, column in enumerate(columns):
        write_text(ws, header_row, col, column.header, formats.header, formats.header)
    row_index = header_row
    for record in rows:
        row_index += 1
        for col, column in enumerate(columns):
            write_cell(ws, row_index, col, column.value(record), column.kind, formats)
    _set_widths(ws, columns, rows)
    return row_index


def finish_sheet(ws: Worksheet, header_row: int, last_row: int, last_col: int) -> None:
    """Freeze the header, add an autofilter, and set up landscape A4 printing."""
    ws.freeze_panes(header_row + 1, 0)
    ws.autofilter(header_row, 0, max(last_row, header_row), last_col)
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(header_row)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&L&A&R&P / &N")


def address_text(row: dict[str, Any]) -> str:
    """Return `address, RT rt/RW rw` from the optional address columns of a row."""
    parts = [str(row["address"])] if row.get("address") else []
    if row.get("rt") or row.get("rw"):
        parts.append(f"RT {row.get('rt') or '-'}/RW {row.get('rw') or '-'}")
    return ", ".join(parts)


def _set_widths(ws: Worksheet, columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> None:
    sample = rows[:WIDTH_SAMPLE_ROWS]
    for col, column in enumerate(columns):
        if column.width is not None:
            width = column.width
        else:
            longest = max(
                [len(column.header) * 0.8]
                + [len(_display(column.value(r), column.kind)) for r in sample]
            )
            width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
        ws.set_column(col, col, width)


def _display(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "idr" and isinstance(value, (int, float)):
        return f"Rp {value:,.0f}"
    if kind == "int" and isinstance(value, (int, float)):
        return f"{value:,.0f}"
    if kind == "date":
        return "00-00-0000"
    return str(value)
