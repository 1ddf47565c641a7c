"""Build `int_person_records`, the union of every present person-bearing staging table."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import duckdb
import jinja2

from pipelines.errors import PipelineError
from pipelines.sqlrun import SQL_DIR, query_rows, run_sql

logger = logging.getLogger(__name__)

TEMPLATE_PATH = SQL_DIR / "intermediate" / "int_person_records.sql"
OUTPUT_TABLE = "int_person_records"

# Every person-bearing source kind, in the order its rows appear in the union.
PERSON_KINDS: tuple[str, ...] = (
    "register",
    "pkh",
    "bpnt",
    "pbi",
    "complaints",
    "deaths",
    "asn",
    "village_officials",
    "exclusion",
)

# Column of int_person_records -> DuckDB type it is cast to.
RECORD_COLUMNS: dict[str, str] = {
    "record_id": "varchar",
    "source_kind": "varchar",
    "nik": "varchar",
    "nik_status": "varchar",
    "no_kk": "varchar",
    "name": "varchar",
    "name_raw": "varchar",
    "birth_date": "date",
    "is_birth_date_default": "boolean",
    "sex": "varchar",
    "desa_code": "varchar",
    "kecamatan_code": "varchar",
    "rt": "varchar",
    "rw": "varchar",
    "source_file": "varchar",
    "source_sheet": "varchar",
    "source_row": "integer",
}
REQUIRED_COLUMNS = ("record_id",)


def present_staging_kinds(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the person kinds whose `stg_<kind>` table exists on the connection."""
    rows = query_rows(
        con, "select table_name from information_schema.tables where table_name like 'stg_%'"
    )
    existing = {name for (name,) in rows}
    return [kind for kind in PERSON_KINDS if f"stg_{kind}" in existing]


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = query_rows(con, f"select column_name from (describe {table})")
    return {name for (name,) in rows}


def _source_columns(kind: str, available: set[str]) -> list[dict[str, str]]:
    columns = []
    for name, sql_type in RECORD_COLUMNS.items():
        if name == "source_kind" and name not in available:
            expression = f"'{kind}'"
        elif name in available:
            expression = f"{name}::{sql_type}"
        else:
            expression = f"null::{sql_type}"
        columns.append({"name": name, "expression": expression})
    return columns


def person_records_sql(con: duckdb.DuckDBPyConnection, kinds: Sequence[str]) -> str:
    """Render the union SQL over `stg_<kind>` for each kind in `kinds`."""
    unknown = [kind for kind in kinds if kind not in PERSON_KINDS]
    if unknown:
        raise PipelineError(
            f"unknown person source kinds {unknown}; use some of {list(PERSON_KINDS)}"
        )
    sources = []
    for kind in kinds:
        table = f"stg_{kind}"
        available = _table_columns(con, table)
        missing = [c for c in REQUIRED_COLUMNS if c not in available]
        if missing:
            raise PipelineError(
                f"staging table {table} lacks column(s) {missing}; re-run ingest for {kind}"
            )
        absent = sorted(set(RECORD_COLUMNS) - available - {"source_kind"})
        if absent:
            logger.warning("%s lacks %s; they are NULL in %s", table, absent, OUTPUT_TABLE)
        sources.append({"kind": kind, "table": table, "columns": _source_columns(kind, available)})
    template = jinja2.Template(
        TEMPLATE_PATH.read_text(encoding="utf-8"), undefined=jinja2.StrictUndefined
    )
    return template.render(sources=sources)


def build_person_records(con: duckdb.DuckDBPyConnection, kinds: Sequence[str] | None = None) -> int:
    """Create `int_person_records` from the given kinds (all present kinds when None) and
    return its row count. With no person table present, the table is created empty."""
    chosen = list(kinds) if kinds is not None else present_staging_kinds(con)
    if not chosen:
        columns = ", ".join(f"{name} {sql_type}" for name, sql_type in RECORD_COLUMNS.items())
        run_sql(con, f"create or replace table {OUTPUT_TABLE} ({columns})")
        logger.warning("no person staging table present; %s is empty", OUTPUT_TABLE)
        return 0
    run_sql(con, person_records_sql(con, chosen), OUTPUT_TABLE)
    return query_rows(con, f"select count(*) from {OUTPUT_TABLE}")[0][0]
