"""Build `int_families` (register family per person) and `int_family_kk_aliases`."""

from __future__ import annotations

import logging

import duckdb

from pipelines.sqlrun import query_rows, run_model, run_sql

logger = logging.getLogger(__name__)

FAMILY_COLUMNS = "person_id varchar, family_id varchar, no_kk varchar, relationship varchar"
ALIAS_COLUMNS = (
    "no_kk varchar, family_id varchar, person_id varchar, record_id varchar, source_kind varchar"
)
REGISTER_COLUMNS = {"record_id", "family_id", "no_kk", "relationship", "snapshot_date"}


def _register_ready(con: duckdb.DuckDBPyConnection) -> bool:
    tables = {
        name for (name,) in query_rows(con, "select table_name from information_schema.tables")
    }
    if "stg_register" not in tables:
        return False
    columns = {
        name for (name,) in query_rows(con, "select column_name from (describe stg_register)")
    }
    missing = REGISTER_COLUMNS - columns
    if missing:
        logger.warning("stg_register lacks %s; int_families is empty", sorted(missing))
        return False
    return True


def build_families(con: duckdb.DuckDBPyConnection) -> int:
    """Create both family tables (empty without a usable `stg_register`); return the number
    of persons with a family."""
    if not _register_ready(con):
        run_sql(con, f"create or replace table int_families ({FAMILY_COLUMNS})")
        run_sql(con, f"create or replace table int_family_kk_aliases ({ALIAS_COLUMNS})")
        return 0
    run_model(con, "intermediate/int_families.sql")
    run_model(con, "intermediate/int_family_kk_aliases.sql")
    return query_rows(con, "select count(*) from int_families")[0][0]
