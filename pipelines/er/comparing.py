"""Turn candidate pairs into gamma vectors: rapidfuzz scores, then SQL comparison levels.

Pairs are processed in chunks: DuckDB returns the `_l`/`_r` values of a chunk as Arrow, the
scorers fill their score columns with one vectorised call each, and DuckDB evaluates the level
conditions over that Arrow table and appends the gammas to the target table.
"""

from __future__ import annotations

import logging

import duckdb
import pyarrow as pa

from pipelines.er import sql_gen
from pipelines.er.scorers import score_pairs
from pipelines.er.specs import ModelSpec
from pipelines.errors import SqlExecutionError
from pipelines.sqlrun import query_rows, run_sql

logger = logging.getLogger(__name__)

CHUNK_PAIRS = 1_000_000
CHUNK_VIEW = "__er_chunk"


def record_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = query_rows(con, f"select column_name from (describe {sql_gen.RECORDS})")
    return {name for (name,) in rows}


def compared_columns(con: duckdb.DuckDBPyConnection, model: ModelSpec) -> list[str]:
    """Return every record column a score or a level condition reads."""
    columns = sql_gen.level_columns(model, record_columns(con))
    for score in model.scores:
        if score.column not in columns:
            columns.append(score.column)
    return columns


def create_gamma_table(con: duckdb.DuckDBPyConnection, model: ModelSpec, table: str) -> None:
    gammas = ", ".join(f"{c.gamma_column} tinyint" for c in model.comparisons)
    run_sql(con, f"create or replace table {table} (rid_l integer, rid_r integer, match_key smallint, {gammas})")


def compute_gammas(con: duckdb.DuckDBPyConnection, model: ModelSpec, pairs_table: str, target: str) -> int:
    """Append the gamma vectors of all pairs in `pairs_table` to `target`; return the count."""
    create_gamma_table(con, model, target)
    columns = compared_columns(con, model)
    total = query_rows(con, f"select count(*) from {pairs_table}")[0][0]
    run_sql(con, f"create or replace temp table __er_numbered as select *, row_number() over () - 1 as __pair_index from {pairs_table}")
    for start in range(0, total, CHUNK_PAIRS):
        where = f"p.__pair_index >= {start} and p.__pair_index < {start + CHUNK_PAIRS}"
        chunk = _fetch_chunk(con, sql_gen.pair_columns_sql("__er_numbered", columns, where))
        chunk = _add_scores(chunk, model)
        _append_gammas(con, model, chunk, target)
    run_sql(con, "drop table if exists __er_numbered")
    logger.info("compared %d pairs from %s into %s", total, pairs_table, target)
    return total


def _fetch_chunk(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    try:
        return con.sql(sql).to_arrow_table()
    except duckdb.Error as e:
        raise SqlExecutionError(f"DuckDB failed while reading a pair chunk: {e}", CHUNK_VIEW, sql) from e


def _add_scores(chunk: pa.Table, model: ModelSpec) -> pa.Table:
    for score in model.scores:
        left = chunk.column(f"{score.column}_l").combine_chunks()
        right = chunk.column(f"{score.column}_r").combine_chunks()
        chunk = chunk.append_column(score.name, score_pairs(score.scorer, left, right))
    return chunk


def _append_gammas(con: duckdb.DuckDBPyConnection, model: ModelSpec, chunk: pa.Table, target: str) -> None:
    con.register(CHUNK_VIEW, chunk)
    try:
        run_sql(con, f"insert into {target}\n{sql_gen.gammas_sql(model, CHUNK_VIEW)}")
    finally:
        con.unregister(CHUNK_VIEW)
