"""Write an XLSX file by streaming sheet XML from DuckDB into a zip (deflate, zlib level 1).

DuckDB builds the XML of every body row (pipelines.publish.xlsx_cells). Python only joins the
rows of a fetch and writes them to the zip entry of their sheet, so the cost of a cell is that of
SQL string functions and of zlib.

NOTE: the files were checked with openpyxl 3.1.5 and LibreOffice 7.4 (headless conversion to
CSV), not in Microsoft Excel.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import duckdb

from pipelines.publish import xlsx_parts
from pipelines.publish.xlsx_cells import text_cells
from pipelines.publish.xlsx_parts import SheetLayout, cell_ref
from pipelines.sqlrun import interrupt_as_keyboard_interrupt

logger = logging.getLogger(__name__)

COMPRESS_LEVEL = 1
FETCH_ROWS = 20_000
# DuckDB joins the XML of this many consecutive rows of a sheet into one string, so Python
# handles one string per chunk instead of one per row. At batang size the rows of all workbooks
# took publish's main thread about 2 CPU s less than when they were fetched one by one.
ROWS_PER_CHUNK = 1000
# A zip entry over 2 GiB needs Zip64 headers, and zipfile must know that when it opens the
# entry. At about 100 bytes of XML per cell, sheets with more cells than this may get there.
ZIP64_CELLS = 15_000_000


@dataclass
class SheetPlan:
    """One sheet to write: its layout, the title rows from row 0 and the header row.

    `titles` contains (text, style) pairs, one per row. Titles and headers get no quote prefix
    even when they start like a formula, as with xlsxwriter before: they are text cells anyway.
    """

    layout: SheetLayout
    titles: Sequence[tuple[str, int]]
    headers: Sequence[str]
    header_style: int


def _top_rows(con: duckdb.DuckDBPyConnection, sheets: Sequence[SheetPlan]) -> list[str]:
    """Return the `<row>` XML of the title and header rows of each sheet, in one query."""
    cells = []
    for plan in sheets:
        header_row = plan.layout.header_row
        cells += [
            (cell_ref(row, 0), text, style, style) for row, (text, style) in enumerate(plan.titles)
        ]
        cells += [
            (cell_ref(header_row, col), text, plan.header_style, plan.header_style)
            for col, text in enumerate(plan.headers)
        ]
    xml = iter(text_cells(con, cells))

    result = []
    for plan in sheets:
        rows = [f'<row r="{row + 1}">{next(xml)}</row>' for row in range(len(plan.titles))]
        header = "".join(next(xml) for _header in plan.headers)
        rows.append(f'<row r="{plan.layout.header_row + 1}">{header}</row>')
        result.append("".join(rows))
    return result


def write_workbook(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    sheets: Sequence[SheetPlan],
    body_sql: str | None,
) -> None:
    """Write `sheets` into a new XLSX file at `path`.

    `body_sql` returns `(sheet_no, row_no, xml)`: `sheet_no` is the 0-based index into
    `sheets`, `xml` one `<row>` element. Sheets without body rows get only their top rows.
    """
    if not sheets:
        raise ValueError(f"{path.name}: a workbook needs at least one sheet; none was given")
    top_rows = _top_rows(con, sheets)
    batches = _body_batches(con, body_sql) if body_sql else iter(())
    pending = next(batches, None)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as package:
        for index, plan in enumerate(sheets):
            cells = (plan.layout.last_row + 1) * (plan.layout.last_col + 1)
            entry = f"xl/worksheets/sheet{index + 1}.xml"
            with package.open(entry, "w", force_zip64=cells > ZIP64_CELLS) as sheet:
                sheet.write(xlsx_parts.sheet_head(plan.layout, selected=index == 0).encode())
                sheet.write(top_rows[index].encode())
                while pending is not None and pending[0] == index:
                    sheet.write(pending[1].encode())
                    pending = next(batches, None)
                sheet.write(xlsx_parts.sheet_tail(plan.layout).encode())
        if pending is not None:
            raise ValueError(
                f"{path.name}: body rows name sheet number {pending[0]}, but the workbook has "
                f"only {len(sheets)} sheets; fix the sheet numbering of the body query"
            )
        layouts = [plan.layout for plan in sheets]
        package.writestr("xl/workbook.xml", xlsx_parts.workbook_xml(layouts))
        package.writestr("xl/_rels/workbook.xml.rels", xlsx_parts.workbook_rels_xml(len(sheets)))
        package.writestr("xl/styles.xml", xlsx_parts.STYLES_XML)
        package.writestr("_rels/.rels", xlsx_parts.ROOT_RELS_XML)
        package.writestr("[Content_Types].xml", xlsx_parts.content_types_xml(len(sheets)))
    logger.debug("wrote %s: %d sheets", path.name, len(sheets))


def _body_batches(con: duckdb.DuckDBPyConnection, body_sql: str) -> Iterator[tuple[int, str]]:
    """Yield (sheet_no, XML of consecutive rows of that sheet), in sheet and row order."""
    # The query runs on `con` itself, because the xlsx_* macros and lookup tables are
    # temporary objects that a cursor (a second connection) cannot see.
    with interrupt_as_keyboard_interrupt():
        result = con.execute(
            f"""select sheet_no, string_agg(xml, '' order by row_no) as xml
            from ({body_sql})
            group by sheet_no, row_no // {ROWS_PER_CHUNK}
            order by sheet_no, min(row_no)"""
        )
        while rows := result.fetchmany(max(1, FETCH_ROWS // ROWS_PER_CHUNK)):
            for sheet_no, group in groupby(rows, key=lambda row: row[0]):
                yield sheet_no, "".join(row[1] for row in group)
