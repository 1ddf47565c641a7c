"""Clerical review: write possible matches to an XLSX workbook and read decisions back.

Decisions are stored in `<state dir>/review_decisions.parquet`, keyed by the content
fingerprints of the two records (not their record ids, which change when files are renumbered),
and every later run applies them, so no pair is reviewed twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter
from xlsxwriter.format import Format
from python_calamine import CalamineWorkbook

from pipelines.er.specs import ModelSpec
from pipelines.errors import SourceFileError
from pipelines.i18n import SUPPORTED_LANGUAGES, _, current_language, gettext_for
from pipelines.publish import formatting
from pipelines.publish.cells import starts_like_formula
from pipelines.sqlrun import query_rows, run_sql

logger = logging.getLogger(__name__)

DECISIONS_FILE = "review_decisions.parquet"
# The workbook of possible pairs that each run writes into the review folder.
PENDING_WORKBOOK = "review_pending.xlsx"
DECISIONS_TABLE = "__er_review_decisions"
SHEET_NAME = "review"
SIDES = ("left", "right")
# Headers of the hidden fingerprint columns in workbooks written before they were translated.
# Such workbooks can still be imported.
LEGACY_FINGERPRINT_HEADERS = {"left": "fingerprint_l", "right": "fingerprint_r"}
DECISION_HEADER = "Decision"
SAME_PERSON = "same person"
DIFFERENT_PEOPLE = "different people"

# Header labels (English message ids) of the columns a reviewer reads.
COLUMN_LABELS = {
    "fingerprint": "Record fingerprint",
    "record_id": "Record ID",
    "source_kind": "Source",
    "nik": "NIK",
    "no_kk": "No KK",
    "name_raw": "Name",
    "name": "Name",
    "birth_date": "Birth date",
    "sex": "Sex",
    "desa_code": "Desa code",
    "kecamatan_code": "Kecamatan code",
    "rt": "RT",
    "rw": "RW",
}

DECISIONS_SCHEMA = pa.schema(
    [
        ("fingerprint_a", pa.string()),
        ("fingerprint_b", pa.string()),
        ("record_id_l", pa.string()),
        ("record_id_r", pa.string()),
        ("decision", pa.string()),
        ("decided_at", pa.timestamp("s")),
        ("source_workbook", pa.string()),
    ]
)


def _accepted_decisions() -> dict[str, str]:
    accepted = {
        "match": "match",
        "non_match": "non_match",
        "y": "match",
        "t": "non_match",
        "n": "non_match",
    }
    for language in SUPPORTED_LANGUAGES:
        accepted[gettext_for(language, SAME_PERSON).casefold()] = "match"
        accepted[gettext_for(language, DIFFERENT_PEOPLE).casefold()] = "non_match"
        accepted[gettext_for(language, "yes").casefold()] = "match"
        accepted[gettext_for(language, "no").casefold()] = "non_match"
    return accepted


def decisions_path(state_dir: Path) -> Path:
    return state_dir / DECISIONS_FILE


def load_review_decisions(con: duckdb.DuckDBPyConnection, state_dir: Path | None) -> int:
    """Create `__er_review_decisions` from the state folder (empty when there is none)."""
    path = decisions_path(state_dir) if state_dir is not None else None
    table = (
        pq.read_table(path)
        if path is not None and path.exists()
        else DECISIONS_SCHEMA.empty_table()
    )
    con.register("__er_review_file", table)
    try:
        run_sql(
            con,
            "select fingerprint_a, fingerprint_b, decision from __er_review_file",
            DECISIONS_TABLE,
        )
    finally:
        con.unregister("__er_review_file")
    count = query_rows(con, f"select count(*) from {DECISIONS_TABLE}")[0][0]
    logger.info("review decisions loaded: %d", count)
    return count


def _column_header(column: str, side: str) -> str:
    return _header_text(current_language(), COLUMN_LABELS.get(column, column), side)


def _header_text(language: str, label: str, side: str | None = None) -> str:
    """Return the header `label` in `language`, followed by its side when it has one."""
    text = gettext_for(language, label)
    return f"{text} ({gettext_for(language, side)})" if side else text


def _explanation_text(explanation: str) -> str:
    items = json.loads(explanation)
    lines = []
    for item in items:
        weight = formatting.signed_number(item["weight"], 2)
        lines.append(f"{_(item['comparison'])}: {_(item['level'])} ({weight})")
    return "\n".join(lines)


# A clerk works through one workbook at a time. A regency-size run can produce a million
# possible pairs, more than a clerk or Excel can take in one file.
MAX_REVIEW_PAIRS = 20_000


def write_review_workbook(
    con: duckdb.DuckDBPyConnection, model: ModelSpec, path: Path, pairs_table: str
) -> int:
    """Write every `possible` pair of `pairs_table` to `path`; return the number of pairs."""
    uid = model.unique_id_column
    columns = [c for c in model.review_columns if c != uid]
    side_columns = ", ".join(f"l.{c} as {c}_l, r.{c} as {c}_r" for c in columns)
    rows = query_rows(
        con,
        f"""select p.fingerprint_l, p.fingerprint_r, p.record_id_l, p.record_id_r,
               p.match_probability, p.explanation{', ' + side_columns if side_columns else ''}
            from {pairs_table} as p
            inner join __er_records as l on l.__rid = p.rid_l
            inner join __er_records as r on r.__rid = p.rid_r
            where p.decision = 'possible'
            -- A decision is stored by the two fingerprints, so records with the same content
            -- (one person in two tahap of a roster) need one row, not one per record pair.
            qualify row_number() over (
                partition by least(p.fingerprint_l, p.fingerprint_r),
                    greatest(p.fingerprint_l, p.fingerprint_r)
                order by p.match_probability desc, p.record_id_l, p.record_id_r
            ) = 1
            order by p.match_probability desc, p.record_id_l, p.record_id_r
            limit {MAX_REVIEW_PAIRS + 1}""",
    )
    if len(rows) > MAX_REVIEW_PAIRS:
        # NOTE: the pairs left out appear in the next run's workbook once these are decided.
        total = query_rows(
            con,
            "select count(distinct (least(fingerprint_l, fingerprint_r), "
            "greatest(fingerprint_l, fingerprint_r))) "
            f"from {pairs_table} where decision = 'possible'",
        )[0][0]
        logger.warning(
            "review workbook lists the %d most likely of %d possible pairs",
            MAX_REVIEW_PAIRS,
            total,
        )
        rows = rows[:MAX_REVIEW_PAIRS]
    headers = [
        *(_column_header("fingerprint", side) for side in SIDES),
        _column_header("record_id", "left"),
        _column_header("record_id", "right"),
    ]
    headers.append(_("Match probability"))
    for column in columns:
        headers += [_column_header(column, "left"), _column_header(column, "right")]
    headers += [_("Explanation"), _(DECISION_HEADER)]
    _write_rows(path, headers, [_review_row(row) for row in rows])
    logger.info("review workbook %s: %d possible pairs", path, len(rows))
    return len(rows)


def _review_row(row: tuple) -> list:
    fingerprint_l, fingerprint_r, record_l, record_r, probability, explanation, *sides = row
    cells = [fingerprint_l, fingerprint_r, record_l, record_r, round(probability, 4)]
    cells += ["" if value is None else str(value) for value in sides]
    cells += [_explanation_text(explanation), ""]
    return cells


def _write_rows(path: Path, headers: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # constant_memory streams each row to disk, so memory stays flat for large workbooks.
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet(SHEET_NAME)
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    # A text that starts like a formula, such as the name "=cmd|' /C calc'!A0", gets the style
    # with a quote prefix. write_string already makes it a string cell, and the prefix keeps it
    # text when a clerk edits the cell, as in the published workbooks.
    text = _text_formats(workbook, {"num_format": "@", "valign": "top"})
    wrap = _text_formats(workbook, {"text_wrap": True, "valign": "top"})
    sheet.write_row(0, 0, headers, bold)
    for index, cells in enumerate(rows, start=1):
        for column, value in enumerate(cells[:-2]):
            if isinstance(value, str):
                sheet.write_string(index, column, value, text[starts_like_formula(value)])
            else:
                sheet.write_number(index, column, value, text[False])
        explanation = cells[-2]
        explanation_style = wrap[starts_like_formula(explanation)]
        sheet.write_string(index, len(cells) - 2, explanation, explanation_style)
    decision_column = len(headers) - 1
    if rows:
        options = [_(SAME_PERSON), _(DIFFERENT_PEOPLE)]
        sheet.data_validation(
            1, decision_column, len(rows), decision_column, {"validate": "list", "source": options}
        )
    sheet.set_column(0, 1, None, None, {"hidden": True})
    sheet.set_column(2, decision_column - 2, 18)
    sheet.set_column(decision_column - 1, decision_column - 1, 60)
    sheet.set_column(decision_column, decision_column, 18)
    sheet.autofilter(0, 0, len(rows), decision_column)
    sheet.freeze_panes(1, 4)
    workbook.close()


def _text_formats(workbook: xlsxwriter.Workbook, properties: dict) -> dict[bool, Format]:
    """Return the format of `properties` without (False) and with (True) a quote prefix."""
    return {
        False: workbook.add_format(properties),
        True: workbook.add_format({**properties, "quote_prefix": True}),
    }


def _header_index(headers: list[str], path: Path, wanted: str, side: str | None = None,
                  legacy: str | None = None) -> int:
    """Return the position of header `wanted` (a message id, with its side if any) in any
    language, or of its `legacy` name. Raise SourceFileError when the header is missing."""
    names = {_header_text(language, wanted, side).casefold() for language in SUPPORTED_LANGUAGES}
    if legacy is not None:
        names.add(legacy.casefold())
    for index, header in enumerate(headers):
        if str(header).strip().casefold() in names:
            return index
    raise SourceFileError(_missing_header_message(headers, path, wanted, side))


def _missing_header_message(headers: list[str], path: Path, header_id: str,
                            side: str | None = None) -> str:
    """Return the error for a missing header, naming it as the workbook's language writes it,
    which may differ from the language of the message, or in every language when unclear."""
    language = _workbook_language(headers)
    if language is not None:
        names = [_header_text(language, header_id, side)]
    else:
        names = list(dict.fromkeys(
            [_header_text(current_language(), header_id, side),
             *(_header_text(other, header_id, side) for other in SUPPORTED_LANGUAGES)]
        ))
    if len(names) == 1:
        return _(
            "{path}, sheet '{sheet}': column '{column}' not found in row 1. Use the workbook "
            "the linker wrote and keep its header row."
        ).format(path=path, sheet=SHEET_NAME, column=names[0])
    return _(
        "{path}, sheet '{sheet}': neither column '{column}' nor '{other}' was found in row 1. "
        "Use the workbook the linker wrote and keep its header row."
    ).format(path=path, sheet=SHEET_NAME, column=names[0], other=names[1])


def _workbook_language(headers: list[str]) -> str | None:
    """Return the language the review workbook's headers are written in, or None when no
    language matches more of them than the others."""
    present = {str(header).strip().casefold() for header in headers}
    matches = {
        language: len(present & _review_headers(language)) for language in SUPPORTED_LANGUAGES
    }
    best = max(matches.values())
    leaders = [language for language, count in matches.items() if count == best]
    return leaders[0] if best and len(leaders) == 1 else None


def _review_headers(language: str) -> set[str]:
    """Return the casefolded headers that `write_review_workbook` writes in `language`."""
    labels = {gettext_for(language, label) for label in COLUMN_LABELS.values()}
    sides = [gettext_for(language, side) for side in ("left", "right")]
    headers = {f"{label} ({side})" for label in labels for side in sides}
    headers |= {gettext_for(language, text)
                for text in ("Match probability", "Explanation", DECISION_HEADER)}
    return {header.casefold() for header in headers}


def read_review_workbook(path: Path) -> list[dict]:
    """Read the filled-in decisions of a review workbook; rows without a decision are skipped."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = list(workbook.sheet_names)
    except Exception as e:  # calamine raises its own error types for missing or broken files
        raise SourceFileError(
            _("{path}: the workbook cannot be opened ({error}). Give the review workbook the "
              "linker wrote (review_pending.xlsx).").format(path=path, error=e)
        ) from e
    if SHEET_NAME not in sheets:
        raise SourceFileError(
            _("{path} has no sheet '{sheet}' (its sheets: {sheets}), so it is not a review "
              "workbook. Give the review workbook the linker wrote (review_pending.xlsx).").format(
                path=path, sheet=SHEET_NAME, sheets=", ".join(sheets)
            )
        )
    try:
        rows = workbook.get_sheet_by_name(SHEET_NAME).to_python()
    except Exception as e:  # calamine raises its own error types for unreadable sheets
        raise SourceFileError(
            _(
                "{path}: sheet '{sheet}' cannot be read ({error}). Give the review workbook "
                "the linker wrote (review_pending.xlsx)."
            ).format(path=path, sheet=SHEET_NAME, error=e)
        ) from e
    if not rows:
        return []
    headers = [str(h) for h in rows[0]]
    positions = {
        side: _header_index(headers, path, COLUMN_LABELS["fingerprint"], side,
                            LEGACY_FINGERPRINT_HEADERS[side])
        for side in SIDES
    }
    decision_index = _header_index(headers, path, DECISION_HEADER)
    record_indexes = (2, 3)
    accepted = _accepted_decisions()
    decisions = []
    for row_number, row in enumerate(rows[1:], start=2):
        value = str(row[decision_index]).strip() if decision_index < len(row) else ""
        if not value:
            continue
        decision = accepted.get(value.casefold())
        if decision is None:
            raise SourceFileError(
                _(
                    "{path}, sheet '{sheet}', row {row}, column '{column}': decision '{value}' "
                    "is not valid. Write '{same}' or '{different}', or leave the cell empty."
                ).format(
                    path=path,
                    sheet=SHEET_NAME,
                    row=row_number,
                    column=headers[decision_index],
                    value=value,
                    same=_(SAME_PERSON),
                    different=_(DIFFERENT_PEOPLE),
                )
            )
        decisions.append(_decision_row(row, positions, record_indexes, decision, path))
    return decisions


def _decision_row(
    row: list, positions: dict, record_indexes: tuple[int, int], decision: str, path: Path
) -> dict:
    first, second = str(row[positions["left"]]), str(row[positions["right"]])
    return {
        "fingerprint_a": min(first, second),
        "fingerprint_b": max(first, second),
        "record_id_l": str(row[record_indexes[0]]),
        "record_id_r": str(row[record_indexes[1]]),
        "decision": decision,
        "decided_at": dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
        "source_workbook": path.name,
    }


def import_review(path: Path, state_dir: Path) -> int:
    """Store the decisions of review workbook `path` in `state_dir`; a newer decision on the
    same pair replaces the older one. Return the number of decisions read."""
    decisions = read_review_workbook(path)
    _store_decisions(decisions, path, state_dir)
    return len(decisions)


def import_pending_review(state_dir: Path) -> int:
    """Store the decisions filled in `state_dir`'s review_pending.xlsx before a run replaces it.

    A clerk may fill the workbook where the last run wrote it and leave it there. The next run
    would overwrite it, so its decisions are stored first. Return the number stored; a workbook
    without decisions changes nothing.
    """
    path = state_dir / PENDING_WORKBOOK
    if not path.exists():
        return 0
    decisions = read_review_workbook(path)
    if decisions:
        _store_decisions(decisions, path, state_dir)
    return len(decisions)


def _store_decisions(decisions: list[dict], path: Path, state_dir: Path) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    target = decisions_path(state_dir)
    new = pa.Table.from_pylist(decisions, schema=DECISIONS_SCHEMA)
    old = pq.read_table(target) if target.exists() else DECISIONS_SCHEMA.empty_table()
    new_keys = {(d["fingerprint_a"], d["fingerprint_b"]) for d in decisions}
    kept = [
        row
        for row in old.to_pylist()
        if (row["fingerprint_a"], row["fingerprint_b"]) not in new_keys
    ]
    merged = pa.concat_tables([pa.Table.from_pylist(kept, schema=DECISIONS_SCHEMA), new])
    temporary = target.with_suffix(".parquet.tmp")
    pq.write_table(merged, temporary)
    temporary.replace(target)
    logger.info(
        "review %s: %d decisions stored, %d in total", path, len(decisions), merged.num_rows
    )
