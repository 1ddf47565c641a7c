"""Quarantine reasons and errors for CSV rows that do not split into the header's columns.

Each text is in the current language and names the file and the row or line, the likely cause
(a separator inside a value without quotes, a missing value, a stray double quote) and what to do.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from pipelines.i18n import _


def csv_error_message(file: str, line: int, error: csv.Error) -> str:
    """Explain a record the csv module cannot read, which starts on `line` of `file`."""
    if "field larger than field limit" in str(error):
        return _(
            "{file}: from line {line} on, a double quote (\") opens a value that is never "
            "closed, so the rest of the file reads as one value. Remove or close that quote "
            "and export the file again."
        ).format(file=file, line=line)
    return _(
        "{file}: the record that starts on line {line} cannot be read as CSV ({error}). Check "
        "the quotes and special characters on that line and export the file again."
    ).format(file=file, line=line, error=error)


@dataclass(frozen=True)
class RowContext:
    """File name and CSV separator, which a quarantine reason names besides the row."""

    file: str
    delimiter: str


def width_issue(context: RowContext, row: int, found: int, expected: int,
                lines: tuple[int, int] | None = None, has_quote: bool = False) -> str:
    """Explain, in the current language, why a CSV row does not split into the header's
    `expected` columns, and what to do about it.

    `has_quote` tells that a parsed value still contains a double quote. The csv readers keep a
    quote that cannot open or close a value as text, so such a quote is the likely stray one.
    """
    where = _("{file} row {row}").format(file=context.file, row=row)
    if lines is not None and lines[1] > lines[0]:
        return _(
            "{where}: a double quote (\") opens a value that runs from line {first} to line "
            "{last}, so those lines were read as one row with {found} fields instead of "
            "{expected}. Remove or close the stray quote and export the file again."
        ).format(where=where, first=lines[0], last=lines[1], found=found, expected=expected)
    if has_quote:
        return _(
            "{where}: the row has {found} fields but the header has {expected}. A value "
            "contains a double quote (\"), so a stray quote probably shifted the fields. Remove "
            "that quote, or write it twice (\"\") inside a quoted value, and export the file "
            "again."
        ).format(where=where, found=found, expected=expected)
    if found > expected:
        return _(
            "{where}: the row has {found} fields but the header has {expected}. A value "
            "probably contains the separator {separator} without quotes. Put that value in "
            "double quotes, or export the file again with another separator."
        ).format(where=where, found=found, expected=expected,
                 separator=_separator_name(context.delimiter))
    return _(
        "{where}: the row has {found} fields but the header has {expected}. Check that row in "
        "the file: a value or a separator is missing."
    ).format(where=where, found=found, expected=expected)


def _separator_name(delimiter: str) -> str:
    return _("TAB") if delimiter == "\t" else f"'{delimiter}'"
