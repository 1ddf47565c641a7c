"""Worksheet cell XML built by DuckDB, so that no Python code runs per cell.

`install_macros` defines SQL macros on a connection. `rows_sql` wraps a query whose columns
are the sheet's values and returns a query of `<row>` elements with inline-string cells
(`t="inlineStr"`), so a workbook needs no shared-string table.

Text cells follow the rules of pipelines.publish.cells: a text that starts like a formula gets
the quote-prefix style, so Excel keeps it as text even after a user edits the cell. Characters
that XML 1.0 forbids (control characters other than tab, line feed and carriage return, and
U+FFFE, U+FFFF) are dropped. A carriage return is written as `&#13;`, because an XML parser
turns a literal one into a line feed. A literal `_xHHHH_` in a text gets its underscore
escaped as `_x005F_`, as Excel does, because Excel reads `_xHHHH_` as an escaped character.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from pipelines.publish.cells import FORMULA_PREFIXES
from pipelines.publish.xlsx_parts import Style, column_letter
from pipelines.sqlrun import query_rows, run_sql

NUMBER_KINDS = ("int", "idr", "percent")
INPUT_KINDS = ("input", "input_wrap")
COLUMN_KINDS = ("text", "id", "wrap", "link", "date", *NUMBER_KINDS, *INPUT_KINDS)

# A number cell needs a number type; a value of another type in an int column is written as
# text, as xlsxwriter did.
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
_NUMERIC_TYPES = (*_INTEGER_TYPES, *(f"U{name}" for name in _INTEGER_TYPES), "FLOAT", "DOUBLE")
_DATE_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS")

# Characters that XML 1.0 forbids, as an RE2 class: C0 controls except tab, line feed and
# carriage return, and the non-characters U+FFFE and U+FFFF.
_FORBIDDEN_CLASS = "\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x{FFFE}\\x{FFFF}"

MIN_WIDTH = 6
MAX_WIDTH = 60
WIDTH_SAMPLE_ROWS = 500


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: its header, a SQL expression for its value and its cell kind.

    `expression` is evaluated over the rows the sheet is built from. `kind` is `text`, `id` (a
    NIK or No KK: text in the Text number format), `int`, `idr` (rupiah, integer with thousands
    separators), `percent` (a fraction from 0 to 1 shown as a percentage with two decimals),
    `date`, `wrap` (long text shown wrapped), `link` (text in the hyperlink style; the sheet's
    layout adds the link), or `input` and `input_wrap` (an empty yellow cell for
    the field officer). A column without `width` is sized to its header and the first 500
    values of each sheet, between 6 and 60 characters.
    """

    header: str
    expression: str
    kind: str = "text"
    width: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(
                f"column {self.header!r} has invalid kind {self.kind!r}; "
                f"use one of {', '.join(COLUMN_KINDS)}"
            )


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Define the xlsx_* SQL macros on `con` (temporary, so they vanish with the connection)."""
    formula_starts = ", ".join(_sql_char(prefix) for prefix in FORMULA_PREFIXES)
    # regexp_replace is about ten times faster than translate here (DuckDB 2.0.1).
    run_sql(
        con,
        "create or replace temp macro xlsx_clean(s) as "
        f"regexp_replace(s, '[{_FORBIDDEN_CLASS}]', '', 'g')",
    )
    run_sql(
        con,
        "create or replace temp macro xlsx_escape(t) as "
        "case when not regexp_matches(t, '[&<>\"\\r]|_x') then t else "
        "replace(replace(replace(replace(replace("
        "  case when contains(t, '_x') then regexp_replace(t, '_(x[0-9A-Fa-f]{4}_)', "
        "  '_x005F_\\1', 'g') else t end, "
        "'&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '\"', '&quot;'), chr(13), '&#13;') end",
    )
    # Each cell is one concat() call, and each row one concat() of its cells. A chain of ||
    # copies the growing row once per operator and made the rows about 40 % slower.
    run_sql(
        con,
        "create or replace temp macro xlsx_text(letter, r, t, style, guarded) as "
        "case when t is null or t = '' "
        f"then concat('<c r=\"', letter, r, '\" s=\"{Style.TEXT}\"/>') "
        "else concat('<c r=\"', letter, r, '\" s=\"', "
        f"case when left(t, 1) in ({formula_starts}) then guarded else style end, "
        '\'" t="inlineStr"><is><t\', '
        "case when left(t, 1) <= ' ' or right(t, 1) <= ' ' "
        "then ' xml:space=\"preserve\"' else '' end, "
        "'>', xlsx_escape(t), '</t></is></c>') end",
    )
    run_sql(
        con,
        "create or replace temp macro xlsx_number(letter, r, n, style) as "
        "case when n is null or isnan(n::double) or isinf(n::double) "
        f"then concat('<c r=\"', letter, r, '\" s=\"{Style.TEXT}\"/>') "
        "else concat('<c r=\"', letter, r, '\" s=\"', style, '\"><v>', "
        "case when n::double = trunc(n::double) and abs(n::double) < 1e15 "
        "then cast(cast(n::double as bigint) as varchar) else cast(n::double as varchar) end, "
        "'</v></c>') end",
    )


def text_cells(
    con: duckdb.DuckDBPyConnection, cells: Sequence[tuple[str, str | None, int, int]]
) -> list[str]:
    """Return the XML of text cells given as (reference, text, style, guarded style)."""
    if not cells:
        return []
    refs, texts, styles, guarded = (list(values) for values in zip(*cells, strict=True))
    rows = query_rows(
        con,
        "select xlsx_text(ref, '', xlsx_clean(text), style, guarded) from ("
        "select unnest(?::varchar[]) as ref, unnest(?::varchar[]) as text, "
        "unnest(?::integer[]) as style, unnest(?::integer[]) as guarded, "
        "unnest(range(?)) as position) order by position",
        [refs, texts, styles, guarded, len(cells)],
    )
    return [row[0] for row in rows]


def column_types(con: duckdb.DuckDBPyConnection, source_sql: str) -> list[str]:
    """Return the DuckDB type names of the columns of `source_sql`, in order."""
    rows = query_rows(con, f"describe ({source_sql})")
    return [row[1] for row in rows]


def rows_sql(
    columns: Sequence[Column],
    types: Sequence[str],
    source_sql: str,
    first_excel_row: int,
) -> str:
    """Return a query of `(sheet_no, row_no, xml)`, one `<row>` element per source row.

    `source_sql` must return `sheet_no`, `row_no` (1-based within the sheet) and one column
    `v0`, `v1`, ... per column, in that order after the first two. Row `row_no` lands on
    worksheet row `first_excel_row + row_no - 1` (1-based, as Excel numbers rows).
    """
    value_types = list(types)[2:]
    prepared = ", ".join(
        _prepared_value(column, value_types[n], n) for n, column in enumerate(columns)
    )
    cells = ", ".join(_cell_xml(column, value_types[n], n) for n, column in enumerate(columns))
    return (
        f"with source as ({source_sql}), "
        f"prepared as (select sheet_no, row_no, (row_no + {first_excel_row - 1})::varchar as r, "
        f"{prepared} from source) "
        "select sheet_no, row_no, concat('<row r=\"', r, '\">', "
        f"{cells}, '</row>') as xml from prepared"
    )


def sizes_sql(columns: Sequence[Column], types: Sequence[str], source_sql: str) -> str:
    """Return a query of `(sheet_no, rows, w0, w1, ...)`: row count and display lengths.

    `w<n>` is the longest value of column n among the first WIDTH_SAMPLE_ROWS rows of the
    sheet, or NULL for a column with a fixed width.
    """
    value_types = list(types)[2:]
    items = []
    for n, column in enumerate(columns):
        if column.width is not None or column.kind in INPUT_KINDS:
            items.append(f"null as w{n}")
            continue
        length = _display_length(column, value_types[n], n)
        items.append(f"max({length}) filter (where row_no <= {WIDTH_SAMPLE_ROWS}) as w{n}")
    return (
        f"select sheet_no, max(row_no) as rows, {', '.join(items)} from ({source_sql}) "
        "group by sheet_no"
    )


def column_widths(columns: Sequence[Column], measured: Sequence[int | None]) -> list[float]:
    """Return each column's width: the fixed one, or the longest value measured (or header)."""
    widths = []
    for column, length in zip(columns, measured, strict=True):
        if column.width is not None:
            widths.append(column.width)
            continue
        longest = max(len(column.header) * 0.8, length or 0)
        widths.append(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def _letters_sql(col: int) -> str:
    return "'" + column_letter(col) + "'"


def _is_number(kind: str, type_name: str) -> bool:
    if kind in NUMBER_KINDS:
        return type_name in _NUMERIC_TYPES or type_name.startswith("DECIMAL(")
    if kind == "date":
        return type_name in _DATE_TYPES
    return False


def _prepared_value(column: Column, type_name: str, n: int) -> str:
    """Return the select item that turns v<n> into what the cell writer reads as t<n>."""
    if column.kind in INPUT_KINDS:
        return f"null as t{n}"
    if _is_number(column.kind, type_name):
        if column.kind == "date":
            # Excel stores a date as days since 1899-12-30 (with the 1900 leap-year bug).
            return f"epoch(v{n}::timestamp) / 86400.0 + 25569 as t{n}"
        return f"v{n} as t{n}"
    return f"xlsx_clean(v{n}::varchar) as t{n}"


def _cell_xml(column: Column, type_name: str, n: int) -> str:
    letter = _letters_sql(n)
    if column.kind == "input":
        return f"'<c r=\"', {letter}, r, '\" s=\"{Style.INPUT}\"/>'"
    if column.kind == "input_wrap":
        return f"'<c r=\"', {letter}, r, '\" s=\"{Style.INPUT_WRAP}\"/>'"
    if _is_number(column.kind, type_name):
        style = {
            "int": Style.INTEGER,
            "idr": Style.IDR,
            "percent": Style.PERCENT,
            "date": Style.DATE,
        }[column.kind]
        return f"xlsx_number({letter}, r, t{n}, {style})"
    if column.kind == "wrap":
        return f"xlsx_text({letter}, r, t{n}, {Style.WRAP}, {Style.WRAP_GUARDED})"
    if column.kind == "link":
        return f"xlsx_text({letter}, r, t{n}, {Style.LINK}, {Style.LINK})"
    if column.kind == "id":
        return f"xlsx_text({letter}, r, t{n}, {Style.ID}, {Style.ID_GUARDED})"
    return f"xlsx_text({letter}, r, t{n}, {Style.TEXT}, {Style.TEXT_GUARDED})"


def _display_length(column: Column, type_name: str, n: int) -> str:
    """Return a SQL expression for the length of v<n> as the cell shows it."""
    if _is_number(column.kind, type_name):
        if column.kind == "date":
            return "10"
        if column.kind == "percent":
            return "7"
        # A rupiah cell shows "Rp " before the digits and thousands separators.
        digits = f"length(format('{{:,}}', round(v{n}::double)::hugeint))"
        return f"{digits} + 3" if column.kind == "idr" else digits
    return f"length(coalesce(v{n}::varchar, ''))"


def _sql_char(character: str) -> str:
    if character.isprintable():
        return "'" + character.replace("'", "''") + "'"
    return f"chr({ord(character)})"
