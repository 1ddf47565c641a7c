"""Hand-made mart tables shared by the publish and desk tests, and checks of their shape.

Two families in two desa of Wonotunggal (332501) and one PBI member in Bandar (332502). Names
include texts that start like spreadsheet formulas, and one NIK starts with zeros, so the
outputs must keep them as text.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines.publish.columns import DESK_TABLES, MART_TABLES
from pipelines.publish.marts import MissingMartError, check_tables

RUN_ID = "run-2026-12-04-a"

# The head of family 1 receives PKH and BPNT; his desil is 7, above both thresholds.
SITI = "3325014507850001"  # family 1, wife
BUDI = "3325011203800002"  # family 1, head, PKH + BPNT recipient
ANAK = "3325010101100003"  # family 1, child
FORMULA_NAME = '=HYPERLINK("x","klik")'
ZERO_NIK = "0000123456789012"  # PBI member whose NIK starts with zeros
KK_1 = "3325010101050001"
KK_2 = "3325020202060002"
KK_3 = "3325010303070003"

REGISTER = [
    # record_id, nik, no_kk, name, birth_date, sex, desa_code, family_id, desil, relationship
    (
        "register:1::2",
        BUDI,
        KK_1,
        "BUDI SANTOSO",
        dt.date(1980, 3, 12),
        "L",
        "3325012001",
        "F1",
        7,
        "KEPALA KELUARGA",
    ),
    (
        "register:1::3",
        SITI,
        KK_1,
        "SITI AMINAH",
        dt.date(1985, 7, 5),
        "P",
        "3325012001",
        "F1",
        7,
        "ISTRI",
    ),
    (
        "register:1::4",
        ANAK,
        KK_1,
        "+62 ANAK",
        dt.date(2010, 1, 1),
        "L",
        "3325012001",
        "F1",
        7,
        "ANAK",
    ),
    (
        "register:1::5",
        "3325010505600004",
        KK_3,
        "SAINEM",
        dt.date(1960, 5, 5),
        "P",
        "3325012002",
        "F3",
        1,
        "KEPALA KELUARGA",
    ),
    (
        "register:1::6",
        ZERO_NIK,
        KK_2,
        FORMULA_NAME,
        dt.date(1970, 2, 2),
        "P",
        "3325022001",
        "F2",
        6,
        "KEPALA KELUARGA",
    ),
]


def make_marts(con: duckdb.DuckDBPyConnection, run_id: str = RUN_ID) -> None:
    """Create every table publish_marts reads, with a few hand-written rows."""
    _make_register(con)
    _make_links(con)
    _make_findings(con, run_id)
    _make_marts(con)
    _make_run_tables(con, run_id)


def _make_register(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "create or replace table stg_register (record_id varchar, nik varchar, no_kk varchar, "
        "name varchar, birth_date date, sex varchar, desa_code varchar, family_id varchar, "
        "desil integer, relationship varchar, kecamatan_code varchar, address varchar, rt varchar, "
        "rw varchar, is_padan_dukcapil boolean, snapshot_date date, extra_column varchar)"
    )
    for row in REGISTER:
        con.execute(
            "insert into stg_register values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'DUSUN KRAJAN', "
            "'003', '001', true, date '2026-11-18', 'ignored')",
            [*row, row[6][:6]],
        )


def _make_links(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "create or replace table int_person_records as "
        "select record_id, 'register' as source_kind, nik, no_kk, name, birth_date, sex, "
        "desa_code, "
        "desa_code[:6] as kecamatan_code from stg_register"
    )
    con.execute(
        "insert into int_person_records values "
        f"('pkh:2:Kec. Wonotunggal:5', 'pkh', '{BUDI}', '{KK_1}', 'BUDI SANTOSO', null, null, "
        "'3325012001', '332501'), "
        f"('bpnt:3::7', 'bpnt', '{BUDI}', '{KK_1}', 'BUDI SANTOSO', null, null, '3325012001', "
        "'332501'), "
        f"('pbi:4:PBI:2', 'pbi', '{ZERO_NIK}', null, 'ENDANG', date '1970-02-02', 'P', "
        "'3325022001', '332502')"
    )
    con.execute(
        "create or replace table int_person_links as "
        "select record_id, 'P-' || nik as person_id, 1 as cluster_size from int_person_records"
    )
    con.execute(
        "create or replace table int_families as "
        "select 'P-' || nik as person_id, family_id, no_kk, relationship from stg_register"
    )


def _make_findings(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    con.execute(
        "create or replace table fct_findings (finding_id varchar, run_id varchar, "
        "rule_code varchar, severity varchar, programme varchar, period varchar, "
        "person_id varchar, family_id varchar, record_id varchar, nik varchar, no_kk varchar, "
        "name varchar, kecamatan_code varchar, desa_code varchar, evidence varchar, "
        "evidence_id varchar, source_file varchar, source_sheet varchar, source_row integer, "
        "confidence double)"
    )
    rows = [
        (
            "F-1",
            "DESIL_OUT_OF_RANGE",
            "FLAG",
            "PKH",
            BUDI,
            "DTSEN desil 7 is above the PKH threshold of desil 4",
            "Desil DTSEN 7 di atas batas PKH, yaitu desil 4",
            "pkh_tahap4_2026.xlsx",
            "Kec. Wonotunggal",
            5,
            0.97,
        ),
        (
            "F-2",
            "DESIL_OUT_OF_RANGE",
            "FLAG",
            "BPNT",
            BUDI,
            "DTSEN desil 7 is above the BPNT threshold of desil 5",
            "Desil DTSEN 7 di atas batas BPNT, yaitu desil 5",
            "bpnt_bnba_tahap4_2026.csv",
            "",
            7,
            0.91,
        ),
        (
            "F-3",
            "PBI_NOT_ELIGIBLE",
            "FLAG",
            "PBI",
            ZERO_NIK,
            "-PBI member in DTSEN desil 6, above the PBI threshold of desil 5",
            "-Peserta PBI berada di desil 6 DTSEN, di atas batas PBI desil 5",
            "pbi_jkn_202611.xlsx",
            "PBI",
            2,
            1.0,
        ),
        (
            "F-4",
            "DEFAULT_DOB",
            "INFO",
            "ALL",
            ANAK,
            "Birth date 01-01-2010 is a default date",
            "Tanggal lahir 01-01-2010 adalah tanggal bawaan",
            "dtsen_batang_202611.csv",
            "",
            4,
            1.0,
        ),
    ]
    # The last six values of a row are evidence, evidence_id, source file, sheet, row and
    # confidence, in the order of the table's columns.
    for finding_id, rule, severity, programme, nik, *evidence_and_source in rows:
        register = next(r for r in REGISTER if r[1] == nik)
        con.execute(
            "insert into fct_findings values (?, ?, ?, ?, ?, '2026-T4', ?, ?, null, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?)",
            [
                finding_id,
                run_id,
                rule,
                severity,
                programme,
                "P-" + nik,
                register[7],
                nik,
                register[2],
                register[3],
                register[6][:6],
                register[6],
                *evidence_and_source,
            ],
        )


def _make_marts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "create or replace table inclusion_errors as "
        "select programme, person_id, family_id, nik, no_kk, name, kecamatan_code, desa_code, "
        "rule_code as rule_codes, severity, 3 as months_at_risk, "
        "case programme when 'PKH' then 250000 when 'BPNT' then 200000 else 42000 end "
        "as idr_at_risk_month, "
        "12 * case programme when 'PKH' then 250000 when 'BPNT' then 200000 else 42000 end "
        "as idr_at_risk_year, source_file, source_sheet, source_row, "
        "[rule_code || ': ' || evidence] as evidence_items, "
        "[rule_code || ': ' || evidence_id] as evidence_items_id, confidence, "
        "'extra' as later_column, "
        "'DUSUN KRAJAN' as address, '003' as rt, '001' as rw "
        "from fct_findings where severity = 'FLAG'"
    )
    con.execute(
        "create or replace table exclusion_errors as "
        "select family_id, no_kk, nik as head_nik, name as head_name, desil, 'PKH' as programme, "
        "'Desil 1, padan Dukcapil, tidak menerima program' as reason, kecamatan_code, desa_code "
        "from stg_register where family_id = 'F3'"
    )
    con.execute(
        "create or replace table summary_rates as select * from (values "
        "('PKH', '332501', '3325012001', 1, 1, 1.0, 0, 250000, 3000000), "
        "('BPNT', '332501', '3325012001', 1, 1, 1.0, 0, 200000, 2400000), "
        "('PKH', '332501', '3325012002', 0, 0, null, 1, 0, 0), "
        "('PBI', '332502', '3325022001', 1, 1, 1.0, 0, 42000, 504000), "
        "('ALL', '332501', null, 2, 2, 1.0, 1, 450000, 5400000)"
        ") as t(programme, kecamatan_code, desa_code, recipients, flagged, inclusion_error_rate, "
        "exclusion_candidates, idr_at_risk_month, idr_at_risk_year)"
    )
    con.execute(
        "create or replace table complaint_results as select "
        "'CMP-1' as complaint_id, 'P-' || nik as person_id, family_id, nik, no_kk, name, "
        "date '2026-10-20' as complaint_date, 'Cek Bansos' as channel, "
        "'sanggahan' as complaint_type, "
        "'PKH' as programme_requested, 'diterima' as complaint_status, true as is_overdue, "
        "'tidak layak: Verifikasi lapangan oleh pendamping PKH' as pre_verified_status, "
        "'Verifikasi lapangan oleh pendamping PKH' as next_step, kecamatan_code, desa_code "
        f"from stg_register where nik = '{BUDI}'"
    )
    con.execute(
        "create or replace table rule_status as select * from (values "
        "('DESIL_OUT_OF_RANGE', true, null, 2), ('PBI_NOT_ELIGIBLE', true, null, 1), "
        "('DEFAULT_DOB', true, null, 1), ('WAGE_ABOVE_UMK', false, 'no BPJS-TK wage extract', 0)"
        ") as t(rule_code, is_evaluated, not_evaluated_reason, findings)"
    )
    con.execute(
        "create or replace table findings_diff as "
        "select finding_id, rule_code, 'new' as change from fct_findings"
    )


def _make_run_tables(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    con.execute(
        "create or replace table file_reconciliation as select * from (values "
        f"('{run_id}', 'register', 'dtsen_batang_202611.csv', '', 6, 5, 1), "
        f"('{run_id}', 'pkh', 'pkh_tahap4_2026.xlsx', 'Kec. Wonotunggal', 2, 1, 1)"
        ") as t(run_id, source_kind, source_file, source_sheet, rows_read, rows_loaded, "
        "rows_quarantined)"
    )
    con.execute(
        "create or replace table quarantine as select * from (values "
        f"('{run_id}', 'register', 'dtsen_batang_202611.csv', '', 7, 'blank_row', '', '{{}}'), "
        f"('{run_id}', 'pkh', 'pkh_tahap4_2026.xlsx', 'Kec. Wonotunggal', 6, 'totals_row', "
        "'JUMLAH', '{}')"
        ") as t(run_id, source_kind, source_file, source_sheet, source_row, reason_code, "
        "reason_detail, raw_values)"
    )
    con.execute(
        "create or replace table runs as select "
        f"'{run_id}' as run_id, timestamp '2026-12-04 20:00:00' as started_at, "
        "timestamp '2026-12-04 20:10:00' as finished_at, '2026.12-1' as config_version, "
        "'{\"dtsen_batang_202611.csv\": \"sha256:ab\"}' as input_checksums, '{}' as stage_seconds"
    )


@pytest.fixture
def marts_con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    make_marts(con)
    yield con
    con.close()


def test_handmade_marts_meet_contract(marts_con):
    check_tables(marts_con, {**MART_TABLES, **DESK_TABLES})


def test_check_tables_names_missing_parts(marts_con):
    marts_con.execute("drop table quarantine")
    marts_con.execute("alter table inclusion_errors drop column rule_codes")

    with pytest.raises(MissingMartError) as raised:
        check_tables(marts_con, MART_TABLES)

    assert "table quarantine is missing" in str(raised.value)
    assert "inclusion_errors lacks column(s) rule_codes" in str(raised.value)
