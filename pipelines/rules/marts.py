"""Build the marts users read from the findings of one rules run."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import duckdb

from pipelines.errors import SourceFileError
from pipelines.i18n import _
from pipelines.rules.apply import Stopwatch, prepare_inputs
from pipelines.rules.recheck import build_recheck_scope, load_previous_scope
from pipelines.rules.texts import write_texts
from pipelines.sqlrun import SQL_DIR, query_rows, run_sql

logger = logging.getLogger(__name__)

MARTS = (
    "inclusion_errors",
    "exclusion_errors",
    # Before complaint_results, which reads it.
    "roster_records",
    "complaint_results",
    "summary_rates",
    "findings_diff",
)

_FINDING_SCHEMA = (
    "finding_id varchar, run_id varchar, rule_code varchar, severity varchar, "
    "programme varchar, period varchar, person_id varchar, family_id varchar, "
    "record_id varchar, nik varchar, no_kk varchar, name varchar, kecamatan_code varchar, "
    "desa_code varchar, evidence varchar, evidence_id varchar, evidence_json json, source_file varchar, "
    "source_sheet varchar, source_row bigint, match_probability double, confidence double"
)


def _sql_literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _previous_source(previous: Path) -> str:
    """Return a SQL relation reading the previous run's fct_findings from `previous`: an
    audit.duckdb file, a fct_findings.parquet file, or a folder holding either."""
    if previous.is_dir():
        for name in ("fct_findings.parquet", "audit.duckdb"):
            if (previous / name).exists():
                return _previous_source(previous / name)
        raise SourceFileError(
            _(
                "Previous run folder {folder} has neither fct_findings.parquet nor audit.duckdb. "
                "Pass the marts folder of the previous run."
            ).format(folder=previous)
        )
    if not previous.exists():
        raise SourceFileError(
            _(
                "Previous findings {path} not found. Pass the previous run's audit.duckdb or "
                "fct_findings.parquet, or no path to mark every finding new."
            ).format(path=previous)
        )
    if previous.suffix == ".parquet":
        return f"read_parquet({_sql_literal(previous)})"
    return "__rules_previous_db.fct_findings"


def _has_column(con: duckdb.DuckDBPyConnection, source: str, column: str) -> bool:
    # Findings written before evidence_id existed lack the column.
    names = [row[0] for row in query_rows(con, f"describe select * from {source}")]
    return column in names


def _load_previous_findings(con: duckdb.DuckDBPyConnection, previous: Path | None) -> None:
    empty = f"create or replace temp table __rules_previous_findings ({_FINDING_SCHEMA})"
    run_sql(con, empty)
    if previous is None:
        load_previous_scope(con, None, None)
        logger.info("no previous findings given: every finding is new")
        return

    source = _previous_source(previous)
    attached = source.startswith("__rules_previous_db")
    if attached:
        database = previous if not previous.is_dir() else previous / "audit.duckdb"
        run_sql(con, "detach database if exists __rules_previous_db")
        run_sql(con, f"attach {_sql_literal(database)} as __rules_previous_db (read_only)")
    try:
        # Columns that older runs may lack are read as NULL.
        optional = ", ".join(
            f"{column if _has_column(con, source, column) else 'null'} as {column}"
            for column in ("evidence_id", "no_kk", "source_file", "source_sheet", "source_row")
        )
        run_sql(
            con,
            "insert into __rules_previous_findings by name "
            f"select finding_id, run_id, rule_code, severity, programme, period, person_id, "
            f"nik, name, kecamatan_code, desa_code, evidence, {optional} "
            f"from {source}",
        )
        if attached:
            load_previous_scope(con, "__rules_previous_db", None)
        else:
            load_previous_scope(con, None, previous if previous.is_dir() else previous.parent)
    finally:
        if attached:
            run_sql(con, "detach database __rules_previous_db")
    count = query_rows(con, "select count(*) from __rules_previous_findings")[0][0]
    logger.info("previous findings from %s: %d rows", previous, count)


def _base_is_ready(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    tables = query_rows(
        con,
        "select count(*) from duckdb_tables() where temporary and table_name = '__rules_params'",
    )[0][0]
    if not tables:
        return False
    return query_rows(con, "select run_id from __rules_params")[0][0] == run_id


def build_marts(
    con: duckdb.DuckDBPyConnection,
    rules_config: dict[str, Any],
    run_id: str,
    previous_findings: Path | None,
    *,
    run_date: dt.date | None = None,
) -> dict[str, int]:
    """Build inclusion_errors, exclusion_errors, roster_records, complaint_results,
    summary_rates and findings_diff from fct_findings; return the row count of each mart.

    `apply_rules` must have written fct_findings for `run_id`. The base tables it built on this
    connection are reused; on another connection they are rebuilt from the same inputs and
    `run_date`, which must then be the one given to `apply_rules`.
    """
    if not _base_is_ready(con, run_id):
        prepare_inputs(con, rules_config, run_id, run_date=run_date)
    write_texts(con)
    _load_previous_findings(con, previous_findings)
    build_recheck_scope(con, run_id)

    counts = {}
    for mart in MARTS:
        sql = (SQL_DIR / "marts" / f"{mart}.sql").read_text(encoding="utf-8")
        stopwatch = Stopwatch()
        run_sql(con, sql, mart)
        counts[mart] = query_rows(con, f"select count(*) from {mart}")[0][0]
        logger.info(
            "mart %s: %d rows in %.2f s wall, %.2f s CPU", mart, counts[mart], *stopwatch.seconds()
        )
    logger.info("marts of run %s: %s", run_id, counts)
    if run_date is not None:
        _warn_complaints_after(con, run_date)
    return counts


# Complaints named one by one in the warning about dates after the run.
FUTURE_COMPLAINTS_NAMED = 3


def _warn_complaints_after(con: duckdb.DuckDBPyConnection, run_date: dt.date) -> None:
    """Warn about complaints dated after the run's date, which no desk can have received yet.
    A day and month typed the other way round (01-12 for 12-01) gives such a date."""
    rows = query_rows(
        con,
        "select source_file, source_sheet, source_row from complaint_results "
        "where complaint_date > ? order by source_file, source_row",
        [run_date],
    )
    if not rows:
        return
    named = "; ".join(
        f"{file}{f' [{sheet}]' if sheet else ''} row {row}"
        for file, sheet, row in rows[:FUTURE_COMPLAINTS_NAMED]
    )
    logger.warning(
        "%d complaints are dated after the date of this run, %s (%s%s). Check those dates in "
        "the complaint export: a day and month typed the other way round give such a date.",
        len(rows), run_date.isoformat(), named,
        ", ..." if len(rows) > FUTURE_COMPLAINTS_NAMED else "",
    )
