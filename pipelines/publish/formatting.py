"""Numbers, rupiah, percentages and dates in the reader's language (babel locales id and en)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from pipelines.i18n import current_language, set_language


def _locale() -> str:
    return current_language()


def number(value: Any, decimals: int = 0) -> str:
    """Format a count or amount: `1.234.567` in Indonesian, `1,234,567` in English."""
    if value is None:
        return "-"
    pattern = "#,##0" if decimals == 0 else "#,##0." + "0" * decimals
    return format_decimal(value, format=pattern, locale=_locale())


def signed_number(value: Any, decimals: int = 0) -> str:
    """Format a number with a leading `+` or `-`, as `+1,50` or `-15,23` in Indonesian."""
    if value is None:
        return "-"
    digits = "#,##0" if decimals == 0 else "#,##0." + "0" * decimals
    return format_decimal(value, format=f"+{digits};-{digits}", locale=_locale())


def rupiah(value: Any) -> str:
    """Format rupiah without decimals: `Rp 1.250.000`."""
    if value is None:
        return "-"
    return "Rp " + number(round(float(value)))


def rupiah_short(value: Any) -> str:
    """Format large rupiah compactly for chart labels: `Rp 1,3 M`, `Rp 250 jt`."""
    if value is None:
        return "-"
    amount = float(value)
    units = (
        (1e12, "T", "T"),
        (1e9, "M", "B"),
        (1e6, "jt", "M"),
    )
    for size, id_unit, en_unit in units:
        if abs(amount) >= size:
            unit = id_unit if _locale() == "id" else en_unit
            scaled = amount / size
            return f"Rp {number(scaled, 1 if abs(scaled) < 100 else 0)} {unit}"
    return rupiah(amount)


def percent(value: Any, decimals: int = 1) -> str:
    """Format a share between 0 and 1 as a percentage: `12,3%`."""
    if value is None:
        return "-"
    pattern = "#,##0." + "0" * decimals + "%" if decimals else "#,##0%"
    return format_percent(value, format=pattern, locale=_locale())


def date(value: Any) -> str:
    """Format a date as `18 Nov 2026`; text that is not a date is returned as it is."""
    if value is None or value == "":
        return "-"
    if isinstance(value, dt.datetime):
        return format_datetime(value, format="d MMM y HH:mm", locale=_locale())
    if isinstance(value, dt.date):
        return format_date(value, format="d MMM y", locale=_locale())
    try:
        return format_date(
            dt.date.fromisoformat(str(value)[:10]), format="d MMM y", locale=_locale()
        )
    except ValueError:
        return str(value)


def month_name(month: int) -> str:
    """Return the full name of `month` (1 to 12): `Februari` in Indonesian."""
    return format_date(dt.date(2000, month, 1), format="LLLL", locale=_locale())


def share(part: Any, whole: Any) -> float | None:
    """Return part / whole, or None when the whole is zero or missing."""
    if not whole:
        return None
    return float(part or 0) / float(whole)


@contextlib.contextmanager
def using_language(language: str) -> Iterator[None]:
    """Set the i18n language for the block and restore the caller's language afterwards."""
    saved = current_language()
    set_language(language)
    try:
        yield
    finally:
        set_language(saved)
