"""Exceptions raised by the pipeline.

Every message says what is wrong, where (file, sheet, row, column when known), and what to do.
The CLI prints them in the user's language and exits non-zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

E = TypeVar("E", bound=BaseException)


class PipelineError(Exception):
    """Base class for errors that stop a run with a message meant for the user.

    `kept_files` lists the work databases that a failed run leaves behind. They contain full
    NIKs, so the CLI names them.
    """

    kept_files: tuple[Path, ...] = ()


class ConfigError(PipelineError):
    """The run configuration or rule configuration is invalid."""


class SourceFileError(PipelineError):
    """An input file cannot be read or mapped (missing required column, unknown source kind)."""


class RunInProgressError(PipelineError):
    """Another run holds the lock on the folder that contains the marts, work and review folders."""


class MartsFolderError(PipelineError):
    """A publish cannot replace the marts folder: it or its parent is read-only, or it is a mount
    point."""


class ReconciliationError(PipelineError):
    """Rows read do not equal rows loaded plus rows quarantined for some file."""


class ExpectationsFailed(PipelineError):
    """A blocking expectation of a Great Expectations suite failed."""

    def __init__(self, message: str, suite_name: str, failed: list[str]):
        super().__init__(message)
        self.suite_name = suite_name
        self.failed = failed


class SqlExecutionError(PipelineError):
    """DuckDB rejected a statement; carries the output table name and the SQL."""

    def __init__(self, message: str, output_table: str, sql: str):
        super().__init__(message)
        self.output_table = output_table
        self.sql = sql


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run. Carries the run id and the run's work databases that remain.

    It is a KeyboardInterrupt, so Prefect and typer handle it as they handle Ctrl-C.
    """

    def __init__(self, run_id: str, kept_files: list[Path]):
        super().__init__(run_id)
        self.run_id = run_id
        self.kept_files = kept_files


def exception_in_chain(error: BaseException, kind: type[E]) -> E | None:
    """Return the first exception of type `kind` among `error` and the exceptions it was raised
    from or during whose handling it was raised (see `chained_exceptions`), or None."""
    for current in chained_exceptions(error):
        if isinstance(current, kind):
            return current
    return None


def chained_exceptions(error: BaseException) -> Iterator[BaseException]:
    """Yield `error`, then the exceptions it links to through `__cause__` and `__context__`,
    depth first with the cause before the context, each once."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for linked in (current.__context__, current.__cause__):
            if linked is not None:
                pending.append(linked)
