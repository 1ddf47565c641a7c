"""The one place that executes SQL: errors and interrupts."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.errors import SqlExecutionError
from pipelines.publish import publish
from pipelines.sqlrun import interrupt_as_keyboard_interrupt, query_rows, run_sql


class InterruptedConnection:
    """A connection whose queries fail as DuckDB reports Ctrl-C."""

    def execute(self, *args):
        raise RuntimeError("Query interrupted")


def test_interrupted_query_raises_keyboard_interrupt():
    with pytest.raises(KeyboardInterrupt):
        run_sql(InterruptedConnection(), "select 1")
    with pytest.raises(KeyboardInterrupt):
        query_rows(InterruptedConnection(), "select 1")


def test_direct_query_interrupt_raises_keyboard_interrupt():
    with pytest.raises(KeyboardInterrupt), interrupt_as_keyboard_interrupt():
        InterruptedConnection().execute("select 1")
    with pytest.raises(RuntimeError, match="other"), interrupt_as_keyboard_interrupt():
        raise RuntimeError("other")


def test_publish_checkpoint_interrupt_raises_keyboard_interrupt():
    with pytest.raises(KeyboardInterrupt):
        publish._checkpoint(InterruptedConnection(), "audit")


def test_failed_query_names_table():
    con = duckdb.connect()

    with pytest.raises(SqlExecutionError) as error:
        run_sql(con, "select * from missing_table", "out_table")

    assert "out_table" in str(error.value)
