"""Complaint-desk lookup of one person in the published audit, by NIK or by name.

Reads `audit.duckdb` read-only with point queries on indexed columns (see DESK_INDEXES in
pipelines.publish.columns), so a lookup stays well under a second on a full-regency register
(benchmarks/bench_desk.py measures it). The answer carries the full NIK because the desk needs
it, but logs only get the masked NIK.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from pipelines.desk.models import (
    DAY_MONTH_SWAPPED,
    DAYS_OFF,
    NEAR_DATE_KINDS,
    OTHER_YEAR,
    Complaint,
    DeskAnswer,
    Finding,
    IdentityCheck,
    Member,
    NearMatch,
    Programme,
    PublishedRun,
    QuarantinedRow,
    RuleCaveat,
    SourceRecord,
    UnknownDesa,
)
from pipelines.er.features import NAME_TITLES, name_key_sql, name_macros_sql
from pipelines.errors import PipelineError
from pipelines.i18n import _
from pipelines.publish import formatting
from pipelines.publish.columns import (
    MART_TABLES,
    PROGRAMME_SOURCE_KINDS,
    programmes_not_loaded,
    programmes_of_missing_inputs,
)
from pipelines.publish.marts import select_item
from pipelines.publish.masking import mask_nik
from pipelines.publish.regions import Regions, load_regions, region_key
from pipelines.publish.report_data import programme_rank
from pipelines.rules.registry import FAMILIES, RECIPIENTS, RULES_BY_CODE, RULES_SQL_DIR
from pipelines.sqlrun import query_rows, run_sql

logger = logging.getLogger(__name__)

NAME_SIMILARITY_MIN = 0.88
_NIK_SEPARATORS = re.compile(r"[\s.\-'\"\u200b]")
# Full-width digits (U+FF10 to U+FF19), as some phone keyboards and PDF copies give them.
_FULL_WIDTH_DIGITS = {0xFF10 + digit: str(digit) for digit in range(10)}
# The linker's title list, so the desk drops the same titles and honorifics as linking does.
_NAME_TITLES = frozenset(NAME_TITLES)


class DeskLookupError(PipelineError):
    """The audit database cannot be read or the request is invalid."""


class UnknownDesaError(DeskLookupError):
    """The region table lacks the typed desa, or lacks it in the typed kecamatan."""

    def __init__(self, unknown: UnknownDesa) -> None:
        super().__init__(unknown_desa_text(unknown))
        self.unknown = unknown


def lookup_nik(
    db_path: Path,
    nik: str,
    name: str | None = None,
    birth_date: str | None = None,
    desa: str | None = None,
) -> DeskAnswer:
    """Look up the person with NIK `nik`, with family, programmes, findings and complaints.

    A `name`, `birth_date` or `desa` typed beside the NIK is compared with the person found
    (`DeskAnswer.identity_check`). An invalid birth date raises DeskLookupError, as in
    `lookup_person`. A desa that the region table lacks does not stop the lookup, because it
    only cross-checks the NIK: the check records it in `unknown_desa`, with suggestions.

    When no one has the NIK and all three were typed, the people they find, as
    `lookup_person` would, go to `DeskAnswer.found_by_details`: a NIK mistyped at the desk
    should not hide a person whose name, birth date and desa are on record. When they find no
    one either, the people `lookup_near_matches` would list go to `DeskAnswer.near_matches`.
    """
    nik_digits = normalise_nik(nik)
    born = parse_birth_date(birth_date) if birth_date else None
    regions = load_regions()
    desa_codes = None
    unknown_desa = None
    if desa:
        try:
            desa_codes = resolve_desa(desa, regions)
        except UnknownDesaError as e:
            unknown_desa = e.unknown
    with _open(db_path) as con:
        tables = _table_columns(con)
        person_ids = _person_ids_by_nik(con, tables, nik_digits)
        answer = _build_answer(con, tables, person_ids, query=nik_digits, nik=nik_digits)
        if answer.found and (name or born or desa):
            answer.identity_check = _check_identity(
                con, answer, name, born, desa, desa_codes, unknown_desa
            )
        elif name or born or desa:
            answer.identity_check = IdentityCheck(
                name=name or None, birth_date=born, desa=desa or None, name_matches=None,
                birth_date_matches=None, desa_matches=None, unknown_desa=unknown_desa,
            )
            if name and born and desa_codes:
                answer.found_by_details = _people_by_details(
                    con, tables, name, born, desa_codes, _codes_label(desa_codes, regions)
                )
                if not answer.found_by_details:
                    answer.near_matches = _near_matches(con, tables, name, born, desa_codes)
                    answer.near_matches_desa_codes = desa_codes
    logger.info(
        "desk lookup by NIK %s: %d person(s), %d by the typed name, birth date and desa",
        mask_nik(nik_digits), len(answer.person_ids), len(answer.found_by_details),
    )
    return answer


def _check_identity(
    con: duckdb.DuckDBPyConnection,
    answer: DeskAnswer,
    name: str | None,
    born: dt.date | None,
    desa: str | None,
    desa_codes: list[str] | None,
    unknown_desa: UnknownDesa | None,
) -> IdentityCheck:
    """Compare the name, birth date and desa typed beside a NIK with the person found."""
    name_matches = None
    recorded_names = [
        recorded
        for recorded in _unique([answer.name, *(record.name for record in answer.records)])
        if recorded
    ]
    if name and recorded_names:
        name_keys = _name_keys(con, [name, *recorded_names])
        name_matches = any(_name_matches(name, recorded, name_keys) for recorded in recorded_names)
    birth_date_matches = None
    if born is not None and answer.birth_date is not None:
        birth_date_matches = answer.birth_date == born
    desa_matches = None
    if desa_codes is not None and answer.desa_code is not None:
        desa_matches = answer.desa_code in desa_codes
    return IdentityCheck(
        name=name or None,
        birth_date=born,
        desa=desa or None,
        name_matches=name_matches,
        birth_date_matches=birth_date_matches,
        desa_matches=desa_matches,
        unknown_desa=unknown_desa,
    )


def lookup_person(db_path: Path, name: str, birth_date: str, desa: str) -> list[DeskAnswer]:
    """Return one answer per person whose name is close to `name`, born on `birth_date`
    (`YYYY-MM-DD` or `DD-MM-YYYY`) in desa `desa` (10-digit code or desa name)."""
    born = parse_birth_date(birth_date)
    regions = load_regions()
    desa_codes = resolve_desa(desa, regions)
    with _open(db_path) as con:
        tables = _table_columns(con)
        return _people_by_details(
            con, tables, name, born, desa_codes, _codes_label(desa_codes, regions)
        )


def _people_by_details(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, set[str]],
    name: str,
    born: dt.date,
    desa_codes: list[str],
    searched_desa: str,
) -> list[DeskAnswer]:
    """Return one answer per person with a record close to `name`, born on `born` in one of
    `desa_codes` (`searched_desa` names them for the desk)."""
    candidates = _records_by_birth_and_desa(con, tables, born, desa_codes)
    name_keys = _name_keys(con, [name, *(c["name"] for c in candidates)])
    matched = [c for c in candidates if _name_matches(name, c["name"], name_keys)]
    person_ids = _unique(
        p for c in matched for p in _person_ids_of_records(con, [c["record_id"]])
    )
    query = f"{name} / {born.isoformat()} / {searched_desa}"
    answers = [
        _build_answer(con, tables, [person_id], query=query, nik=None)
        for person_id in person_ids
    ]
    for answer in answers:
        answer.searched_name = name
        answer.searched_birth_date = born
        answer.searched_desa = searched_desa
    logger.info(
        "desk lookup by name, birth date and desa: %d candidate records, %d person(s)",
        len(candidates),
        len(answers),
    )
    return answers


def lookup_near_matches(db_path: Path, name: str, birth_date: str, desa: str) -> list[NearMatch]:
    """Return the people of desa `desa` with a name close to `name` and a birth date near
    `birth_date`, the most likely first.

    A near birth date is `birth_date` with day and month swapped, up to NEAR_BIRTH_DAYS days
    off, or the same day and month in another year.

    Call it when `lookup_person` found no one: a clerk who proposes (usulan) a person who is
    registered with a misread birth date would register them twice.
    """
    born = parse_birth_date(birth_date)
    desa_codes = resolve_desa(desa, load_regions())
    with _open(db_path) as con:
        return _near_matches(con, _table_columns(con), name, born, desa_codes)


# A recorded birth date at most this many days from the typed one makes a near match.
NEAR_BIRTH_DAYS = 3


def _near_matches(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, set[str]],
    name: str,
    born: dt.date,
    desa_codes: list[str],
) -> list[NearMatch]:
    """Return the near matches of `name` and `born` among the records of `desa_codes`.

    DuckDB selects the desa's records with a nearly matching birth date, so Python compares
    names only for those few rows. A person with several such records is listed once, by the
    record closest to the typed birth date.
    """
    table = "int_person_records" if "int_person_records" in tables else "stg_register"
    placeholders = ", ".join("?" for _ in desa_codes)
    rows = _select(
        con,
        tables,
        table,
        ["record_id", "nik", "name", "birth_date", "desa_code"],
        f"desa_code in ({placeholders}) and birth_date <> ? and ("
        "birth_date = ? or abs(date_diff('day', ?, birth_date)) <= ? "
        "or (month(birth_date) = ? and day(birth_date) = ?))",
        [*desa_codes, born, _swapped_date(born), born, NEAR_BIRTH_DAYS, born.month, born.day],
    )
    name_keys = _name_keys(con, [name, *(row["name"] for row in rows)])
    best: dict[str, tuple[tuple[int, int, float, str], dict[str, Any], str, int]] = {}
    for row in rows:
        similarity = _name_similarity(name, row["name"], name_keys)
        if similarity < NAME_SIMILARITY_MIN:
            continue
        kind = _date_difference(born, row["birth_date"])
        days_apart = (row["birth_date"] - born).days
        rank = (NEAR_DATE_KINDS.index(kind), abs(days_apart), -similarity, row["name"])
        for person_id in _person_ids_of_records(con, [row["record_id"]]):
            if person_id not in best or rank < best[person_id][0]:
                best[person_id] = (rank, row, kind, days_apart)

    matches = []
    for person_id, (_rank, row, kind, days_apart) in sorted(
        best.items(), key=lambda item: item[1][0]
    ):
        nik, is_in_register = _near_match_nik(con, tables, person_id, row["nik"])
        matches.append(
            NearMatch(
                person_id=person_id,
                nik=nik,
                name=row["name"],
                birth_date=row["birth_date"],
                desa_code=row["desa_code"],
                date_difference=kind,
                days_apart=days_apart,
                is_in_register=is_in_register,
            )
        )
    logger.info(
        "desk near matches by name, birth date and desa: %d candidate records, %d person(s)",
        len(rows),
        len(matches),
    )
    return matches


def _swapped_date(born: dt.date) -> dt.date | None:
    """Return `born` with day and month swapped, or None when that is no other valid date."""
    if born.day == born.month or born.day > 12:
        return None
    return born.replace(month=born.day, day=born.month)


def _date_difference(born: dt.date, recorded: dt.date) -> str:
    """Return the kind of NEAR_DATE_KINDS that relates the typed and the recorded birth date."""
    if recorded == _swapped_date(born):
        return DAY_MONTH_SWAPPED
    if abs((recorded - born).days) <= NEAR_BIRTH_DAYS:
        return DAYS_OFF
    return OTHER_YEAR


def _near_match_nik(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, set[str]],
    person_id: str,
    matched_nik: str | None,
) -> tuple[str | None, bool]:
    """Return the NIK to show for a near match, and whether the person is in the register.

    The record that matched best may be a roster row with a blank or damaged NIK, and the desk
    advice is to look the person up by NIK. So the register record's NIK comes first, then the
    matched record's, then any other record's, and only a valid NIK counts.
    """
    record_ids = _record_ids_of_persons(con, [person_id])
    register_niks = [
        row["nik"]
        for record_id in record_ids
        for row in _select(con, tables, "stg_register", ["nik"], "record_id = ?", [record_id])
    ]
    candidates = [*register_niks, matched_nik]
    if not any(is_valid_nik(nik) for nik in candidates) and "int_person_records" in tables:
        candidates += [
            row["nik"]
            for record_id in record_ids
            for row in _select(
                con, tables, "int_person_records", ["nik"], "record_id = ?", [record_id]
            )
        ]
    nik = next((nik for nik in candidates if is_valid_nik(nik)), None)
    return nik, bool(register_niks)


@dataclasses.dataclass
class PersonSearch:
    """The desk's result of a lookup by name, birth date and desa.

    `answers` contains the people found. Only when there are none are the other fields filled:
    the run searched, the programmes whose roster it lacked, the register lines it could not
    load, and the near matches."""

    answers: list[DeskAnswer]
    # Codes of the searched desa. A desa name that several kecamatan share gives more than one.
    desa_codes: list[str] = dataclasses.field(default_factory=list)
    run: PublishedRun | None = None
    programmes_not_in_run: list[str] = dataclasses.field(default_factory=list)
    register_lines_not_loaded: int = 0
    near_matches: list[NearMatch] = dataclasses.field(default_factory=list)


def search_person(db_path: Path, name: str, birth_date: str, desa: str) -> PersonSearch:
    """Run `lookup_person` and, when it finds no one, gather on the same connection what the
    not-found answer names (see `published_run`, `programmes_not_in_run`,
    `register_lines_not_loaded` and `lookup_near_matches`). One connection keeps a whole
    `cek` command under a second on a regency's data: each opening of audit.duckdb costs
    about 20 ms."""
    born = parse_birth_date(birth_date)
    regions = load_regions()
    desa_codes = resolve_desa(desa, regions)
    with _open(db_path) as con:
        tables = _table_columns(con)
        answers = _people_by_details(
            con, tables, name, born, desa_codes, _codes_label(desa_codes, regions)
        )
        if answers:
            return PersonSearch(answers, desa_codes)
        return PersonSearch(
            answers,
            desa_codes,
            run=_published_run(con, tables),
            programmes_not_in_run=_programmes_not_in_run(con, tables),
            register_lines_not_loaded=_register_lines_not_loaded(con, tables),
            near_matches=_near_matches(con, tables, name, born, desa_codes),
        )


def published_run(db_path: Path) -> PublishedRun | None:
    """Return the run whose results `db_path` contains, or None when it records no run."""
    with _open(db_path) as con:
        return _published_run(con, _table_columns(con))


def register_lines_not_loaded(db_path: Path) -> int:
    """Return how many lines of the run's DTSEN register files are in quarantined rows.

    A stray double quote can join dozens of lines, each a person, into one quarantined row, so
    the lines that `file_reconciliation` counts as joined are added to the rows."""
    with _open(db_path) as con:
        return _register_lines_not_loaded(con, _table_columns(con))


def _register_lines_not_loaded(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]]
) -> int:
    if "source_kind" not in tables.get("quarantine", set()):
        return 0
    rows = query_rows(con, "select count(*) from quarantine where source_kind = 'register'")[0][0]
    if {"source_kind", "lines_joined"} <= tables.get("file_reconciliation", set()):
        rows += query_rows(
            con,
            "select coalesce(sum(lines_joined), 0) from file_reconciliation "
            "where source_kind = 'register'",
        )[0][0]
    return int(rows)


def programmes_not_in_run(db_path: Path) -> list[str]:
    """Return the programmes whose roster the run of `db_path` lacked or read no rows from."""
    with _open(db_path) as con:
        return _programmes_not_in_run(con, _table_columns(con))


def normalise_nik(value: str) -> str:
    """Strip spaces, dots, dashes, quotes and zero-width characters from a typed NIK.

    Full-width digits read as digits. Other characters, superscript digits among them, stay
    for invalid_nik_text to name.
    """
    text = str(value or "").translate(_FULL_WIDTH_DIGITS)
    return _NIK_SEPARATORS.sub("", text).strip()


def is_valid_nik(nik: str | None) -> bool:
    """Return whether `nik` is 16 digits that are not one digit repeated (a placeholder)."""
    return (
        nik is not None and len(nik) == 16 and nik.isascii() and nik.isdigit()
        and len(set(nik)) > 1
    )


# Letters often typed or read in place of a digit of a NIK, with the digit they resemble.
_DIGIT_LOOKALIKES = {
    "O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "G": "6", "T": "7",
    "B": "8",
}


def invalid_nik_text(value: str) -> str | None:
    """Return why the typed NIK `value` is invalid, in the current language, or None when it
    is 16 digits that are not one digit repeated.

    A character that is not a digit is named with its position among the 16 characters left
    once normalise_nik has removed separators, which is its position on the KTP.
    """
    nik = normalise_nik(value)
    if len(nik) == 16:
        position, character = next(
            ((i, c) for i, c in enumerate(nik, 1) if c not in "0123456789"), (0, "")
        )
        if position:
            return _nik_character_text(value, position, character)
        if len(set(nik)) == 1:
            return _(
                "NIK {value} is invalid: it repeats one digit, as a placeholder does. Check the "
                "number on the KTP or KK."
            ).format(value=value)
        return None
    return _(
        "NIK {value} is invalid: a NIK has 16 digits. Check the number on the KTP or KK."
    ).format(value=value)


def _nik_character_text(value: str, position: int, character: str) -> str:
    digit = _DIGIT_LOOKALIKES.get(character.upper())
    values = {"value": value, "position": position, "character": character, "digit": digit}
    if digit:
        return _(
            "NIK {value} is invalid: character {position} is the letter {character}, not the "
            "digit {digit}. Check the number on the KTP or KK."
        ).format(**values)
    if character.isalpha():
        return _(
            "NIK {value} is invalid: character {position} is the letter {character}, not a "
            "digit. Check the number on the KTP or KK."
        ).format(**values)
    return _(
        "NIK {value} is invalid: character {position} is '{character}', not a digit. Check the "
        "number on the KTP or KK."
    ).format(**values)


def normalise_name(value: str) -> str:
    """Upper-case `value`, drop punctuation, titles and honorifics, and collapse spaces.

    Academic titles follow a comma (`MOCH. SOLICHIN, S.Pd.I`), so the text after the first
    comma is dropped.
    """
    before_comma = str(value or "").split(",", 1)[0]
    words = re.sub(r"[^A-Z ]", " ", before_comma.upper().replace(".", " ").replace("'", "")).split()
    words = [w for w in words if w not in _NAME_TITLES]
    if "BIN" in words or "BINTI" in words:
        cut = min(words.index(w) for w in ("BIN", "BINTI") if w in words)
        words = words[:cut]
    return " ".join(words)


# Month names as written on Indonesian forms, full and short, and the English ones.
_MONTHS = {
    "JANUARI": 1, "JAN": 1, "JANUARY": 1, "FEBRUARI": 2, "FEB": 2, "PEBRUARI": 2,
    "FEBRUARY": 2, "MARET": 3, "MAR": 3, "MARCH": 3, "APRIL": 4, "APR": 4, "MEI": 5,
    "MAY": 5, "JUNI": 6, "JUN": 6, "JUNE": 6, "JULI": 7, "JUL": 7, "JULY": 7, "AGUSTUS": 8,
    "AGT": 8, "AGS": 8, "AUG": 8, "AUGUST": 8, "SEPTEMBER": 9, "SEP": 9, "SEPT": 9,
    "OKTOBER": 10, "OKT": 10, "OCT": 10, "OCTOBER": 10, "NOVEMBER": 11, "NOV": 11,
    "NOPEMBER": 11, "DESEMBER": 12, "DES": 12, "DEC": 12, "DECEMBER": 12,
}


def parse_birth_date(value: str) -> dt.date:
    """Read a birth date typed at the desk: YYYY-MM-DD, DD-MM-YYYY (also with / or .), or
    the day, month name and year of a KTP or form, such as 4 Maret 1992. A two-digit year
    (04-03-92) is the latest year that is not after this year, and eight digits are read as
    DDMMYYYY or YYYYMMDD, whichever gives a date.

    Raises DeskLookupError for text that is no date, naming the month's length for a day the
    month lacks (29-02-2023), and for a date after today."""
    text = str(value or "").strip()
    born = _read_date(text)
    if born is None:
        raise DeskLookupError(_impossible_date_text(text))
    today = dt.date.today()
    if born > today:
        raise DeskLookupError(
            _(
                "Birth date '{value}' is after today, {today}. Check the year on the KTP or KK."
            ).format(value=text, today=formatting.date(today))
        )
    return born


# The date forms that parse_birth_date reads, as groups of digits and a month name.
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
_YEAR_MONTH_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_NAMED_MONTH_YEAR = re.compile(r"(\d{1,2})[\s-]+([A-Za-z]+)\.?[\s-]+(\d{4})")
_DAY_MONTH_SHORT_YEAR = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{2})")


def _read_date(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    day, month, year = _date_parts(text)
    if day is None or month is None or year is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date_parts(text: str) -> tuple[int | None, int | None, int | None]:
    """Return the day, month and year that `text` spells, each None when it has none, without
    checking that they make a date."""
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        return int(match.group(1)), int(match.group(3)), int(match.group(4))
    if match := _YEAR_MONTH_DAY.fullmatch(text):
        return int(match.group(3)), int(match.group(2)), int(match.group(1))
    if match := _DAY_NAMED_MONTH_YEAR.fullmatch(text):
        return int(match.group(1)), _MONTHS.get(match.group(2).upper()), int(match.group(3))
    if match := _DAY_MONTH_SHORT_YEAR.fullmatch(text):
        return int(match.group(1)), int(match.group(3)), _full_year(int(match.group(4)))
    if len(text) == 8 and text.isascii() and text.isdigit():
        return _eight_digit_parts(text)
    return None, None, None


def _full_year(short_year: int) -> int:
    """Return the latest year ending in the two digits `short_year` that is not after this
    year: a birth year, so 92 is 1992 and 05 is 2005."""
    year = 2000 + short_year
    return year if year <= dt.date.today().year else year - 100


def _eight_digit_parts(text: str) -> tuple[int | None, int | None, int | None]:
    """Return the day, month and year of eight digits, read as DDMMYYYY or as YYYYMMDD when
    only that reading is a date. Both or neither give the DDMMYYYY parts, so an error names
    them."""
    day_first = (int(text[:2]), int(text[2:4]), int(text[4:]))
    year_first = (int(text[6:]), int(text[4:6]), int(text[:4]))
    if _is_date(*year_first) and not _is_date(*day_first):
        return year_first
    return day_first


def _is_date(day: int, month: int, year: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _impossible_date_text(text: str) -> str:
    """Return why `text` is not a date, naming the month's length when the month lacks the
    typed day, as 29 February lacks in 2023."""
    day, month, year = _date_parts(text)
    if day and month and year and 1 <= month <= 12 and 28 < day <= 31:
        days = calendar.monthrange(year, month)[1]
        return _(
            "Birth date '{value}' is not a date: {month} {year} has {days} days. Type it as "
            "YYYY-MM-DD or DD-MM-YYYY, e.g. 07-05-1985, or as 7 May 1985."
        ).format(value=text, month=formatting.month_name(month), year=year, days=days)
    return _(
        "Birth date '%(value)s' is not a date. "
        "Type it as YYYY-MM-DD or DD-MM-YYYY, e.g. 07-05-1985, or as 7 May 1985."
    ) % {"value": text}


def resolve_desa(value: str, regions: Regions) -> list[str]:
    """Return the desa codes meant by `value`: a 10-digit code (dots allowed), a desa name, or
    a desa name and its kecamatan as "Lebo, Warungasem" for a name that two kecamatan share.

    Names are compared without case, spaces and punctuation, so "Sawah Joho" and "sawah-joho"
    find Sawahjoho. A name not in the region table, or not in the typed kecamatan, raises
    UnknownDesaError with the closest names as suggestions.
    """
    text = str(value or "").strip()
    digits = text.replace(".", "")
    if digits.isdigit() and len(digits) == 10:
        return [digits]

    desa_text, _comma, kecamatan_text = text.partition(",")
    # Clerks often type the prefix of the name: "Desa Silurah", "Kel. Proyonanggan".
    desa_name = _DESA_PREFIX.sub("", desa_text.strip())
    codes = regions.desa_codes_named(desa_name, _KECAMATAN_PREFIX.sub("", kecamatan_text.strip()))
    if codes:
        return codes
    if not _comma:
        codes = _desa_then_kecamatan(desa_name, regions)
        if codes:
            return codes

    # A desa typed with a kecamatan it is not in: name the kecamatan it is in.
    named = regions.desa_codes_named(desa_name)
    if named:
        raise UnknownDesaError(
            UnknownDesa(
                typed=text,
                suggestions=tuple(regions.desa_with_kecamatan(code) for code in named),
                desa_name=regions.desa_name(named[0]),
                kecamatan_names=tuple(regions.kecamatan_name(code[:6]) for code in named),
                typed_kecamatan=kecamatan_text.strip(),
            )
        )
    raise UnknownDesaError(UnknownDesa(text, tuple(_closest_desa(desa_name, regions))))


def _desa_then_kecamatan(text: str, regions: Regions) -> list[str]:
    """Return the desa codes of `text` read as a desa name followed by its kecamatan without
    the comma ("Lebo Warungasem"), or [] when no split of its words names a desa there."""
    words = text.split()
    for cut in range(1, len(words)):
        kecamatan = _KECAMATAN_PREFIX.sub("", " ".join(words[cut:]))
        codes = regions.desa_codes_named(" ".join(words[:cut]), kecamatan)
        if codes:
            return codes
    return []


def unknown_desa_text(unknown: UnknownDesa) -> str:
    """Return why the region table has no desa `unknown.typed`, with the suggestions, in the
    current language."""
    if unknown.kecamatan_names:
        message = _(
            "Desa %(desa)s is in kecamatan %(kecamatan)s, not in %(typed_kecamatan)s."
        ) % {
            "desa": unknown.desa_name,
            "kecamatan": ", ".join(unknown.kecamatan_names),
            "typed_kecamatan": unknown.typed_kecamatan,
        }
    else:
        message = _(
            "Desa '%(value)s' is not in the Batang region table. Type the desa name as written "
            "there or its 10-digit Kemendagri code, e.g. 3325012001."
        ) % {"value": unknown.typed}
    if unknown.suggestions:
        message += " " + _("Did you mean: %(names)s?") % {"names": "; ".join(unknown.suggestions)}
    return message


def desa_label(value: str, regions: Regions | None = None) -> str:
    """Return the desa that `value` names as "Desa, Kecamatan", joined by "; " when a name
    stands for desa in several kecamatan, so the clerk sees which ones were searched."""
    regions = regions or load_regions()
    return _codes_label(resolve_desa(value, regions), regions)


def _codes_label(codes: list[str], regions: Regions) -> str:
    return "; ".join(regions.desa_with_kecamatan(code) for code in codes)


_DESA_PREFIX = re.compile(r"(?i)^(desa|kelurahan|kel\.?|ds\.?)\s+")
_KECAMATAN_PREFIX = re.compile(r"(?i)^(kecamatan|kec\.?)\s+")
# Region names this similar (rapidfuzz ratio, 0-100) to a typed name are offered as suggestions.
DESA_SUGGESTION_SCORE = 80


def _closest_desa(desa_name: str, regions: Regions) -> list[str]:
    """Return up to three desa as "Desa, Kecamatan", the most similar to `desa_name` first."""
    desa_key = region_key(desa_name)
    if not desa_key:
        return []
    scored = sorted(
        (-fuzz.ratio(desa_key, region_key(name)), regions.desa_with_kecamatan(code))
        for code, name in regions.desa.items()
    )
    return [label for score, label in scored[:3] if -score >= DESA_SUGGESTION_SCORE]


def _open(db_path: Path) -> duckdb.DuckDBPyConnection:
    path = Path(db_path)
    if not path.is_file():
        raise DeskLookupError(
            _(
                "Audit database %(path)s not found. Run the audit first, or pass the "
                "audit.duckdb of the marts folder."
            )
            % {"path": path}
        )
    try:
        return duckdb.connect(
            str(path), read_only=True, config={"autoinstall_known_extensions": False}
        )
    except duckdb.Error as e:
        message = _("Cannot open audit database %(path)s read-only: %(error)s")
        raise DeskLookupError(message % {"path": path, "error": e}) from e


def _table_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = query_rows(
        con,
        "select table_name, column_name from duckdb_columns() where schema_name = current_schema()",
    )
    tables: dict[str, set[str]] = {}
    for table, column in rows:
        tables.setdefault(table, set()).add(column)
    return tables


def _select(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, set[str]],
    table: str,
    columns: Sequence[str],
    where: str,
    params: list[Any],
) -> list[dict[str, Any]]:
    """Select `columns` from rows matching `where`.

    A column the table lacks is null, unless the mart contract derives it from the table's own
    columns, as complaint_results' `pre_verified_status` from `status_text_id` or `_en`.
    """
    present = tables.get(table)
    if present is None:
        return []
    spec = MART_TABLES.get(table)
    if spec is None:
        select_list = ", ".join(f'"{c}"' if c in present else f'null as "{c}"' for c in columns)
    else:
        select_list = ", ".join(select_item(spec, c, present) for c in columns)
    rows = query_rows(con, f'select {select_list} from "{table}" where {where}', params)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _person_ids_by_nik(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]], nik: str
) -> list[str]:
    record_table = "int_person_records" if "int_person_records" in tables else "stg_register"
    records = _select(con, tables, record_table, ["record_id"], "nik = ?", [nik])
    person_ids = _person_ids_of_records(con, [r["record_id"] for r in records])
    for table in ("fct_findings", "complaint_results"):
        rows = _select(con, tables, table, ["person_id"], "nik = ?", [nik])
        person_ids += [r["person_id"] for r in rows if r["person_id"]]
    return _unique(person_ids)


def _person_ids_of_records(con: duckdb.DuckDBPyConnection, record_ids: list[str]) -> list[str]:
    return _linked_ids(con, "record_id", "person_id", record_ids)


def _record_ids_of_persons(con: duckdb.DuckDBPyConnection, person_ids: list[str]) -> list[str]:
    return _linked_ids(con, "person_id", "record_id", person_ids)


def _linked_ids(
    con: duckdb.DuckDBPyConnection, key_column: str, value_column: str, keys: list[str]
) -> list[str]:
    """Map record ids to person ids or back through int_person_links, one point query per key."""
    values = []
    for key in keys:
        rows = query_rows(
            con, f"select {value_column} from int_person_links where {key_column} = ?", [key]
        )
        values += [row[0] for row in rows]
    return _unique(values)


def _records_by_birth_and_desa(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, set[str]],
    born: dt.date,
    desa_codes: list[str],
) -> list[dict[str, Any]]:
    table = "int_person_records" if "int_person_records" in tables else "stg_register"
    placeholders = ", ".join("?" for _ in desa_codes)
    return _select(
        con,
        tables,
        table,
        ["record_id", "nik", "name"],
        f"birth_date = ? and desa_code in ({placeholders})",
        [born, *desa_codes],
    )


def _name_keys(con: duckdb.DuckDBPyConnection, names: list[str | None]) -> dict[str, str]:
    """Map each name to the linker's name key, which maps spelling variants (MOCH, M. and
    MUHAMAD to M; OE to U, DJ to J, TJ to C) to one form. Names without a key are left out."""
    for statement in name_macros_sql():
        run_sql(con, statement)
    distinct = _unique(names)
    rows = query_rows(
        con,
        f"select name, {name_key_sql('name')} from unnest(?::varchar[]) as names(name)",
        [distinct],
    )
    return {name: key for name, key in rows if key}


def _name_matches(searched: str, candidate: str | None, name_keys: dict[str, str]) -> bool:
    return _name_similarity(searched, candidate, name_keys) >= NAME_SIMILARITY_MIN


def _name_similarity(searched: str, candidate: str | None, name_keys: dict[str, str]) -> float:
    """Compare the plain names and the name keys with Jaro-Winkler, each as written and with
    its words in sorted order, and return the highest score (0 to 1).

    The plain reading is kept because the old-spelling map can hurt a typo (PRIYOEO contains OE).
    """
    if not candidate:
        return 0.0
    similarities = [0.0]
    pairs = [(normalise_name(searched), normalise_name(candidate)),
             (name_keys.get(searched), name_keys.get(candidate))]
    for searched_form, candidate_form in pairs:
        if not searched_form or not candidate_form:
            continue
        similarities.append(JaroWinkler.normalized_similarity(searched_form, candidate_form))
        # Forms and KTP copies may give the words in another order (SAFITRI KHUSNUL).
        similarities.append(JaroWinkler.normalized_similarity(
            " ".join(sorted(searched_form.split())), " ".join(sorted(candidate_form.split()))
        ))
    return max(similarities)


def _build_answer(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, set[str]],
    person_ids: list[str],
    query: str,
    nik: str | None,
) -> DeskAnswer:
    answer = DeskAnswer(query=query, found=bool(person_ids), nik=nik, person_ids=person_ids)
    answer.run = _published_run(con, tables)
    answer.register_in_run = "stg_register" in tables
    answer.programmes_not_in_run = _programmes_not_in_run(con, tables)
    if not person_ids:
        answer.quarantined_register_rows = _quarantined_register_rows(con, tables, nik)
        return answer

    record_ids = _record_ids_of_persons(con, person_ids)
    answer.records = _source_records(con, tables, record_ids)
    _fill_identity(con, tables, answer, record_ids)
    if not answer.is_in_register:
        answer.quarantined_register_rows = _quarantined_register_rows(con, tables, answer.nik)
    _fill_family(con, tables, answer)
    # PKH, BPNT and PBI as the report lists them, the person's own rows before the family's.
    programmes = sorted(
        _programmes(con, tables, answer),
        key=lambda p: (programme_rank(p.programme), not p.is_own),
    )
    answer.programmes = [p for p in programmes if p.is_received]
    answer.programmes_not_received = [p for p in programmes if not p.is_received]
    answer.audit_period = _audit_period(con, tables)
    answer.findings = _findings(con, tables, answer)
    answer.complaints = _complaints(con, tables, answer)
    answer.caveats = _rule_caveats(con, tables, answer)
    return answer


# At most this many quarantined register rows are named for one NIK, because a NIK repeated on
# more rows is rare.
QUARANTINED_ROWS_SHOWN = 3


def _quarantined_register_rows(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]], nik: str | None
) -> list[QuarantinedRow]:
    """Return the quarantined DTSEN register rows whose cells contain `nik` as a whole number,
    such as a row that a stray quote joined to the next lines of the file."""
    if not nik or not nik.isdigit() or "raw_values" not in tables.get("quarantine", set()):
        return []
    # The rules' macro reads the cells as rules 10 and 23 do, so that the desk and the findings
    # agree on which rows contain the NIK.
    run_sql(con, (RULES_SQL_DIR / "base" / "macros.sql").read_text(encoding="utf-8"))
    rows = _select(
        con,
        tables,
        "quarantine",
        ["source_file", "source_sheet", "source_row", "reason_code"],
        "source_kind = 'register' and regexp_matches("
        "__rules_quarantine_text(raw_values), '(^|[^0-9])' || ? || '([^0-9]|$)') "
        f"order by source_file, source_row limit {QUARANTINED_ROWS_SHOWN}",
        [nik],
    )
    return [QuarantinedRow(**row) for row in rows]


def _source_records(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]], record_ids: list[str]
) -> list[SourceRecord]:
    records = []
    for record_id in record_ids:
        rows = _select(
            con,
            tables,
            "int_person_records",
            ["source_kind", "source_file", "source_sheet", "source_row", "name"],
            "record_id = ?",
            [record_id],
        )
        if not rows:
            rows = [
                {
                    "source_kind": None,
                    "source_file": None,
                    "source_sheet": None,
                    "source_row": None,
                    "name": None,
                }
            ]
        records += [_with_record_id_parts(SourceRecord(**row), record_id) for row in rows]
        if records[-1].source_kind == "deaths":
            death_date, unreadable = _death_date(con, tables, record_id)
            records[-1] = dataclasses.replace(
                records[-1], death_date=death_date, death_date_unreadable=unreadable
            )
    return records


def _death_date(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]], record_id: str
) -> tuple[dt.date | None, bool]:
    """Return the date of death of a death-register record, and whether its published row
    has no readable date. Without stg_deaths the date is unknown but not unreadable."""
    if "death_date" not in tables.get("stg_deaths", set()):
        return None, False
    rows = _select(con, tables, "stg_deaths", ["death_date"], "record_id = ?", [record_id])
    if not rows:
        return None, False
    return rows[0]["death_date"], rows[0]["death_date"] is None


def _with_record_id_parts(record: SourceRecord, record_id: str) -> SourceRecord:
    """Fill kind, sheet and row from a `<kind>:<file number>:<sheet>:<row>` record id when the
    record table lacks them."""
    kind, _file_number, rest = (record_id.split(":", 2) + ["", ""])[:3]
    sheet, _sep, row = rest.rpartition(":")
    source_sheet = record.source_sheet
    if source_sheet is None:
        source_sheet = sheet
    source_row = record.source_row
    if source_row is None and row.isdigit():
        source_row = int(row)
    return SourceRecord(
        source_kind=record.source_kind or kind,
        source_file=record.source_file,
        source_sheet=source_sheet,
        source_row=source_row,
        name=record.name,
    )


def _fill_identity(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, set[str]],
    answer: DeskAnswer,
    record_ids: list[str],
) -> None:
    """Take name, birth date, desa and family from the register row, else from any record."""
    columns = [
        "nik",
        "name",
        "birth_date",
        "sex",
        "kecamatan_code",
        "desa_code",
        "address",
        "rt",
        "rw",
        "family_id",
        "no_kk",
        "desil",
        "is_padan_dukcapil",
        "snapshot_date",
    ]
    for record_id in record_ids:
        rows = _select(con, tables, "stg_register", columns, "record_id = ?", [record_id])
        if rows:
            row = rows[0]
            answer.is_in_register = True
            answer.nik = answer.nik or row["nik"]
            answer.name, answer.birth_date, answer.sex = row["name"], row["birth_date"], row["sex"]
            answer.kecamatan_code, answer.desa_code = row["kecamatan_code"], row["desa_code"]
            answer.address = _address(row)
            answer.family_id, answer.no_kk, answer.desil = (
                row["family_id"],
                row["no_kk"],
                row["desil"],
            )
            answer.is_padan_dukcapil, answer.snapshot_date = (
                row["is_padan_dukcapil"],
                row["snapshot_date"],
            )
            return

    # Without a register row, each field comes from the first record that has it: the PKH
    # roster has no birth date, for one, while the person's PBI row may. Kecamatan and desa
    # come together from one record, so that they never name two places.
    fallback_columns = ["nik", "name", "birth_date", "sex", "kecamatan_code", "desa_code", "no_kk"]
    for record_id in record_ids:
        rows = _select(
            con, tables, "int_person_records", fallback_columns, "record_id = ?", [record_id]
        )
        if not rows:
            continue
        row = rows[0]
        for column in ("nik", "name", "birth_date", "sex", "no_kk"):
            if getattr(answer, column) is None and row[column] is not None:
                setattr(answer, column, row[column])
        if answer.desa_code is None and row["desa_code"] is not None:
            answer.kecamatan_code, answer.desa_code = row["kecamatan_code"], row["desa_code"]


def _fill_family(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]], answer: DeskAnswer
) -> None:
    if answer.family_id is None:
        for person_id in answer.person_ids:
            rows = _select(
                con, tables, "int_families", ["family_id", "no_kk"], "person_id = ?", [person_id]
            )
            if rows:
                answer.family_id = rows[0]["family_id"]
                answer.no_kk = answer.no_kk or rows[0]["no_kk"]
                break
    if answer.family_id is None:
        return

    columns = ["record_id", "nik", "name", "relationship", "birth_date", "sex", "desil"]
    rows = _select(con, tables, "stg_register", columns, "family_id = ?", [answer.family_id])
    subject_niks = {answer.nik} if answer.nik else set()
    answer.members = sorted(
        (
            Member(
                nik=row["nik"],
                name=row["name"],
                relationship=row["relationship"],
                birth_date=row["birth_date"],
                sex=row["sex"],
                is_subject=row["nik"] in subject_niks,
            )
            for row in rows
        ),
        key=lambda m: (_relationship_order(m.relationship), m.birth_date or dt.date.max),
    )
    if answer.desil is None:
        answer.desil = next((row["desil"] for row in rows if row["desil"] is not None), None)


def _programmes(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]], answer: DeskAnswer
) -> list[Programme]:
    """List the roster rows of the person, then the PKH and BPNT rows of other family members.

    Reads roster_records by person id. An audit database without that table lists every roster
    record of int_person_records as received.
    """
    if "roster_records" not in tables:
        return _programmes_from_records(con, tables, answer)
    programmes = []
    for person_id in answer.person_ids:
        programmes += [
            _roster_programme(row, answer.name, True)
            for row in _roster_rows(con, tables, person_id)
        ]
    for member_id in _other_family_members(con, tables, answer):
        rows = [
            row
            for row in _roster_rows(con, tables, member_id)
            if row["programme"] in ("PKH", "BPNT")
        ]
        names = [row["name"] for row in rows if row["name"]]
        programmes += [
            _roster_programme(row, names[0] if names else None, False) for row in rows
        ]
    return programmes


_ROSTER_COLUMNS = [
    "programme",
    "name",
    "is_received",
    "period",
    "is_active",
    "segment",
    "source_file",
    "source_sheet",
    "source_row",
]


def _roster_rows(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]], person_id: str
) -> list[dict[str, Any]]:
    rows = _select(con, tables, "roster_records", _ROSTER_COLUMNS, "person_id = ?", [person_id])

    # A row of another period of a programme the person receives in the audited period is
    # history. Listed as not received beside the received row, it would contradict that row.
    received = {(r["programme"], r["period"]) for r in rows if r["is_received"]}
    received_programmes = {programme for programme, _period in received}
    rows = [
        r for r in rows
        if r["is_received"]
        or r["programme"] not in received_programmes
        or (r["programme"], r["period"]) in received
    ]

    # Received rows first, then by programme, period and file row.
    return sorted(
        rows,
        key=lambda r: (
            not r["is_received"],
            r["programme"],
            r["period"] or "",
            r["source_file"] or "",
            r["source_row"] or 0,
        ),
    )


def _roster_programme(row: dict[str, Any], received_by: str | None, is_own: bool) -> Programme:
    return Programme(
        programme=row["programme"],
        received_by=received_by,
        is_own=is_own,
        source_file=row["source_file"] or None,
        source_sheet=row["source_sheet"] or None,
        source_row=row["source_row"],
        is_received=bool(row["is_received"]),
        period=row["period"],
        is_active=row["is_active"],
        segment=row["segment"],
    )


def _other_family_members(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]], answer: DeskAnswer
) -> list[str]:
    if answer.family_id is None or "int_families" not in tables:
        return []
    members = _select(
        con, tables, "int_families", ["person_id"], "family_id = ?", [answer.family_id]
    )
    return _unique(
        m["person_id"] for m in members if m["person_id"] not in answer.person_ids
    )


def _audit_period(con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]]) -> str | None:
    if "audit_period" not in tables.get("roster_records", set()):
        return None
    rows = query_rows(con, "select audit_period from roster_records limit 1")
    return rows[0][0] if rows else None


def _programmes_from_records(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]], answer: DeskAnswer
) -> list[Programme]:
    """List the roster records of the person and family from int_person_records, all as
    received, for an audit database published before roster_records existed."""
    programmes = [
        Programme(
            PROGRAMME_SOURCE_KINDS[r.source_kind],
            answer.name,
            True,
            r.source_file,
            r.source_sheet,
            r.source_row,
        )
        for r in answer.records
        if r.source_kind in PROGRAMME_SOURCE_KINDS
    ]
    if answer.family_id is None or "int_families" not in tables:
        return programmes
    members = _select(
        con, tables, "int_families", ["person_id"], "family_id = ?", [answer.family_id]
    )
    for member in members:
        if member["person_id"] in answer.person_ids:
            continue
        member_records = _source_records(
            con, tables, _record_ids_of_persons(con, [member["person_id"]])
        )
        names = [r.name for r in member_records if r.name]
        for record in member_records:
            if record.source_kind in ("pkh", "bpnt"):
                programmes.append(
                    Programme(
                        PROGRAMME_SOURCE_KINDS[record.source_kind],
                        names[0] if names else None,
                        False,
                        record.source_file,
                        record.source_sheet,
                        record.source_row,
                    )
                )
    return programmes


def _findings(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]], answer: DeskAnswer
) -> list[Finding]:
    columns = ["finding_id", *(f.name for f in dataclasses.fields(Finding))]
    rows = _rows_of_person(con, tables, "fct_findings", columns, answer)
    if answer.family_id and "family_id" in tables.get("fct_findings", set()):
        # Family-level findings (for example two KPM on one No KK) carry no person id.
        rows += _select(
            con,
            tables,
            "fct_findings",
            columns,
            "family_id = ? and person_id is null",
            [answer.family_id],
        )
    unique = {row["finding_id"]: row for row in rows}
    findings = [
        Finding(**{k: v for k, v in row.items() if k != "finding_id"}) for row in unique.values()
    ]
    severity_order = {"ERROR": 0, "FLAG": 1, "WARN": 2, "INFO": 3}
    return sorted(
        findings,
        key=lambda f: (severity_order.get(f.severity or "", 9), f.rule_code, f.programme or ""),
    )


def _complaints(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]], answer: DeskAnswer
) -> list[Complaint]:
    columns = [f.name for f in dataclasses.fields(Complaint)]
    rows = _rows_of_person(con, tables, "complaint_results", columns, answer)
    unique = {row["complaint_id"]: row for row in rows}
    return sorted(
        (Complaint(**row) for row in unique.values()),
        key=lambda c: (str(c.complaint_date or ""), c.complaint_id),
        reverse=True,
    )


def _rule_caveats(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]], answer: DeskAnswer
) -> list[RuleCaveat]:
    """Return the rules of the run that lacked an input and concern this person.

    A rule concerns the person when it gave one of the person's findings or checks every record.
    A recipient rule concerns them when the person or family receives a programme, and a family
    rule when the person is in the register.
    """
    columns = ["rule_code", "status", "is_evaluated", "not_evaluated_reason",
               "limitation_reason", "missing_inputs"]
    rows = [
        row for row in _select(con, tables, "rule_status", columns, "true", [])
        if row["status"] != "evaluated"
    ]
    finding_rules = {finding.rule_code for finding in answer.findings}
    caveats = []
    for row in sorted(rows, key=lambda r: _rule_number(r["rule_code"])):
        code = row["rule_code"]
        rule = RULES_BY_CODE.get(code)
        subject = rule.subject if rule else None
        if subject == RECIPIENTS and not answer.programmes and code not in finding_rules:
            continue
        if subject == FAMILIES and not answer.is_in_register and code not in finding_rules:
            continue
        inputs = tuple(i.strip() for i in (row["missing_inputs"] or "").split(",") if i.strip())
        reason = row["limitation_reason"] if row["is_evaluated"] else row["not_evaluated_reason"]
        caveats.append(RuleCaveat(code, bool(row["is_evaluated"]), inputs, reason))
    return caveats


def _programmes_not_in_run(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]]
) -> list[str]:
    """Return the programmes whose roster was absent from the run or had no data rows.

    file_reconciliation lists every file of the run with its source kind and loaded rows. An
    audit.duckdb without it falls back on rule_status.missing_inputs, which records a roster
    only when a rule that reads it lost it.
    """
    if {"source_kind", "rows_loaded"} <= tables.get("file_reconciliation", set()):
        rows = _select(
            con, tables, "file_reconciliation", ["source_kind"], "rows_loaded > 0", []
        )
        return programmes_not_loaded({row["source_kind"] for row in rows})
    rows = _select(con, tables, "rule_status", ["missing_inputs"], "missing_inputs is not null", [])
    absent = {
        entry.strip() for row in rows for entry in (row["missing_inputs"] or "").split(",")
    }
    return programmes_of_missing_inputs(absent)


def _rule_number(code: str) -> int:
    rule = RULES_BY_CODE.get(code)
    return rule.number if rule else len(RULES_BY_CODE) + 1


def _rows_of_person(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, set[str]],
    table: str,
    columns: list[str],
    answer: DeskAnswer,
) -> list[dict[str, Any]]:
    """Select rows of `table` linked to the person by person id or by NIK."""
    rows = []
    for person_id in answer.person_ids:
        rows += _select(con, tables, table, columns, "person_id = ?", [person_id])
    if answer.nik:
        rows += _select(con, tables, table, columns, "nik = ?", [answer.nik])
    return rows


def _published_run(
    con: duckdb.DuckDBPyConnection, tables: dict[str, set[str]]
) -> PublishedRun | None:
    if "runs" not in tables:
        return None
    finished = "finished_at" if "finished_at" in tables["runs"] else "null"
    order = " order by started_at desc nulls last" if "started_at" in tables["runs"] else ""
    rows = query_rows(con, f"select run_id, {finished} from runs{order} limit 1")
    if not rows or rows[0][0] is None:
        return None
    return PublishedRun(run_id=rows[0][0], finished_at=rows[0][1])


def _address(row: dict[str, Any]) -> str | None:
    parts = [row["address"]]
    if row["rt"] or row["rw"]:
        parts.append(f"RT {row['rt'] or '-'}/RW {row['rw'] or '-'}")
    text = ", ".join(p for p in parts if p)
    return text or None


def _relationship_order(relationship: str | None) -> int:
    order = ("KEPALA KELUARGA", "SUAMI", "ISTRI", "ANAK", "CUCU", "ORANG TUA", "MERTUA")
    return order.index(relationship) if relationship in order else len(order)


def _unique(values) -> list:
    return list(dict.fromkeys(v for v in values if v is not None))
