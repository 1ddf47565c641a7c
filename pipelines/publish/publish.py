"""Publish one run: audit.duckdb, one Parquet per mart, the XLSX lists and the Bappeda report.

Everything is built in a staging folder next to the marts folder and swapped in at the end
(see pipelines.publish.atomic), so readers see the previous run or this one, never a mix.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import time
import uuid
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.i18n import _
from pipelines.publish.atomic import (
    MANIFEST,
    PREVIOUS_FOLDER,
    keep_previous,
    staging_dir,
    swap_in,
)
from pipelines.publish.columns import (
    DESK_INDEX_UNUSED_WITH,
    DESK_INDEXES,
    DESK_OPTIONAL_TABLES,
    DESK_TABLES,
    MART_TABLES,
)
from pipelines.publish.formatting import using_language
from pipelines.publish.marts import check_tables, existing_columns, select_sql
from pipelines.publish.regions import Regions, load_regions
from pipelines.publish.report import REPORT_FILE, ReportOptions, write_report
from pipelines.publish.report_data import programme_rank_sql
from pipelines.publish.run_notices import rule_status_notices
from pipelines.publish.sheets import error_codes_sql, prepare, source_types, with_region_names
from pipelines.publish.verification import VERIFICATION_FOLDER, write_verification_workbooks
from pipelines.publish.workbooks import (
    AppendedSheet,
    data_quality_columns,
    exclusion_columns,
    inclusion_columns,
    rule_codes_type,
    write_list_workbook,
)
from pipelines.sqlrun import (
    PUBLISHED_CATALOG,
    interrupt_as_keyboard_interrupt,
    is_attached,
    query_rows,
    run_sql,
)

logger = logging.getLogger(__name__)

AUDIT_DB = "audit.duckdb"
INCLUSION_XLSX = "inclusion_errors.xlsx"
EXCLUSION_XLSX = "exclusion_errors.xlsx"
RUNS_TABLE = "runs"


@dataclass
class PublishSummary:
    """Result of one publish: the live folder, the files in it and the row count per table."""

    run_id: str
    marts_dir: Path
    language: str
    files: list[str] = field(default_factory=list)
    table_rows: dict[str, int] = field(default_factory=dict)
    verification_workbooks: int = 0
    has_previous: bool = False
    seconds: float = 0.0


def publish_marts(
    con: duckdb.DuckDBPyConnection,
    marts_dir: Path,
    language: str,
    run_id: str,
    *,
    regions: Regions | None = None,
    options: ReportOptions | None = None,
    extra_folders: dict[str, Path] | None = None,
) -> PublishSummary:
    """Write every published file of run `run_id` into `marts_dir` in one atomic swap.

    `con` contains the mart tables (see pipelines.publish.columns). User-facing text is written in
    `language` (`id` or `en`). The set that was live before is kept as `marts_dir/previous/`.
    `extra_folders` maps a folder name in the published set to a folder to copy there, such
    as the validation reports.
    """
    started = time.perf_counter()
    marts_dir = Path(marts_dir)
    check_tables(con, {**MART_TABLES, **DESK_TABLES})
    regions = regions or load_regions()
    summary = PublishSummary(run_id=run_id, marts_dir=marts_dir, language=language)

    staging = staging_dir(marts_dir, run_id)
    moved_from = None
    try:
        summary.has_previous = keep_previous(marts_dir, staging)
        for name, source in (extra_folders or {}).items():
            if Path(source).is_dir():
                shutil.copytree(source, staging / name)
        # audit.duckdb spends much of its time compressing and indexing in few threads, so it
        # is written on a cursor in a second thread while the workbooks, the report and the
        # Parquet files are written.
        # A flow run builds most tables of audit.duckdb in its attached PUBLISHED_CATALOG,
        # which is completed here and moved in once nothing reads it any more.
        prebuilt = is_attached(con, PUBLISHED_CATALOG)
        with ThreadPoolExecutor(max_workers=1) as pool:
            if prebuilt:
                desk_copy = pool.submit(_complete_published_db, con.cursor())
            else:
                desk_copy = pool.submit(_write_audit_db, con.cursor(), staging)
            with using_language(language):
                summary.verification_workbooks = write_workbooks(con, staging, regions, run_id)
                if not summary.verification_workbooks:
                    logger.warning(
                        "%s/ has no workbook: no recipient of the period has a finding to check "
                        "in the field (FLAG or WARN)",
                        VERIFICATION_FOLDER,
                    )
                write_report(con, staging / REPORT_FILE, run_id, regions, options)
            write_parquet(con, staging, exclude=(RUNS_TABLE,))
            summary.table_rows = desk_copy.result()
        if prebuilt:
            moved_from = _move_published_db(con, staging / AUDIT_DB)
        # The run record goes in last, so that it can carry the seconds of this publish.
        summary.table_rows[RUNS_TABLE] = write_run_record_files(
            con, staging, run_id, time.perf_counter() - started
        )
        summary.files = _list_files(staging)
        write_manifest(staging / MANIFEST, summary)
        summary.files.append(MANIFEST)
        swap_in(staging, marts_dir)
    except BaseException:
        # Move the prebuilt database back, because Prefect retries a failed publish and the
        # retry attaches it again from the work folder.
        # NOTE: a Ctrl-C between swap_in's exchange and its rename of `staging` leaves the
        # previous set in `staging`, so this deletes that set. This run is then live, and the
        # previous set keeps only its top-level files in previous/ and its audit.duckdb, moved
        # to the work folder. Without renameat2, a Ctrl-C between swap_in's two renames leaves
        # no live folder, and the previous set stays in the retired folder until the next
        # publish deletes it.
        if moved_from is not None and (staging / AUDIT_DB).exists():
            shutil.move(staging / AUDIT_DB, moved_from)
        shutil.rmtree(staging, ignore_errors=True)
        raise

    summary.seconds = time.perf_counter() - started
    logger.info(
        "published run %s to %s: %d files, %d verification workbooks, %.1f s",
        run_id,
        marts_dir,
        len(summary.files),
        summary.verification_workbooks,
        summary.seconds,
    )
    return summary


def _write_audit_db(cursor: duckdb.DuckDBPyConnection, staging: Path) -> dict:
    """Write audit.duckdb on `cursor`, then close it."""
    with cursor:
        return write_audit_db(cursor, staging / AUDIT_DB, exclude=(RUNS_TABLE,))


def write_audit_db(
    con: duckdb.DuckDBPyConnection, path: Path, exclude: Collection[str] = ()
) -> dict[str, int]:
    """Copy the marts and desk tables into a new DuckDB file, index it for the desk, close it.

    Tables named in `exclude` are left out; return the row count of each table written.
    """
    alias = "publish_target"
    run_sql(con, f"attach '{_sql_path(path)}' as {alias}")
    try:
        counts = _fill_audit_db(con, alias, exclude)
    finally:
        run_sql(con, f"detach {alias}")
    logger.info("wrote %s with %d tables", path.name, len(counts))
    return counts


def _fill_audit_db(
    con: duckdb.DuckDBPyConnection, alias: str, exclude: Collection[str]
) -> dict[str, int]:
    """Copy the marts and desk tables that the attached database `alias` lacks into it.

    Then index them for the desk, checkpoint the database and return the row count of each
    table."""
    tables = list(MART_TABLES) + list(DESK_TABLES)
    tables += [t for t in DESK_OPTIONAL_TABLES if existing_columns(con, t)]
    tables = [t for t in tables if t not in exclude]
    present = {
        name for (name,) in query_rows(
            con, "select table_name from duckdb_tables() where database_name = ?", [alias]
        )
    }
    counts = {}
    # NOTE: the tables are copied in their own order. Sorting them by NIK cost about 2.5 CPU
    # seconds at batang size and did not make the indexed desk lookups faster.
    for table in tables:
        if table not in present:
            run_sql(con, f'create table {alias}."{table}" as {_copy_select(con, table)}')
        counts[table] = query_rows(con, f'select count(*) from {alias}."{table}"')[0][0]
    _create_indexes(con, alias, tables)
    _checkpoint(con, alias)
    return counts


def _complete_published_db(cursor: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Complete the run's attached PUBLISHED_CATALOG on `cursor` as audit.duckdb, then close
    the cursor."""
    with cursor:
        counts = _fill_audit_db(cursor, PUBLISHED_CATALOG, exclude=(RUNS_TABLE,))
    logger.info("completed %s with %d tables", PUBLISHED_CATALOG, len(counts))
    return counts


def _move_published_db(con: duckdb.DuckDBPyConnection, target: Path) -> Path:
    """Detach PUBLISHED_CATALOG from `con`, move its file to `target` and return where it was.

    A work folder on another file system than the marts folder (the flow's `work_dir`) makes
    the move a copy."""
    path = Path(query_rows(
        con, "select path from duckdb_databases() where database_name = ?", [PUBLISHED_CATALOG]
    )[0][0])
    run_sql(con, f"detach {PUBLISHED_CATALOG}")
    shutil.move(path, target)
    logger.info("moved %s to %s", path.name, target)
    return path


# Staging and linking tables that audit.duckdb keeps only for the desk and `evaluate`.
# stg_register has 41 columns of which they read 17, and copying all of them took about 2 of
# the 4.5 CPU seconds spent on these two tables at batang size.
PROJECTED_TABLES = ("stg_register", "int_person_records")


def _copy_select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Select what audit.duckdb keeps of `table`: a mart whole, and of the tables in
    PROJECTED_TABLES only the columns that the desk and `evaluate` read."""
    spec = DESK_OPTIONAL_TABLES.get(table) if table in PROJECTED_TABLES else None
    if spec is None:
        return f'select * from "{table}"'
    present = set(existing_columns(con, table))
    columns = [c for c in dict.fromkeys(spec.required + spec.optional) if c in present]
    quoted = ", ".join(f'"{column}"' for column in columns)
    return f'select {quoted} from "{table}"'


def _checkpoint(con: duckdb.DuckDBPyConnection, alias: str, attempts: int = 20) -> None:
    """Checkpoint the attached database `alias`, waiting while another connection writes.

    The workbooks are written beside this on the same database instance, and DuckDB refuses a
    checkpoint while a write transaction of another connection is open. Detaching also
    checkpoints, and a write-ahead log left beside the file is replayed when it is opened.
    """
    for attempt in range(attempts):
        try:
            with interrupt_as_keyboard_interrupt():
                con.execute(f"checkpoint {alias}")
            return
        except duckdb.TransactionException as e:
            if attempt == attempts - 1:
                logger.warning(
                    "checkpoint of %s failed %d times (%s); detaching it checkpoints instead",
                    alias,
                    attempts,
                    e,
                )
                return
            time.sleep(0.1)


def write_parquet(
    con: duckdb.DuckDBPyConnection, folder: Path, exclude: Collection[str] = ()
) -> None:
    """Write one zstd Parquet file per mart table into `folder`, except those in `exclude`."""
    tables = [t for t in MART_TABLES if t not in exclude]
    for table in tables:
        _copy_to_parquet(con, f'select * from "{table}"', folder / f"{table}.parquet")
    logger.info("wrote %d Parquet files", len(tables))


def write_run_record_files(
    con: duckdb.DuckDBPyConnection, folder: Path, run_id: str, publish_seconds: float
) -> int:
    """Add the `runs` table to `folder`'s audit.duckdb and write runs.parquet; return its rows.

    The table is copied whole, because the flow's run record contains the earlier runs as well
    (see pipelines.runs.write_run_record). The row of `run_id` gets `publish_seconds` as
    `publish` in its stage_seconds, which the flow could not know when it wrote the run record
    before publishing.
    """
    select = _runs_select(con, run_id, publish_seconds)
    alias = "publish_runs_target"
    run_sql(con, f"attach '{_sql_path(folder / AUDIT_DB)}' as {alias}")
    try:
        # A prebuilt database that a failed publish moved back may have the table already.
        run_sql(con, f'create or replace table {alias}."{RUNS_TABLE}" as {select}')
        count = query_rows(con, f'select count(*) from {alias}."{RUNS_TABLE}"')[0][0]
    finally:
        run_sql(con, f"detach {alias}")
    _copy_to_parquet(con, select, folder / f"{RUNS_TABLE}.parquet")
    return count


def _runs_select(con: duckdb.DuckDBPyConnection, run_id: str, publish_seconds: float) -> str:
    types = dict(
        query_rows(
            con,
            "select column_name, data_type from information_schema.columns "
            "where table_name = ? and table_schema = current_schema()",
            [RUNS_TABLE],
        )
    )
    if "stage_seconds" not in types:
        return f'select * from "{RUNS_TABLE}"'
    run = "'" + run_id.replace("'", "''") + "'"
    patched = (
        "json_merge_patch(coalesce(stage_seconds::json, '{}'), "
        f"json_object('publish', {publish_seconds:.2f}))"
    )
    return (
        f"select * replace (case when run_id = {run} then cast({patched} as "
        f'{types["stage_seconds"]}) else stage_seconds end as stage_seconds) from "{RUNS_TABLE}"'
    )


def _copy_to_parquet(con: duckdb.DuckDBPyConnection, select: str, target: Path) -> None:
    run_sql(con, f"copy ({select}) to '{_sql_path(target)}' (format parquet, compression zstd)")


def write_workbooks(
    con: duckdb.DuckDBPyConnection, folder: Path, regions: Regions, run_id: str
) -> int:
    """Write the two list workbooks and the verification workbooks; return the latter's count.

    Every sheet names, under its title, the rules that this run did not evaluate or evaluated
    with a limitation (see pipelines.publish.run_notices).
    """
    stamp = _("Run") + f": {run_id}    " + _("Created") + f": {dt.date.today().isoformat()}"
    notices = rule_status_notices(con)
    prepare(con, regions)
    inclusion_mart = select_sql(con, "inclusion_errors", MART_TABLES["inclusion_errors"])
    inclusion = rows_to_check_sql(con, inclusion_mart)
    inclusion_rows = with_region_names(inclusion)
    data_quality_rows = with_region_names(data_quality_rows_sql(con, inclusion_mart))
    data_quality = AppendedSheet(
        _("Data quality"),
        data_quality_columns(source_types(con, data_quality_rows)),
        data_quality_rows,
        order_by=(
            f"kecamatan_code, desa_code, name, {programme_rank_sql('programme')}, "
            "source_file, source_sheet, source_row, person_id"
        ),
    )
    write_list_workbook(
        con,
        folder / INCLUSION_XLSX,
        _("Inclusion errors"),
        stamp,
        inclusion_columns(source_types(con, inclusion_rows)),
        inclusion_rows,
        order_by="kecamatan_code, desa_code, name, nik, person_id",
        notices=notices,
        appended=[data_quality],
    )
    exclusion_rows = with_region_names(
        select_sql(con, "exclusion_errors", MART_TABLES["exclusion_errors"])
    )
    write_list_workbook(
        con,
        folder / EXCLUSION_XLSX,
        _("Exclusion error candidates"),
        stamp,
        exclusion_columns(source_types(con, exclusion_rows)),
        exclusion_rows,
        order_by="kecamatan_code, desa_code, desil, no_kk, family_id",
        notices=notices,
    )
    paths = write_verification_workbooks(
        con, inclusion, folder / VERIFICATION_FOLDER, regions, run_id, notices
    )
    return len(paths)


def rows_to_check_sql(con: duckdb.DuckDBPyConnection, inclusion_sql: str) -> str:
    """Keep the inclusion rows that carry a FLAG or WARN rule code.

    The mart also lists recipients whose only findings are data-quality (ERROR) or
    information (INFO) codes, such as a default birth date. The lists are for checking
    eligibility in the field, and such a row would arrive there without a reason.
    """
    return f"select * from ({inclusion_sql}) where {_has_check_codes_sql(con, inclusion_sql)}"


def data_quality_rows_sql(con: duckdb.DuckDBPyConnection, inclusion_sql: str) -> str:
    """Keep the inclusion rows that rows_to_check_sql leaves out and that carry an ERROR code.

    These recipients have an invalid NIK, No KK or region on their roster row and nothing to
    check in the field, so they go to the data-quality sheet to have the roster corrected. Rows
    with only INFO codes, such as a default birth date, are left out of every list.
    """
    has_check_codes = _has_check_codes_sql(con, inclusion_sql)
    error_codes = error_codes_sql(source_types(con, inclusion_sql))
    return (
        f"select * from ({inclusion_sql}) "
        f"where not coalesce({has_check_codes}, false) and len({error_codes}) > 0"
    )


def _has_check_codes_sql(con: duckdb.DuckDBPyConnection, inclusion_sql: str) -> str:
    """Return the SQL condition that a row of `inclusion_sql` has a FLAG or WARN code."""
    if rule_codes_type(con, inclusion_sql).endswith("[]"):
        return "len(rule_codes) > 0"
    return "coalesce(rule_codes, '') <> ''"


def write_manifest(path: Path, summary: PublishSummary) -> None:
    """Write publish.json: the run every file of this set belongs to and a unique publish id."""
    manifest = {
        "publish_id": uuid.uuid4().hex,
        "run_id": summary.run_id,
        "language": summary.language,
        "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": summary.files,
        "table_rows": summary.table_rows,
        "has_previous": summary.has_previous,
    }
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")


def previous_audit_db(marts_dir: Path) -> Path | None:
    """Return the audit.duckdb of the run published before the live one, if kept.

    While a new run is being computed, the run to compare with is still the live
    `marts_dir/audit.duckdb`. Once the new run is published, that file moves here.
    """
    path = Path(marts_dir) / PREVIOUS_FOLDER / AUDIT_DB
    return path if path.exists() else None


def _create_indexes(con: duckdb.DuckDBPyConnection, alias: str, tables: list[str]) -> None:
    for table, column in DESK_INDEXES:
        if DESK_INDEX_UNUSED_WITH.get((table, column)) in tables:
            continue
        if table in tables and column in existing_columns(con, table):
            # An earlier try of a failed publish may have created the index in the prebuilt
            # database already.
            run_sql(con, f'create index if not exists "idx_{table}_{column}" '
                         f'on {alias}."{table}" ("{column}")')


def _list_files(folder: Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file()
        and not p.name.startswith(".")
        and PREVIOUS_FOLDER not in p.relative_to(folder).parts
    )


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
