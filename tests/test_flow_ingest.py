"""The audit flow ingests several sources at a time into one work database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import duckdb
import pytest

from prefect.states import Failed

from pipelines.errors import ConfigError, SourceFileError, SqlExecutionError
from pipelines.flows.audit import (
    check_no_copies,
    count_rows_outside_period_task,
    first_file_numbers,
    ingest_source_task,
    largest_first,
    prepare_ingest_task,
    publish_task,
    retry_unless_user_error,
)
from pipelines.ingest.load import check_sources_have_files
from pipelines.publish.formatting import using_language
from pipelines.runconfig import SourceSpec

HEADER = "NIK;NAMA;TGL_LHR;INSTANSI;KATEGORI\n"


def _asn_file(path, count: int, first: int) -> None:
    lines = [
        f"33250152078{first + i:05d};WARGA {first + i};25-07-1985;SETDA;ASN\n" for i in range(count)
    ]
    # One row with a field too many goes to quarantine.
    lines.append("3325015207899999;WARGA X;25-07-1985;SETDA;ASN;LAIN\n")
    path.write_text(HEADER + "".join(lines), encoding="utf-8")


def test_file_numbers_follow_globs(tmp_path):
    for name in ("a_1.csv", "a_2.csv", "a_3.csv", "b.csv"):
        (tmp_path / name).write_text(HEADER, encoding="utf-8")
    sources = [
        SourceSpec(kind="asn", path="a_*.csv", raw_dir=tmp_path),
        SourceSpec(kind="asn", path="b.csv", raw_dir=tmp_path),
        SourceSpec(kind="asn", path="missing.csv", raw_dir=tmp_path),
    ]

    assert first_file_numbers(sources) == [1, 4, 5]


def test_largest_sources_start_first(tmp_path):
    _asn_file(tmp_path / "small.csv", 2, 1)
    _asn_file(tmp_path / "large.csv", 200, 100)
    sources = [
        SourceSpec(kind="asn", path="small.csv", raw_dir=tmp_path),
        SourceSpec(kind="asn", path="large.csv", raw_dir=tmp_path),
    ]

    assert largest_first(sources) == [1, 0]


def test_parallel_files_share_tables(tmp_path):
    db_path = tmp_path / "work.duckdb"
    sources = []
    for number in range(4):
        _asn_file(tmp_path / f"asn_{number}.csv", 500, number * 1000)
        sources.append(SourceSpec(kind="asn", path=f"asn_{number}.csv", raw_dir=tmp_path))
    prepare_ingest_task.fn(db_path, ["asn"])

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(ingest_source_task.fn, db_path, spec, "run1", number)
            for number, spec in zip(first_file_numbers(sources), sources)
        ]
        counts = [count for future in futures for count in future.result()]

    assert [c.rows_loaded for c in counts] == [500, 500, 500, 500]
    assert [c.rows_quarantined for c in counts] == [1, 1, 1, 1]
    with duckdb.connect(str(db_path)) as con:
        loaded = con.execute("select count(*), count(distinct record_id) from raw_asn").fetchone()
        quarantined = con.execute("select count(*) from quarantine").fetchone()
    assert loaded == (2000, 2000)
    assert quarantined == (4,)


def test_copied_input_file_stops():
    checksums = {"bpnt.csv": "a1", "bpnt (1).csv": "a1", "pkh.xlsx": "b2"}

    with using_language("en"), pytest.raises(SourceFileError) as error:
        check_no_copies(checksums)

    assert "same content: bpnt (1).csv, bpnt.csv." in str(error.value)
    assert "pkh.xlsx" not in str(error.value)


def test_copied_input_file_indonesian():
    with using_language("id"), pytest.raises(SourceFileError) as error:
        check_no_copies({"a.csv": "x", "b.csv": "x"})

    assert str(error.value).startswith("Berkas masukan ini isinya sama persis: a.csv, b.csv.")


def test_distinct_input_files_pass():
    check_no_copies({"bpnt.csv": "a1", "pkh.xlsx": "b2"})


def test_missing_sources_named_together(tmp_path):
    _asn_file(tmp_path / "asn.csv", 2, 1)
    sources = [
        SourceSpec(kind="deaths", path="kematian_*.xlsx", raw_dir=tmp_path),
        SourceSpec(kind="asn", path="asn.csv", raw_dir=tmp_path),
        SourceSpec(kind="pln", path="pln.csv", raw_dir=tmp_path),
    ]

    with using_language("en"), pytest.raises(SourceFileError) as error:
        check_sources_have_files(sources)

    assert str(error.value).splitlines() == [
        f"No file matches kematian_*.xlsx in {tmp_path}. Check `path` of this source in the "
        "run configuration.",
        f"No file matches pln.csv in {tmp_path}. Check `path` of this source in the run "
        "configuration.",
    ]


def test_sources_with_files_pass(tmp_path):
    _asn_file(tmp_path / "asn_1.csv", 2, 1)

    check_sources_have_files([SourceSpec(kind="asn", path="asn_*.csv", raw_dir=tmp_path)])


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (SourceFileError("pbi_*.xlsx: no file matches"), False),
        (ConfigError("rules.toml: invalid number"), False),
        (SqlExecutionError("write-write conflict on raw_asn", "raw_asn", "insert"), True),
        (duckdb.TransactionException("write-write conflict"), True),
    ],
)
def test_retry_only_errors_not_users_to_fix(error, retried):
    assert retry_unless_user_error(None, None, Failed(data=error)) is retried


def _raised_from(error: BaseException, cause: BaseException) -> BaseException:
    error.__cause__ = cause
    return error


def _raised_during(error: BaseException, handled: BaseException) -> BaseException:
    try:
        try:
            raise handled
        except BaseException:
            raise error from None
    except BaseException as raised:
        return raised


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("Query interrupted"),
        duckdb.InterruptException("INTERRUPT Error: Interrupted!"),
        _raised_during(ValueError("Task run is not set"), KeyboardInterrupt()),
        _raised_from(
            SqlExecutionError("DuckDB failed while building t", "t", "select 1"),
            RuntimeError("Query interrupted"),
        ),
        _raised_during(OSError("No such file"), RuntimeError("Query interrupted")),
    ],
)
def test_retry_never_repeats_interrupt(error):
    assert retry_unless_user_error(None, None, Failed(data=error)) is False


def test_ingest_and_publish_use_the_retry_condition():
    assert ingest_source_task.retry_condition_fn is retry_unless_user_error
    assert publish_task.retry_condition_fn is retry_unless_user_error


def test_rows_outside_period_counted_by_period(tmp_path):
    db_path = tmp_path / "work.duckdb"
    with duckdb.connect(str(db_path)) as con:
        con.execute("create table stg_pkh as select * from (values ('2026-T4'), ('2026-T4')) "
                    "as t(period)")
        con.execute("create table stg_bpnt as select * from (values ('2026-T4'), ('2026-T10'), "
                    "('2026-T10'), ('2026-T3'), (null)) as t(period)")

    counts, periods = count_rows_outside_period_task.fn(
        db_path, ["pkh", "bpnt"], "2026-T4"
    )

    assert counts == {"bpnt": (4, 5)}
    assert periods == {"bpnt": [("2026-T10", 2), ("2026-T3", 1), (None, 1)]}
