"""Input tables the rules read, as docs/tables.md defines them, and the views the rules run on.

Any staging table may be absent from a run (a regency without a death register, a test with
only a PKH roster). The rules never read `stg_<kind>` directly: `build_input_views` gives each
kind a `__rules_in_<kind>` view with the full contract schema, empty when the table is absent
and with NULL in columns the table lacks, so every rule SQL file can be static.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb

from pipelines.sqlrun import query_rows, run_sql

logger = logging.getLogger(__name__)

COMMON_COLUMNS: dict[str, str] = {
    "record_id": "VARCHAR",
    "source_kind": "VARCHAR",
    "source_file": "VARCHAR",
    "source_sheet": "VARCHAR",
    "source_row": "BIGINT",
    "nik_raw": "VARCHAR",
    "nik": "VARCHAR",
    "nik_status": "VARCHAR",
    # Optional here: raw_<kind> carries the reader's cell type (`text`, `number`, `csv`), and
    # rule 2 reads it when staging passes it on.
    "nik_cell_type": "VARCHAR",
    "no_kk_raw": "VARCHAR",
    "no_kk": "VARCHAR",
    "no_kk_status": "VARCHAR",
    "name_raw": "VARCHAR",
    "name": "VARCHAR",
    "name_titles": "VARCHAR",
    "name_patronym": "VARCHAR",
    "has_deceased_marker": "BOOLEAN",
    "birth_date_raw": "VARCHAR",
    "birth_date": "DATE",
    "is_birth_date_default": "BOOLEAN",
    "is_birth_date_ambiguous": "BOOLEAN",
    "sex": "VARCHAR",
    "kecamatan_code": "VARCHAR",
    "desa_code": "VARCHAR",
    "wilayah_status": "VARCHAR",
    "address": "VARCHAR",
    "rt": "VARCHAR",
    "rw": "VARCHAR",
    "dusun": "VARCHAR",
}

# Kind-specific columns of docs/tables.md that the rules read. For `bpjs_tk`, `pln` and
# `vehicles` that is a subset: the extracts of rules 17 and 18 carry a few more columns.
KIND_COLUMNS: dict[str, dict[str, str]] = {
    "register": {
        "family_id": "VARCHAR",
        "register_person_id": "VARCHAR",
        "desil": "INTEGER",
        "desil_raw": "VARCHAR",
        "relationship": "VARCHAR",
        "is_padan_dukcapil": "BOOLEAN",
        "is_pregnant": "BOOLEAN",
        "has_severe_disability": "BOOLEAN",
        "is_in_school": "BOOLEAN",
        "school_level": "VARCHAR",
        "is_register_active": "BOOLEAN",
        "occupation": "VARCHAR",
        "snapshot_date": "DATE",
    },
    "pkh": {
        "kpm_id": "VARCHAR",
        "period": "VARCHAR",
        "components": "VARCHAR",
        "amount_idr": "BIGINT",
        "bank": "VARCHAR",
        "is_active": "BOOLEAN",
    },
    "bpnt": {
        "kpm_id": "VARCHAR",
        "period": "VARCHAR",
        "amount_idr": "BIGINT",
        "bank": "VARCHAR",
        "is_active": "BOOLEAN",
    },
    "pbi": {
        "noka": "VARCHAR",
        "segment": "VARCHAR",
        "is_active": "BOOLEAN",
        "start_date": "DATE",
    },
    "complaints": {
        "complaint_id": "VARCHAR",
        "complaint_date": "DATE",
        "channel": "VARCHAR",
        "complaint_type": "VARCHAR",
        "programme_requested": "VARCHAR",
        "reason": "VARCHAR",
        "complaint_status": "VARCHAR",
    },
    "deaths": {"death_date": "DATE"},
    "asn": {"category": "VARCHAR", "agency": "VARCHAR"},
    "village_officials": {"position": "VARCHAR"},
    "exclusion": {"category": "VARCHAR", "as_of_date": "DATE"},
    "bpjs_tk": {"wage_idr": "BIGINT", "wage_month_date": "DATE"},
    "pln": {"customer_id": "VARCHAR", "power_va": "INTEGER", "tariff": "VARCHAR"},
    "vehicles": {"plate": "VARCHAR", "wheels": "INTEGER"},
}

LINK_COLUMNS: dict[str, dict[str, str]] = {
    "int_person_links": {"record_id": "VARCHAR", "person_id": "VARCHAR", "cluster_size": "BIGINT"},
    "int_families": {
        "person_id": "VARCHAR",
        "family_id": "VARCHAR",
        "no_kk": "VARCHAR",
        "relationship": "VARCHAR",
    },
    "link_pairs": {
        "record_id_l": "VARCHAR",
        "record_id_r": "VARCHAR",
        "match_key": "VARCHAR",
        "match_weight": "DOUBLE",
        "match_probability": "DOUBLE",
        "decision": "VARCHAR",
    },
}

# Columns of ingest's `quarantine` table that the rules read. The view is empty when a run has
# no such table, as the hand-made test databases do.
QUARANTINE_COLUMNS: dict[str, str] = {
    "source_kind": "VARCHAR",
    "source_file": "VARCHAR",
    "source_sheet": "VARCHAR",
    "source_row": "BIGINT",
    "reason_code": "VARCHAR",
    "raw_values": "VARCHAR",
}


def kind_schema(kind: str) -> dict[str, str]:
    """Return every column of `stg_<kind>` with its DuckDB type."""
    return {**COMMON_COLUMNS, **KIND_COLUMNS[kind]}


@dataclass(frozen=True)
class Catalog:
    """Tables and columns present in the connection, read once per run."""

    columns: dict[str, set[str]]

    def has_table(self, table: str) -> bool:
        return table in self.columns

    def has_column(self, table: str, column: str) -> bool:
        return column in self.columns.get(table, set())


def read_catalog(con: duckdb.DuckDBPyConnection) -> Catalog:
    """Read the tables and views of the current schema with their column names."""
    rows = query_rows(
        con,
        "select table_name, column_name from information_schema.columns "
        "where table_schema = current_schema() and table_catalog = current_database()",
    )
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    return Catalog(columns)


def _select_list(catalog: Catalog, table: str, schema: dict[str, str]) -> str:
    parts = []
    for column, column_type in schema.items():
        if catalog.has_column(table, column):
            parts.append(f"try_cast({column} as {column_type}) as {column}")
        else:
            parts.append(f"cast(null as {column_type}) as {column}")
    return ",\n    ".join(parts)


def _input_view_sql(catalog: Catalog, table: str, schema: dict[str, str]) -> str:
    select_list = _select_list(catalog, table, schema)
    if catalog.has_table(table):
        return f"select\n    {select_list}\nfrom {table}"
    return f"select\n    {select_list}\nwhere false"


def build_input_views(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> list[str]:
    """Create `__rules_in_<name>` for every staging and linking table and for the quarantine;
    return the absent staging and linking tables."""
    absent = []
    for kind in KIND_COLUMNS:
        table = f"stg_{kind}"
        if not catalog.has_table(table):
            absent.append(table)
        sql = _input_view_sql(catalog, table, kind_schema(kind))
        run_sql(con, f"create or replace temp view __rules_in_{kind} as\n{sql}")
    for table, schema in LINK_COLUMNS.items():
        if not catalog.has_table(table):
            absent.append(table)
        sql = _input_view_sql(catalog, table, schema)
        run_sql(con, f"create or replace temp view __rules_in_{table} as\n{sql}")
    # Not an input a rule requires, so its absence is not listed.
    sql = _input_view_sql(catalog, "quarantine", QUARANTINE_COLUMNS)
    run_sql(con, f"create or replace temp view __rules_in_quarantine as\n{sql}")
    logger.info("rule inputs: %d tables absent: %s", len(absent), ", ".join(absent) or "none")
    return absent
