"""Name and date normalisation, applied once per distinct raw value.

Staging builds lookup tables from the distinct values of all raw tables (names and dates repeat
heavily in registers), so these pure functions run far fewer times than there are rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[\s\u00a0]+")
_APOSTROPHES = re.compile(r"[`\u2018\u2019\u02bc\u00b4]")


def clean_text(value: str | None) -> str | None:
    """Remove zero-width characters, turn NBSP and runs of whitespace into one space, trim."""
    if value is None:
        return None
    text = _SPACES.sub(" ", _INVISIBLE.sub("", value)).strip()
    return text or None


# --- names -----------------------------------------------------------------------------------

# Titles and honorifics written before a name: religious, academic, noble and forms of address
# seen in village lists. Matched as whole tokens, with or without a trailing dot.
_PREFIX_TITLES = (
    "H", "HJ", "KH", "K.H", "HAJI", "HAJAH", "USTADZ", "UST", "USTADZAH", "USTAZ", "USTADZ",
    "DRS", "DRA", "DR", "DRG", "IR", "PROF", "NY", "NYONYA", "NN", "TN", "BP", "BPK", "BAPAK",
    "PAK", "IBU", "BU", "MBAH", "SDR", "SDRI", "R", "RA", "R.A", "RM", "R.M", "RR", "TGK",
)
_DECEASED = ("ALM", "ALMH", "ALMARHUM", "ALMARHUMAH", "ALMRH", "ALMHM")
_PREFIX_ALTERNATIVES = "|".join(
    re.escape(t) for t in sorted((*_PREFIX_TITLES, *_DECEASED), key=len, reverse=True)
)
_LEADING_TITLE = re.compile(rf"^({_PREFIX_ALTERNATIVES})(?:\.\s*|\s+)")
_DECEASED_ANYWHERE = re.compile(
    r"(?:^|[\s(,])(ALMH?|ALMARHUM(?:AH)?|ALMRH|ALMHM)(?:\.|(?=[\s),])|$)\)?"
)
# Academic degrees written after a name: S.Pd.I, S.E., M.Pd, A.Md.Kep, S.Kom, Dr.
_DEGREE = re.compile(r"^(?:[SMD]\d?|A)\.?\s?[A-Z]{1,5}(?:\.\s?[A-Z]{1,4})*\.?$")
_KNOWN_DEGREES = {"SH", "SE", "ST", "SPD", "SAG", "SKOM", "SSOS", "SIP", "MM", "MPD", "MSI",
                  "AMD", "SKED", "SPT", "SPSI", "SKM", "SFARM", "SPDI", "MAG", "SHI", "STP"}
_PATRONYM = re.compile(r"\s(?:BIN|BINTI)\.?\s+(.+)$")


@dataclass(frozen=True)
class NormalisedName:
    name: str | None
    titles: str | None
    patronym: str | None
    has_deceased_marker: bool


def _is_degree(token: str) -> bool:
    compact = token.replace(".", "").replace(" ", "")
    return compact in _KNOWN_DEGREES or ("." in token and bool(_DEGREE.match(token)))


def _strip_suffix_titles(text: str, titles: list[str]) -> str:
    """Remove degrees after a comma (`NAME, S.Pd.I`) or as trailing dotted tokens."""
    if "," in text:
        head, _sep, tail = text.partition(",")
        parts = [p.strip() for p in tail.split(",") if p.strip()]
        if parts and all(_is_degree(p) for p in parts):
            titles.extend(parts)
            text = head
    tokens = text.split(" ")
    while len(tokens) > 1 and _is_degree(tokens[-1]):
        titles.append(tokens.pop())
    return " ".join(tokens)


def _strip_prefix_titles(text: str, titles: list[str]) -> str:
    while True:
        match = _LEADING_TITLE.match(text)
        if not match or not text[match.end():].strip():
            return text
        titles.append(match.group(1))
        text = text[match.end():].lstrip()


def normalise_name(raw: str | None) -> NormalisedName:
    """Split a raw name into the bare upper-case name, its titles, the patronym after BIN/BINTI
    and whether Alm./Almh. (deceased) was written.

    Dots and commas left inside the name become spaces (`M. FAIZIN` -> `M FAIZIN`); apostrophes
    stay (`NUR'AINI`) because they separate syllables in Indonesian names.
    """
    text = clean_text(raw)
    if text is None:
        return NormalisedName(None, None, None, False)
    text = _APOSTROPHES.sub("'", text.upper())

    deceased = bool(_DECEASED_ANYWHERE.search(text))
    titles: list[str] = []
    text = _strip_prefix_titles(text, titles)
    text = _DECEASED_ANYWHERE.sub(" ", text).strip()
    text = _strip_suffix_titles(text, titles)

    patronym = None
    match = _PATRONYM.search(text)
    if match:
        patronym = _tidy(match.group(1))
        text = text[: match.start()]

    titles = [t for t in titles if t.rstrip(".") not in _DECEASED]
    name = _tidy(text)
    return NormalisedName(name, " ".join(titles) or None, patronym, deceased)


def _tidy(text: str) -> str | None:
    text = re.sub(r"[.,;]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" -'")
    return text or None


# --- dates -----------------------------------------------------------------------------------

MONTHS = {
    "JANUARI": 1, "JAN": 1, "JANUARY": 1,
    "FEBRUARI": 2, "PEBRUARI": 2, "FEB": 2, "PEB": 2, "FEBRUARY": 2,
    "MARET": 3, "MAR": 3, "MARCH": 3,
    "APRIL": 4, "APR": 4,
    "MEI": 5, "MAY": 5,
    "JUNI": 6, "JUN": 6, "JUNE": 6,
    "JULI": 7, "JUL": 7, "JULY": 7,
    "AGUSTUS": 8, "AGUSTUS.": 8, "AGU": 8, "AGT": 8, "AGS": 8, "AUG": 8, "AUGUST": 8,
    "SEPTEMBER": 9, "SEP": 9, "SEPT": 9,
    "OKTOBER": 10, "OKT": 10, "OCT": 10, "OCTOBER": 10,
    "NOVEMBER": 11, "NOV": 11, "NOP": 11, "NOPEMBER": 11,
    "DESEMBER": 12, "DES": 12, "DEC": 12, "DECEMBER": 12,
}
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel serials accepted as dates: 1 Jan 1900 .. 31 Dec 2099.
EXCEL_SERIAL_RANGE = (2, 73050)

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.\s](\d{1,2})[-/.\s](\d{4}|\d{2})$")
_TEXT_MONTH = re.compile(r"^(\d{1,2})[-/.\s]*([A-Z]+)\.?[-/.,\s]*(\d{4}|\d{2})$")
_SERIAL = re.compile(r"^(\d{1,5})(?:[.,]0+)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?$")


@dataclass(frozen=True)
class ParsedDate:
    value: dt.date | None
    is_ambiguous: bool


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _full_year(year_text: str, today: dt.date) -> int:
    """Return a 4-digit year; a 2-digit year is in this century unless that is in the future."""
    year = int(year_text)
    if len(year_text) == 4:
        return year
    century = today.year // 100 * 100
    return century + year if century + year <= today.year else century - 100 + year


def parse_date(raw: str | None, today: dt.date | None = None) -> ParsedDate:
    """Parse the date formats found in Indonesian exports; day-first unless impossible.

    `07-05-1985`, `7/5/1985` and `07/05/85` read as 7 May and are ambiguous (day and month
    could be swapped); `05/17/1985` is read US-style because 17 cannot be a month.
    """
    today = today or dt.date.today()
    if raw and (match := _NUMERIC.match(raw)):
        # Fast path for the most common form, `dd-mm-yyyy` without stray spaces.
        return _day_month(match.group(1), match.group(2), _full_year(match.group(3), today))
    text = clean_text(raw)
    if text is None:
        return ParsedDate(None, False)
    text = _TIME_SUFFIX.sub("", text.upper()).strip()

    if match := _ISO.match(text):
        year, month, day = map(int, match.groups())
        return ParsedDate(_make(year, month, day), False)
    if match := _COMPACT.match(text):
        year, month, day = map(int, match.groups())
        return ParsedDate(_make(year, month, day) if 1800 < year < 2200 else None, False)
    if match := _SERIAL.match(text):
        return ParsedDate(_from_serial(match.group(1)), False)
    if match := _NUMERIC.match(text):
        return _day_month(match.group(1), match.group(2), _full_year(match.group(3), today))
    if match := _TEXT_MONTH.match(text):
        month = MONTHS.get(match.group(2))
        if month is None:
            return ParsedDate(None, False)
        year = _full_year(match.group(3), today)
        return ParsedDate(_make(year, month, int(match.group(1))), False)
    return ParsedDate(None, False)


def _from_serial(digits: str) -> dt.date | None:
    number = int(digits)
    if len(digits) == 4 and 1800 <= number <= 2200:
        return None  # a bare year, not a serial
    if not EXCEL_SERIAL_RANGE[0] <= number <= EXCEL_SERIAL_RANGE[1]:
        return None
    return EXCEL_EPOCH + dt.timedelta(days=number)


def _day_month(first: str, second: str, year: int) -> ParsedDate:
    a, b = int(first), int(second)
    if a > 12 and b <= 12:
        return ParsedDate(_make(year, b, a), False)
    if a <= 12 < b:
        return ParsedDate(_make(year, a, b), False)
    value = _make(year, b, a)
    return ParsedDate(value, value is not None and a != b)
