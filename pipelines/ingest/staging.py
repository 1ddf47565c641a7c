"""Build the staging tables `stg_<kind>` from `raw_<kind>`.

The SQL models in `sql/staging/` do the column work. Before them, this module creates the
reference table `ref_wilayah` and three lookup tables keyed by distinct raw values, because
names, dates and place names repeat heavily and are easier to normalise in Python:

- `__stg_names`: name_raw -> name_clean, name_titles, name_patronym, has_deceased_marker
- `__stg_dates`: date_raw -> parsed_date, is_ambiguous
- `__stg_wilayah`: (wilayah_code, kecamatan_code_raw, desa, kecamatan, source_sheet) -> codes
  and status
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.i18n import current_language, gettext_for
from pipelines.ingest.load import ensure_ingest_tables
from pipelines.ingest.normalise import clean_text, normalise_name, parse_date
from pipelines.ingest.sources import SOURCE_KINDS
from pipelines.ingest.wilayah import REFERENCE_CSV, WilayahResolver, load_reference
from pipelines.publish.masking import mask_nik
from pipelines.sqlrun import SQL_DIR, query_rows, run_model, run_sql

logger = logging.getLogger(__name__)

MACROS_SQL = SQL_DIR / "staging" / "_macros.sql"

# Staging models built at a time, each on its own cursor. Most models spend much of their time on
# one core, and two side by side took batang-size staging from 8.6 s to 7.0 s on two cores.
STAGING_WORKERS = 2

# Cells that are not dates named in a warning per file, sheet and column; the rest are counted.
UNREADABLE_DATE_EXAMPLES = 5

# A date cell with this many digits or more contains an id, not a date, and is masked in warnings.
MIN_ID_DIGITS = 12

# A cell that stands for "no date" rather than a mistyped one: empty, punctuation only, or
# zeros (-, 00-00-0000, 0).
_PLACEHOLDER_DATE = re.compile(r"[\W_0]*")

# Raw columns holding dates, per kind; every kind also has birth_date.
DATE_COLUMNS = {
    "register": ("snapshot_date",),
    "pbi": ("start_date",),
    "complaints": ("complaint_date",),
    "deaths": ("death_date",),
    "exclusion": ("as_of_date",),
}


def build_staging(
    con: duckdb.DuckDBPyConnection,
    kinds: list[str],
    region_code: str | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Build `stg_<kind>` for each kind and return the row count of each table.

    `region_code` keeps only rows whose resolved desa/kecamatan code starts with it (rows
    without a resolved code are kept when the reference table lies inside that region).
    `today` sets the century of 2-digit years; it defaults to the current date.
    """
    unknown = [k for k in kinds if k not in SOURCE_KINDS]
    if unknown:
        raise ValueError(f"unknown source kinds {unknown}; use some of {SOURCE_KINDS}")
    for kind in kinds:
        ensure_ingest_tables(con, kind)

    resolver = WilayahResolver(load_reference(REFERENCE_CSV))
    load_reference_table(con, REFERENCE_CSV)
    _create_params(con, region_code, resolver.region_prefix)
    _create_reference_macros(con)
    run_sql(con, MACROS_SQL.read_text(encoding="utf-8"))

    build_name_lookup(con, kinds)
    unreadable = build_date_lookup(con, kinds, today or dt.date.today())
    if unreadable:
        warn_unreadable_dates(con, kinds, unreadable)
    if "deaths" in kinds:
        warn_deaths_without_date(con, unreadable)
    build_wilayah_lookup(con, kinds, resolver)

    # Largest first, so that the small models fill in beside the register.
    rows = {kind: query_rows(con, f"select count(*) from raw_{kind}")[0][0] for kind in kinds}
    order = sorted(kinds, key=lambda kind: -rows[kind])
    with ThreadPoolExecutor(max_workers=STAGING_WORKERS) as pool:
        futures = {kind: pool.submit(_build_model, con.cursor(), kind) for kind in order}
        # Every model finishes before an error is raised, so no thread writes afterwards.
        wait(futures.values())
        return {kind: futures[kind].result() for kind in kinds}


def _build_model(cursor: duckdb.DuckDBPyConnection, kind: str) -> int:
    """Build `stg_<kind>` on `cursor`, close it, and return the table's row count."""
    with cursor:
        run_sql(cursor, f"create or replace temp view __stg_raw_{kind} as "
                        f"select rowid as raw_rowid, * from raw_{kind}")
        table = run_model(cursor, f"staging/stg_{kind}.sql")
        return query_rows(cursor, f"select count(*) from {table}")[0][0]


def load_reference_table(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Create `ref_wilayah` from the region CSV, every column as text."""
    con.register("__ref_csv", _csv_as_arrow(path))
    try:
        run_sql(con, "select * from __ref_csv", "ref_wilayah")
    finally:
        con.unregister("__ref_csv")


def _csv_as_arrow(path: Path) -> pa.Table:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    columns = rows[0].keys() if rows else []
    return pa.table({c: pa.array([r[c] for r in rows], type=pa.string()) for c in columns})


def _create_params(con, region_code: str | None, reference_prefix: str) -> None:
    sql = (
        f"select cast({_literal(region_code)} as varchar) as region_code, "
        f"cast({_literal(reference_prefix)} as varchar) as reference_prefix"
    )
    run_sql(con, sql, "__stg_params")


def _create_reference_macros(con) -> None:
    """Create the kabupaten and kecamatan code tests as literal lists, which DuckDB evaluates
    much faster per row than a subquery on ref_wilayah."""
    rows = query_rows(con, "select distinct kecamatan_code from ref_wilayah order by 1")
    kecamatan = [r[0] for r in rows]
    kabupaten = sorted({code[:4] for code in kecamatan})
    for name, codes in (("kabupaten", kabupaten), ("kecamatan", kecamatan)):
        values = ", ".join(_literal(c) for c in codes) or "null"
        run_sql(con, f"create or replace macro stg_is_reference_{name}(p) as p in ({values})")


def _literal(value: str | None) -> str:
    return "null" if value is None else "'" + value.replace("'", "''") + "'"


def _distinct(con, selects: list[str]) -> list[tuple]:
    if not selects:
        return []
    return query_rows(con, "\nunion\n".join(selects))


def build_name_lookup(con, kinds: list[str]) -> None:
    values = [r[0] for r in _distinct(
        con, [f"select distinct coalesce(name, '') from raw_{k}" for k in kinds]
    )]
    normalised = [normalise_name(v) for v in values]
    table = pa.table({
        "name_raw": pa.array(values, type=pa.string()),
        "name_clean": pa.array([n.name for n in normalised], type=pa.string()),
        "name_titles": pa.array([n.titles for n in normalised], type=pa.string()),
        "name_patronym": pa.array([n.patronym for n in normalised], type=pa.string()),
        "has_deceased_marker": pa.array([n.has_deceased_marker for n in normalised]),
    })
    _store(con, table, "__stg_names")


def build_date_lookup(con, kinds: list[str], today: dt.date) -> list[str]:
    """Create `__stg_dates` from the distinct date cells of the raw tables; return the cells
    with text that is not a date (31-02-2026, 1985-13-01)."""
    selects = []
    for kind in kinds:
        for column in date_columns(kind):
            selects.append(f"select distinct coalesce({column}, '') from raw_{kind}")
    values = [r[0] for r in _distinct(con, selects)]
    parsed = [parse_date(v, today) for v in values]
    table = pa.table({
        "date_raw": pa.array(values, type=pa.string()),
        "parsed_date": pa.array([p.value for p in parsed], type=pa.date32()),
        "is_ambiguous": pa.array([p.is_ambiguous for p in parsed]),
    })
    _store(con, table, "__stg_dates")
    return [
        value for value, date in zip(values, parsed, strict=True)
        if date.value is None and _PLACEHOLDER_DATE.fullmatch(clean_text(value) or "") is None
    ]


def date_columns(kind: str) -> tuple[str, ...]:
    return ("birth_date", *DATE_COLUMNS.get(kind, ()))


def warn_unreadable_dates(con, kinds: list[str], unreadable: list[str]) -> None:
    """Warn once per file, sheet and date column about cells that are not dates, naming the
    first rows and the header of the column. Such rows are loaded without the date, so the
    rules that read it pass them over, except DECEASED_RECIPIENT, which lists a recipient on
    such a death row for the date to be checked."""
    con.register("__unreadable_dates", pa.table({"date_raw": pa.array(unreadable, pa.string())}))
    try:
        selects = [
            f"""select '{kind}' as source_kind, '{column}' as column_name, source_file,
                source_sheet, source_row, {column} as value
            from raw_{kind}
            where {column} in (select date_raw from __unreadable_dates)"""
            for kind in kinds
            for column in date_columns(kind)
        ]
        rows = query_rows(
            con,
            f"""
            with cells as ({" union all ".join(selects)})
            select
                cells.source_file, cells.source_sheet, cells.column_name,
                coalesce(any_value(source_columns.header), cells.column_name),
                count(*),
                list(struct_pack(row := cells.source_row, value := cells.value)
                     order by cells.source_row)[:{UNREADABLE_DATE_EXAMPLES}]
            from cells
            left join source_columns
                on source_columns.source_kind = cells.source_kind
                and source_columns.source_file = cells.source_file
                and source_columns.source_sheet = cells.source_sheet
                and source_columns.column_name = cells.column_name
            group by cells.source_file, cells.source_sheet, cells.column_name
            order by cells.source_file, cells.source_sheet, cells.column_name
            """,
        )
    finally:
        con.unregister("__unreadable_dates")
    for source_file, sheet, column, header, count, examples in rows:
        where = f"{source_file} [{sheet}]" if sheet else source_file
        if column == "death_date":
            template = (
                "%s, column %s: %d cell is not a date (%s). A recipient on that row is listed as "
                "DECEASED_RECIPIENT for the date to be checked. Write the date as DD-MM-YYYY in "
                "the file and run the audit again."
                if count == 1 else
                "%s, column %s: %d cells are not dates (%s). A recipient on those rows is listed "
                "as DECEASED_RECIPIENT for the date to be checked. Write the date as DD-MM-YYYY "
                "in the file and run the audit again."
            )
        else:
            template = (
                "%s, column %s: %d cell is not a date (%s), so its row is loaded without this "
                "date and the rules that read it pass the row over. Write the date as DD-MM-YYYY "
                "in the file and run the audit again."
                if count == 1 else
                "%s, column %s: %d cells are not dates (%s), so those rows are loaded without "
                "this date and the rules that read it pass them over. Write the date as "
                "DD-MM-YYYY in the file and run the audit again."
            )
        logger.warning(
            template,
            where, header, count, _cells_text(examples, count, "en"),
            extra={"console_args": (where, header, count,
                                    _cells_text(examples, count, current_language()))},
        )


def warn_deaths_without_date(con, unreadable: list[str]) -> None:
    """Warn once per file and sheet of the death register about rows whose death date cell is
    empty or a placeholder such as '-'. Cells that are not dates have their own warning."""
    rows = query_rows(
        con,
        f"""
        select raw.source_file, raw.source_sheet, count(*),
            list(raw.source_row order by raw.source_row)[:{UNREADABLE_DATE_EXAMPLES}]
        from raw_deaths as raw
        left join __stg_dates as dates on dates.date_raw = coalesce(raw.death_date, '')
        where dates.parsed_date is null
            and coalesce(raw.death_date, '') not in (select unnest(?::varchar[]))
        group by raw.source_file, raw.source_sheet
        order by raw.source_file, raw.source_sheet
        """,
        [unreadable],
    )
    for source_file, sheet, count, examples in rows:
        where = f"{source_file} [{sheet}]" if sheet else source_file
        listed = ", ".join(str(row) for row in examples)
        if count > len(examples):
            listed += ", ..."
        template = (
            "%s: %d row has no death date (row %s). A recipient on it is listed as "
            "DECEASED_RECIPIENT for the date to be checked. Write the date as DD-MM-YYYY in the "
            "file and run the audit again."
            if count == 1 else
            "%s: %d rows have no death date (rows %s). A recipient on them is listed as "
            "DECEASED_RECIPIENT for the date to be checked. Write the dates as DD-MM-YYYY in the "
            "file and run the audit again."
        )
        logger.warning(template, where, count, listed)


def _masked_cell(value: str) -> str:
    """Return a date cell for a warning, masked when it contains 12 digits or more: a date has
    at most 8, and a NIK or No KK typed into the date column must not reach the log."""
    if sum(character.isdigit() for character in value) >= MIN_ID_DIGITS:
        return mask_nik(value)
    return value


def _cells_text(examples: list[dict], count: int, language: str) -> str:
    """Return "row 5: '31-02-2026'; row 9: '1985-13-01'; 2 more" in `language`."""
    parts = [
        gettext_for(language, "row {row}: {reason}").format(
            row=example["row"], reason=repr(_masked_cell(example["value"]))
        )
        for example in examples
    ]
    if count > len(examples):
        parts.append(gettext_for(language, "{count} more").format(count=count - len(examples)))
    return "; ".join(parts)


def build_wilayah_lookup(con, kinds: list[str], resolver: WilayahResolver) -> None:
    """Resolve each distinct (code, kecamatan code, desa, kecamatan, sheet) of the raw tables.
    The sheet is part of the key because a sheet named `Kec. <name>` replaces a missing
    kecamatan cell."""
    selects = [
        f"""select distinct
            coalesce(wilayah_code, ''),
            coalesce(kecamatan_code, ''),
            coalesce(desa, ''),
            coalesce(kecamatan, ''),
            source_sheet,
            coalesce(stg_kecamatan_text(kecamatan, source_sheet), '')
        from raw_{kind}"""
        for kind in kinds
    ]
    keys = _distinct(con, selects)
    resolved = [resolver.resolve(code or None, kec_code or None, desa or None, kec_text or None)
                for code, kec_code, desa, _kec, _sheet, kec_text in keys]
    table = pa.table({
        "wilayah_code": pa.array([k[0] for k in keys], type=pa.string()),
        "kecamatan_code_raw": pa.array([k[1] for k in keys], type=pa.string()),
        "desa": pa.array([k[2] for k in keys], type=pa.string()),
        "kecamatan": pa.array([k[3] for k in keys], type=pa.string()),
        "source_sheet": pa.array([k[4] for k in keys], type=pa.string()),
        "kecamatan_code": pa.array([r.kecamatan_code for r in resolved], type=pa.string()),
        "desa_code": pa.array([r.desa_code for r in resolved], type=pa.string()),
        "wilayah_status": pa.array([r.status for r in resolved], type=pa.string()),
    })
    _store(con, table, "__stg_wilayah")


def _store(con, table: pa.Table, name: str) -> None:
    con.register("__stg_lookup_arrow", table)
    try:
        run_sql(con, "select * from __stg_lookup_arrow", name)
    finally:
        con.unregister("__stg_lookup_arrow")
