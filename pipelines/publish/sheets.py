"""Shared SQL for the workbooks: region names, addresses, rule titles, and sheet bodies.

Names and titles reach DuckDB as small temporary tables and constants, so every label is
joined or looked up in SQL and the workbooks need no Python code per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from pipelines.i18n import _, current_language
from pipelines.publish.regions import Regions
from pipelines.publish.rule_texts import (
    DATA_QUALITY_ACTIONS,
    RULE_TITLES,
    SEVERITY_TITLES,
    rule_title,
    severity_title,
)
from pipelines.publish.xlsx_cells import (
    Column,
    column_types,
    column_widths,
    install_macros,
    rows_sql,
    sizes_sql,
)
from pipelines.rules.registry import RULES
from pipelines.sqlrun import interrupt_as_keyboard_interrupt, query_rows, run_sql

KECAMATAN_TABLE = "xlsx_kecamatan"
DESA_TABLE = "xlsx_desa"

# The codes of the rules that can give an ERROR finding (data invalid). The mart's
# `other_rule_codes` mixes ERROR and INFO codes, and no rule gives both severities, so a code of
# this set there comes from an ERROR finding.
ERROR_RULE_CODES = tuple(sorted(rule.code for rule in RULES if "ERROR" in rule.severities))


@dataclass(frozen=True)
class SheetBody:
    """The body rows of a set of sheets that share columns.

    `sql` returns `(sheet_no, row_no, xml)`. `rows` and `widths` are keyed by sheet_no; a
    sheet without rows is absent from `rows` and has the widths of its headers.
    """

    sql: str
    rows: dict[int, int]
    widths: dict[int, list[float]]
    default_widths: list[float]


def prepare(con: duckdb.DuckDBPyConnection, regions: Regions) -> None:
    """Install the cell macros and the region name tables on `con`."""
    install_macros(con)
    _name_table(con, KECAMATAN_TABLE, regions.kecamatan)
    _name_table(con, DESA_TABLE, regions.desa)


def with_region_names(source_sql: str) -> str:
    """Return `source_sql` plus `kecamatan_name` and `desa_name` columns.

    A missing code gives `-`, and a code the region table lacks gives the code itself, as
    Regions.kecamatan_name and Regions.desa_name do.
    """
    return (
        "select source.*, "
        "case when coalesce(source.kecamatan_code, '') = '' then '-' "
        "else coalesce(kecamatan.name, source.kecamatan_code) end as kecamatan_name, "
        "case when coalesce(source.desa_code, '') = '' then '-' "
        "else coalesce(desa.name, source.desa_code) end as desa_name "
        f"from ({source_sql}) as source "
        f"left join {KECAMATAN_TABLE} as kecamatan on kecamatan.code = source.kecamatan_code "
        f"left join {DESA_TABLE} as desa on desa.code = source.desa_code"
    )


def address_sql() -> str:
    """Return the SQL for `address, RT rt/RW rw` from the optional address columns."""
    rt = "nullif(rt::varchar, '')"
    rw = "nullif(rw::varchar, '')"
    return (
        "concat_ws(', ', nullif(address::varchar, ''), "
        f"case when {rt} is not null or {rw} is not null "
        f"then 'RT ' || coalesce({rt}, '-') || '/RW ' || coalesce({rw}, '-') end)"
    )


def codes_sql(type_name: str, column: str) -> str:
    """Return SQL for a list of trimmed, non-empty rule codes from a list or comma text column."""
    items = column if type_name.endswith("[]") else f"string_split({column}::varchar, ',')"
    return f"list_filter(list_transform({items}, lambda c: trim(c::varchar)), lambda c: c <> '')"


def listed_codes_sql(types: dict[str, str]) -> str:
    """Return SQL for the rule codes a workbook row lists: `rule_codes` (FLAG, then WARN), then
    the `other_rule_codes` (ERROR and INFO) that `rule_codes` lacks.

    `types` maps the source's column names to DuckDB types. Either column may be a list or a
    comma text, and `other_rule_codes` may be absent or NULL.
    """
    codes = codes_sql(types["rule_codes"], "rule_codes")
    other_type = types.get("other_rule_codes")
    if other_type is None or other_type == '"NULL"':
        return codes
    other = f"coalesce({codes_sql(other_type, 'other_rule_codes')}, [])"
    extra = f"list_filter({other}, lambda code: not list_contains({codes}, code))"
    return f"list_concat({codes}, {extra})"


def error_codes_sql(types: dict[str, str]) -> str:
    """Return SQL for the ERROR codes among a row's `other_rule_codes`, in their order there.

    `types` maps the source's column names to DuckDB types. A source without
    `other_rule_codes` gives an empty list.
    """
    other_type = types.get("other_rule_codes")
    if other_type is None or other_type == '"NULL"':
        return "[]::varchar[]"
    other = f"coalesce({codes_sql(other_type, 'other_rule_codes')}, [])"
    error_codes = "[" + ", ".join(_literal(code) for code in ERROR_RULE_CODES) + "]"
    return f"list_filter({other}, lambda code: list_contains({error_codes}, code))"


def nik_as_read_sql(types: dict[str, str], nik: str = "nik") -> str:
    """Return SQL for the NIK a workbook shows: the valid NIK, else the source cell as read.

    The mart's `nik` is NULL when the cell contains no valid NIK (15 digits, a placeholder, a
    number that Excel rounded), and `<nik>_raw` keeps the cell text. An inclusion row then lists
    NIK_FORMAT or NIK_EXCEL_DAMAGE with the reason. A source without `<nik>_raw` gives `nik`.
    """
    raw = f"{nik}_raw"
    if raw not in types:
        return nik
    return f"coalesce(nullif({nik}::varchar, ''), nullif(trim({raw}::varchar), ''))"


def evidence_items_sql(types: dict[str, str]) -> str:
    """Return SQL for the list of `CODE: evidence` entries in the publish language.

    `types` maps the source's column names to DuckDB types. Indonesian reads
    `evidence_items_id`, English `evidence_items` (see sql/marts/inclusion_errors.sql). A text
    column counts as one entry, and an absent or empty one gives an empty list.
    """
    column = "evidence_items_id" if current_language() == "id" else "evidence_items"
    type_name = types.get(column)
    if type_name is None:
        return "[]::varchar[]"
    if type_name.endswith("[]"):
        return f"coalesce({column}::varchar[], [])"
    return (
        f"case when coalesce({column}::varchar, '') = '' then []::varchar[] "
        f"else [{column}::varchar] end"
    )


def evidence_of_codes_sql(items: str, codes: str) -> str:
    """Return SQL keeping the `CODE: evidence` entries of `items` whose code is in `codes`."""
    return (
        f"list_filter({items}, lambda item: list_contains({codes}, split_part(item, ':', 1)))"
    )


def evidence_text_sql(items: str) -> str:
    """Return SQL for one cell text from a list of evidence entries, one entry per line."""
    return f"array_to_string({items}, chr(10))"


def confidence_sql(types: dict[str, str]) -> str:
    """Return SQL for the row's confidence, NULL when the source has no `confidence` column."""
    return "confidence" if "confidence" in types else "null::double"


def rule_titles_sql(codes: str) -> str:
    """Return SQL joining the translated titles of a list of codes with `; `."""
    entries = ", ".join(
        f"{_literal(code)}: {_literal(rule_title(code))}" for code in sorted(RULE_TITLES)
    )
    return (
        f"array_to_string(list_transform({codes}, "
        f"lambda c: coalesce((MAP {{{entries}}})[c], c)), '; ')"
    )


def data_quality_actions_sql(codes: str) -> str:
    """Return SQL for what to do about a list of ERROR codes, one translated sentence per line.

    Codes without an entry in DATA_QUALITY_ACTIONS give no line.
    """
    entries = ", ".join(
        f"{_literal(code)}: {_literal(_(action))}"
        for code, action in sorted(DATA_QUALITY_ACTIONS.items())
    )
    actions = f"list_transform({codes}, lambda c: (MAP {{{entries}}})[c])"
    return f"array_to_string(list_filter({actions}, lambda a: a is not null), chr(10))"


def severity_title_sql(column: str) -> str:
    """Return SQL for the translated title of a severity code, as severity_title does."""
    cases = " ".join(
        f"when {column} = {_literal(code)} then {_literal(severity_title(code))}"
        for code in sorted(SEVERITY_TITLES)
    )
    return f"case when coalesce({column}, '') = '' then '' {cases} else {column} end"


def source_types(con: duckdb.DuckDBPyConnection, source_sql: str) -> dict[str, str]:
    """Return the DuckDB type name of each column of `source_sql`."""
    return {row[0]: row[1] for row in query_rows(con, f"describe ({source_sql})")}


def sheet_body(
    con: duckdb.DuckDBPyConnection,
    columns: Sequence[Column],
    numbered_sql: str,
    first_excel_row: int,
) -> SheetBody:
    """Build the body query of sheets whose rows come from `numbered_sql`.

    `numbered_sql` must return `sheet_no` and `row_no` (1-based within the sheet) besides the
    columns that the column expressions read.
    """
    values = ", ".join(f"({column.expression}) as v{n}" for n, column in enumerate(columns))
    source = f"select sheet_no, row_no, {values} from ({numbered_sql})"
    types = column_types(con, source)

    rows: dict[int, int] = {}
    widths: dict[int, list[float]] = {}
    for sheet_no, count, *lengths in query_rows(con, sizes_sql(columns, types, source)):
        rows[sheet_no] = count
        widths[sheet_no] = column_widths(columns, lengths)
    return SheetBody(
        sql=rows_sql(columns, types, source, first_excel_row),
        rows=rows,
        widths=widths,
        default_widths=column_widths(columns, [None] * len(columns)),
    )


def _name_table(con: duckdb.DuckDBPyConnection, table: str, names: dict[str, str]) -> None:
    run_sql(con, f"create or replace temp table {table} (code varchar primary key, name varchar)")
    with interrupt_as_keyboard_interrupt():
        con.execute(
            f"insert into {table} select unnest(?::varchar[]), unnest(?::varchar[])",
            [list(names), list(names.values())],
        )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
