"""Field verification workbooks: one XLSX per kecamatan in verifikasi/, one sheet per desa.

Each desa sheet lists the recipients in inclusion_errors for that desa, with two columns the
field officer fills in: the result (a drop-down list) and notes. A first summary sheet lists
every desa of the kecamatan with its row count, so a desa with nothing to check is visible too.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import duckdb

from pipelines.i18n import _
from pipelines.publish.cells import sheet_names
from pipelines.publish.regions import Regions
from pipelines.publish.rule_texts import FIELD_RESULTS
from pipelines.publish.sheets import (
    SheetBody,
    address_sql,
    confidence_sql,
    evidence_items_sql,
    evidence_text_sql,
    listed_codes_sql,
    nik_as_read_sql,
    rule_titles_sql,
    sheet_body,
    source_types,
)
from pipelines.publish.xlsx_cells import Column
from pipelines.publish.xlsx_parts import DataValidation, SheetLayout, Style, cell_ref
from pipelines.publish.xlsx_stream import SheetPlan, write_workbook
from pipelines.sqlrun import interrupt_as_keyboard_interrupt, query_rows, run_sql

logger = logging.getLogger(__name__)

# The header row of a sheet without notices: the title, subtitle and instruction rows come
# first. Each notice line adds a row before the instruction and moves the header down.
HEADER_ROW = 3
VERIFICATION_FOLDER = "verifikasi"
MERGED_TABLE = "xlsx_verification_rows"
SHEETS_TABLE = "xlsx_verification_sheets"
SUMMARY_TABLE = "xlsx_verification_summary"


def verification_columns() -> list[Column]:
    """Return the columns of a desa sheet over the rows of MERGED_TABLE."""
    return [
        Column(_("No"), "row_no", kind="int", width=5),
        # Sized to its values, because a person whose rosters disagree has several NIKs.
        Column(_("NIK"), "nik_text", "id"),
        Column(_("No KK"), "no_kk", "id", width=19),
        Column(_("Name"), "name", width=26),
        Column(_("Address"), address_sql(), kind="wrap", width=24),
        Column(_("Programme"), "programme_text", width=15),
        Column(_("Findings"), rule_titles_sql("codes"), kind="wrap", width=48),
        Column(_("Rule codes"), "array_to_string(codes, ', ')", width=22),
        Column(_("Evidence"), evidence_text_sql("evidence_list"), kind="wrap", width=60),
        Column(_("Confidence"), "lowest_confidence", kind="percent", width=11),
        Column(_("Source"), "source_text", kind="wrap", width=30),
        Column(_("Field result"), "null", kind="input", width=17),
        Column(_("Notes"), "null", kind="input_wrap", width=36),
    ]


def summary_columns() -> list[Column]:
    """Return the columns of the summary sheet over the rows of SUMMARY_TABLE."""
    return [
        Column(_("Desa/Kelurahan"), "desa_name", width=28),
        Column(_("Desa code"), "desa_code", width=13),
        Column(_("Recipients to check"), "recipients", kind="int", width=14),
        Column(_("Sheet"), "sheet", kind="link", width=32),
    ]


def write_verification_workbooks(
    con: duckdb.DuckDBPyConnection,
    source_sql: str,
    folder: Path,
    regions: Regions,
    run_id: str,
    notices: Sequence[str] = (),
) -> list[Path]:
    """Write one workbook per kecamatan that has rows in `source_sql`; return the paths written.

    `source_sql` returns inclusion rows (see inclusion_errors in pipelines.publish.columns).
    The connection must be prepared with pipelines.publish.sheets.prepare. Every sheet shows
    the lines of `notices` under its title and subtitle.
    """
    folder.mkdir(parents=True, exist_ok=True)
    merge_person_rows(con, source_sql)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for kecamatan_code, desa_code, count in query_rows(
        con, f"select kecamatan_key, desa_key, count(*) from {MERGED_TABLE} group by all"
    ):
        counts[kecamatan_code][desa_code] = count

    paths = []
    for kecamatan_code in sorted(counts):
        path = folder / _workbook_name(kecamatan_code, regions)
        _write_kecamatan(
            con, path, kecamatan_code, counts[kecamatan_code], regions, run_id, notices
        )
        paths.append(path)
    for table in (MERGED_TABLE, SHEETS_TABLE, SUMMARY_TABLE):
        run_sql(con, f"drop table if exists {table}")
    total = sum(sum(by_desa.values()) for by_desa in counts.values())
    logger.info("wrote %d verification workbooks with %d persons", len(paths), total)
    return paths


def merge_person_rows(con: duckdb.DuckDBPyConnection, source_sql: str) -> None:
    """Store in MERGED_TABLE one row per person and desa, with all programmes, codes, evidence
    and sources.

    A field officer visits a person once, so the sheet lists each person once. Programmes and
    sources keep the order of the inclusion list (by programme). So do the distinct NIKs in
    `nik_text`, where a row without a valid NIK gives its source cell as read: rosters that
    disagree on a person's NIK show every value. Rule codes and the distinct evidence entries
    (`CODE: text`) are sorted, so both follow the code order. The confidence is the lowest of
    the person's rows. The other columns come from the person's first row.
    """
    types = source_types(con, source_sql)
    codes = listed_codes_sql(types)
    row_word = "'" + _("row").replace("'", "''") + "'"
    ordered = (
        "select *, "
        "row_number() over (order by programme, kecamatan_code, desa_code, name, nik, "
        "person_id) as position, "
        "coalesce(kecamatan_code, '') as kecamatan_key, coalesce(desa_code, '') as desa_key, "
        "coalesce(nullif(person_id, ''), nullif(nik, ''), name) as person_key, "
        "coalesce(nullif(programme::varchar, ''), '-') as programme_label, "
        f"{nik_as_read_sql(types)} as nik_text, "
        f"{codes} as code_list, {evidence_items_sql(types)} as evidence_item_list, "
        f"{confidence_sql(types)} as row_confidence, "
        "concat_ws(', ', nullif(source_file::varchar, ''), nullif(source_sheet::varchar, ''), "
        f"case when source_row is not null then {row_word} || ' ' || source_row end) "
        f"as source_item from ({source_sql})"
    )
    person = "desa_key, person_key"
    run_sql(
        con,
        f"create or replace temp table {MERGED_TABLE} as "
        f"with ordered as ({ordered}), "
        "firsts as (select * exclude (programme_label, nik_text, code_list, "
        "evidence_item_list, row_confidence, source_item) from ordered "
        f"qualify row_number() over (partition by {person} order by position) = 1), "
        "programmes as (select desa_key, person_key, "
        "string_agg(programme_label, ', ' order by first_position) as programme_text from ("
        "select desa_key, person_key, programme_label, min(position) as first_position "
        "from ordered group by all) group by all), "
        "niks as (select desa_key, person_key, "
        "string_agg(nik_text, '; ' order by first_position) as nik_text from ("
        "select desa_key, person_key, nik_text, min(position) as first_position "
        "from ordered where nik_text is not null group by all) group by all), "
        "sources as (select desa_key, person_key, "
        "string_agg(source_item, '; ' order by first_position) as source_text from ("
        "select desa_key, person_key, source_item, min(position) as first_position "
        "from ordered where source_item <> '' group by all) group by all), "
        "codes as (select desa_key, person_key, "
        "list_sort(list_distinct(flatten(list(code_list)))) as codes, "
        "list_sort(list_distinct(flatten(list(evidence_item_list)))) as evidence_list, "
        "min(row_confidence) as lowest_confidence from ordered group by all) "
        "select firsts.*, niks.nik_text, programmes.programme_text, "
        "coalesce(sources.source_text, '') as source_text, codes.codes, "
        "codes.evidence_list, codes.lowest_confidence, "
        # The person id breaks ties between namesakes without a NIK, so the order is stable.
        "row_number() over (partition by firsts.kecamatan_key, firsts.desa_key order by "
        "coalesce(firsts.name, ''), coalesce(firsts.nik, ''), programmes.programme_text, "
        "coalesce(firsts.person_id, '')) as row_no "
        f"from firsts join programmes using ({person}) join codes using ({person}) "
        f"left join niks using ({person}) left join sources using ({person})",
    )


def _workbook_name(kecamatan_code: str, regions: Regions) -> str:
    if not kecamatan_code:
        return "verifikasi_tanpa_kecamatan.xlsx"
    name = re.sub(r"[^A-Za-z0-9]+", "_", regions.kecamatan_name(kecamatan_code)).strip("_")
    return f"verifikasi_{kecamatan_code}_{name}.xlsx"


def _write_kecamatan(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kecamatan_code: str,
    by_desa: dict[str, int],
    regions: Regions,
    run_id: str,
    notices: Sequence[str],
) -> None:
    header_row = HEADER_ROW + len(notices)
    desa_codes = sorted(by_desa, key=lambda code: (regions.desa_name(code), code))
    names = sheet_names(
        [_("Summary")] + [_desa_label(code, regions) for code in desa_codes], fallback="Desa"
    )
    summary_rows = _summary_rows(kecamatan_code, by_desa, names, desa_codes, regions)
    _store_sheets(con, kecamatan_code, desa_codes, summary_rows)

    columns = verification_columns()
    summary = sheet_body(
        con,
        summary_columns(),
        f"select *, 0 as sheet_no, position as row_no from {SUMMARY_TABLE}",
        header_row + 2,
    )
    desa = sheet_body(
        con,
        columns,
        f"select rows.*, sheets.sheet_no from {MERGED_TABLE} as rows "
        f"join {SHEETS_TABLE} as sheets using (kecamatan_key, desa_key)",
        header_row + 2,
    )

    summary_titles = _summary_titles(kecamatan_code, regions, run_id, notices)
    plans = [_summary_plan(names[0], summary_titles, summary_rows, summary)]
    for sheet_no, (name, desa_code) in enumerate(zip(names[1:], desa_codes, strict=True), 1):
        layout = SheetLayout(
            name=name,
            header_row=header_row,
            last_row=header_row + desa.rows[sheet_no],
            last_col=len(columns) - 1,
            widths=desa.widths[sheet_no],
            validation=_result_validation(
                len(columns) - 2, header_row + 1, header_row + desa.rows[sheet_no]
            ),
        )
        titles = _desa_titles(kecamatan_code, desa_code, regions, run_id, notices)
        headers = [column.header for column in columns]
        plans.append(SheetPlan(layout, titles, headers, Style.HEADER))
    write_workbook(con, path, plans, f"({summary.sql}) union all ({desa.sql})")


def _desa_titles(
    kecamatan_code: str, desa_code: str, regions: Regions, run_id: str, notices: Sequence[str]
) -> list[tuple[str, int]]:
    """Return the title, subtitle, notice and instruction rows of a desa sheet."""
    title = (
        _("Field verification list")
        + f" - {_desa_label(desa_code, regions)}, "
        + _("Kecamatan")
        + f" {regions.kecamatan_name(kecamatan_code)}"
    )
    subtitle = _("Desa code") + f": {desa_code or '-'}    " + _("Run") + f": {run_id}"
    return [
        (title, Style.TITLE),
        (subtitle, Style.SUBTITLE),
        *((notice, Style.NOTICE) for notice in notices),
        (_("Fill in the field result from the list and add notes."), Style.SUBTITLE),
    ]


def _desa_label(desa_code: str, regions: Regions) -> str:
    """Return the desa name for a sheet, or a label for records without a valid desa code."""
    if not desa_code:
        return _("No valid desa")
    return regions.desa_name(desa_code)


def _summary_rows(
    kecamatan_code: str,
    by_desa: dict[str, int],
    names: list[str],
    desa_codes: list[str],
    regions: Regions,
) -> list[tuple[str, str, int, str]]:
    """Return (desa name, desa code, recipients, sheet name) for every desa of the kecamatan."""
    sheet_by_desa = dict(zip(desa_codes, names[1:], strict=True))
    all_desa = (
        sorted({code for code in regions.desa if code.startswith(kecamatan_code)} | set(desa_codes))
        if kecamatan_code
        else list(desa_codes)
    )
    return [
        (_desa_label(code, regions), code, by_desa.get(code, 0), sheet_by_desa.get(code, ""))
        for code in sorted(all_desa, key=lambda c: (regions.desa_name(c), c))
    ]


def _store_sheets(
    con: duckdb.DuckDBPyConnection,
    kecamatan_code: str,
    desa_codes: list[str],
    summary_rows: list[tuple[str, str, int, str]],
) -> None:
    """Store the sheet number of each desa and the summary rows of one workbook."""
    run_sql(
        con,
        f"create or replace temp table {SHEETS_TABLE} "
        "(kecamatan_key varchar, desa_key varchar, sheet_no integer)",
    )
    with interrupt_as_keyboard_interrupt():
        con.execute(
            f"insert into {SHEETS_TABLE} select ?, unnest(?::varchar[]), unnest(range(1, ?))",
            [kecamatan_code, desa_codes, len(desa_codes) + 1],
        )
    run_sql(
        con,
        f"create or replace temp table {SUMMARY_TABLE} (position integer, desa_name varchar, "
        "desa_code varchar, recipients integer, sheet varchar)",
    )
    if summary_rows:
        columns = [list(values) for values in zip(*summary_rows, strict=True)]
        with interrupt_as_keyboard_interrupt():
            con.execute(
                f"insert into {SUMMARY_TABLE} select unnest(range(1, ?)), unnest(?::varchar[]), "
                "unnest(?::varchar[]), unnest(?::integer[]), unnest(?::varchar[])",
                [len(summary_rows) + 1, *columns],
            )


def _summary_titles(
    kecamatan_code: str, regions: Regions, run_id: str, notices: Sequence[str]
) -> list[tuple[str, int]]:
    """Return the title, run, notice and instruction rows of the summary sheet."""
    title = (
        _("Field verification")
        + " - "
        + _("Kecamatan")
        + f" {regions.kecamatan_name(kecamatan_code)}"
    )
    return [
        (title, Style.TITLE),
        (_("Run") + f": {run_id}", Style.SUBTITLE),
        *((notice, Style.NOTICE) for notice in notices),
        (_("One sheet per desa with recipients to check."), Style.SUBTITLE),
    ]


def _summary_plan(
    name: str,
    titles: list[tuple[str, int]],
    rows: list[tuple[str, str, int, str]],
    body: SheetBody,
) -> SheetPlan:
    """Plan the summary sheet, whose header row follows the rows of `titles`."""
    columns = summary_columns()
    header_row = len(titles)
    first_row = header_row + 1
    # Each sheet name in the summary links to that sheet (a hyperlink, no formula involved).
    links = {
        cell_ref(first_row + offset, len(columns) - 1): sheet
        for offset, (_name, _code, _count, sheet) in enumerate(rows)
        if sheet
    }
    layout = SheetLayout(
        name=name,
        header_row=header_row,
        last_row=header_row + len(rows),
        last_col=len(columns) - 1,
        widths=body.default_widths,
        links=links,
    )
    headers = [column.header for column in columns]
    return SheetPlan(layout, titles, headers, Style.HEADER)


def _result_validation(col: int, first_row: int, last_row: int) -> DataValidation:
    return DataValidation(
        col=col,
        first_row=first_row,
        last_row=last_row,
        values=FIELD_RESULTS,
        input_title=_("Field result"),
        input_message=_(
            "Choose one value from the list: sesuai (as listed), tidak sesuai (differs from the "
            "list), tidak ditemukan (not found), pindah (moved away), meninggal (deceased)."
        ),
        error_title=_("Invalid value"),
        error_message=_("Choose one value from the list."),
    )
