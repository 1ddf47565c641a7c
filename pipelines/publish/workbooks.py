"""Analyst lists inclusion_errors.xlsx and exclusion_errors.xlsx, a sheet per programme."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook

from pipelines.i18n import _
from pipelines.publish.cells import sheet_names, write_text
from pipelines.publish.regions import Regions
from pipelines.publish.rule_texts import rule_titles, severity_title, split_codes
from pipelines.publish.sheets import Column, Formats, address_text, finish_sheet, write_table

logger = logging.getLogger(__name__)

HEADER_ROW = 2
# Excel sheets hold 1,048,576 rows; this leaves room for the title and header rows.
MAX_ROWS_PER_SHEET = 1_000_000


def inclusion_columns(regions: Regions) -> list[Column]:
    return [
        Column(_("Programme"), lambda r: r["programme"]),
        Column(_("NIK"), lambda r: r["nik"], width=19),
        Column(_("No KK"), lambda r: r["no_kk"], width=19),
        Column(_("Name"), lambda r: r["name"]),
        Column(_("Kecamatan"), lambda r: regions.kecamatan_name(r["kecamatan_code"])),
        Column(_("Desa/Kelurahan"), lambda r: regions.desa_name(r["desa_code"])),
        Column(_("Desa code"), lambda r: r["desa_code"], width=12),
        Column(_("Address"), lambda r: address_text(r), kind="wrap", width=24),
        Column(_("Rule codes"), lambda r: ", ".join(split_codes(r["rule_codes"]))),
        Column(_("Findings"), lambda r: rule_titles(r["rule_codes"]), kind="wrap", width=55),
        Column(_("Severity"), lambda r: severity_title(r["severity"])),
        Column(_("Months at risk"), lambda r: r["months_at_risk"], kind="int", width=10),
        Column(_("Rupiah at risk per month"), lambda r: r["idr_at_risk_month"], kind="idr"),
        Column(_("Rupiah at risk per year"), lambda r: r["idr_at_risk_year"], kind="idr"),
        Column(_("Source file"), lambda r: r["source_file"]),
        Column(_("Sheet"), lambda r: r["source_sheet"]),
        Column(_("Row"), lambda r: r["source_row"], kind="int", width=8),
        Column(_("Person id"), lambda r: r["person_id"]),
        Column(_("Family id"), lambda r: r["family_id"]),
    ]


def exclusion_columns(regions: Regions) -> list[Column]:
    return [
        Column(_("Programme"), lambda r: r["programme"]),
        Column(_("No KK"), lambda r: r["no_kk"], width=19),
        Column(_("NIK of family head"), lambda r: r["head_nik"], width=19),
        Column(_("Name of family head"), lambda r: r["head_name"]),
        Column(_("Kecamatan"), lambda r: regions.kecamatan_name(r["kecamatan_code"])),
        Column(_("Desa/Kelurahan"), lambda r: regions.desa_name(r["desa_code"])),
        Column(_("Desa code"), lambda r: r["desa_code"], width=12),
        Column(_("Desil"), lambda r: r["desil"], kind="int", width=7),
        Column(_("Reason"), lambda r: r["reason"], kind="wrap", width=50),
        Column(_("Family id"), lambda r: r["family_id"]),
    ]


def write_list_workbook(
    path: Path,
    title: str,
    subtitle: str,
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
    max_rows_per_sheet: int = MAX_ROWS_PER_SHEET,
) -> int:
    """Write one sheet per programme (rows must be sorted by programme); return sheets written.

    A programme with more rows than fit in one Excel sheet continues on sheets named
    `PBI (2)`, `PBI (3)` and so on.
    """
    groups = []
    for key, group in groupby(rows, key=lambda r: r["programme"]):
        group_rows = list(group)
        for start in range(0, len(group_rows), max_rows_per_sheet):
            groups.append((key or "-", group_rows[start : start + max_rows_per_sheet]))
    if not groups:
        groups = [(_("none"), [])]
    names = sheet_names(programme for programme, _rows in groups)

    workbook = Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    formats = Formats(workbook)
    for name, (programme, group_rows) in zip(names, groups, strict=True):
        ws = workbook.add_worksheet(name)
        write_text(ws, 0, 0, f"{title} - {programme}", formats.title)
        write_text(ws, 1, 0, subtitle, formats.subtitle)
        last_row = write_table(ws, formats, columns, group_rows, HEADER_ROW)
        finish_sheet(ws, HEADER_ROW, last_row, len(columns) - 1)
    workbook.close()
    logger.info("wrote %s: %d sheets, %d rows", path.name, len(groups), len(rows))
    return len(groups)
