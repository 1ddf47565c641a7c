"""Find the findings that one of two runs could not have checked.

A finding of the previous run that this run does not report is resolved only when this run
checked it again. That needs three things: its rule was evaluated with the inputs it had before,
its programme's roster was read, and its source file was read or replaced by a file of the same
kind. findings_diff marks the others `not_rechecked` with one of the reasons below.

In the mirror case, a finding of this run that the previous run does not report is new only
when the previous run could have found it. That needs its rule evaluated then with the inputs it
has now, its programme's roster read then, and a file of its source kind read then.
findings_diff marks the others `first_checked` with one of the reasons below. A new finding of a
rule that lacks an input the previous run had is `new_with_limitation`, because it may come from
that gap: without the death register, a family with a dead member can become an exclusion
candidate. The mirror, a finding of the previous run whose rule lacked an input that this run
has and that this run no longer reports, is `resolved_with_input`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb

from pipelines.publish.columns import programmes_not_loaded, programmes_of_missing_inputs
from pipelines.sqlrun import query_rows, run_sql

logger = logging.getLogger(__name__)

# Values of findings_diff.not_rechecked_reason.
RULE_NOT_EVALUATED = "rule_not_evaluated"
RULE_LOST_INPUT = "rule_lost_input"
ROSTER_NOT_IN_RUN = "roster_not_in_run"
SOURCE_FILE_NOT_IN_RUN = "source_file_not_in_run"

# Values of findings_diff.first_checked_reason.
RULE_NOT_EVALUATED_BEFORE = "rule_not_evaluated_before"
RULE_LACKED_INPUT_BEFORE = "rule_lacked_input_before"
ROSTER_NOT_IN_PREVIOUS_RUN = "roster_not_in_previous_run"
SOURCE_KIND_NOT_IN_PREVIOUS_RUN = "source_kind_not_in_previous_run"

# Tables of the previous run that record what it read: temp table, columns copied and their
# types.
_PREVIOUS_TABLES = {
    "file_reconciliation": (
        "__rules_previous_files",
        (("source_kind", "varchar"), ("source_file", "varchar"), ("rows_loaded", "bigint")),
    ),
    "rule_status": (
        "__rules_previous_rule_status",
        (("rule_code", "varchar"), ("is_evaluated", "boolean"), ("missing_inputs", "varchar")),
    ),
}


def _base_name(column: str) -> str:
    # Files are compared by base name, so a run that keeps files in sub-folders still matches.
    return f"regexp_replace({column}, '^.*[/\\\\]', '')"


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    return {row[0] for row in query_rows(con, f"describe select * from {relation}")}


def _has_table(con: duckdb.DuckDBPyConnection, database: str, table: str) -> bool:
    count = query_rows(
        con,
        "select count(*) from duckdb_tables() where database_name = ? and table_name = ?",
        [database, table],
    )[0][0]
    return count > 0


def load_previous_scope(
    con: duckdb.DuckDBPyConnection, attached: str | None, folder: Path | None
) -> None:
    """Copy the previous run's file list and rule status into temp tables.

    They come from the attached previous audit.duckdb `attached`, or else from
    `<table>.parquet` in `folder`. A table the previous run lacks stays empty, and then every
    source file that this run did not read counts as not read again, and every rule evaluated
    with a limitation counts as having lost an input. No finding of this run counts as first
    checked for a reason that the missing table would record.
    """
    for table, (temp, typed_columns) in _PREVIOUS_TABLES.items():
        schema = ", ".join(f"{column} {sql_type}" for column, sql_type in typed_columns)
        run_sql(con, f"create or replace temp table {temp} ({schema})")
        columns = [column for column, _sql_type in typed_columns]

        relation = None
        if attached is not None and _has_table(con, attached, table):
            relation = f"{attached}.{table}"
        elif folder is not None and (folder / f"{table}.parquet").exists():
            path = str(folder / f"{table}.parquet").replace("'", "''")
            relation = f"read_parquet('{path}')"
        if relation is None or not set(columns) <= _columns(con, relation):
            logger.info("previous run has no %s, so none of its inputs count as read", table)
            continue
        names = ", ".join(columns)
        run_sql(con, f"insert into {temp} select distinct {names} from {relation}")


def _split_inputs(missing_inputs: str | None) -> set[str]:
    return {entry.strip() for entry in (missing_inputs or "").split(",") if entry.strip()}


def _rules_not_rechecked(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Return (rule_code, reason) of the rules not evaluated in this run, or evaluated without
    an input that the previous run had."""
    previous = {
        code: _split_inputs(inputs)
        for code, inputs in query_rows(
            con, "select rule_code, missing_inputs from __rules_previous_rule_status"
        )
    }
    rows = []
    for code, is_evaluated, inputs in query_rows(
        con, "select rule_code, is_evaluated, missing_inputs from rule_status"
    ):
        if not is_evaluated:
            rows.append((code, RULE_NOT_EVALUATED))
        elif _split_inputs(inputs) - previous.get(code, set()):
            rows.append((code, RULE_LOST_INPUT))
    return rows


def _rules_with_new_limitation(
    con: duckdb.DuckDBPyConnection, not_rechecked_rules: list[tuple[str, str]]
) -> list[tuple[str]]:
    """Return (rule_code,) of the rules that lost an input since the previous run, from the
    rows of `_rules_not_rechecked`, keeping only rules in the previous run's rule_status.
    Without that table no rule is returned."""
    previous = {
        code for (code,) in query_rows(con, "select rule_code from __rules_previous_rule_status")
    }
    return [
        (code,) for code, reason in not_rechecked_rules
        if reason == RULE_LOST_INPUT and code in previous
    ]


def _has_run_files(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    if not _has_table(con, query_rows(con, "select current_database()")[0][0],
                      "file_reconciliation"):
        return False
    return query_rows(
        con, "select count(*) from file_reconciliation where run_id = ?", [run_id]
    )[0][0] > 0


def _programmes_not_in_run(con: duckdb.DuckDBPyConnection, has_run_files: bool) -> list[str]:
    """Return the programmes whose roster this run did not read or had no data rows.

    Without this run's file_reconciliation, rule_status.missing_inputs names the absent
    rosters, though only those that some rule reads.
    """
    if has_run_files:
        loaded = {row[0] for row in query_rows(con, "select source_kind from __rules_run_files")}
        return programmes_not_loaded(loaded)
    absent = set()
    for (inputs,) in query_rows(con, "select missing_inputs from rule_status"):
        absent |= _split_inputs(inputs)
    return programmes_of_missing_inputs(absent)


def _rules_first_checked(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Return (rule_code, reason) of the rules evaluated in this run that the previous run did
    not evaluate, or evaluated without an input that this run has.

    A rule missing from the previous run's rule_status, such as a rule added since, counts as
    not evaluated then. Without that table no rule is returned.
    """
    previous = {
        code: (bool(is_evaluated), _split_inputs(inputs))
        for code, is_evaluated, inputs in query_rows(
            con,
            "select rule_code, is_evaluated, missing_inputs from __rules_previous_rule_status",
        )
    }
    if not previous:
        return []
    rows = []
    for code, is_evaluated, inputs in query_rows(
        con, "select rule_code, is_evaluated, missing_inputs from rule_status"
    ):
        if not is_evaluated:
            continue
        was_evaluated, previous_inputs = previous.get(code, (False, set()))
        if not was_evaluated:
            rows.append((code, RULE_NOT_EVALUATED_BEFORE))
        elif previous_inputs - _split_inputs(inputs):
            rows.append((code, RULE_LACKED_INPUT_BEFORE))
    return rows


def _previous_loaded_kinds(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Return the source kinds of which the previous run loaded rows."""
    rows = query_rows(
        con,
        "select source_kind from __rules_previous_files "
        "group by source_kind having sum(rows_loaded) > 0",
    )
    return {row[0] for row in rows}


def _has_previous_files(con: duckdb.DuckDBPyConnection) -> bool:
    return query_rows(con, "select count(*) from __rules_previous_files")[0][0] > 0


def _programmes_not_in_previous_run(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the programmes whose roster the previous run did not read or had no data rows.

    Without the previous run's file_reconciliation, its rule_status.missing_inputs names the
    absent rosters, though only those that some rule reads. Without both tables, none.
    """
    if _has_previous_files(con):
        return programmes_not_loaded(_previous_loaded_kinds(con))
    absent = set()
    for (inputs,) in query_rows(con, "select missing_inputs from __rules_previous_rule_status"):
        absent |= _split_inputs(inputs)
    return programmes_of_missing_inputs(absent)


def _write_temp_table(
    con: duckdb.DuckDBPyConnection, table: str, schema: str, rows: Iterable[Sequence[object]]
) -> None:
    """Create the temp table `table` with the columns `schema` and insert `rows`."""
    run_sql(con, f"create or replace temp table {table} ({schema})")
    placeholders = ", ".join("?" for _column in schema.split(","))
    for row in rows:
        query_rows(con, f"insert into {table} values ({placeholders})", list(row))


def _build_first_check_scope(
    con: duckdb.DuckDBPyConnection,
    has_run_files: bool,
    not_rechecked_rules: list[tuple[str, str]],
) -> None:
    """Create the temp tables that findings_diff reads to tell new from first checked.

    `__rules_run_files` must contain this run's files. A file of this run counts as first checked
    when the previous run loaded no rows of its source kind, so a new month's export under a new
    name still yields new findings. The files are compared only when both runs have a
    file_reconciliation.
    """
    first_checked_rules = _rules_first_checked(con)
    _write_temp_table(
        con,
        "__rules_first_checked_rules",
        "rule_code varchar, reason varchar",
        first_checked_rules,
    )
    _write_temp_table(
        con,
        "__rules_new_with_limitation_rules",
        "rule_code varchar",
        _rules_with_new_limitation(con, not_rechecked_rules),
    )
    _write_temp_table(
        con,
        "__rules_resolved_with_input_rules",
        "rule_code varchar",
        [(code,) for code, reason in first_checked_rules if reason == RULE_LACKED_INPUT_BEFORE],
    )
    _write_temp_table(
        con,
        "__rules_first_checked_programmes",
        "programme varchar",
        [(programme,) for programme in _programmes_not_in_previous_run(con)],
    )

    first_checked_files = []
    if has_run_files and _has_previous_files(con):
        loaded_before = _previous_loaded_kinds(con)
        first_checked_files = [
            (source_file,)
            for kind, source_file in query_rows(
                con, "select distinct source_kind, source_file from __rules_run_files"
            )
            if kind not in loaded_before
        ]
    _write_temp_table(
        con, "__rules_first_checked_files", "source_file varchar", first_checked_files
    )


def build_recheck_scope(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Create the temp tables that findings_diff reads to tell resolved from not re-checked,
    and new from first checked.

    `load_previous_scope` and the previous findings must be loaded, and `rule_status` written.
    A previous source file that this run did not read counts as replaced when this run read a
    file of the same kind that the previous run did not read, such as a new month's export under
    a new name. Its findings then count as re-checked. Without this run's file_reconciliation
    the source files are not compared.
    """
    has_run_files = _has_run_files(con, run_id)
    run_sql(
        con,
        "create or replace temp table __rules_run_files "
        "(source_kind varchar, source_file varchar)",
    )
    if has_run_files:
        query_rows(
            con,
            "insert into __rules_run_files "
            f"select source_kind, {_base_name('source_file')} from file_reconciliation "
            "where run_id = ? group by all having sum(rows_loaded) > 0",
            [run_id],
        )

    not_rechecked_rules = _rules_not_rechecked(con)
    _write_temp_table(
        con,
        "__rules_not_rechecked_rules",
        "rule_code varchar, reason varchar",
        not_rechecked_rules,
    )
    _write_temp_table(
        con,
        "__rules_not_rechecked_programmes",
        "programme varchar",
        [(programme,) for programme in _programmes_not_in_run(con, has_run_files)],
    )

    run_sql(con, "create or replace temp table __rules_not_rechecked_files (source_file varchar)")
    if has_run_files:
        run_sql(
            con,
            f"""
            insert into __rules_not_rechecked_files
            with previous_files as (
                select distinct source_kind, {_base_name('source_file')} as source_file
                from __rules_previous_files
            ),
            replaced_kinds as (
                select distinct source_kind from __rules_run_files
                where source_file not in (select source_file from previous_files)
            ),
            unread as (
                select distinct {_base_name('source_file')} as source_file
                from __rules_previous_findings
                where source_file is not null
                    and {_base_name('source_file')}
                        not in (select source_file from __rules_run_files)
            )
            select unread.source_file
            from unread
            left join previous_files using (source_file)
            group by unread.source_file
            having not bool_or(coalesce(
                previous_files.source_kind in (select source_kind from replaced_kinds), false
            ))
            """,
        )

    _build_first_check_scope(con, has_run_files, not_rechecked_rules)
