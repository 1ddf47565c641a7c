"""Builders for small hand-made staging and linking tables in the docs/tables.md shape.

Each test states only the columns it cares about; the builders fill the rest with values that
trigger no rule (valid NIK and No KK, birth date and sex taken from the NIK, desil 1, an active
row of the audited tahap). Keys starting with `_` steer linking: `_person` sets the person id
(default: one person per NIK, else per record) and `_probability` the match probability of the
record's link to the first record of its cluster.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.rules import apply_rules
from pipelines.rules.inputs import LINK_COLUMNS, kind_schema

# A frozen copy of config/rules.toml that the rule tests read, so that a regency's edits to the
# shipped file do not change what the tests expect.
FROZEN_RULES = Path(__file__).resolve().parent / "data" / "rules.toml"
PERIOD = "2026-T4"
DESA = "3325012001"


def rules_config() -> dict[str, Any]:
    """Return the tests' rules configuration, FROZEN_RULES, as a dict."""
    with FROZEN_RULES.open("rb") as f:
        return tomllib.load(f)


def make_nik(serial: int, birth: str = "1985-05-12", sex: str = "L", region: str = "332501") -> str:
    """Return a structurally valid NIK for a birth date (YYYY-MM-DD) and sex."""
    born = dt.date.fromisoformat(birth)
    day = born.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def make_kk(serial: int, registered: str = "2015-03-10", region: str = "332501") -> str:
    """Return a valid No KK registered on a date (YYYY-MM-DD)."""
    date = dt.date.fromisoformat(registered)
    return f"{region}{date.day:02d}{date.month:02d}{date.year % 100:02d}{serial:04d}"


def _birth_from_nik(nik: str) -> tuple[dt.date | None, str | None]:
    if not re.fullmatch(r"[0-9]{16}", nik or ""):
        return None, None
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "P" if day > 40 else "L"
    year = 1900 + yy if yy > 26 else 2000 + yy
    try:
        return dt.date(year, month, day % 40), sex
    except ValueError:
        return None, sex


def _default_name(kind: str, index: int, nik: str | None) -> str:
    # One name per NIK, so that rows of one person agree unless a test says otherwise. Digits
    # become letters because name keys keep letters only.
    if nik and re.fullmatch(r"[0-9]{16}", nik):
        return "WARGA " + "".join(chr(ord("A") + int(d)) for d in nik[-6:])
    return f"ORANG {kind.upper()} " + "".join(chr(ord("A") + int(d)) for d in str(index))


def _status(value: str | None) -> str:
    if not value:
        return "empty"
    return "valid" if re.fullmatch(r"[0-9]{16}", value) else "malformed"


def _is_default_date(value: dt.date | None) -> bool | None:
    if value is None:
        return None
    return (value.month, value.day) in {(1, 1), (7, 1), (12, 31)} or value.day == 15


KIND_DEFAULTS: dict[str, dict[str, Any]] = {
    "register": {
        "desil": 1,
        "relationship": "KEPALA KELUARGA",
        "is_padan_dukcapil": True,
        "is_pregnant": False,
        "has_severe_disability": False,
        "is_in_school": False,
        "is_register_active": True,
        "snapshot_date": dt.date(2026, 11, 18),
    },
    "pkh": {"period": PERIOD, "components": "SD", "amount_idr": 225000, "is_active": True},
    "bpnt": {"period": PERIOD, "amount_idr": 600000, "is_active": True},
    "pbi": {"segment": "PBI APBN", "is_active": True},
    "complaints": {
        "complaint_date": dt.date(2026, 11, 20),
        "channel": "Rumah Curhat",
        "complaint_type": "usulan",
        "programme_requested": "PKH",
        "complaint_status": "baru",
    },
    "deaths": {"death_date": dt.date(2026, 3, 1)},
    "asn": {"category": "ASN", "agency": "Dinas Pendidikan"},
    "village_officials": {"position": "Kaur Keuangan"},
    "exclusion": {"category": "GURU BERSERTIFIKAT", "as_of_date": dt.date(2026, 6, 30)},
}


def _complete_row(kind: str, index: int, row: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in row.items() if not k.startswith("_")}
    source_row = values.get("source_row", index + 2)
    nik = values.get("nik")
    birth, sex = _birth_from_nik(nik or "")
    birth_date = values.get("birth_date", birth)
    if isinstance(birth_date, str):
        birth_date = dt.date.fromisoformat(birth_date)
    desa_code = values.get("desa_code", DESA)
    complete = {
        "record_id": f"{kind}:1::{source_row}",
        "source_kind": kind,
        "source_file": f"{kind}.csv",
        "source_sheet": "",
        "source_row": source_row,
        "nik_raw": nik,
        "nik_status": _status(nik),
        "no_kk_raw": values.get("no_kk"),
        "no_kk_status": _status(values.get("no_kk")),
        "name": _default_name(kind, index, nik),
        "has_deceased_marker": False,
        "birth_date": birth_date,
        "birth_date_raw": None if birth_date is None else birth_date.isoformat(),
        "is_birth_date_default": _is_default_date(birth_date),
        "is_birth_date_ambiguous": False,
        "sex": sex,
        "desa_code": desa_code,
        "kecamatan_code": None if desa_code is None else desa_code[:6],
        "wilayah_status": "ok",
        **KIND_DEFAULTS.get(kind, {}),
    }
    if kind in ("pkh", "bpnt"):
        complete["kpm_id"] = f"{kind.upper()}-{index}"
    if kind == "pbi":
        complete["noka"] = f"{index + 1:013d}"
    if kind == "complaints":
        complete["complaint_id"] = f"C-{index + 1}"
    complete.update(values)
    complete.setdefault("name_raw", complete["name"])
    if kind == "register":
        complete.setdefault("family_id", complete.get("no_kk"))
    return complete


def make_staging(
    con: duckdb.DuckDBPyConnection, kind: str, rows: list[dict[str, Any]]
) -> list[dict]:
    """Create `stg_<kind>` with every contract column from `rows`; return the completed rows."""
    schema = kind_schema(kind)
    columns = ", ".join(f"{name} {column_type}" for name, column_type in schema.items())
    con.execute(f"create or replace table stg_{kind} ({columns})")
    completed = [_complete_row(kind, i, row) for i, row in enumerate(rows)]
    placeholders = ", ".join("?" for _ in schema)
    for row in completed:
        con.execute(f"insert into stg_{kind} values ({placeholders})", [row.get(c) for c in schema])
    for row, original in zip(completed, rows, strict=True):
        row["_person"] = original.get("_person")
        row["_probability"] = original.get("_probability", 0.99)
    return completed


def _create(con: duckdb.DuckDBPyConnection, table: str) -> None:
    columns = ", ".join(f"{n} {t}" for n, t in LINK_COLUMNS[table].items())
    con.execute(f"create or replace table {table} ({columns})")


def make_links(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Create link_pairs, int_person_links, int_person_records and int_families for `rows`."""
    for table in LINK_COLUMNS:
        _create(con, table)
    clusters: dict[str, list[dict]] = {}
    for row in rows:
        person = row.get("_person") or (f"P{row['nik']}" if row.get("nik") else row["record_id"])
        clusters.setdefault(person, []).append(row)

    for person, members in clusters.items():
        for member in members:
            con.execute(
                "insert into int_person_links values (?, ?, ?)",
                [member["record_id"], person, len(members)],
            )
        for member in members[1:]:
            con.execute(
                "insert into link_pairs values (?, ?, 'nik', 10.0, ?, 'match')",
                [members[0]["record_id"], member["record_id"], member["_probability"]],
            )
        for member in members:
            if member["source_kind"] == "register":
                con.execute(
                    "insert into int_families values (?, ?, ?, ?)",
                    [
                        person,
                        member.get("family_id"),
                        member.get("no_kk"),
                        member.get("relationship"),
                    ],
                )
                break

    record_columns = (
        "record_id, source_kind, nik, nik_status, no_kk, name, name_raw, birth_date, "
        "is_birth_date_default, sex, desa_code, kecamatan_code, rt, rw"
    )
    kinds = sorted({row["source_kind"] for row in rows})
    union = " union all ".join(f"select {record_columns} from stg_{kind}" for kind in kinds)
    con.execute(f"create or replace table int_person_records as {union}")


def make_world(
    con: duckdb.DuckDBPyConnection, link: bool = True, **tables: list[dict[str, Any]]
) -> dict:
    """Create a staging table per keyword (`register=[...]`, `pkh=[...]`) and link them all."""
    completed: dict[str, list[dict]] = {}
    for kind, rows in tables.items():
        completed[kind] = make_staging(con, kind, rows)
    if link:
        make_links(con, [row for rows in completed.values() for row in rows])
    return completed


def new_connection() -> duckdb.DuckDBPyConnection:
    """Return an in-memory DuckDB connection that never downloads extensions."""
    return duckdb.connect(config={"autoinstall_known_extensions": False})


@pytest.fixture
def con():
    connection = new_connection()
    yield connection
    connection.close()


KK = make_kk(1)
HEAD = make_nik(1, "1980-04-10")
CHILD = make_nik(2, "2016-06-20", "P")


def family(desil=1, **head) -> list[dict[str, Any]]:
    """Return register rows of a KK head (HEAD) and a school child (CHILD) on KK."""
    return [
        {"nik": HEAD, "no_kk": KK, "desil": desil, **head},
        {
            "nik": CHILD,
            "no_kk": KK,
            "relationship": "ANAK",
            "is_in_school": True,
            "school_level": "SD",
            "desil": desil,
        },
    ]


def run(con: duckdb.DuckDBPyConnection, **tables: list[dict[str, Any]]):
    """Build the tables, link them and apply every rule; return the RulesSummary."""
    make_world(con, **tables)
    return apply_rules(con, rules_config(), "test-run")


def found(con: duckdb.DuckDBPyConnection, rule_code: str) -> list[tuple]:
    """Return (record_id, severity, programme, evidence) of one rule's findings."""
    return con.execute(
        "select record_id, severity, programme, evidence from fct_findings "
        "where rule_code = ? order by record_id, programme",
        [rule_code],
    ).fetchall()


def test_make_world_fills_contract_columns(con):
    make_world(
        con, register=[{"nik": make_nik(1), "no_kk": make_kk(1)}], pkh=[{"nik": make_nik(1)}]
    )

    columns = {r[0] for r in con.execute("describe stg_register").fetchall()}
    person_ids = con.execute("select distinct person_id from int_person_links").fetchall()

    assert set(kind_schema("register")) == columns
    assert len(person_ids) == 1


def test_make_nik_encodes_female_day():
    assert make_nik(7, "1990-01-05", "P") == "3325014501900007"
