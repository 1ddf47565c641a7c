"""Validate the staging tables with one Great Expectations suite each.

Suites live in `expectations/staging/stg_<kind>.json`. Each expectation's `meta.on_failure` is
`stop` or `flag`. A `stop` failure means the file is broken, for example because the NIK column
is mapped to the wrong column. A `flag` failure counts bad rows in the report, because in an
audit a bad NIK is itself a finding.

GX 1.24 cannot validate DuckDB through SQLAlchemy, so each table is pulled into pandas and
validated in an ephemeral context: nothing is written to the repository.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Collection
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import duckdb

from pipelines.errors import ExpectationsFailed
from pipelines.i18n import _, current_language
from pipelines.ingest.load import data_row_counts
from pipelines.ingest.quarantine_causes import common_cause, where_reasons_are
from pipelines.ingest.report import write_reports
from pipelines.ingest.sources import SOURCE_KINDS
from pipelines.sqlrun import query_rows, run_sql

logger = logging.getLogger(__name__)

SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations" / "staging"
# Expectations about the table's columns run on an empty frame of all columns. The others run on
# the columns they name, so a large table is never pulled into pandas whole.
_SHAPE_TYPES = ("expect_table_columns_to_match_set", "expect_table_columns_to_match_ordered_list")
# The reports read the counts, the percentage and the observed value, which BASIC gives. SUMMARY
# also lists unexpected values and their row indexes, for which GX filters the whole frame once
# more per expectation: at batang size it took 7.5 CPU s against 5.3 for BASIC.
RESULT_FORMAT = "BASIC"
ROW_COUNT_EXPECTATION = "expect_table_row_count_to_be_between"

RESULTS_DDL = """
create table if not exists validation_results (
    run_id varchar,
    table_name varchar,
    expectation_type varchar,
    column_name varchar,
    on_failure varchar,
    success boolean,
    element_count bigint,
    unexpected_count bigint,
    unexpected_percent double,
    observed_value varchar,
    description varchar,
    description_id varchar
)"""


@dataclass(frozen=True)
class ExpectationOutcome:
    table_name: str
    expectation_type: str
    column_name: str | None
    on_failure: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    observed_value: str | None
    description: str
    description_id: str
    # The staging columns a failed column set check found missing or not expected.
    missing_columns: tuple[str, ...] = ()
    unexpected_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class SuiteOutcome:
    table_name: str
    row_count: int
    outcomes: tuple[ExpectationOutcome, ...]

    @property
    def stop_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.on_failure == "stop"]

    @property
    def flag_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.on_failure == "flag"]


@dataclass(frozen=True)
class ValidationSummary:
    run_id: str
    suites: tuple[SuiteOutcome, ...]
    report_files: tuple[Path, ...] = field(default=())

    @property
    def stop_failures(self) -> list[ExpectationOutcome]:
        return [o for s in self.suites for o in s.stop_failures]

    @property
    def flag_failures(self) -> list[ExpectationOutcome]:
        return [o for s in self.suites for o in s.flag_failures]

    @property
    def success(self) -> bool:
        return not self.stop_failures

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "success": self.success,
            "suites": [
                {"table_name": s.table_name, "row_count": s.row_count,
                 "outcomes": [asdict(o) for o in s.outcomes]}
                for s in self.suites
            ],
        }


def validate_staging(
    con: duckdb.DuckDBPyConnection, out_dir: Path, run_id: str
) -> ValidationSummary:
    """Validate every `stg_<kind>` table present, write the reports into `out_dir` and the
    `validation_results` table; raise ExpectationsFailed if a `stop` expectation failed."""
    tables = _staging_tables(con)
    if not tables:
        raise ExpectationsFailed(
            _("No staging table to validate. Build staging before validation."), "", []
        )
    context = _gx_context()
    sources = _source_files(con, run_id, tables)
    suites = tuple(
        _header_only_flagged(_validate_table(con, context, table), sources.get(table, []))
        for table in tables
    )
    summary = ValidationSummary(run_id, suites)
    _store_results(con, summary)
    files = write_reports(summary.to_dict(), Path(out_dir))
    summary = ValidationSummary(run_id, suites, tuple(files))
    if not summary.success:
        _raise_on_stop(summary, sources, where_reasons_are(con))
    logger.info("validated %d staging tables: %d flag failures", len(suites),
                len(summary.flag_failures))
    return summary


def _staging_tables(con) -> list[str]:
    present = {r[0] for r in query_rows(
        con, "select table_name from information_schema.tables where table_name like 'stg_%'"
    )}
    return [f"stg_{kind}" for kind in SOURCE_KINDS if f"stg_{kind}" in present]


def _gx_context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX 1.24 fingerprints every frame under this many bytes by hashing all its values, only
    # to label the batch, and nothing here reads the label. At batang size the hashing took 4
    # of the 18 seconds of validation.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def load_suite(table: str) -> dict:
    """Return the suite definition of `table` as stored JSON."""
    path = SUITES_DIR / f"{table}.json"
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _validate_table(con, context, table: str) -> SuiteOutcome:
    import great_expectations as gx

    definition = load_suite(table)
    shape = [e for e in definition["expectations"] if e["type"] in _SHAPE_TYPES]
    data = [e for e in definition["expectations"] if e["type"] not in _SHAPE_TYPES]
    columns = sorted({e["kwargs"]["column"] for e in data if "column" in e["kwargs"]})
    present = {r[0] for r in query_rows(con, f"select column_name from (describe {table})")}
    selectable = [c for c in columns if c in present]

    ranged = {e["kwargs"]["column"] for e in data if e["type"] in _RANGE_TYPES}
    frames = {
        "shape": con.sql(f"select * from {table} limit 0").df(),
        "data": _frame(
            con, f"select {', '.join(selectable) or 'null as _none'} from {table}", ranged
        ),
    }
    results = []
    for part, expectations in (("shape", shape), ("data", data)):
        if not expectations:
            continue
        suite = gx.ExpectationSuite(name=f"{table}_{part}", expectations=[
            _without_id(e) for e in expectations
        ])
        results += _run(context, table, part, frames[part], suite, expectations)
    row_count = query_rows(con, f"select count(*) from {table}")[0][0]
    return SuiteOutcome(table, row_count, tuple(results))


# Expectations that compare a column's values with a range. GX 1.24 compares them vectorised
# only on int64 and float64 columns and calls Python once per value on pandas' nullable
# integers. At batang size the five range checks took 1.4 of 10 s of validation under cProfile.
_RANGE_TYPES = frozenset({"expect_column_values_to_be_between"})


def _frame(con: duckdb.DuckDBPyConnection, sql: str, ranged: Collection[str] = ()):
    """Return the rows of `sql` as a pandas frame with the dtypes DuckDB's `.df()` gives.

    Through Arrow, all columns of the batang register took 0.7 CPU s against 5 for `.df()`.
    Arrow hands dates to pandas as Python objects and nullable integers as floats, so dates
    become timestamps and integers and booleans get pandas' nullable types, as with `.df()`.
    Integer columns named in `ranged` become float64 instead, with NaN for NULL, which GX
    checks against a range without Python calls per value.
    """
    import pandas as pd
    import pyarrow as pa

    table = con.sql(sql).arrow().read_all()
    for index, column in enumerate(table.schema):
        if pa.types.is_date(column.type):
            table = table.set_column(
                index, column.name, table.column(index).cast(pa.timestamp("us"))
            )
    nullable = {
        pa.int8(): pd.Int8Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    frame = table.to_pandas(types_mapper=nullable.get)
    for column in ranged:
        if column in frame.columns and pd.api.types.is_integer_dtype(frame[column].dtype):
            frame[column] = frame[column].astype("float64")
    return frame


def _without_id(expectation: dict) -> dict:
    """Drop a stored id so one suite file can be split over two frames."""
    return {k: v for k, v in expectation.items() if k != "id"}


def _run(context, table, part, frame, suite, expectations) -> list[ExpectationOutcome]:
    source = context.data_sources.add_or_update_pandas(f"{table}_{part}")
    asset = source.add_dataframe_asset(name=f"{table}_{part}")
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(
        batch_parameters={"dataframe": frame}
    )
    result = batch.validate(suite, result_format=RESULT_FORMAT)
    # GX keeps the context alive after validation, and each data source keeps its frame. At
    # batang size the frames kept about 480 MB in memory while the later stages ran.
    context.data_sources.delete(source.name)
    # GX does not keep the suite order in its results, so the report restores it.
    order = {_identity(e["type"], e["kwargs"]): i for i, e in enumerate(expectations)}
    items = sorted(result.results, key=lambda item: order.get(
        _identity(item.expectation_config.type, item.expectation_config.kwargs), len(order)))
    return [_outcome(table, item) for item in items]


def _identity(expectation_type: str, kwargs: dict) -> str:
    visible = {k: v for k, v in kwargs.items() if k != "batch_id"}
    return expectation_type + json.dumps(visible, sort_keys=True, default=str)


def _outcome(table: str, item) -> ExpectationOutcome:
    stored = {"type": item.expectation_config.type, "kwargs": item.expectation_config.kwargs,
              "meta": item.expectation_config.meta or {}}
    details = item.result or {}
    raised = isinstance(item.exception_info, dict) and item.exception_info.get(
        "raised_exception"
    )
    observed = details.get("observed_value")
    if isinstance(observed, list | tuple):
        # The column set check observes the table's column names: show them as plain text.
        observed = ", ".join(str(value) for value in observed)
    if raised:
        observed = str(item.exception_info.get("exception_message"))[:500]
    mismatched = (details.get("details") or {}).get("mismatched") or {}
    meta = stored.get("meta", {})
    return ExpectationOutcome(
        table_name=table,
        expectation_type=stored["type"],
        column_name=stored["kwargs"].get("column"),
        on_failure=meta.get("on_failure", "stop"),
        success=bool(item.success) and not raised,
        element_count=details.get("element_count"),
        unexpected_count=details.get("unexpected_count"),
        unexpected_percent=details.get("unexpected_percent"),
        observed_value=None if observed is None else str(observed)[:500],
        description=meta.get("description", stored["type"]),
        description_id=meta.get("description_id", meta.get("description", stored["type"])),
        missing_columns=tuple(str(c) for c in mismatched.get("missing") or ()),
        unexpected_columns=tuple(str(c) for c in mismatched.get("unexpected") or ()),
    )


def _store_results(con, summary: ValidationSummary) -> None:
    run_sql(con, RESULTS_DDL)
    query_rows(con, "delete from validation_results where run_id = ?", [summary.run_id])
    for suite in summary.suites:
        for o in suite.outcomes:
            query_rows(
                con,
                "insert into validation_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [summary.run_id, o.table_name, o.expectation_type, o.column_name, o.on_failure,
                 o.success, o.element_count, o.unexpected_count, o.unexpected_percent,
                 o.observed_value, o.description, o.description_id],
            )


@dataclass(frozen=True)
class _SourceFile:
    """A file (or sheet) loaded into a staging table, with its row counts."""

    name: str
    rows_read: int
    rows_loaded: int
    # Rows read that are not layout rows such as titles above the header or blank rows.
    data_rows: int
    # Why every data row was quarantined, when they all have one reason.
    quarantine_cause: str | None = None


def _source_files(con, run_id: str, tables: list[str]) -> dict[str, list[_SourceFile]]:
    """Return the files of each staging table in `tables`: from `file_reconciliation` of this
    run, or else from the table's own `source_file` column."""
    files: dict[str, list[_SourceFile]] = {}
    if _has_table(con, "file_reconciliation") and _has_table(con, "quarantine"):
        rows = query_rows(
            con,
            "select 'stg_' || source_kind, source_file, source_sheet, sum(rows_read), "
            "sum(rows_loaded) from file_reconciliation where run_id = ? group by all "
            "order by all",
            [run_id],
        )
        data_rows = data_row_counts(con, run_id)
        for table, source_file, sheet, read, loaded in rows:
            kind = table.removeprefix("stg_")
            data = data_rows.get((kind, source_file, sheet), read)
            cause = None
            if data and not loaded:
                cause = common_cause(con, run_id, kind, source_file, sheet)
            source = _SourceFile(_where(source_file, sheet), read, loaded, data, cause)
            files.setdefault(table, []).append(source)
    for table in tables:
        if table in files:
            continue
        rows = query_rows(
            con,
            f"select source_file, source_sheet, count(*) from {table} group by all order by all",
        )
        files[table] = [_SourceFile(_where(f, sheet), n, n, n) for f, sheet, n in rows]
    return files


def _header_only_flagged(suite: SuiteOutcome, files: list[_SourceFile]) -> SuiteOutcome:
    """Turn a failed row count check into a flag when no file of the table has a data row
    below its header.

    Such an export is valid but empty (no deaths reported, no vehicles registered), so the run
    goes on. Ingest has warned about each file, and the rules that need the table report it
    as not evaluated. A table whose rows were all quarantined still stops the run. So does an
    empty DTSEN register, because most rules read it and the run would otherwise publish a
    reduced set of findings over the previous run's.
    """
    if suite.table_name == "stg_register":
        return suite
    if not files or any(source.data_rows for source in files):
        return suite
    outcomes = tuple(
        replace(outcome, on_failure="flag")
        if outcome.expectation_type == ROW_COUNT_EXPECTATION and not outcome.success
        else outcome
        for outcome in suite.outcomes
    )
    return replace(suite, outcomes=outcomes)


def _has_table(con, table: str) -> bool:
    return bool(query_rows(
        con, "select count(*) from information_schema.tables where table_name = ?", [table]
    )[0][0])


def _where(source_file: str, sheet: str | None) -> str:
    return f"{source_file} [{sheet}]" if sheet else source_file


def _failure_line(
    outcome: ExpectationOutcome, files: list[_SourceFile], reasons_location: str
) -> str:
    """Describe one blocking failure in the current language, naming the source files.
    `reasons_location` is the sentence that names where the quarantine reasons are."""
    if outcome.expectation_type == ROW_COUNT_EXPECTATION and files:
        empty = [f for f in files if f.rows_loaded == 0]
        if empty and all(f.rows_loaded == 0 for f in files):
            removable = outcome.table_name != "stg_register"
            return "\n".join(_empty_file_line(f, reasons_location, removable) for f in empty)
    description = outcome.description_id if current_language() == "id" else outcome.description
    where = ", ".join(f.name for f in files)
    where = f"{where} ({outcome.table_name})" if where else outcome.table_name
    return f"- {where}: {description} ({_describe_failure(outcome)})"


def _empty_file_line(source: _SourceFile, reasons_location: str, removable: bool = True) -> str:
    """Describe a file without loaded rows. `removable` is False for the DTSEN register, which a
    run cannot do without."""
    # Title rows above the header count as read rows but not as data rows.
    if source.data_rows == 0 and not removable:
        return "- " + _(
            "{file}: the file has only a header row, so there is nothing to audit. Export it "
            "again with its data rows."
        ).format(file=source.name)
    if source.data_rows == 0:
        return "- " + _(
            "{file}: the file has only a header row, so there is nothing to audit. Export it "
            "again with its data rows, or remove this source from the run configuration."
        ).format(file=source.name)
    sentences = [
        _("{file}: all {count} rows were quarantined, so there is nothing to audit.").format(
            file=source.name, count=source.rows_read),
    ]
    if source.quarantine_cause:
        sentences.append(source.quarantine_cause)
    sentences.append(reasons_location)
    sentences.append(_("Fix the file and run again."))
    return "- " + " ".join(sentences)


def _raise_on_stop(
    summary: ValidationSummary, files: dict[str, list[_SourceFile]], reasons_location: str
) -> None:
    failures = summary.stop_failures
    if not failures:
        return
    lines = [_failure_line(o, files.get(o.table_name, []), reasons_location) for o in failures]
    tables = sorted({o.table_name for o in failures})
    raise ExpectationsFailed(
        _("Validation stopped the run: {count} blocking check(s) failed. The source file is "
          "probably broken or mapped to the wrong columns; see the report in {folder}.").format(
            count=len(failures), folder=summary.report_files[0].parent
            if summary.report_files else "")
        + "\n" + "\n".join(lines),
        ", ".join(tables),
        [f"{o.table_name}.{o.expectation_type}({o.column_name or ''})" for o in failures],
    )


def _describe_failure(outcome: ExpectationOutcome) -> str:
    if outcome.unexpected_count is not None:
        return _("{count} of {total} rows").format(
            count=outcome.unexpected_count, total=outcome.element_count)
    if outcome.missing_columns or outcome.unexpected_columns:
        return _column_mismatch_text(outcome)
    return _("observed {value}").format(value=outcome.observed_value)


def _column_mismatch_text(outcome: ExpectationOutcome) -> str:
    """Name the columns that a failed column set check found missing or not expected."""
    parts = []
    if outcome.missing_columns:
        parts.append(_("missing columns: {columns}").format(
            columns=", ".join(outcome.missing_columns)))
    if outcome.unexpected_columns:
        parts.append(_("columns not expected: {columns}").format(
            columns=", ".join(outcome.unexpected_columns)))
    return "; ".join(parts)
