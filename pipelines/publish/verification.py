"""Field verification workbooks: one XLSX per kecamatan in verifikasi/, one sheet per desa.

Each desa sheet lists the recipients in inclusion_errors for that desa, with two columns the
field officer fills in: the result (a drop-down list) and notes. A first summary sheet lists
every desa of the kecamatan with its row count, so a desa with nothing to check is visible too.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pipelines.i18n import _
from pipelines.publish.cells import sheet_names, write_text
from pipelines.publish.regions import Regions
from pipelines.publish.rule_texts import FIELD_RESULTS, rule_titles, split_codes
from pipelines.publish.sheets import Column, Formats, address_text, finish_sheet, write_table

logger = logging.getLogger(__name__)

HEADER_ROW = 3
VERIFICATION_FOLDER = "verifikasi"


def verification_columns() -> list[Column]:
    return [
        Column(_("No"), lambda r: r["_number"], kind="int", width=5),
        Column(_("NIK"), lambda r: r["nik"], width=19),
        Column(_("No KK"), lambda r: r["no_kk"], width=19),
        Column(_("Name"), lambda r: r["name"], width=26),
        Column(_("Address"), lambda r: address_text(r), kind="wrap", width=24),
        Column(_("Programme"), lambda r: r["programme"], width=15),
        Column(_("Findings"), lambda r: rule_titles(r["rule_codes"]), kind="wrap", width=48),
        Column(_("Rule codes"), lambda r: ", ".join(split_codes(r["rule_codes"])), width=22),
        Column(_("Source"), lambda r: r["source"], kind="wrap", width=30),
        Column(_("Field result"), lambda _row: None, width=17),
        Column(_("Notes"), lambda _row: None, width=36),
    ]


def write_verification_workbooks(
    folder: Path, rows: list[dict[str, Any]], regions: Regions, run_id: str
) -> list[Path]:
    """Write one workbook per kecamatan that has rows; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    by_kecamatan: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in merge_person_rows(rows):
        by_kecamatan[row["kecamatan_code"] or ""][row["desa_code"] or ""].append(row)

    paths = []
    for kecamatan_code in sorted(by_kecamatan):
        path = folder / _workbook_name(kecamatan_code, regions)
        _write_kecamatan(path, kecamatan_code, by_kecamatan[kecamatan_code], regions, run_id)
        paths.append(path)
    logger.info("wrote %d verification workbooks from %d rows", len(paths), len(rows))
    return paths


def merge_person_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge the rows of one person in one desa (one row per programme) into a single row.

    A field officer visits a person once, so the sheet lists each person once with all their
    programmes, rule codes and source rows.
    """
    merged: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        key = (row["desa_code"], row.get("person_id") or row["nik"] or row["name"])
        if key not in merged:
            merged[key] = {**row, "programmes": [], "codes": [], "sources": []}
        target = merged[key]
        target["programmes"].append(row["programme"] or "-")
        target["codes"] += split_codes(row["rule_codes"])
        target["sources"].append(_source(row))
    for row in merged.values():
        row["programme"] = ", ".join(dict.fromkeys(row.pop("programmes")))
        row["rule_codes"] = sorted(set(row.pop("codes")))
        row["source"] = "; ".join(s for s in dict.fromkeys(row.pop("sources")) if s)
    return list(merged.values())


def _workbook_name(kecamatan_code: str, regions: Regions) -> str:
    if not kecamatan_code:
        return "verifikasi_tanpa_kecamatan.xlsx"
    name = re.sub(r"[^A-Za-z0-9]+", "_", regions.kecamatan_name(kecamatan_code)).strip("_")
    return f"verifikasi_{kecamatan_code}_{name}.xlsx"


def _write_kecamatan(
    path: Path,
    kecamatan_code: str,
    by_desa: dict[str, list[dict[str, Any]]],
    regions: Regions,
    run_id: str,
) -> None:
    kecamatan_name = regions.kecamatan_name(kecamatan_code)
    desa_codes = sorted(by_desa, key=lambda code: (regions.desa_name(code), code))
    names = sheet_names(
        [_("Summary")] + [_desa_label(code, regions) for code in desa_codes], fallback="Desa"
    )

    workbook = Workbook(str(path), {"strings_to_numbers": False})
    formats = Formats(workbook)
    summary = workbook.add_worksheet(names[0])
    for sheet_name, desa_code in zip(names[1:], desa_codes, strict=True):
        ws = workbook.add_worksheet(sheet_name)
        _write_desa_sheet(
            ws, formats, kecamatan_name, desa_code, by_desa[desa_code], regions, run_id
        )
    _write_summary(summary, formats, kecamatan_code, by_desa, names, desa_codes, regions, run_id)
    workbook.close()


def _desa_label(desa_code: str, regions: Regions) -> str:
    """Return the desa name for a sheet, or a label for records without a valid desa code."""
    if not desa_code:
        return _("No valid desa")
    return regions.desa_name(desa_code)


def _write_desa_sheet(
    ws: Worksheet,
    formats: Formats,
    kecamatan_name: str,
    desa_code: str,
    rows: list[dict[str, Any]],
    regions: Regions,
    run_id: str,
) -> None:
    columns = verification_columns()
    numbered = [{**row, "_number": n} for n, row in enumerate(_sorted(rows), start=1)]
    title = (
        _("Field verification list")
        + f" - {_desa_label(desa_code, regions)}, "
        + _("Kecamatan")
        + f" {kecamatan_name}"
    )
    write_text(ws, 0, 0, title, formats.title)
    write_text(
        ws,
        1,
        0,
        _("Desa code") + f": {desa_code or '-'}    " + _("Run") + f": {run_id}",
        formats.subtitle,
    )
    write_text(
        ws, 2, 0, _("Fill in the field result from the list and add notes."), formats.subtitle
    )
    last_row = write_table(ws, formats, columns, numbered, HEADER_ROW)

    result_col = len(columns) - 2
    notes_col = len(columns) - 1
    first_data_row = HEADER_ROW + 1
    if numbered:
        for row_index in range(first_data_row, last_row + 1):
            ws.write_blank(row_index, result_col, None, formats.input)
            ws.write_blank(row_index, notes_col, None, formats.input_wrap)
        ws.data_validation(
            first_data_row,
            result_col,
            last_row,
            result_col,
            {
                "validate": "list",
                "source": list(FIELD_RESULTS),
                "input_title": _("Field result"),
                "input_message": _("Choose one value from the list."),
                "error_title": _("Invalid value"),
                "error_message": _("Choose one value from the list."),
            },
        )
    finish_sheet(ws, HEADER_ROW, last_row, len(columns) - 1)


def _write_summary(
    ws: Worksheet,
    formats: Formats,
    kecamatan_code: str,
    by_desa: dict[str, list[dict[str, Any]]],
    names: list[str],
    desa_codes: list[str],
    regions: Regions,
    run_id: str,
) -> None:
    sheet_by_desa = dict(zip(desa_codes, names[1:], strict=True))
    all_desa = (
        sorted({code for code in regions.desa if code.startswith(kecamatan_code)} | set(desa_codes))
        if kecamatan_code
        else list(desa_codes)
    )
    rows = [
        {
            "desa_code": code,
            "desa_name": _desa_label(code, regions),
            "count": len(by_desa.get(code, [])),
            "sheet": sheet_by_desa.get(code, ""),
        }
        for code in sorted(all_desa, key=lambda c: (regions.desa_name(c), c))
    ]
    columns = [
        Column(_("Desa/Kelurahan"), lambda r: r["desa_name"], width=28),
        Column(_("Desa code"), lambda r: r["desa_code"], width=13),
        Column(_("Recipients to check"), lambda r: r["count"], kind="int", width=14),
        Column(_("Sheet"), lambda r: r["sheet"], width=32),
    ]
    title = (
        _("Field verification")
        + " - "
        + _("Kecamatan")
        + f" {regions.kecamatan_name(kecamatan_code)}"
    )
    write_text(ws, 0, 0, title, formats.title)
    write_text(ws, 1, 0, _("Run") + f": {run_id}", formats.subtitle)
    write_text(ws, 2, 0, _("One sheet per desa with recipients to check."), formats.subtitle)
    last_row = write_table(ws, formats, columns, rows, HEADER_ROW)
    _link_sheets(ws, rows, HEADER_ROW + 1, len(columns) - 1)
    finish_sheet(ws, HEADER_ROW, last_row, len(columns) - 1)


def _link_sheets(ws: Worksheet, rows: list[dict[str, Any]], first_row: int, col: int) -> None:
    """Turn each sheet name in the summary into a link to that sheet (no formula involved)."""
    for offset, row in enumerate(rows):
        if row["sheet"]:
            target = row["sheet"].replace("'", "''")
            ws.write_url(first_row + offset, col, f"internal:'{target}'!A1", string=row["sheet"])


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The person id breaks ties between namesakes without a NIK, so the order is stable.
    return sorted(
        rows,
        key=lambda r: (
            str(r["name"] or ""),
            str(r["nik"] or ""),
            str(r["programme"]),
            str(r.get("person_id") or ""),
        ),
    )


def _source(row: dict[str, Any]) -> str:
    parts = [str(row[key]) for key in ("source_file", "source_sheet") if row.get(key)]
    if row.get("source_row") is not None:
        parts.append(_("row") + f" {row['source_row']}")
    return ", ".join(parts)
