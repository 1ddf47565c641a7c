"""Analyst lists inclusion_errors.xlsx and exclusion_errors.xlsx, a sheet per programme.

inclusion_errors.xlsx also ends with a data-quality sheet (see data_quality_columns).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.i18n import _
from pipelines.publish.cells import sheet_names
from pipelines.publish.report_data import programme_rank_sql
from pipelines.publish.sheets import (
    SheetBody,
    address_sql,
    confidence_sql,
    data_quality_actions_sql,
    error_codes_sql,
    evidence_items_sql,
    evidence_of_codes_sql,
    evidence_text_sql,
    listed_codes_sql,
    nik_as_read_sql,
    rule_titles_sql,
    severity_title_sql,
    sheet_body,
    source_types,
)
from pipelines.publish.xlsx_cells import Column, column_widths
from pipelines.publish.xlsx_parts import SheetLayout, Style
from pipelines.publish.xlsx_stream import SheetPlan, write_workbook
from pipelines.sqlrun import query_rows

logger = logging.getLogger(__name__)

# The title and subtitle rows. The notice rows and then the header row follow them.
TITLE_ROWS = 2
# Excel sheets hold 1,048,576 rows; this leaves room for the title and header rows.
MAX_ROWS_PER_SHEET = 1_000_000


@dataclass(frozen=True)
class AppendedSheet:
    """A sheet written after the programme sheets of a list workbook, with its own columns.

    `order_by` is a SQL order-by list over the columns of `source_sql`.
    """

    name: str
    columns: Sequence[Column]
    source_sql: str
    order_by: str


def _recipient_columns(types: dict[str, str]) -> list[Column]:
    """Return the first columns of both inclusion_errors.xlsx sheet kinds: who and where."""
    return [
        Column(_("Programme"), "programme"),
        Column(_("NIK"), nik_as_read_sql(types), "id", width=19),
        Column(_("No KK"), "no_kk", "id", width=19),
        Column(_("Name"), "name"),
        Column(_("Kecamatan"), "kecamatan_name"),
        Column(_("Desa/Kelurahan"), "desa_name"),
    ]


def inclusion_columns(types: dict[str, str]) -> list[Column]:
    """Return the columns of inclusion_errors.xlsx over inclusion rows with region names.

    `types` maps the columns of the inclusion rows to their DuckDB types (see source_types):
    `rule_codes` may be a list or a text, and the evidence columns may be absent. The NIK
    column shows an invalid NIK as the source row has it, and the rule codes give the reason.
    """
    codes = listed_codes_sql(types)
    return [
        *_recipient_columns(types),
        Column(_("Desa code"), "desa_code", width=12),
        Column(_("Address"), address_sql(), kind="wrap", width=24),
        Column(_("Rule codes"), f"array_to_string({codes}, ', ')"),
        Column(_("Findings"), rule_titles_sql(codes), kind="wrap", width=55),
        Column(_("Evidence"), evidence_text_sql(evidence_items_sql(types)), kind="wrap", width=60),
        Column(_("Confidence"), confidence_sql(types), kind="percent", width=11),
        Column(_("Severity"), severity_title_sql("severity")),
        Column(_("Months at risk"), "months_at_risk", kind="int", width=10),
        Column(_("Rupiah at risk per month"), "idr_at_risk_month", kind="idr"),
        Column(_("Rupiah at risk per year"), "idr_at_risk_year", kind="idr"),
        Column(_("Source file"), "source_file"),
        Column(_("Sheet"), "source_sheet"),
        Column(_("Row"), "source_row", kind="int", width=8),
        Column(_("Person id"), "person_id"),
        Column(_("Family id"), "family_id"),
    ]


def data_quality_columns(types: dict[str, str]) -> list[Column]:
    """Return the columns of the data-quality sheet over inclusion rows with region names.

    The sheet lists recipients whose findings are ERROR codes (an invalid NIK, No KK or region)
    without a FLAG or WARN code, so that an analyst can have their roster rows corrected. It
    shows only the ERROR codes, with their evidence and what to do. `types` maps the columns of
    the rows to their DuckDB types (see source_types).
    """
    codes = error_codes_sql(types)
    evidence = evidence_of_codes_sql(evidence_items_sql(types), codes)
    return [
        *_recipient_columns(types),
        Column(_("Rule codes"), f"array_to_string({codes}, ', ')"),
        Column(_("Findings"), rule_titles_sql(codes), kind="wrap", width=45),
        Column(_("Evidence"), evidence_text_sql(evidence), kind="wrap", width=60),
        Column(_("What to do"), data_quality_actions_sql(codes), kind="wrap", width=55),
        Column(_("Source file"), "source_file"),
        Column(_("Sheet"), "source_sheet"),
        Column(_("Row"), "source_row", kind="int", width=8),
    ]


def exclusion_columns(types: dict[str, str]) -> list[Column]:
    """Return the columns of exclusion_errors.xlsx over exclusion rows with region names.

    `types` maps the columns of the exclusion rows to their DuckDB types (see source_types).
    """
    return [
        Column(_("Programme"), "programme"),
        Column(_("No KK"), "no_kk", "id", width=19),
        Column(_("NIK of family head"), nik_as_read_sql(types, "head_nik"), "id", width=19),
        Column(_("Name of family head"), "head_name"),
        Column(_("Kecamatan"), "kecamatan_name"),
        Column(_("Desa/Kelurahan"), "desa_name"),
        Column(_("Desa code"), "desa_code", width=12),
        Column(_("Desil"), "desil", kind="int", width=7),
        Column(_("Reason"), "reason", kind="wrap", width=50),
        Column(_("Family id"), "family_id"),
    ]


def rule_codes_type(con: duckdb.DuckDBPyConnection, source_sql: str) -> str:
    """Return the DuckDB type of the `rule_codes` column of `source_sql`."""
    return source_types(con, source_sql)["rule_codes"]


def write_list_workbook(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    title: str,
    subtitle: str,
    columns: Sequence[Column],
    source_sql: str,
    order_by: str,
    max_rows_per_sheet: int = MAX_ROWS_PER_SHEET,
    notices: Sequence[str] = (),
    appended: Sequence[AppendedSheet] = (),
) -> int:
    """Write one sheet per programme of `source_sql`'s rows; return the sheets written.

    `source_sql` must have a `programme` column. Sheets follow the report's programme order
    (PKH, BPNT, PBI, then others), and rows within a sheet follow `order_by` (a SQL order-by
    list). A programme with more rows than `max_rows_per_sheet` continues on sheets named
    `PBI (2)`, `PBI (3)` and so on. Without rows the workbook gets one sheet named "none" with
    the header only. Each line of `notices` gets a row under the title and subtitle, and the
    header row moves down by as many rows.

    Each of `appended` follows the programme sheets in the given order, and is written even
    without rows. It continues on numbered sheets as a programme does.
    """
    header_row = TITLE_ROWS + len(notices)
    numbered = (
        f"select *, dense_rank() over (order by {programme_rank_sql('programme')}) "
        "as group_no, "
        f"row_number() over (partition by programme order by {order_by}) as group_row "
        f"from ({source_sql})"
    )
    groups = query_rows(
        con,
        "select group_no, coalesce(nullif(any_value(programme)::varchar, ''), '-'), "
        f"count(*) from ({numbered}) group by group_no order by group_no",
    )
    # Group n (1-based, as DuckDB lists are) starts on sheet first_sheet[n].
    sheets: list[str] = []
    first_sheet: list[int] = []
    for _group_no, programme, count in groups:
        first_sheet.append(len(sheets))
        sheets += [programme] * _parts(count, max_rows_per_sheet)
    sheet_numbered = (
        f"select *, {first_sheet or [0]}[group_no] + (group_row - 1) // {max_rows_per_sheet} "
        f"as sheet_no, (group_row - 1) % {max_rows_per_sheet} + 1 as row_no from ({numbered})"
    )
    bodies = [sheet_body(con, columns, sheet_numbered, header_row + 2)]
    if not sheets:
        sheets = [_("none")]
    columns_per_sheet = [columns] * len(sheets)
    for sheet in appended:
        body = _appended_body(con, sheet, len(sheets), max_rows_per_sheet, header_row + 2)
        parts = max(body.rows, default=len(sheets)) - len(sheets) + 1
        sheets += [sheet.name] * parts
        columns_per_sheet += [sheet.columns] * parts
        bodies.append(body)
    names = sheet_names(sheets)
    rows = {no: count for body in bodies for no, count in body.rows.items()}
    widths = {no: width for body in bodies for no, width in body.widths.items()}

    plans = []
    sheet_specs = zip(names, sheets, columns_per_sheet, strict=True)
    for sheet_no, (name, label, sheet_columns) in enumerate(sheet_specs):
        default_widths = column_widths(sheet_columns, [None] * len(sheet_columns))
        layout = SheetLayout(
            name=name,
            header_row=header_row,
            last_row=header_row + rows.get(sheet_no, 0),
            last_col=len(sheet_columns) - 1,
            widths=widths.get(sheet_no, default_widths),
        )
        titles = [(f"{title} - {label}", Style.TITLE), (subtitle, Style.SUBTITLE)]
        titles += [(notice, Style.NOTICE) for notice in notices]
        headers = [column.header for column in sheet_columns]
        plans.append(SheetPlan(layout, titles, headers, Style.HEADER))
    body_sql = " union all ".join(f"select sheet_no, row_no, xml from ({b.sql})" for b in bodies)
    write_workbook(con, path, plans, body_sql)
    logger.info("wrote %s: %d sheets, %d rows", path.name, len(plans), sum(rows.values()))
    return len(plans)


def _appended_body(
    con: duckdb.DuckDBPyConnection,
    sheet: AppendedSheet,
    first_sheet_no: int,
    max_rows_per_sheet: int,
    first_excel_row: int,
) -> SheetBody:
    """Build the body of `sheet`, numbered from sheet `first_sheet_no` on."""
    numbered = (
        f"select *, row_number() over (order by {sheet.order_by}) as appended_row "
        f"from ({sheet.source_sql})"
    )
    sheet_numbered = (
        f"select *, {first_sheet_no} + (appended_row - 1) // {max_rows_per_sheet} as sheet_no, "
        f"(appended_row - 1) % {max_rows_per_sheet} + 1 as row_no from ({numbered})"
    )
    return sheet_body(con, sheet.columns, sheet_numbered, first_excel_row)


def _parts(count: int, max_rows_per_sheet: int) -> int:
    return (count + max_rows_per_sheet - 1) // max_rows_per_sheet
