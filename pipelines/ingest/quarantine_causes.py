"""Explain in one message why validation found a file with every row quarantined.

A run stops when a table has no loaded row, and then it publishes nothing, so the quarantine
reasons stay only in the `quarantine` table of the run's work database, which a failed run
keeps. When all rows share one reason, the message gives it once, so the user need not open
that database to learn that, for example, the header and the rows use different separators.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.i18n import _
from pipelines.ingest.load import LAYOUT_REASONS
from pipelines.ingest.readers import UNPARSEABLE_ROW
from pipelines.sqlrun import query_rows

# Field separators looked for inside the single field of a row that did not split.
SEPARATOR_CANDIDATES = (",", ";", "\t", "|")


def work_database(con: duckdb.DuckDBPyConnection) -> Path | None:
    """Return the file of the database `con` works in, or None for an in-memory database."""
    rows = query_rows(
        con, "select path from duckdb_databases() where database_name = current_database()"
    )
    return Path(rows[0][0]) if rows and rows[0][0] else None


def where_reasons_are(con: duckdb.DuckDBPyConnection) -> str:
    """Return a sentence naming where a stopped run keeps the quarantine reasons."""
    database = work_database(con)
    if database is None:
        return _("The table quarantine lists the reason of each row.")
    return _("The table quarantine of the work database {path}, which a stopped run keeps, "
             "lists the reason of each row.").format(path=database)


def common_cause(
    con: duckdb.DuckDBPyConnection, run_id: str, kind: str, source_file: str, sheet: str
) -> str | None:
    """Return one sentence on why every data row of a sheet was quarantined, when all of them
    have the same reason code. Return None when their reasons differ or none is recorded."""
    layout = ", ".join(f"'{reason}'" for reason in LAYOUT_REASONS)
    rows = query_rows(
        con,
        f"""
        select
            count(distinct reason_code),
            min(reason_code),
            arg_min(reason_detail, source_row),
            count(*) filter (
                where len(list_filter(json_extract_string(raw_values, '$.*'),
                                      lambda value: coalesce(value, '') <> '')) <= 1
            ),
            count(*),
            len(json_extract_string(arg_min(raw_values, source_row), '$.*')),
            json_extract_string(arg_min(raw_values, source_row), '$.*')[1]
        from quarantine
        where run_id = ? and source_kind = ? and source_file = ? and source_sheet = ?
            and reason_code not in ({layout})
        """,
        [run_id, kind, source_file, sheet],
    )
    codes, code, first_detail, single_field_rows, total, columns, first_field = rows[0]
    if codes != 1 or first_detail is None:
        return None
    if code == UNPARSEABLE_ROW and columns > 1 and single_field_rows == total:
        return _separator_mismatch(columns, first_field or "")
    return _("Every row has the same reason, for example {reason}").format(
        reason=first_detail.rstrip(".") + ".")


def _separator_mismatch(columns: int, first_field: str) -> str:
    counts = {separator: first_field.count(separator) for separator in SEPARATOR_CANDIDATES}
    separator = max(counts, key=counts.get)
    if counts[separator] < columns - 1:
        return _("Every row has 1 field while the header has {columns} columns, so the header "
                 "and the rows probably use different separators. Export the file again with "
                 "one separator on every line.").format(columns=columns)
    return _("Every row has 1 field while the header has {columns} columns, and the rows contain "
             "the separator {separator}. The header and the rows probably use different "
             "separators. Export the file again with one separator on every line.").format(
                 columns=columns, separator=_("TAB") if separator == "\t" else f"'{separator}'")
