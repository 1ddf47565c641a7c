"""Turn candidate pairs into gamma vectors: rapidfuzz scores, then SQL comparison levels.

Pairs are processed in chunks. Each scorer fills its score column with one vectorised call
on record-level codes of the chunk's pairs. DuckDB then evaluates the level conditions over
the pairs, both records and those scores, and appends the gammas to the target table.
"""

from __future__ import annotations

import logging

import duckdb
import pyarrow as pa

from pipelines.er import sql_gen
from pipelines.er.scorers import EncodedColumn, score_pairs
from pipelines.er.specs import ModelSpec
from pipelines.errors import SqlExecutionError
from pipelines.sqlrun import SCRATCH_PREFIX, query_rows, run_sql

logger = logging.getLogger(__name__)

CHUNK_PAIRS = 2_000_000
CHUNK_VIEW = "__er_chunk"
SCORES_VIEW = "__er_chunk_scores"
NUMBERED = "__er_numbered"


def record_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = query_rows(con, f"select column_name from (describe {sql_gen.RECORDS})")
    return {name for (name,) in rows}


def compared_columns(con: duckdb.DuckDBPyConnection, model: ModelSpec) -> list[str]:
    """Return every record column a level condition reads as `<column>_l`/`<column>_r`."""
    return sql_gen.level_columns(model, record_columns(con))


def create_gamma_table(con: duckdb.DuckDBPyConnection, model: ModelSpec, table: str) -> None:
    gammas = ", ".join(f"{c.gamma_column} tinyint" for c in model.comparisons)
    run_sql(
        con,
        f"create or replace {_table_kind(table)} {table} "
        f"(rid_l integer, rid_r integer, match_key smallint, {gammas})",
    )


def _table_kind(table: str) -> str:
    return "temp table" if table.startswith(SCRATCH_PREFIX) else "table"


def score_columns(model: ModelSpec) -> list[str]:
    columns: list[str] = []
    for score in model.scores:
        for column in score.columns:
            if column not in columns:
                columns.append(column)
    return columns


def encode_score_columns(
    con: duckdb.DuckDBPyConnection, model: ModelSpec
) -> dict[str, EncodedColumn]:
    """Read every column a scorer uses once, as codes indexed by `__rid` (position 0 unused)."""
    columns = score_columns(model)
    if not columns:
        return {}
    table = _fetch_chunk(con, f"select {', '.join(columns)} from {sql_gen.RECORDS} order by __rid")
    encoded = {}
    for column in columns:
        values = pa.concat_arrays(
            [pa.nulls(1, table.schema.field(column).type), table.column(column).combine_chunks()]
        )
        encoded[column] = EncodedColumn.from_arrow(values)
    return encoded


def compute_gammas(
    con: duckdb.DuckDBPyConnection,
    model: ModelSpec,
    pairs_table: str,
    target: str,
    encoded: dict[str, EncodedColumn],
) -> int:
    """Append the gamma vectors of all pairs in `pairs_table` to `target`; return the count.

    Only the record keys of each pair leave DuckDB; scores come from the encoded columns, and
    the level conditions run in DuckDB over the pairs joined with both records and the
    chunk's scores.
    """
    create_gamma_table(con, model, target)
    levels = compared_columns(con, model)
    total = query_rows(con, f"select count(*) from {pairs_table}")[0][0]
    run_sql(
        con,
        f"select rid_l, rid_r, match_key, "
        f"(row_number() over () - 1)::bigint as __pair_index from {pairs_table}",
        NUMBERED,
    )
    for start in range(0, total, CHUNK_PAIRS):
        where = f"p.__pair_index >= {start} and p.__pair_index < {start + CHUNK_PAIRS}"
        _register_scores(con, model, where, encoded)
        try:
            source = f"(\n{_chunk_sql(model, levels, where)}\n) as chunk"
            run_sql(con, f"insert into {target}\n{sql_gen.gammas_sql(model, source)}")
        finally:
            con.unregister(SCORES_VIEW)
    run_sql(con, f"drop table if exists {NUMBERED}")
    logger.info("compared %d pairs from %s into %s", total, pairs_table, target)
    return total


def _register_scores(
    con: duckdb.DuckDBPyConnection, model: ModelSpec, where: str, encoded: dict
) -> None:
    chunk = _fetch_chunk(
        con, f"select p.__pair_index, p.rid_l, p.rid_r from {NUMBERED} as p where {where}"
    )
    left = chunk.column("rid_l").to_numpy()
    right = chunk.column("rid_r").to_numpy()
    scores = {"__pair_index": chunk.column("__pair_index")}
    for score in model.scores:
        column_l, column_r = score.columns
        scores[score.name] = score_pairs(
            score.scorer, encoded[column_l], left, right, encoded[column_r]
        )
    con.register(SCORES_VIEW, pa.table(scores))


def _chunk_sql(model: ModelSpec, levels: list[str], where: str) -> str:
    selected = [f"l.{c} as {c}_l,\n        r.{c} as {c}_r" for c in levels]
    selected += [f"s.{score.name}" for score in model.scores]
    select_list = ",\n        ".join(["p.rid_l", "p.rid_r", "p.match_key", *selected])
    return f"""    select
        {select_list}
    from {NUMBERED} as p
    inner join {SCORES_VIEW} as s on s.__pair_index = p.__pair_index
    inner join {sql_gen.RECORDS} as l on l.__rid = p.rid_l
    inner join {sql_gen.RECORDS} as r on r.__rid = p.rid_r
    where {where}"""


def _fetch_chunk(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    try:
        return con.sql(sql).to_arrow_table()
    except duckdb.Error as e:
        raise SqlExecutionError(
            f"DuckDB failed while reading a pair chunk: {e}", SCORES_VIEW, sql
        ) from e
