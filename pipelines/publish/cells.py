"""Safe cell values for spreadsheets and CSV files, and valid sheet names.

A cell text that starts with `=`, `+`, `-` or `@` (or a tab or carriage return) is run as a
formula by Excel and LibreOffice when it arrives as a formula or through CSV import ("formula
injection"). Names and free text in bansos files come from the public, so every XLSX text cell
goes through the SQL cell writer of pipelines.publish.xlsx_cells, and every CSV text through
`csv_text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

MAX_SHEET_NAME_LENGTH = 31
_SHEET_NAME_INVALID = re.compile(r"[\[\]:*?/\\]")


def starts_like_formula(text: str) -> bool:
    """Return whether a spreadsheet would read `text` as a formula when it arrives as one."""
    return text.startswith(FORMULA_PREFIXES)


def csv_text(value: Any) -> str:
    """Return `value` as CSV cell text; a text that starts like a formula gets a leading `'`."""
    text = "" if value is None else str(value)
    if starts_like_formula(text):
        return "'" + text
    return text


def sheet_names(names: Iterable[str], fallback: str = "Sheet") -> list[str]:
    """Turn `names` into valid, unique Excel sheet names, in the same order.

    Excel rejects names over 31 characters, names with `[ ] : * ? / \\`, names that start or
    end with an apostrophe, and names equal to another sheet's name ignoring case.
    """
    result: list[str] = []
    used: set[str] = set()
    for name in names:
        base = _clean_sheet_name(name) or fallback
        candidate = base[:MAX_SHEET_NAME_LENGTH]
        number = 2
        while candidate.casefold() in used:
            suffix = f" ({number})"
            candidate = base[: MAX_SHEET_NAME_LENGTH - len(suffix)].rstrip() + suffix
            number += 1
        used.add(candidate.casefold())
        result.append(candidate)
    return result


def _clean_sheet_name(name: str) -> str:
    cleaned = _SHEET_NAME_INVALID.sub(" ", str(name or ""))
    cleaned = " ".join(cleaned.split())
    cleaned = cleaned.strip("'").strip()
    if cleaned.casefold() == "history":
        # Excel reserves "History" for its change-tracking sheet.
        cleaned = cleaned + " 1"
    return cleaned[:MAX_SHEET_NAME_LENGTH].strip("'").strip()
