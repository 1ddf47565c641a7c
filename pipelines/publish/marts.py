"""Read mart tables by column name, tolerating extra columns and absent optional ones."""

from __future__ import annotations

import logging
from typing import Any

import duckdb

from pipelines.errors import PipelineError
from pipelines.i18n import _, current_language
from pipelines.publish.columns import TableColumns
from pipelines.sqlrun import interrupt_as_keyboard_interrupt, query_rows

logger = logging.getLogger(__name__)


class MissingMartError(PipelineError):
    """A mart table or a required column is missing, so the publish cannot format it."""


def existing_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Return the column names of `table` in the connection's default schema, or [] if absent."""
    rows = query_rows(
        con,
        "select column_name from information_schema.columns "
        "where table_name = ? and table_schema = current_schema() "
        "and table_catalog = current_database() order by ordinal_position",
        [table],
    )
    return [row[0] for row in rows]


def check_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, TableColumns]) -> None:
    """Raise MissingMartError naming every missing table and required column at once."""
    problems: list[str] = []
    for table, spec in tables.items():
        columns = existing_columns(con, table)
        if not columns:
            problems.append(f"table {table} is missing")
            continue
        missing = [
            c
            for c in spec.required
            if c not in columns and not _derivable(con, table, spec.expression(c))
        ]
        if missing:
            problems.append(f"table {table} lacks column(s) {', '.join(missing)}")
    if problems:
        raise MissingMartError(
            _(
                "Cannot publish, because the run did not build every output table: {problems}. "
                "Run the audit again; if this repeats, report it with the run's log."
            ).format(problems="; ".join(problems))
        )


def _derivable(con: duckdb.DuckDBPyConnection, table: str, expression: str | None) -> bool:
    """Return whether `expression` can be computed from `table`'s columns."""
    if not expression:
        return False
    sql = f'select {expression.format(language=current_language())} from "{table}" limit 0'
    try:
        with interrupt_as_keyboard_interrupt():
            con.execute(sql).fetchall()
    except duckdb.Error:
        return False
    return True


def select_item(spec: TableColumns, column: str, present: set[str]) -> str:
    """Return the select-list item for `column`: itself, its derived expression, or NULL."""
    if column in present:
        return f'"{column}"'
    expression = spec.expression(column)
    if expression:
        text = expression.format(language=current_language(), text=_SqlTexts())
        return f'({text}) as "{column}"'
    return f'null as "{column}"'


class _SqlTexts:
    """`{text[words]}` in a derived expression becomes the translation of `words`, quoted for
    a SQL string literal."""

    def __getitem__(self, words: str) -> str:
        return _(words).replace("'", "''")


def select_sql(con: duckdb.DuckDBPyConnection, table: str, spec: TableColumns) -> str:
    """Return a query of every column of `spec` from `table`.

    An optional column the table lacks is NULL, and a derived one is computed from the
    table's own columns.
    """
    present = set(existing_columns(con, table))
    wanted = list(dict.fromkeys(list(spec.required) + list(spec.optional)))
    select_list = ", ".join(select_item(spec, c, present) for c in wanted)
    return f'select {select_list} from "{table}"'


def select_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    spec: TableColumns,
    order_by: str | None = None,
) -> list[dict[str, Any]]:
    """Return the rows of `table` as dicts holding every column of `spec`.

    An optional column the table lacks is None in every row. `order_by` may only name
    columns of `spec`; absent ones are skipped.
    """
    present = set(existing_columns(con, table))
    wanted = list(dict.fromkeys(list(spec.required) + list(spec.optional)))
    sql = select_sql(con, table, spec)
    order_columns = [c.strip() for c in (order_by or "").split(",") if c.strip()]
    order_columns = [c for c in order_columns if c.split()[0] in present]
    if order_columns:
        sql += " order by " + ", ".join(order_columns)
    rows = query_rows(con, sql)
    logger.debug("read %s: %d rows", table, len(rows))
    return [dict(zip(wanted, row, strict=True)) for row in rows]
