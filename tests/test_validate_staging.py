"""Validation of staging tables with the committed Great Expectations suites."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from pipelines.errors import ExpectationsFailed
from pipelines.i18n import set_language
from pipelines.ingest.contract import KIND_COLUMNS, staging_columns
from pipelines.ingest.load import ensure_ingest_tables, ingest_source
from pipelines.ingest import validate as validate_module
from pipelines.ingest.staging import build_staging
from pipelines.ingest.validate import SUITES_DIR, load_suite, validate_staging
from pipelines.runconfig import SourceSpec

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def _people(count: int, nik=lambda i: f"33250152078{i:05d}") -> list[dict]:
    return [
        {"nik": nik(i), "no_kk": "3325011007200003", "name": f"WARGA {i}", "sex": "P",
         "birth_date": "25-07-1985", "desa": "Silurah", "kecamatan": "Wonotunggal",
         "desil": "2", "relationship": "ANAK", "category": "PNS", "death_date": "01-08-2026",
         "segment": "PBI APBD", "noka": "0001234567890", "components": "SD", "tahap": "4",
         "amount": "Rp 600.000", "complaint_type": "usulan", "complaint_date": "2026-11-03",
         "position": "KADUS"}
        for i in range(1, count + 1)
    ]


def _stage(con, kind: str, rows: list[dict]) -> None:
    ensure_ingest_tables(con, kind)
    allowed = {r[0] for r in con.sql(f"select column_name from (describe raw_{kind})").fetchall()}
    for position, row in enumerate(rows):
        values = {"record_id": f"{kind}:1::{position + 2}", "source_file": "f.csv",
                  "source_sheet": "", "source_row": position + 2, "nik_cell_type": "csv",
                  "no_kk_cell_type": "csv"}
        values.update({k: v for k, v in row.items() if k in allowed})
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        con.execute(f"insert into raw_{kind} ({columns}) values ({marks})", list(values.values()))
    build_staging(con, [kind], today=dt.date(2026, 12, 4))


def test_every_kind_has_a_suite():
    for kind in KIND_COLUMNS:
        suite = load_suite(f"stg_{kind}")
        assert suite["name"] == f"stg_{kind}"
        assert {e["meta"]["on_failure"] for e in suite["expectations"]} <= {"stop", "flag"}
        column_sets = [e["kwargs"]["column_set"] for e in suite["expectations"]
                       if e["type"] == "expect_table_columns_to_match_set"]
        assert column_sets == [list(staging_columns(kind))]


def test_suites_load_in_gx():
    import great_expectations as gx

    for path in sorted(SUITES_DIR.glob("stg_*.json")):
        suite = gx.ExpectationSuite(**json.loads(path.read_text(encoding="utf-8")))
        assert len(suite.expectations) >= 10


def test_good_tables_pass(con, tmp_path):
    _stage(con, "register", _people(20))
    _stage(con, "pkh", _people(5))

    summary = validate_staging(con, tmp_path, "run1")

    assert summary.success
    assert [s.table_name for s in summary.suites] == ["stg_register", "stg_pkh"]
    assert summary.flag_failures == []
    stored = con.sql("select count(*), count(distinct table_name), bool_and(success) "
                     "from validation_results where run_id = 'run1'").fetchall()
    assert stored[0][1:] == (2, True)
    assert stored[0][0] == sum(len(s.outcomes) for s in summary.suites)


def test_bad_rows_are_flagged_not_stopped(con, tmp_path):
    rows = _people(20)
    rows[0]["nik"] = "BELUM ADA"
    rows[1]["birth_date"] = "07/05/1985"
    _stage(con, "register", rows)

    summary = validate_staging(con, tmp_path, "run1")

    flagged = {(o.column_name, o.unexpected_count) for o in summary.flag_failures}
    assert ("nik_status", 1) in flagged
    assert ("is_birth_date_ambiguous", 1) in flagged


def test_wrong_nik_column_stops(con, tmp_path):
    # The name column was mapped as NIK: almost no NIK is usable.
    _stage(con, "pbi", _people(10, nik=lambda i: f"WARGA {i}"))

    with pytest.raises(ExpectationsFailed) as error:
        validate_staging(con, tmp_path, "run1")

    assert error.value.suite_name == "stg_pbi"
    assert "stg_pbi.expect_column_values_to_be_in_set(nik_status)" in error.value.failed
    assert (tmp_path / "validation_summary.json").is_file()


def test_empty_table_stops(con, tmp_path):
    _stage(con, "deaths", [])

    with pytest.raises(ExpectationsFailed) as error:
        validate_staging(con, tmp_path, "run1")

    assert "stg_deaths.expect_table_row_count_to_be_between()" in error.value.failed


def test_validation_releases_frames(con, tmp_path, monkeypatch):
    # GX keeps its context after validation, and each data source keeps a whole frame.
    contexts = []
    make_context = validate_module._gx_context

    def recorded_context():
        contexts.append(make_context())
        return contexts[-1]

    monkeypatch.setattr(validate_module, "_gx_context", recorded_context)
    _stage(con, "asn", _people(3))
    _stage(con, "deaths", _people(3))

    validate_staging(con, tmp_path, "run8")

    assert len(contexts) == 1
    assert list(contexts[0].data_sources.all()) == []


def test_reports_offline_in_two_languages(con, tmp_path):
    _stage(con, "asn", _people(3))

    summary = validate_staging(con, tmp_path, "run7")

    names = sorted(p.name for p in summary.report_files)
    assert names == ["validation_summary.en.html", "validation_summary.id.html",
                     "validation_summary.json"]
    indonesian = (tmp_path / "validation_summary.id.html").read_text(encoding="utf-8")
    english = (tmp_path / "validation_summary.en.html").read_text(encoding="utf-8")
    assert "Validasi staging" in indonesian
    assert "Setiap baris memiliki record_id." in indonesian
    assert "Staging validation" in english
    for html in (indonesian, english):
        assert "<style>" in html
        assert not re.search(r"(src|href)=\"https?://", html)
    data = json.loads((tmp_path / "validation_summary.json").read_text(encoding="utf-8"))
    assert data["run_id"] == "run7"
    assert data["suites"][0]["table_name"] == "stg_asn"


def test_validation_writes_nothing_into_repo(con, tmp_path):
    _stage(con, "asn", _people(3))
    before = _untracked()

    validate_staging(con, tmp_path, "run1")

    assert _untracked() == before


def _untracked() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=REPO,
                          capture_output=True, text=True, check=True).stdout


def test_committed_files_end_to_end(con, tmp_path):
    data = REPO / "tests" / "data" / "ingest"
    specs = [("register", "dtsen_register_bom.csv"), ("bpnt", "bpnt_bnba_cp1252.csv"),
             ("deaths", "kematian_legacy.xls")]
    for number, (kind, name) in enumerate(specs, start=1):
        ingest_source(con, SourceSpec(kind=kind, path=name, raw_dir=data), "e2e", number)

    counts = build_staging(con, [kind for kind, _ in specs], today=dt.date(2026, 12, 4))
    summary = validate_staging(con, tmp_path, "e2e")

    assert counts == {"register": 4, "bpnt": 3, "deaths": 2}
    assert summary.success
    statuses = con.sql("select nik_status, count(*) from stg_register group by 1 "
                       "order by 1").fetchall()
    assert statuses == [("excel_damaged", 1), ("placeholder", 1), ("valid", 2)]


def _ingest_file(con, tmp_path, kind: str, name: str, text: str) -> None:
    """Write one CSV file of `kind`, ingest it and build its staging table."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / name).write_text(text, encoding="utf-8")
    ingest_source(con, SourceSpec(kind=kind, path=name, raw_dir=raw), "r1", 1)
    build_staging(con, [kind], today=dt.date(2026, 12, 4))


def _ingest_deaths(con, tmp_path, text: str) -> None:
    _ingest_file(con, tmp_path, "deaths", "kematian_desa.csv", text)


def _row_count_outcome(summary):
    [suite] = summary.suites
    return next(o for o in suite.outcomes
                if o.expectation_type == "expect_table_row_count_to_be_between")


@pytest.mark.parametrize(
    "text",
    ["NIK;NAMA;TGL_MENINGGAL\n",
     "DATA KEMATIAN DESA SILURAH\n\nNIK;NAMA;TGL_MENINGGAL\n\n"],
    ids=["header", "title-and-blank-rows"],
)
def test_header_only_file_flagged_not_stopped(con, tmp_path, text):
    _ingest_deaths(con, tmp_path, text)

    summary = validate_staging(con, tmp_path / "report", "r1")

    assert summary.success
    outcome = _row_count_outcome(summary)
    assert not outcome.success
    assert outcome.on_failure == "flag"
    stored = con.sql("select on_failure from validation_results "
                     "where expectation_type = 'expect_table_row_count_to_be_between'").fetchall()
    assert stored == [("flag",)]


@pytest.mark.parametrize(
    "title", ["", "DATA TERPADU SOSIAL EKONOMI NASIONAL\nKABUPATEN BATANG\n\n"],
    ids=["header", "title-rows"],
)
def test_header_only_register_stops(con, tmp_path, title):
    header = (
        "No;No KK;NIK;Nama;Jenis Kelamin;Tanggal Lahir;Hubungan dengan Kepala Keluarga;"
        "Desil Kesejahteraan;Padan Dukcapil;Status Data;Kecamatan;Desa/Kelurahan;Alamat;RT;RW\n"
    )
    _ingest_file(con, tmp_path, "register", "dtsen_batang_202611.csv", title + header)

    with pytest.raises(ExpectationsFailed) as error:
        validate_staging(con, tmp_path / "report", "r1")

    message = str(error.value)
    assert "dtsen_batang_202611.csv: hanya berisi baris judul kolom" in message
    assert "hapus sumber ini" not in message


def test_all_rows_quarantined_still_stops(con, tmp_path):
    set_language("en")
    try:
        _ingest_deaths(con, tmp_path, "NIK;NAMA;TGL_MENINGGAL\n;;01-08-2026\n")
        with pytest.raises(ExpectationsFailed) as error:
            validate_staging(con, tmp_path / "report", "r1")
    finally:
        set_language("id")

    assert "kematian_desa.csv: all 1 rows were quarantined" in str(error.value)


def test_all_quarantined_names_work_database(tmp_path):
    database = tmp_path / "audit-r1.duckdb"
    with duckdb.connect(str(database)) as con:
        # The quarantine reasons are written at ingest, in the run's language.
        set_language("en")
        try:
            _ingest_deaths(con, tmp_path, "NIK;NAMA;TGL_MENINGGAL\n;;01-08-2026\n;;02-08-2026\n")
            with pytest.raises(ExpectationsFailed) as error:
                validate_staging(con, tmp_path / "report", "r1")
        finally:
            set_language("id")

    message = str(error.value)
    assert "quarantine.parquet" not in message
    assert f"The table quarantine of the work database {database}, which a stopped run keeps, " \
        "lists the reason of each row." in message
    assert "Every row has the same reason, for example no NIK and no name." in message


def test_all_quarantined_separator_mismatch(con, tmp_path):
    rows = "".join(f"33250152078{i:05d},WARGA {i},01-08-2026\n" for i in range(3))
    _ingest_deaths(con, tmp_path, "NIK;NAMA;TGL_MENINGGAL\n" + rows)
    set_language("en")
    try:
        with pytest.raises(ExpectationsFailed) as error:
            validate_staging(con, tmp_path / "report", "r1")
    finally:
        set_language("id")

    message = str(error.value)
    assert "kematian_desa.csv: all 3 rows were quarantined" in message
    assert "Every row has 1 field while the header has 3 columns, and the rows contain the " \
        "separator ','. The header and the rows probably use different separators." in message
    assert message.count("the header has 3") == 1
    assert "The table quarantine lists the reason of each row." in message


def test_mixed_quarantine_reasons_not_summed_up(con, tmp_path):
    _ingest_deaths(con, tmp_path, "NIK;NAMA;TGL_MENINGGAL\n;;01-08-2026\n3325015207800001\n")

    with pytest.raises(ExpectationsFailed) as error:
        validate_staging(con, tmp_path / "report", "r1")

    message = str(error.value)
    assert "kematian_desa.csv: semua 2 baris dikarantina" in message
    assert "Semua baris punya alasan yang sama" not in message
    assert "Tabel quarantine memuat alasan tiap baris." in message


def test_header_only_file_named_beside_quarantined(con, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "kematian_a.csv").write_text("NIK;NAMA;TGL_MENINGGAL\n", encoding="utf-8")
    (raw / "kematian_b.csv").write_text("NIK;NAMA;TGL_MENINGGAL\n;;01-08-2026\n",
                                        encoding="utf-8")
    ingest_source(con, SourceSpec(kind="deaths", path="kematian_*.csv", raw_dir=raw), "r1", 1)
    build_staging(con, ["deaths"], today=dt.date(2026, 12, 4))

    with pytest.raises(ExpectationsFailed) as error:
        validate_staging(con, tmp_path / "report", "r1")

    message = str(error.value)
    assert "kematian_a.csv: hanya berisi baris judul kolom" in message
    assert "kematian_b.csv: semua 1 baris dikarantina" in message
    assert "stg_deaths:" not in message


def test_stop_message_names_file(con, tmp_path):
    _stage(con, "pbi", _people(10, nik=lambda i: f"WARGA {i}"))

    with pytest.raises(ExpectationsFailed) as error:
        validate_staging(con, tmp_path, "run1")

    message = str(error.value)
    assert "- f.csv (stg_pbi): " in message
    assert "At least 50% of NIKs are usable" not in message


def test_column_list_not_shown_as_python_list(con, tmp_path):
    _stage(con, "asn", _people(3))

    validate_staging(con, tmp_path, "run1")

    for language in ("id", "en"):
        html = (tmp_path / f"validation_summary.{language}.html").read_text(encoding="utf-8")
        assert "[&#39;" not in html
        assert "['" not in html
        assert "address, agency, birth_date" not in html
    data = json.loads((tmp_path / "validation_summary.json").read_text(encoding="utf-8"))
    columns_check = next(o for o in data["suites"][0]["outcomes"]
                         if o["expectation_type"] == "expect_table_columns_to_match_set")
    assert columns_check["observed_value"].startswith("address, agency, birth_date, ")


def test_column_mismatch_named_in_both_languages(con, tmp_path):
    _stage(con, "asn", _people(3))
    con.execute("alter table stg_asn drop column agency")
    con.execute("alter table stg_asn add column extra_note varchar")
    set_language("en")
    try:
        with pytest.raises(ExpectationsFailed) as error:
            validate_staging(con, tmp_path, "run1")
    finally:
        set_language("id")

    assert "missing columns: agency; columns not expected: extra_note" in str(error.value)
    indonesian = (tmp_path / "validation_summary.id.html").read_text(encoding="utf-8")
    english = (tmp_path / "validation_summary.en.html").read_text(encoding="utf-8")
    assert "kolom yang tidak ada: agency" in indonesian
    assert "kolom yang tidak diharapkan: extra_note" in indonesian
    assert "missing columns: agency" in english
    assert "columns not expected: extra_note" in english
    assert "['" not in indonesian + english


def test_range_check_counts_amount_above_limit(con, tmp_path):
    rows = _people(20)
    rows[0]["amount"] = "Rp 9.000.000"
    rows[1]["amount"] = ""
    _stage(con, "bpnt", rows)

    summary = validate_staging(con, tmp_path, "run1")

    between = [o for suite in summary.suites for o in suite.outcomes
               if o.expectation_type == "expect_column_values_to_be_between"]
    assert [(o.column_name, o.success, o.unexpected_count) for o in between] == [
        ("amount_idr", False, 1)
    ]


def test_range_columns_become_float(con):
    con.execute("create table t as select * from (values (1, 2), (null, 3)) as v(desil, other)")

    frame = validate_module._frame(con, "select desil, other from t", ["desil"])

    assert str(frame["desil"].dtype) == "float64"
    assert frame["desil"].isna().tolist() == [False, True]
    assert str(frame["other"].dtype) == "Int32"
