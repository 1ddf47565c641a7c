"""Shared builders and runners for the linkage tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from pipelines.er import sql_gen
from pipelines.er.comparing import CHUNK_VIEW, encode_score_columns
from pipelines.er.engine import INPUT_TABLE, prepare_records
from pipelines.er.records import RECORD_COLUMNS
from pipelines.er.scorers import score_pairs
from pipelines.er.settings import load_model
from pipelines.er.specs import ComparisonSpec, ModelSpec

ARROW_TYPES = {
    "varchar": pa.string(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
    "integer": pa.int32(),
}


FEBRL_SETTINGS = Path(__file__).resolve().parent.parent / "pipelines/er/settings/febrl_person.toml"
FEBRL_COLUMNS = (
    "record_id",
    "source_kind",
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


def indonesian_model() -> ModelSpec:
    return load_model(None)


def febrl_model() -> ModelSpec:
    return load_model(FEBRL_SETTINGS)


def make_febrl_records(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """Write FEBRL-shaped rows (values in FEBRL_COLUMNS order, all text) to int_person_records."""
    con.execute(f"create table {INPUT_TABLE} ({', '.join(f'{c} varchar' for c in FEBRL_COLUMNS)})")
    if rows:
        placeholders = ", ".join("?" * len(FEBRL_COLUMNS))
        con.executemany(f"insert into {INPUT_TABLE} values ({placeholders})", rows)


def comparison(model: ModelSpec, name: str) -> ComparisonSpec:
    return next(c for c in model.comparisons if c.name == name)


def label_of(spec: ComparisonSpec, gamma: int) -> str:
    return next(level.label for i, level in enumerate(spec.levels) if spec.gamma_of(i) == gamma)


def make_people(con: duckdb.DuckDBPyConnection, rows: list[dict], table: str = INPUT_TABLE) -> None:
    """Write hand-made person rows in the int_person_records shape; missing columns are NULL
    and a missing record_id becomes r1, r2, ..."""
    columns = {name: [] for name in RECORD_COLUMNS}
    for number, row in enumerate(rows, start=1):
        for name in RECORD_COLUMNS:
            value = row.get(name)
            if name == "record_id" and value is None:
                value = f"r{number}"
            if name == "birth_date" and isinstance(value, str):
                value = dt.date.fromisoformat(value)
            if name == "nik_status" and value is None and row.get("nik"):
                value = "valid"
            columns[name].append(value)
    schema = pa.schema([(name, ARROW_TYPES[kind]) for name, kind in RECORD_COLUMNS.items()])
    con.register("__people", pa.table(columns, schema=schema))
    con.execute(f"create or replace table {table} as select * from __people")
    con.unregister("__people")


def level_from_values(spec: ComparisonSpec, values: dict) -> int:
    """Evaluate the comparison's level conditions on given `_l`/`_r` and score values, so a
    case can sit exactly at a threshold. Returns the gamma value."""
    con = duckdb.connect()
    table = pa.table(
        {
            name: pa.array([value], _null_type(name)) if value is None else [value]
            for name, value in values.items()
        }
    )
    con.register(CHUNK_VIEW, table)
    return con.execute(f"select {sql_gen.gamma_case_sql(spec)} from {CHUNK_VIEW}").fetchall()[0][0]


def _null_type(column: str) -> pa.DataType:
    if column.startswith("birth_date_") and not column.startswith("birth_date_edits"):
        return pa.date32()
    if column.startswith(("is_", "has_", "name_has_")):
        return pa.bool_()
    if column.endswith(("_edits", "_jw", "_token_set")) or column.startswith("birth_year"):
        return pa.float32()
    return pa.string()


def compare_records(left: dict, right: dict, model: ModelSpec | None = None) -> dict[str, str]:
    """Run two records through features, scorers and levels; return the label per comparison."""
    model = model or indonesian_model()
    con = duckdb.connect()
    make_people(con, [{**left, "record_id": "a"}, {**right, "record_id": "b"}])
    prepare_records(con, model)
    pairs = pa.table(
        {
            "rid_l": pa.array([1], pa.int32()),
            "rid_r": pa.array([2], pa.int32()),
            "match_key": pa.array([0], pa.int16()),
        }
    )
    con.register("__case_pairs", pairs)
    columns = sorted(sql_gen.level_columns(model, _record_columns(con)))
    chunk = con.sql(sql_gen.pair_columns_sql("__case_pairs", columns)).to_arrow_table()
    encoded = encode_score_columns(con, model)
    for score in model.scores:
        column_l, column_r = score.columns
        scores = score_pairs(
            score.scorer, encoded[column_l], np.array([1]), np.array([2]), encoded[column_r]
        )
        chunk = chunk.append_column(score.name, scores)
    con.register(CHUNK_VIEW, chunk)
    gammas = con.execute(sql_gen.gammas_sql(model, CHUNK_VIEW)).fetchall()[0][3:]
    return {c.name: label_of(c, gamma) for c, gamma in zip(model.comparisons, gammas, strict=True)}


def _record_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        row[0]
        for row in con.execute(f"select column_name from (describe {sql_gen.RECORDS})").fetchall()
    }


def features_of(
    rows: list[dict], columns: list[str], model: ModelSpec | None = None
) -> list[tuple]:
    """Return the given feature columns of hand-made records, in input order."""
    model = model or indonesian_model()
    con = duckdb.connect()
    make_people(con, rows)
    prepare_records(con, model)
    return con.execute(
        f"select {', '.join(columns)} from {sql_gen.RECORDS} order by __rid"
    ).fetchall()


def write_settings(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
