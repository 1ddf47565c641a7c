"""Benchmark datasets for the linkage engine, loaded into DuckDB with their ground truth.

Every loader creates `records` (record_id, source_kind and the data columns, empty text as
NULL) and `truth` (record_id_l, record_id_r with record_id_l < record_id_r) on a connection,
and returns the link type. FEBRL files come from benchmarks/cache/ (see
er_extract_febrl.py).
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from er_synth_persons import make_records

CACHE = Path(__file__).resolve().parent / "cache"
FEBRL_COLUMNS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


def _read_febrl(path: Path, source: str) -> pa.Table:
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing; run benchmarks/er_extract_febrl.py first (see its docstring)"
        )
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    columns = {"record_id": [r["record_id"] for r in rows], "source_kind": [source] * len(rows)}
    for name in FEBRL_COLUMNS:
        columns[name] = [r[name].strip() or None for r in rows]
    return pa.table(columns)


def _truth_from_links(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    con.execute(
        f"""create or replace table truth as
        select distinct least(record_id_l, record_id_r) as record_id_l, greatest(record_id_l, record_id_r) as record_id_r
        from read_csv('{path}', all_varchar = true)"""
    )


def _truth_from_entities(con: duckdb.DuckDBPyConnection, entities: pa.Table) -> None:
    con.register("__entities", entities)
    con.execute(
        """create or replace table truth as
        select a.record_id as record_id_l, b.record_id as record_id_r
        from __entities a join __entities b on a.entity = b.entity and a.record_id < b.record_id"""
    )
    con.unregister("__entities")


def load_febrl(con: duckdb.DuckDBPyConnection, number: int) -> str:
    if number == 4:
        table = pa.concat_tables(
            [_read_febrl(CACHE / "febrl4a.csv", "a"), _read_febrl(CACHE / "febrl4b.csv", "b")]
        )
        link_type = "link_only"
    else:
        table = _read_febrl(CACHE / f"febrl{number}.csv", "febrl")
        link_type = "dedupe_only"
    con.register("__records", table)
    con.execute("create or replace table records as select * from __records")
    con.unregister("__records")
    _truth_from_links(con, CACHE / f"febrl{number}_links.csv")
    return link_type


def load_batang(con: duckdb.DuckDBPyConnection, persons: int, seed: int = 7) -> str:
    records = make_records(persons, seed)
    table = pa.Table.from_pylist(records)
    con.register("__records", table)
    con.execute("create or replace table records as select * exclude (person_uid) from __records")
    con.unregister("__records")
    _truth_from_entities(
        con,
        pa.table({"record_id": table.column("record_id"), "entity": table.column("person_uid")}),
    )
    return "dedupe_and_link"


def load_febrl_large(con: duckdb.DuckDBPyConnection, persons: int, seed: int = 5) -> str:
    """Build `persons` people by recombining FEBRL4 fields: each field of person i comes from
    a randomly chosen true FEBRL4 pair, so side a gets that pair's a value and side b its b
    value, which keeps FEBRL's own errors between the two sides. The social security id gets
    a per-person suffix so that it stays an identifier."""
    side_a = _read_febrl(CACHE / "febrl4a.csv", "a").to_pydict()
    side_b = _read_febrl(CACHE / "febrl4b.csv", "b").to_pydict()
    index_a = {rid: i for i, rid in enumerate(side_a["record_id"])}
    index_b = {rid: i for i, rid in enumerate(side_b["record_id"])}
    with (CACHE / "febrl4_links.csv").open(encoding="utf-8") as f:
        links = [(index_a[r["record_id_l"]], index_b[r["record_id_r"]]) for r in csv.DictReader(f)]
    rng = np.random.default_rng(seed)
    choice = rng.integers(0, len(links), size=(persons, len(FEBRL_COLUMNS)))
    columns_a = {"record_id": [f"a{i}" for i in range(persons)], "source_kind": ["a"] * persons}
    columns_b = {"record_id": [f"b{i}" for i in range(persons)], "source_kind": ["b"] * persons}
    for k, name in enumerate(FEBRL_COLUMNS):
        picks = [links[j] for j in choice[:, k]]
        values_a = [side_a[name][ia] for ia, _ in picks]
        values_b = [side_b[name][ib] for _, ib in picks]
        if name == "soc_sec_id":
            values_a = [None if v is None else f"{v}{i:06d}" for i, v in enumerate(values_a)]
            values_b = [None if v is None else f"{v}{i:06d}" for i, v in enumerate(values_b)]
        columns_a[name], columns_b[name] = values_a, values_b
    table = pa.concat_tables([pa.table(columns_a), pa.table(columns_b)])
    con.register("__records", table)
    con.execute("create or replace table records as select * from __records")
    con.unregister("__records")
    con.execute(
        f"create or replace table truth as select 'a' || i as record_id_l, 'b' || i as record_id_r from range({persons}) t(i)"
    )
    return "link_only"


def load(con: duckdb.DuckDBPyConnection, dataset: str) -> str:
    """Load a dataset by name: febrl1..febrl4, batang<persons>, febrl_large<persons>."""
    if dataset.startswith("febrl_large"):
        return load_febrl_large(con, int(dataset.removeprefix("febrl_large")))
    if dataset.startswith("febrl"):
        return load_febrl(con, int(dataset.removeprefix("febrl")))
    if dataset.startswith("batang"):
        return load_batang(con, int(dataset.removeprefix("batang")))
    raise ValueError(f"unknown dataset {dataset!r}; use febrl1..4, batang<n> or febrl_large<n>")
