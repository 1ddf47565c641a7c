"""Find the last reader of each base table of the rules, so the table can be dropped after it.

On the synthetic twelve-file batang data the base tables and rule outputs grew to about 3 GB.
That was more than the 2 GB memory limit the audit flow then gave DuckDB, so DuckDB wrote them
to its temporary directory and read them back. Dropping a table once no later model, rule or mart reads it keeps more of them in memory.

Readers are found by the `__rules_<name>` names in their SQL text. A macro that reads a table
(such as `__rules_link_probability`) counts as a read of that table wherever the macro is called.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

SCRATCH_NAME = re.compile(r"\b__rules_(\w+)")
MACRO_DEFINITION = re.compile(r"create\s+or\s+replace\s+temp\s+macro\s+__rules_(\w+)", re.I)


def macro_reads(macro_sql: str, tables: Iterable[str]) -> dict[str, set[str]]:
    """Return, for each macro that `macro_sql` defines, the tables of `tables` it reads.

    Every macro of the file is taken to read every table the file names, which is exact for a
    file with one macro and may keep a table longer than needed otherwise.
    """
    read = set(SCRATCH_NAME.findall(macro_sql)) & set(tables)
    return {name: read for name in MACRO_DEFINITION.findall(macro_sql)}


def tables_read(sql: str, tables: Iterable[str], macros: Mapping[str, set[str]]) -> set[str]:
    """Return the tables of `tables` that `sql` reads, directly or through a macro of `macros`."""
    names = set(SCRATCH_NAME.findall(sql))
    read = names & set(tables)
    for macro, macro_tables in macros.items():
        if macro in names:
            read |= macro_tables
    return read


def last_readers(
    steps: Iterable[tuple[str, str]],
    tables: Iterable[str],
    macros: Mapping[str, set[str]],
    never_dropped: set[str],
) -> dict[str, list[str]]:
    """Return, for each step name, the tables to drop after that step runs.

    `steps` are (name, SQL) pairs in run order, and the tables of each step are sorted by name. A
    table of `never_dropped` is never dropped, and a table that no step reads is left alone.
    """
    tables = list(tables)
    last: dict[str, str] = {}
    for name, sql in steps:
        for table in tables_read(sql, tables, macros):
            last[table] = name

    drops: dict[str, list[str]] = {}
    for table, step in sorted(last.items()):
        if table not in never_dropped:
            drops.setdefault(step, []).append(table)
    return drops
