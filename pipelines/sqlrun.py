"""The one place that executes SQL against DuckDB."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.errors import SqlExecutionError, chained_exceptions

logger = logging.getLogger(__name__)

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


# The record linker's scratch tables. They are made temporary: kept in memory (spilled to the
# temp directory under memory pressure) instead of compressed and written to the database
# file, which took about three times the CPU for the linker's records table.
SCRATCH_PREFIX = "__er_"


# The future audit.duckdb of a run, which the flow attaches under this name to every connection
# (pipelines.flows.audit.connect). The tables that audit.duckdb keeps whole are built there,
# with a view of the same name in the work database for the steps that read them. Publishing
# then does not copy them: at batang size the copies took about 5 CPU seconds.
PUBLISHED_CATALOG = "published"
PUBLISHED_TABLES = frozenset({
    "fct_findings",
    "inclusion_errors",
    "exclusion_errors",
    "roster_records",
    "complaint_results",
    "summary_rates",
    "findings_diff",
    "int_person_links",
    "int_families",
})


# DuckDB's Python client reports Ctrl-C during a query as RuntimeError with this text. Raised
# again as KeyboardInterrupt, it stops the command like Ctrl-C elsewhere, without a traceback.
QUERY_INTERRUPTED = "Query interrupted"


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, output_table: str | None = None) -> None:
    """Execute `sql`; when `output_table` is given, replace that table with the query result.

    An output table named `__er_...` is created as a temporary table. An output table in
    PUBLISHED_TABLES is created in the attached PUBLISHED_CATALOG when there is one, and read
    through a view of the same name."""
    if output_table in PUBLISHED_TABLES and is_attached(con, PUBLISHED_CATALOG):
        _run_published(con, sql, output_table)
        return
    kind = "temp table" if (output_table or "").startswith(SCRATCH_PREFIX) else "table"
    statement = sql if output_table is None else f"create or replace {kind} {output_table} as\n{sql}"
    logger.debug("SQL for %s:\n%s", output_table or "statement", statement)
    try:
        con.execute(statement)
    except RuntimeError as e:
        _raise_interrupt(e)
        raise
    except duckdb.Error as e:
        raise SqlExecutionError(
            f"DuckDB failed while building {output_table or 'a statement'}: {e}",
            output_table or "",
            statement,
        ) from e
    if output_table is not None:
        count = con.execute(f"select count(*) from {output_table}").fetchall()[0][0]
        logger.info("built %s: %d rows", output_table, count)


def run_model(con: duckdb.DuckDBPyConnection, relative_path: str) -> str:
    """Run one model file from `sql/` (for example `staging/stg_pkh.sql`) into a table
    named after the file, and return that table name."""
    path = SQL_DIR / relative_path
    table = path.stem
    run_sql(con, path.read_text(encoding="utf-8"), table)
    return table


def query_rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    """Return all rows of a query as tuples."""
    try:
        return con.execute(sql, params or []).fetchall()
    except RuntimeError as e:
        _raise_interrupt(e)
        raise
    except duckdb.Error as e:
        raise SqlExecutionError(f"DuckDB query failed: {e}", "", sql) from e


def is_attached(con: duckdb.DuckDBPyConnection, catalog: str) -> bool:
    """Return whether a database is attached to `con` under the name `catalog`."""
    rows = query_rows(con, "select count(*) from duckdb_databases() where database_name = ?",
                      [catalog])
    return rows[0][0] > 0


def _run_published(con: duckdb.DuckDBPyConnection, sql: str, table: str) -> None:
    run_sql(con, sql, f"{PUBLISHED_CATALOG}.{table}")
    # A table of that name left in the work database by an earlier step blocks the view.
    kind = query_rows(
        con,
        "select table_type from information_schema.tables where table_catalog = "
        "current_database() and table_schema = current_schema() and table_name = ?",
        [table],
    )
    if kind and kind[0][0] == "BASE TABLE":
        run_sql(con, f"drop table {table}")
    run_sql(con, f"create or replace view {table} as select * from {PUBLISHED_CATALOG}.{table}")


def _raise_interrupt(error: RuntimeError) -> None:
    """Raise KeyboardInterrupt when `error` is DuckDB's report of an interrupted query."""
    if str(error) == QUERY_INTERRUPTED:
        raise KeyboardInterrupt from error


@contextmanager
def interrupt_as_keyboard_interrupt() -> Iterator[None]:
    """Raise DuckDB's report of a Ctrl-C during a query in the block as KeyboardInterrupt.

    For DuckDB calls that do not go through `run_sql` or `query_rows`.
    """
    try:
        yield
    except RuntimeError as e:
        _raise_interrupt(e)
        raise


def is_interrupt(error: BaseException) -> bool:
    """Return whether `error` or an exception in its chain is a Ctrl-C or an interrupted query.

    DuckDB reports Ctrl-C during a query as RuntimeError(QUERY_INTERRUPTED), and a query
    stopped with `interrupt()` as duckdb.InterruptException.
    """
    return any(
        isinstance(linked, (KeyboardInterrupt, duckdb.InterruptException))
        or (isinstance(linked, RuntimeError) and str(linked) == QUERY_INTERRUPTED)
        for linked in chained_exceptions(error)
    )
