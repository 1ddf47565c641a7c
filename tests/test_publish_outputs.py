"""publish_marts on hand-made marts: the files, audit.duckdb, and the XLSX workbooks."""

from __future__ import annotations

import json
import logging

import duckdb
import openpyxl
import pytest
from test_publish_handmade_marts import (
    BUDI,
    FORMULA_NAME,
    KK_1,
    KK_2,
    RUN_ID,
    SITI,
    ZERO_NIK,
    make_marts,
)

from pipelines.i18n import _
from pipelines.publish import publish_marts
from pipelines.publish.columns import MART_TABLES
from pipelines.publish.formatting import using_language
from pipelines.publish.marts import select_sql
from pipelines.publish.publish import data_quality_rows_sql, rows_to_check_sql, write_workbooks
from pipelines.publish.regions import load_regions
from pipelines.publish.rule_texts import (
    DATA_QUALITY_ACTIONS,
    FIELD_RESULTS,
    programme_label,
    rule_title,
)
from pipelines.publish.sheets import prepare, source_types, with_region_names
from pipelines.publish.verification import (
    _result_validation,
    merge_person_rows,
    write_verification_workbooks,
)
from pipelines.publish.workbooks import (
    AppendedSheet,
    exclusion_columns,
    inclusion_columns,
    write_list_workbook,
)
from pipelines.publish.xlsx_cells import Column
from pipelines.rules.registry import RULES


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    marts_dir = tmp_path_factory.mktemp("out") / "marts"
    con = duckdb.connect()
    make_marts(con)
    summary = publish_marts(con, marts_dir, "id", RUN_ID)
    con.close()
    return summary


def test_publish_writes_every_file(published):
    files = set(published.files)
    marts_dir = published.marts_dir

    for table in MART_TABLES:
        assert f"{table}.parquet" in files
    for name in (
        "audit.duckdb",
        "inclusion_errors.xlsx",
        "exclusion_errors.xlsx",
        "laporan_bappeda.html",
        "publish.json",
    ):
        assert name in files
        assert (marts_dir / name).is_file()
    assert published.verification_workbooks == 2
    assert not published.has_previous


def test_manifest_names_run(published):
    manifest = json.loads((published.marts_dir / "publish.json").read_text(encoding="utf-8"))

    assert manifest["run_id"] == RUN_ID
    assert manifest["language"] == "id"
    assert manifest["table_rows"]["inclusion_errors"] == 3


def test_audit_db_opens_read_only(published):
    with duckdb.connect(str(published.marts_dir / "audit.duckdb"), read_only=True) as con:
        tables = {row[0] for row in con.execute("show tables").fetchall()}
        nik = con.execute("select nik from stg_register where name = ?", [FORMULA_NAME]).fetchall()[
            0
        ][0]
        runs = con.execute("select run_id from runs").fetchall()

    assert set(MART_TABLES) <= tables
    assert {"stg_register", "int_person_links", "int_families", "int_person_records"} <= tables
    assert nik == ZERO_NIK
    assert runs == [(RUN_ID,)]


def test_audit_db_keeps_desk_columns_only(published):
    with duckdb.connect(str(published.marts_dir / "audit.duckdb"), read_only=True) as con:
        register = {row[0] for row in con.execute("describe stg_register").fetchall()}
        records = {row[0] for row in con.execute("describe int_person_records").fetchall()}

    assert {"record_id", "nik", "name", "family_id", "address", "snapshot_date"} <= register
    assert "extra_column" not in register
    assert {"record_id", "source_kind", "nik", "name", "desa_code"} <= records


def test_audit_db_keeps_roster_records_whole(tmp_path):
    con = duckdb.connect()
    make_marts(con)
    con.execute(
        "create table roster_records as select 'r1' as record_id, 'P1' as person_id, "
        "'PKH' as programme, true as is_received, 'run-x' as run_id, 'NAMA' as name"
    )
    summary = publish_marts(con, tmp_path / "marts", "en", RUN_ID)
    con.close()

    with duckdb.connect(str(summary.marts_dir / "audit.duckdb"), read_only=True) as published:
        columns = {row[0] for row in published.execute("describe roster_records").fetchall()}
    assert {"run_id", "name", "is_received"} <= columns


def test_parquet_keeps_nik_text(published):
    rows = duckdb.sql(
        f"select nik from read_parquet('{published.marts_dir / 'inclusion_errors.parquet'}') "
        "order by nik"
    ).fetchall()

    assert rows[0][0] == ZERO_NIK


# The hand-made rule_status has one rule not evaluated, so every sheet gets one notice row
# under its title rows and the header rows (1-based) move down by one.
LIST_HEADER = 4
DESA_HEADER = 5


def _column(sheet, header_row, header):
    headers = [cell.value for cell in sheet[header_row]]
    return headers.index(header) + 1


def _first_cell(sheet, header_row, header):
    """Return the cell under `header` in the first body row."""
    return sheet.cell(row=header_row + 1, column=_column(sheet, header_row, header))


def test_inclusion_xlsx_nik_and_kk_are_text(published):
    workbook = openpyxl.load_workbook(published.marts_dir / "inclusion_errors.xlsx")

    # The hand-made mart has no ERROR codes, so the data-quality sheet has the header only.
    assert workbook.sheetnames == ["PKH", "BPNT", "PBI", "Kualitas data"]
    assert workbook["Kualitas data"].max_row == LIST_HEADER
    pbi = workbook["PBI"]
    nik_cell = _first_cell(pbi, LIST_HEADER, "NIK")
    kk_cell = _first_cell(pbi, LIST_HEADER, "No KK")
    name_cell = _first_cell(pbi, LIST_HEADER, "Nama")
    assert nik_cell.data_type == "s"
    assert nik_cell.value == ZERO_NIK
    assert nik_cell.number_format == "@"
    assert kk_cell.data_type == "s"
    assert kk_cell.value == KK_2
    assert kk_cell.number_format == "@"
    assert name_cell.data_type == "s"
    assert name_cell.value == FORMULA_NAME
    assert name_cell.quotePrefix


def test_inclusion_xlsx_amounts_are_numbers(published):
    sheet = openpyxl.load_workbook(published.marts_dir / "inclusion_errors.xlsx")["PKH"]
    cell = _first_cell(sheet, LIST_HEADER, "Rupiah berisiko per tahun")

    assert cell.value == 3_000_000
    assert cell.data_type == "n"


def test_inclusion_xlsx_evidence_and_confidence(published):
    sheet = openpyxl.load_workbook(published.marts_dir / "inclusion_errors.xlsx")["PBI"]
    evidence = _first_cell(sheet, LIST_HEADER, "Bukti")
    confidence = _first_cell(sheet, LIST_HEADER, "Tingkat keyakinan")

    assert evidence.value == (
        "PBI_NOT_ELIGIBLE: -Peserta PBI berada di desil 6 DTSEN, di atas batas PBI desil 5"
    )
    assert evidence.alignment.wrap_text
    assert confidence.value == 1
    assert confidence.data_type == "n"
    assert confidence.number_format == "0.00%"


def test_no_cell_is_a_formula(published):
    paths = [
        published.marts_dir / "inclusion_errors.xlsx",
        published.marts_dir / "exclusion_errors.xlsx",
        *sorted((published.marts_dir / "verifikasi").glob("*.xlsx")),
    ]
    for path in paths:
        for sheet in openpyxl.load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path.name}!{sheet.title}!{cell.coordinate}"


def test_exclusion_xlsx_head_nik_text(published):
    sheet = openpyxl.load_workbook(published.marts_dir / "exclusion_errors.xlsx")["PKH"]
    cell = _first_cell(sheet, LIST_HEADER, "NIK kepala keluarga")

    assert cell.data_type == "s"
    assert cell.value == "3325010505600004"
    assert cell.number_format == "@"


def test_verification_workbook_per_kecamatan(published):
    folder = published.marts_dir / "verifikasi"

    names = sorted(p.name for p in folder.glob("*.xlsx"))

    assert names == ["verifikasi_332501_Wonotunggal.xlsx", "verifikasi_332502_Bandar.xlsx"]


def test_verification_sheet_layout(published):
    workbook = openpyxl.load_workbook(
        published.marts_dir / "verifikasi" / "verifikasi_332501_Wonotunggal.xlsx"
    )
    assert workbook.sheetnames == ["Ringkasan", "Silurah"]
    sheet = workbook["Silurah"]
    headers = [cell.value for cell in sheet[DESA_HEADER]]

    assert sheet.freeze_panes == "A6"
    assert sheet.auto_filter.ref == "A5:M6"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$5:$5"
    assert headers[-2:] == ["Hasil verifikasi lapangan", "Catatan"]
    assert sheet.cell(row=DESA_HEADER + 1, column=2).value == BUDI
    assert sheet.cell(row=DESA_HEADER + 2, column=2).value is None
    assert sheet.cell(row=DESA_HEADER + 1, column=2).data_type == "s"
    assert sheet.cell(row=DESA_HEADER + 1, column=6).value == "BPNT, PKH"
    assert sheet.cell(row=DESA_HEADER + 1, column=3).value == KK_1
    assert sheet.column_dimensions["B"].width >= 18
    assert sheet.cell(row=DESA_HEADER + 1, column=5).value == "DUSUN KRAJAN, RT 003/RW 001"
    assert sheet.column_dimensions["G"].width >= 30
    assert sheet.cell(row=DESA_HEADER + 1, column=12).fill.fgColor.rgb == "FFFFF2CC"
    assert sheet.cell(row=DESA_HEADER + 1, column=13).fill.fgColor.rgb == "FFFFF2CC"
    assert sheet.cell(row=DESA_HEADER + 1, column=13).alignment.wrap_text
    assert sheet.cell(row=DESA_HEADER + 1, column=12).value is None


def test_verification_sheet_evidence_per_programme(published):
    sheet = openpyxl.load_workbook(
        published.marts_dir / "verifikasi" / "verifikasi_332501_Wonotunggal.xlsx"
    )["Silurah"]
    evidence = _first_cell(sheet, DESA_HEADER, "Bukti")
    confidence = _first_cell(sheet, DESA_HEADER, "Tingkat keyakinan")

    # BUDI is on PKH and BPNT, each with its own finding: both texts, one per line, and the
    # lower confidence of the two.
    assert evidence.value == (
        "DESIL_OUT_OF_RANGE: Desil DTSEN 7 di atas batas BPNT, yaitu desil 5\n"
        "DESIL_OUT_OF_RANGE: Desil DTSEN 7 di atas batas PKH, yaitu desil 4"
    )
    assert evidence.alignment.wrap_text
    assert confidence.value == pytest.approx(0.91)
    assert confidence.number_format == "0.00%"


def test_verification_result_validation(published):
    sheet = openpyxl.load_workbook(
        published.marts_dir / "verifikasi" / "verifikasi_332501_Wonotunggal.xlsx"
    )["Silurah"]
    validations = sheet.data_validations.dataValidation

    assert len(validations) == 1
    assert validations[0].type == "list"
    assert validations[0].formula1 == '"' + ",".join(FIELD_RESULTS) + '"'
    assert str(validations[0].sqref) == "L6"
    # The published fixture is Indonesian: the message lists the values without meanings.
    assert validations[0].prompt == (
        "Pilih satu nilai dari daftar: sesuai, tidak sesuai, tidak ditemukan, pindah atau "
        "meninggal."
    )


def test_result_values_explained_in_english():
    with using_language("en"):
        validation = _result_validation(11, 5, 9)

    assert validation.values == FIELD_RESULTS
    assert validation.input_message == (
        "Choose one value from the list: sesuai (as listed), tidak sesuai (differs from the "
        "list), tidak ditemukan (not found), pindah (moved away), meninggal (deceased)."
    )


def test_verification_summary_lists_every_desa(published):
    sheet = openpyxl.load_workbook(
        published.marts_dir / "verifikasi" / "verifikasi_332501_Wonotunggal.xlsx"
    )["Ringkasan"]
    rows = {row[0].value: row[2].value for row in sheet.iter_rows(min_row=DESA_HEADER + 1)}

    assert len(rows) == 15
    assert rows["Silurah"] == 1
    assert rows["Sodong"] == 0


def test_english_headers(tmp_path):
    con = duckdb.connect()
    make_marts(con)
    summary = publish_marts(con, tmp_path / "marts", "en", RUN_ID)
    sheet = openpyxl.load_workbook(summary.marts_dir / "inclusion_errors.xlsx")["PKH"]
    desa_sheet = openpyxl.load_workbook(
        summary.marts_dir / "verifikasi" / "verifikasi_332501_Wonotunggal.xlsx"
    )["Silurah"]
    desa_headers = [cell.value for cell in desa_sheet[DESA_HEADER]]

    assert [cell.value for cell in sheet[LIST_HEADER]][:4] == ["Programme", "NIK", "No KK", "Name"]
    assert SITI not in [cell.value for cell in sheet["B"]]
    assert _first_cell(sheet, LIST_HEADER, "Evidence").value == (
        "DESIL_OUT_OF_RANGE: DTSEN desil 7 is above the PKH threshold of desil 4"
    )
    assert _first_cell(sheet, LIST_HEADER, "Confidence").value == pytest.approx(0.97)
    assert {"Evidence", "Confidence", "Source"} <= set(desa_headers)
    assert desa_headers[-2:] == ["Field result", "Notes"]


def test_verification_summary_links_sheets(published):
    sheet = openpyxl.load_workbook(
        published.marts_dir / "verifikasi" / "verifikasi_332501_Wonotunggal.xlsx"
    )["Ringkasan"]
    linked = {
        row[0].value: row[3].hyperlink.location
        for row in sheet.iter_rows(min_row=DESA_HEADER + 1)
        if row[3].value
    }

    assert linked == {"Silurah": "'Silurah'!A1"}


def test_long_programme_continues_on_next_sheet(tmp_path, con):
    con.execute(
        "create table rows as select 'PBI' as programme, '33250100000000' || lpad(n::varchar, 2, "
        "'0') as nik from range(5) as t(n)"
    )
    prepare(con, load_regions())
    columns = [Column("NIK", "nik")]

    sheets = write_list_workbook(
        con, tmp_path / "long.xlsx", "T", "S", columns, "select * from rows", "nik",
        max_rows_per_sheet=2,
    )
    workbook = openpyxl.load_workbook(tmp_path / "long.xlsx")

    assert sheets == 3
    assert workbook.sheetnames == ["PBI", "PBI (2)", "PBI (3)"]
    assert workbook["PBI (3)"]["A4"].value == "3325010000000004"
    assert workbook["PBI (2)"]["A4"].value == "3325010000000002"
    assert workbook["PBI (2)"].auto_filter.ref == "A3:A5"


def _inclusion_table(con, rows):
    """Create table `inclusion` from dicts with some of the inclusion_errors columns."""
    columns = [
        "kecamatan_code", "desa_code", "person_id", "nik", "no_kk", "name", "programme",
        "rule_codes", "source_file", "source_sheet", "source_row",
    ]
    con.execute(
        "create or replace table inclusion (kecamatan_code varchar, desa_code varchar, "
        "person_id varchar, nik varchar, no_kk varchar, name varchar, programme varchar, "
        "rule_codes varchar, source_file varchar, source_sheet varchar, source_row integer, "
        "address varchar, rt varchar, rw varchar)"
    )
    for row in rows:
        con.execute(
            f"insert into inclusion ({', '.join(columns)}) values "
            f"({', '.join('?' for _ in columns)})",
            [row.get(column) for column in columns],
        )


def test_merge_person_rows_one_row_per_person(con):
    _inclusion_table(
        con,
        [
            {
                "kecamatan_code": "332501",
                "desa_code": "3325012001",
                "person_id": "P1",
                "nik": BUDI,
                "name": "BUDI",
                "programme": programme,
                "rule_codes": codes,
                "source_file": file,
                "source_sheet": "",
                "source_row": row,
            }
            for programme, codes, file, row in [
                ("PKH", "DESIL_OUT_OF_RANGE", "pkh.xlsx", 5),
                ("BPNT", "DESIL_OUT_OF_RANGE,DECEASED_RECIPIENT", "bpnt.csv", 7),
            ]
        ],
    )
    prepare(con, load_regions())

    merge_person_rows(con, "select * from inclusion")
    merged = con.execute(
        "select programme_text, codes, source_text from xlsx_verification_rows"
    ).fetchall()

    assert len(merged) == 1
    assert merged[0][0] == "BPNT, PKH"
    assert merged[0][1] == ["DECEASED_RECIPIENT", "DESIL_OUT_OF_RANGE"]
    assert merged[0][2] == "bpnt.csv, baris 7; pkh.xlsx, baris 5"


def test_evidence_starting_like_formula_stays_text(tmp_path, con):
    evidence = '=HYPERLINK("http://x","klik")'
    con.execute(
        "create table inclusion_errors as select 'PKH' as programme, 'p1' as person_id, "
        "'3325010101900001' as nik, '3325010101900002' as no_kk, 'ADI' as name, "
        "'332501' as kecamatan_code, '3325012001' as desa_code, "
        "['PKH_NO_COMPONENT'] as rule_codes, 'FLAG' as severity, "
        "[?] as evidence_items_id, ['PKH_NO_COMPONENT: +62 812'] as evidence_items, "
        "0.5 as confidence, 'pkh.xlsx' as source_file, 'Kec. Wonotunggal' as source_sheet, "
        "5 as source_row, 250000 as monthly_idr_at_risk",
        [evidence],
    )
    prepare(con, load_regions())
    inclusion = select_sql(con, "inclusion_errors", MART_TABLES["inclusion_errors"])
    source = with_region_names(inclusion)
    write_list_workbook(
        con, tmp_path / "list.xlsx", "T", "S", inclusion_columns(source_types(con, source)),
        source, "nik",
    )
    paths = write_verification_workbooks(con, inclusion, tmp_path, load_regions(), "run-1")

    listed = openpyxl.load_workbook(tmp_path / "list.xlsx")["PKH"]
    desa = openpyxl.load_workbook(paths[0])["Silurah"]
    for sheet, header_row in ((listed, 3), (desa, 4)):
        cell = sheet.cell(row=header_row + 1, column=_column(sheet, header_row, "Bukti"))
        assert cell.value == evidence, sheet.title
        assert cell.data_type == "s", sheet.title
        assert cell.quotePrefix, sheet.title


def test_run_record_carries_publish_seconds(published):
    con = duckdb.connect(str(published.marts_dir / "audit.duckdb"), read_only=True)
    stage_seconds = con.execute("select stage_seconds from runs").fetchall()[0][0]
    con.close()
    parquet = duckdb.sql(
        f"select stage_seconds from '{published.marts_dir / 'runs.parquet'}'"
    ).fetchall()[0][0]

    assert json.loads(stage_seconds)["publish"] >= 0
    assert json.loads(parquet) == json.loads(stage_seconds)


def test_verification_sheet_without_desa(tmp_path, con):
    row = {
        "kecamatan_code": "332501", "desa_code": None, "person_id": "p1",
        "nik": "3325010101900001", "no_kk": "3325010101900002", "name": "ADI",
        "programme": "PKH", "rule_codes": "WILAYAH_INVALID", "source_file": "pkh.xlsx",
        "source_sheet": "Kec. Wonotunggal", "source_row": 5,
    }
    _inclusion_table(con, [row])
    prepare(con, load_regions())
    paths = write_verification_workbooks(
        con, "select * from inclusion", tmp_path, load_regions(), "run-1"
    )

    sheets = openpyxl.load_workbook(paths[0], read_only=True).sheetnames
    assert sheets == ["Ringkasan", "Desa tidak valid"]


def test_lists_skip_rows_without_flag_or_warn(con):
    con.execute(
        """create table inclusion_errors as select * from (values
            ('PKH', '3325010101800001', 'SITI', '332501', '3325012001',
                ['DECEASED_RECIPIENT'], [], ['DEFAULT_DOB'], 150000),
            ('PKH', '3325010101800002', 'BUDI', '332501', '3325012001',
                [], ['PKH_NO_COMPONENT'], [], 0),
            ('PKH', '3325010101800003', 'ANI', '332501', '3325012001',
                [], [], ['DEFAULT_DOB'], 0)
        ) as t(programme, nik, name, kecamatan_code, desa_code, flag_rule_codes,
            warn_rule_codes, other_rule_codes, monthly_idr_at_risk)"""
    )
    inclusion = select_sql(con, "inclusion_errors", MART_TABLES["inclusion_errors"])

    rows = con.execute(f"select name, rule_codes from ({rows_to_check_sql(con, inclusion)})")

    assert sorted(rows.fetchall()) == [
        ("BUDI", ["PKH_NO_COMPONENT"]),
        ("SITI", ["DECEASED_RECIPIENT"]),
    ]


@pytest.mark.parametrize(
    ("language", "expected"), [("id", "tanpa program tertentu"), ("en", "no single programme")]
)
def test_programme_all_has_a_label(language, expected):
    with using_language(language):
        assert programme_label("ALL") == expected
        assert programme_label("PKH") == "PKH"
        assert programme_label(None) == "-"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("id", "desil 1 (batas program 5), komponen PKH: 4, menerima: tidak ada program"),
        ("en", "desil 1 (programme limit 5), PKH components: 4, receives: no programme"),
    ],
)
def test_exclusion_reason_in_run_language(con, language, expected):
    con.execute(
        "create table exclusion_errors as select 'F1' as family_id, '3325010101100001' as no_kk, "
        "'332501' as kecamatan_code, '3325012001' as desa_code, 1 as desil, "
        "5 as desil_threshold, 4 as pkh_components, []::varchar[] as programmes_received"
    )

    with using_language(language):
        sql = select_sql(con, "exclusion_errors", MART_TABLES["exclusion_errors"])
        reason = con.execute(f"select reason from ({sql})").fetchall()

    assert reason == [(expected,)]


def test_publish_without_register(tmp_path):
    con = duckdb.connect()
    make_marts(con)
    con.execute("drop table stg_register")

    summary = publish_marts(con, tmp_path / "marts", "en", RUN_ID)
    con.close()

    with duckdb.connect(str(summary.marts_dir / "audit.duckdb"), read_only=True) as published:
        tables = {row[0] for row in published.execute("show tables").fetchall()}
    assert "stg_register" not in tables
    assert "fct_findings" in tables


def test_publish_warns_without_verification_workbook(tmp_path, caplog):
    con = duckdb.connect()
    make_marts(con)
    con.execute("delete from inclusion_errors")

    with caplog.at_level(logging.WARNING, logger="pipelines.publish"):
        summary = publish_marts(con, tmp_path / "marts", "en", RUN_ID)

    assert summary.verification_workbooks == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    expected = (
        "verifikasi/ has no workbook: no recipient of the period has a finding to check in the "
        "field (FLAG or WARN)"
    )
    assert expected in warnings


# A PKH recipient whose roster NIK lacks its last digit, with a FLAG code, COMPLAINT_LINK as both a
# WARN and an INFO code, and NIK_FORMAT (ERROR) and DEFAULT_DOB (INFO).
SHORT_NIK = "332501010190000"
INVALID_NIK_EVIDENCE = {
    "en": "NIK_FORMAT: NIK has 15 digits after removing separators; 16 are required",
    "id": "NIK_FORMAT: NIK berisi 15 digit setelah pemisah dihapus; seharusnya 16 digit",
}


def _invalid_nik_mart(con):
    con.execute(
        "create table inclusion_errors as select 'PKH' as programme, 'p1' as person_id, "
        "null::varchar as nik, ? as nik_raw, '3325010101900002' as no_kk, 'ADI' as name, "
        "'332501' as kecamatan_code, '3325012001' as desa_code, "
        "['DESIL_OUT_OF_RANGE'] as flag_rule_codes, ['COMPLAINT_LINK'] as warn_rule_codes, "
        "['COMPLAINT_LINK', 'DEFAULT_DOB', 'NIK_FORMAT'] as other_rule_codes, "
        "['DESIL_OUT_OF_RANGE: DTSEN desil 8 is above the PKH threshold of desil 4', "
        "'DEFAULT_DOB: Birth date 01-01-1990 is a default date', ?] as evidence_items, "
        "['DESIL_OUT_OF_RANGE: Desil DTSEN 8 di atas batas PKH, yaitu desil 4', "
        "'DEFAULT_DOB: Tanggal lahir 01-01-1990 adalah tanggal bawaan', ?] "
        "as evidence_items_id, 0.9 as confidence, 'pkh.xlsx' as source_file, "
        "'Kec. Wonotunggal' as source_sheet, 5 as source_row, 250000 as monthly_idr_at_risk",
        [SHORT_NIK, INVALID_NIK_EVIDENCE["en"], INVALID_NIK_EVIDENCE["id"]],
    )


def _body_row(sheet, header_row):
    """Return the first body row of `sheet` as a dict keyed by header."""
    headers = [cell.value for cell in sheet[header_row]]
    values = [cell.value for cell in sheet[header_row + 1]]
    return dict(zip(headers, values, strict=True))


@pytest.mark.parametrize(
    ("language", "codes_header", "evidence_header"),
    [("id", "Kode aturan", "Bukti"), ("en", "Rule codes", "Evidence")],
)
def test_workbooks_show_invalid_nik_and_its_code(
    tmp_path, con, language, codes_header, evidence_header
):
    _invalid_nik_mart(con)
    with using_language(language):
        prepare(con, load_regions())
        inclusion = rows_to_check_sql(
            con, select_sql(con, "inclusion_errors", MART_TABLES["inclusion_errors"])
        )
        source = with_region_names(inclusion)
        write_list_workbook(
            con, tmp_path / "list.xlsx", "T", "S",
            inclusion_columns(source_types(con, source)), source, "nik",
        )
        paths = write_verification_workbooks(con, inclusion, tmp_path, load_regions(), "run-1")

    listed = _body_row(openpyxl.load_workbook(tmp_path / "list.xlsx")["PKH"], 3)
    desa = _body_row(openpyxl.load_workbook(paths[0])["Silurah"], 4)
    assert listed["NIK"] == SHORT_NIK
    assert desa["NIK"] == SHORT_NIK
    # The list workbook gives FLAG, then WARN, then the other codes. The desa sheet sorts them.
    assert listed[codes_header] == "DESIL_OUT_OF_RANGE, COMPLAINT_LINK, DEFAULT_DOB, NIK_FORMAT"
    assert desa[codes_header] == "COMPLAINT_LINK, DEFAULT_DOB, DESIL_OUT_OF_RANGE, NIK_FORMAT"
    assert INVALID_NIK_EVIDENCE[language] in listed[evidence_header].split("\n")
    assert INVALID_NIK_EVIDENCE[language] in desa[evidence_header].split("\n")


def test_verification_lists_every_nik_of_person(con):
    rows = [
        {"nik": BUDI, "programme": "BPNT", "source_row": 7},
        {"nik": None, "programme": "PKH", "source_row": 5},
    ]
    _inclusion_table(
        con,
        [
            {
                "kecamatan_code": "332501", "desa_code": "3325012001", "person_id": "P1",
                "name": "BUDI", "rule_codes": "DESIL_OUT_OF_RANGE", "source_file": "x.csv",
                **row,
            }
            for row in rows
        ],
    )
    con.execute("alter table inclusion add column nik_raw varchar")
    con.execute("update inclusion set nik_raw = coalesce(nik, ?)", [SHORT_NIK])
    prepare(con, load_regions())

    merge_person_rows(con, "select * from inclusion")
    merged = con.execute("select nik_text from xlsx_verification_rows").fetchall()

    assert merged == [(f"{BUDI}; {SHORT_NIK}",)]


def test_exclusion_xlsx_shows_invalid_head_nik(tmp_path, con):
    con.execute(
        "create table exclusion_errors as select 'PKH' as programme, 'F1' as family_id, "
        "'3325010101100001' as no_kk, null::varchar as head_nik, ? as head_nik_raw, "
        "'ADI' as head_name, '332501' as kecamatan_code, '3325012001' as desa_code, "
        "2 as desil, 4 as desil_threshold, 1 as pkh_components, "
        "[]::varchar[] as programmes_received",
        [SHORT_NIK],
    )
    prepare(con, load_regions())
    source = with_region_names(
        select_sql(con, "exclusion_errors", MART_TABLES["exclusion_errors"])
    )
    write_list_workbook(
        con, tmp_path / "exclusion.xlsx", "T", "S",
        exclusion_columns(source_types(con, source)), source, "family_id",
    )

    row = _body_row(openpyxl.load_workbook(tmp_path / "exclusion.xlsx")["PKH"], 3)
    assert row["NIK kepala keluarga"] == SHORT_NIK


# Recipients of a hand-made inclusion_errors mart for the data-quality sheet. ADI and the PBI
# member whose name starts like a formula have ERROR codes and no FLAG or WARN code, and ADI also
# has an INFO code. SRI has only an INFO code. BUDI has a FLAG code besides an ERROR code.
FORMULA_LIKE_NAME = "=SUM(1)"
BAD_KK = "332502010190001"
KK_EVIDENCE = {
    "en": "KK_FORMAT: No KK has 15 digits; 16 are required",
    "id": "KK_FORMAT: No KK berisi 15 digit; seharusnya 16 digit",
}
DATA_QUALITY_SHEET = {"id": "Kualitas data", "en": "Data quality"}
DATA_QUALITY_HEADERS = {
    "id": [
        "Program", "NIK", "No KK", "Nama", "Kecamatan", "Desa/Kelurahan", "Kode aturan",
        "Temuan", "Bukti", "Tindak lanjut", "Berkas sumber", "Sheet", "Baris",
    ],
    "en": [
        "Programme", "NIK", "No KK", "Name", "Kecamatan", "Desa/Kelurahan", "Rule codes",
        "Findings", "Evidence", "What to do", "Source file", "Sheet", "Row",
    ],
}


def _data_quality_mart(con):
    """Replace inclusion_errors with the four recipients described above."""
    con.execute(
        """create or replace table inclusion_errors as select * from (values
            ('PKH', 'p1', null, $short_nik, '3325010101900002', 'ADI', '332501', '3325012001',
                []::varchar[], []::varchar[], ['DEFAULT_DOB', 'NIK_FORMAT'],
                ['DEFAULT_DOB: Birth date 01-01-1990 is a default date', $nik_en],
                ['DEFAULT_DOB: Tanggal lahir 01-01-1990 adalah tanggal bawaan', $nik_id],
                'pkh.xlsx', 'Kec. Wonotunggal', 5, 0),
            ('PBI', 'p2', '3325020101900003', '3325020101900003', $bad_kk, $formula_name,
                '332502', '3325022001', []::varchar[], []::varchar[], ['KK_FORMAT'],
                [$kk_en], [$kk_id], 'pbi.xlsx', 'Sheet1', 9, 0),
            ('BPNT', 'p3', '3325010101900004', '3325010101900004', '3325010101900005', 'SRI',
                '332501', '3325012001', []::varchar[], []::varchar[], ['DEFAULT_DOB'],
                ['DEFAULT_DOB: Birth date 01-01-1990 is a default date'],
                ['DEFAULT_DOB: Tanggal lahir 01-01-1990 adalah tanggal bawaan'],
                'bpnt.csv', '', 7, 0),
            ('PKH', 'p4', '3325010101900006', '3325010101900006', '332501010190007', 'BUDI',
                '332501', '3325012001', ['DESIL_OUT_OF_RANGE'], []::varchar[], ['KK_FORMAT'],
                ['DESIL_OUT_OF_RANGE: DTSEN desil 8 is above the PKH threshold of desil 4',
                    $kk_en],
                ['DESIL_OUT_OF_RANGE: Desil DTSEN 8 di atas batas PKH, yaitu desil 4', $kk_id],
                'pkh.xlsx', 'Kec. Wonotunggal', 6, 250000)
        ) as t(programme, person_id, nik, nik_raw, no_kk, name, kecamatan_code, desa_code,
            flag_rule_codes, warn_rule_codes, other_rule_codes, evidence_items,
            evidence_items_id, source_file, source_sheet, source_row, monthly_idr_at_risk)""",
        {
            "short_nik": SHORT_NIK,
            "nik_en": INVALID_NIK_EVIDENCE["en"],
            "nik_id": INVALID_NIK_EVIDENCE["id"],
            "bad_kk": BAD_KK,
            "formula_name": FORMULA_LIKE_NAME,
            "kk_en": KK_EVIDENCE["en"],
            "kk_id": KK_EVIDENCE["id"],
        },
    )


@pytest.fixture(scope="module", params=["id", "en"])
def data_quality_workbook(request, tmp_path_factory):
    """inclusion_errors.xlsx of the data-quality mart in one language, and that language."""
    folder = tmp_path_factory.mktemp(f"data_quality_{request.param}")
    con = duckdb.connect()
    make_marts(con)
    _data_quality_mart(con)
    with using_language(request.param):
        write_workbooks(con, folder, load_regions(), RUN_ID)
    con.close()
    return openpyxl.load_workbook(folder / "inclusion_errors.xlsx"), request.param


def _body_rows(sheet, header_row):
    """Return the body rows of `sheet` as dicts keyed by header."""
    headers = [cell.value for cell in sheet[header_row]]
    return [
        dict(zip(headers, (cell.value for cell in row), strict=True))
        for row in sheet.iter_rows(min_row=header_row + 1)
    ]


def test_data_quality_sheet_follows_programme_sheets(data_quality_workbook):
    workbook, language = data_quality_workbook
    sheet = workbook[DATA_QUALITY_SHEET[language]]

    assert workbook.sheetnames == ["PKH", DATA_QUALITY_SHEET[language]]
    assert [cell.value for cell in sheet[LIST_HEADER]] == DATA_QUALITY_HEADERS[language]
    assert sheet["A1"].value.endswith(" - " + DATA_QUALITY_SHEET[language])


def test_data_quality_sheet_lists_error_only_rows(data_quality_workbook):
    workbook, language = data_quality_workbook
    headers = DATA_QUALITY_HEADERS[language]
    rows = _body_rows(workbook[DATA_QUALITY_SHEET[language]], LIST_HEADER)
    adi = rows[0]

    # Sorted by kecamatan first: ADI (332501) comes before the PBI member (332502).
    assert [row[headers[3]] for row in rows] == ["ADI", FORMULA_LIKE_NAME]
    assert adi[headers[0]] == "PKH"
    assert adi[headers[1]] == SHORT_NIK
    assert adi[headers[2]] == "3325010101900002"
    assert adi[headers[4]] == "Wonotunggal"
    assert adi[headers[5]] == "Silurah"
    # Only the ERROR code is shown: DEFAULT_DOB is an INFO code.
    assert adi[headers[6]] == "NIK_FORMAT"
    with using_language(language):
        title = rule_title("NIK_FORMAT")
        action = _(DATA_QUALITY_ACTIONS["NIK_FORMAT"])
    assert adi[headers[7]] == title
    assert adi[headers[8]] == INVALID_NIK_EVIDENCE[language]
    assert adi[headers[9]] == action
    assert (adi[headers[10]], adi[headers[11]], adi[headers[12]]) == (
        "pkh.xlsx", "Kec. Wonotunggal", 5,
    )
    assert rows[1][headers[0]] == "PBI"
    assert rows[1][headers[2]] == BAD_KK
    assert rows[1][headers[8]] == KK_EVIDENCE[language]


def test_data_quality_sheet_omits_info_and_flag(data_quality_workbook):
    workbook, language = data_quality_workbook
    name_header = DATA_QUALITY_HEADERS[language][3]
    listed = [row[name_header] for row in _body_rows(workbook["PKH"], LIST_HEADER)]
    checked = [
        row[name_header]
        for row in _body_rows(workbook[DATA_QUALITY_SHEET[language]], LIST_HEADER)
    ]

    assert "SRI" not in checked
    assert "BUDI" not in checked
    # BUDI is on the programme sheet with all his codes, and SRI on no sheet.
    assert listed == ["BUDI"]


def test_data_quality_sheet_cells_and_layout(data_quality_workbook):
    workbook, language = data_quality_workbook
    sheet = workbook[DATA_QUALITY_SHEET[language]]
    first, second = LIST_HEADER + 1, LIST_HEADER + 2

    for row in (first, second):
        for column in (2, 3):
            cell = sheet.cell(row=row, column=column)
            assert cell.data_type == "s", cell.coordinate
            assert cell.number_format == "@", cell.coordinate
    name = sheet.cell(row=second, column=4)
    assert name.value == FORMULA_LIKE_NAME
    assert name.data_type == "s"
    assert name.quotePrefix
    assert sheet.freeze_panes == f"A{first}"
    assert sheet.auto_filter.ref == f"A{LIST_HEADER}:M{second}"
    assert sheet.cell(row=first, column=10).alignment.wrap_text


def test_data_quality_rows_need_an_error_code(con):
    _data_quality_mart(con)
    con.execute(
        "insert into inclusion_errors (programme, person_id, name, flag_rule_codes, "
        "warn_rule_codes, other_rule_codes) values "
        "('PKH', 'p5', 'TONO', [], ['NIK_STRUCTURE'], ['NIK_STRUCTURE']), "
        "('PKH', 'p6', 'WATI', [], [], ['COMPLAINT_LINK', 'STALE_RECORD'])"
    )
    inclusion = select_sql(con, "inclusion_errors", MART_TABLES["inclusion_errors"])

    names = con.execute(f"select name from ({data_quality_rows_sql(con, inclusion)})")

    assert sorted(row[0] for row in names.fetchall()) == [FORMULA_LIKE_NAME, "ADI"]


def test_no_rule_gives_error_and_info():
    # The data-quality sheet separates ERROR from INFO codes in other_rule_codes by the rule.
    both = [rule.code for rule in RULES if {"ERROR", "INFO"} <= set(rule.severities)]

    assert both == []


def test_appended_sheet_continues_on_next_sheet(tmp_path, con):
    con.execute(
        "create table rows as select 'PBI' as programme, '33250100000000' || lpad(n::varchar, 2, "
        "'0') as nik from range(3) as t(n)"
    )
    prepare(con, load_regions())
    appended = AppendedSheet("Extra", [Column("NIK", "nik", "id")], "select * from rows", "nik")

    sheets = write_list_workbook(
        con, tmp_path / "long.xlsx", "T", "S", [Column("Programme", "programme")],
        "select * from rows where nik < '3325010000000001'", "nik",
        max_rows_per_sheet=2, appended=[appended],
    )
    workbook = openpyxl.load_workbook(tmp_path / "long.xlsx")

    assert sheets == 3
    assert workbook.sheetnames == ["PBI", "Extra", "Extra (2)"]
    assert workbook["PBI"]["A4"].value == "PBI"
    assert workbook["Extra"]["A3"].value == "NIK"
    assert workbook["Extra"]["A5"].value == "3325010000000001"
    assert workbook["Extra (2)"]["A4"].value == "3325010000000002"
    assert workbook["Extra (2)"].auto_filter.ref == "A3:A4"
