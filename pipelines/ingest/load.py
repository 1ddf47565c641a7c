"""Load source files into `raw_<kind>`, `quarantine` and `file_reconciliation`.

Each row of each sheet lands in exactly one of `raw_<kind>` or `quarantine`. The header row is
the only row of a sheet that is not counted. Rows above the header (titles) are quarantined as
`title_row`, so `rows_read` counts every row a user sees in the sheet except the header.

A CSV row is one record, which may span several lines of the file. When a stray double quote
joins lines into one quarantined row, `lines_joined` counts the lines beyond the first that the
row contains, so the rows read plus the lines joined match the data lines of the file.
"""

from __future__ import annotations

import contextvars
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from pipelines.errors import ReconciliationError, SourceFileError
from pipelines.i18n import _, current_language, gettext_for
from pipelines.ingest.readers import (
    IdPositions,
    IrregularCsvError,
    MergedRange,
    SheetSource,
    open_sources,
)
from pipelines.ingest.sources import (
    SOURCE_KINDS,
    HeaderMapping,
    SourceDefinition,
    column_header,
    detect_kind,
    header_key,
    header_score,
    kind_label,
    map_headers,
    missing_required,
    misspelt_headers,
    required_headers,
    source_definition,
)
from pipelines.publish.masking import mask_ids_in_text
from pipelines.sqlrun import query_rows, run_sql

if TYPE_CHECKING:
    from pipelines.runconfig import SourceSpec

logger = logging.getLogger(__name__)

CLASSIFIED = "__ingest_classified"
MIN_HEADER_SCORE = 2

QUARANTINE_DDL = """
create table if not exists quarantine (
    run_id varchar,
    source_kind varchar,
    source_file varchar,
    source_sheet varchar,
    source_row integer,
    reason_code varchar,
    reason_detail varchar,
    raw_values varchar
)"""

RECONCILIATION_DDL = """
create table if not exists file_reconciliation (
    run_id varchar,
    source_kind varchar,
    source_file varchar,
    source_sheet varchar,
    rows_read bigint,
    rows_loaded bigint,
    rows_quarantined bigint,
    lines_joined bigint
)"""

# The header each loaded column had in its file and sheet, so that messages about a value can
# name the column as the user knows it (TANGGAL MENINGGAL, not death_date).
SOURCE_COLUMNS_DDL = """
create table if not exists source_columns (
    source_kind varchar,
    source_file varchar,
    source_sheet varchar,
    column_name varchar,
    header varchar
)"""

# Quarantined data rows named one by one in the warning of a sheet; the rest are counted.
QUARANTINE_EXAMPLES = 3

# Quarantine reasons of CSV rows that a stray double quote may have made from several lines.
JOINED_REASONS = ("joined_lines", "unparseable_row")
# Joined rows named one by one on the console; the rest of a file is summed up in one warning.
MAX_JOINED_WARNINGS = 5

# Quarantine reasons of rows that belong to a sheet's layout (titles, spacing, totals, the
# header repeated on each printed page), never to a record.
LAYOUT_REASONS = ("blank_row", "title_row", "repeated_header", "totals_row")
# The reason of every row of a sheet that has no header row of its list, such as a Rekap sheet.
SHEET_WITHOUT_HEADER = "sheet_without_header"

RAW_META_COLUMNS = (
    "record_id", "source_file", "source_sheet", "source_row", "nik_cell_type", "no_kk_cell_type",
)


@dataclass(frozen=True)
class FileCount:
    """Row counts of one sheet of one file (sheet '' for CSV), as in `file_reconciliation`."""

    source_kind: str
    source_file: str
    source_sheet: str
    file_number: int
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    # Lines beyond the first inside quarantined CSV rows that a stray quote joined.
    lines_joined: int = 0


@dataclass(frozen=True)
class JoinedRow:
    """A quarantined CSV row that contains lines `first_line` to `last_line` of its file."""

    source_row: int
    first_line: int
    last_line: int


@dataclass(frozen=True)
class _SheetPlan:
    source: SheetSource
    header_index: int | None
    mapping: HeaderMapping | None
    # Error raised when no sheet of the file maps, set for a sheet whose header row has none of
    # the required columns.
    unmatched_error: SourceFileError | None = None


def ensure_ingest_tables(con: duckdb.DuckDBPyConnection, kind: str) -> None:
    """Create `quarantine`, `file_reconciliation`, `source_columns` and `raw_<kind>` when they
    do not exist."""
    run_sql(con, QUARANTINE_DDL)
    run_sql(con, RECONCILIATION_DDL)
    run_sql(con, SOURCE_COLUMNS_DDL)
    columns = [*RAW_META_COLUMNS, *source_definition(kind).columns]
    typed = ",\n    ".join(
        f"{c} integer" if c == "source_row" else f"{c} varchar" for c in columns
    )
    run_sql(con, f"create table if not exists raw_{kind} (\n    {typed}\n)")


def ingest_source(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, run_id: str, file_number: int
) -> list[FileCount]:
    """Ingest every file matched by `spec`; files get consecutive numbers from `file_number`.

    Returns one FileCount per file and sheet. Raises SourceFileError when no file matches or a
    file cannot be mapped, and ReconciliationError when a sheet's rows do not add up.
    """
    files = spec.files()
    if not files:
        raise SourceFileError(_no_file_message(spec))
    counts: list[FileCount] = []
    for offset, path in enumerate(files):
        counts += ingest_file(con, spec, path, run_id, file_number + offset)
    return counts


def check_sources_have_files(sources: Iterable[SourceSpec]) -> None:
    """Raise SourceFileError naming every source whose `path` matches no file.

    The flow calls it before ingest, so that a missing file stops the run before the other
    files are read.
    """
    missing = [_no_file_message(spec) for spec in sources if not spec.files()]
    if missing:
        raise SourceFileError("\n".join(missing))


def _no_file_message(spec: SourceSpec) -> str:
    return _("No file matches {pattern} in {folder}. Check `path` of this source in the run "
             "configuration.").format(pattern=spec.path, folder=spec.raw_dir)


def ingest_file(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, path: Path, run_id: str, file_number: int
) -> list[FileCount]:
    """Ingest one file (all its sheets) and return its counts."""
    source_file = spec.relative_name(path)
    sheets = _select_sheets(open_sources(path, _row_scorer(spec)), spec, source_file)
    kind = spec.kind or _detect_file_kind(sheets, spec, source_file)
    definition = _definition_for(kind, spec)
    plans = [_plan_sheet(sheet, definition, spec, source_file) for sheet in sheets]
    for plan in plans:
        if plan.mapping and plan.source.hidden:
            logger.warning(
                "%s: the sheet is hidden in the workbook, but its rows are read like those of "
                "any other sheet. If it holds rows that do not belong to this list, such as an "
                "older tahap, delete the sheet and run again.",
                _where(source_file, plan.source.sheet),
            )
        if plan.mapping:
            _warn_merged_data_cells(plan, source_file)
    if not any(plan.mapping for plan in plans):
        unmatched = [plan.unmatched_error for plan in plans if plan.unmatched_error]
        if unmatched:
            raise unmatched[0]
        raise SourceFileError(
            _("{file}: no sheet has a header row with the columns of the {kind}. Accepted "
              "NIK headers: {headers}.").format(
                file=source_file, kind=kind_label(kind),
                headers=", ".join(definition.aliases.get("nik", definition.aliases["name"])),
            )
        )

    ensure_ingest_tables(con, kind)
    _forget_file(con, kind, run_id, source_file)
    counts = []
    for plan in plans:
        counts.append(_load_sheet(con, plan, kind, spec, source_file, run_id, file_number))
        if plan.mapping is None:
            _check_sheet_not_loaded(con, run_id, definition, source_file, plan.source.sheet)
    logger.info(
        "ingested %s as %s: %d rows read, %d loaded, %d quarantined",
        source_file, kind, sum(c.rows_read for c in counts), sum(c.rows_loaded for c in counts),
        sum(c.rows_quarantined for c in counts),
    )
    data_rows = sum(
        rows for (file_kind, file, _sheet), rows in data_row_counts(con, run_id).items()
        if file_kind == kind and file == source_file
    )
    if not data_rows:
        logger.warning(
            "%s: the file has a header row but no data rows, so it adds no rows to the audit. "
            "If the source system has data for it, export the file again.",
            source_file,
        )
    return counts


# Most rows with a NIK that the error about a sheet without a header row names.
NIK_ROWS_SHOWN = 5
# Most merged ranges that a warning or error names.
MERGED_RANGES_SHOWN = 5


def _ranges_text(ranges: list[MergedRange]) -> str:
    """Return "H5:H9, B12:B14" for up to MERGED_RANGES_SHOWN ranges, with the count of the rest."""
    text = ", ".join(merged.reference for merged in ranges[:MERGED_RANGES_SHOWN])
    if len(ranges) > MERGED_RANGES_SHOWN:
        text += f" (+{len(ranges) - MERGED_RANGES_SHOWN})"
    return text


def _warn_merged_data_cells(plan: _SheetPlan, source_file: str) -> None:
    """Warn about merged cells below the header row: each row of such a range gets the range's
    value in its first column, which may not be what the list means for every row."""
    ranges = [
        merged for merged in plan.source.merged
        if plan.header_index is not None and merged.first_row > plan.header_index
    ]
    if not ranges:
        return
    logger.warning(
        "%s: merged cells below the header row (%s). Each row of a merged range gets the value "
        "of its first cell in the range's first column, and the range's other columns read as "
        "empty. Check those rows, and unmerge the cells and fill each row in the file to be "
        "sure.",
        _where(source_file, plan.source.sheet), _ranges_text(ranges),
    )


def _check_sheet_not_loaded(con, run_id: str, definition: SourceDefinition, source_file: str,
                            sheet: str) -> None:
    """Warn that the rows of a sheet without a header row of the list were quarantined, unless
    the sheet has none but blank rows. Raise SourceFileError when one of them contains a NIK.

    Only the first rows were searched for NIKs before the sheet was taken for a summary. A NIK
    further down means a list sheet with a damaged header, whose rows must not be lost.
    """
    has_nik = f"regexp_matches(raw_values, '(^|[^0-9]){NIK_SHAPE}([^0-9]|$)')"
    rows, with_nik, nik_rows = query_rows(
        con,
        f"select count(*), count(*) filter (where {has_nik}), "
        f"list(source_row order by source_row) filter (where {has_nik}) "
        "from quarantine where run_id = ? and source_kind = ? and source_file = ? "
        f"and source_sheet = ? and reason_code = '{SHEET_WITHOUT_HEADER}'",
        [run_id, definition.kind, source_file, sheet],
    )[0]
    if not rows:
        return
    if with_nik:
        listed = ", ".join(str(row) for row in nik_rows[:NIK_ROWS_SHOWN])
        if with_nik > NIK_ROWS_SHOWN:
            listed += ", ..."
        raise SourceFileError(
            _("{where}: the sheet has no header row with the required columns of the {kind} "
              "({columns}), but {count} of its rows contain a NIK (rows {rows}). Fix its header "
              "or map it under [sources.columns] in the run configuration, and run again. If it "
              "is a summary sheet, delete those NIKs from it.").format(
                where=_where(source_file, sheet), kind=kind_label(definition.kind),
                columns=required_headers(definition), count=with_nik, rows=listed)
        )
    logger.warning(
        "%s: %d rows are quarantined, not loaded, because the sheet has no header row with the "
        "required columns of the %s (%s). If the sheet contains rows of the list, fix its "
        "header or map it under [sources.columns] in the run configuration, and run again. "
        "If it is a summary or notes sheet, nothing needs doing.",
        _where(source_file, sheet), rows, definition.kind, required_headers(definition),
        extra={"console_args": (_where(source_file, sheet), rows, kind_label(definition.kind),
                                required_headers(definition))},
    )


def data_row_counts(
    con: duckdb.DuckDBPyConnection, run_id: str
) -> dict[tuple[str, str, str], int]:
    """Return the rows read per (kind, file, sheet) of run `run_id` that are not layout rows
    (LAYOUT_REASONS), whether loaded or quarantined. A sheet with a header and no data
    rows has 0, even when it has title rows above the header."""
    layout = ", ".join(_sql_text(reason) for reason in LAYOUT_REASONS)
    rows = query_rows(
        con,
        f"""
        select r.source_kind, r.source_file, r.source_sheet,
               r.rows_read - coalesce(q.layout_rows, 0)
        from file_reconciliation r
        left join (
            select source_kind, source_file, source_sheet, count(*) as layout_rows
            from quarantine
            where run_id = ? and reason_code in ({layout})
            group by all
        ) q using (source_kind, source_file, source_sheet)
        where r.run_id = ?
        """,
        [run_id, run_id],
    )
    return {(kind, file, sheet): int(count) for kind, file, sheet, count in rows}


def _row_scorer(spec: SourceSpec):
    """Return a function counting the known headers in a row, for the source's kind (with its
    configured headers) or, when the kind is not set, for the best-matching kind."""
    if spec.kind:
        definitions = [_definition_for(spec.kind, spec)]
    else:
        definitions = [source_definition(k) for k in SOURCE_KINDS]
    return lambda row: max(header_score(d, row) for d in definitions)


def _definition_for(kind: str, spec: SourceSpec) -> SourceDefinition:
    return source_definition(kind).with_extra(dict(spec.columns), dict(spec.aliases))


def _select_sheets(sheets: list[SheetSource], spec: SourceSpec, source_file: str):
    if spec.sheet is None:
        return sheets
    chosen = [s for s in sheets if s.sheet == spec.sheet]
    if not chosen:
        raise SourceFileError(
            _("{file}: sheet {sheet!r} not found; the workbook has: {sheets}.").format(
                file=source_file, sheet=spec.sheet, sheets=", ".join(s.sheet for s in sheets)
            )
        )
    return chosen


def _detect_file_kind(sheets: list[SheetSource], spec: SourceSpec, source_file: str) -> str:
    """Return the one kind that the header rows of the file's sheets name.

    A header that names no kind, or several equally (KECAMATAN and NAMA on a Rekap sheet),
    heads a summary or notes sheet when the other sheets name one kind. Sheets that name
    different kinds stop the run, because one source is read as one kind.
    """
    scorer = _row_scorer(spec)
    unrecognised: list[SourceFileError] = []
    recognised: dict[str, list[str]] = {}
    # Sheets without a NIK column or NIK-like cells, recognised by generic headers alone
    # (NAMA and KETERANGAN name a complaint export). A Rekap of pendamping has such headers, so
    # these sheets decide the kind only when no sheet with NIKs does.
    recognised_without_niks: dict[str, list[str]] = {}
    for sheet in sheets:
        index = _find_header(sheet, scorer, spec)
        if index is None:
            continue
        where = _where(source_file, sheet.sheet)
        try:
            kind = detect_kind(sheet.preview[index], where)
        except SourceFileError as error:
            unrecognised.append(error)
            continue
        mapping = map_headers(source_definition(kind), sheet.preview[index])
        has_nik_column = "nik" in mapping.canonical_by_position.values()
        if not has_nik_column and not _has_nik_cells(sheet, index):
            recognised_without_niks.setdefault(kind, []).append(sheet.sheet)
        else:
            recognised.setdefault(kind, []).append(sheet.sheet)
    recognised = recognised or recognised_without_niks
    if len(recognised) == 1:
        ((kind, names),) = recognised.items()
        logger.info("recognised %s as kind %s from %d sheets", source_file, kind, len(names))
        return kind
    if recognised:
        raise SourceFileError(
            _("{file}: its sheets have the headers of different source kinds ({kinds}). Set "
              "`kind` for this source in the run configuration, or split the file by kind.").format(
                file=source_file,
                kinds="; ".join(
                    f"{kind}: {', '.join(names)}" for kind, names in sorted(recognised.items())
                ),
            )
        )
    if unrecognised:
        raise unrecognised[0]
    raise SourceFileError(
        _("{file}: no header row found, so the source kind cannot be recognised. Set `kind` "
          "and `header_row` for this source.").format(file=source_file)
    )


def _where(source_file: str, sheet: str) -> str:
    return f"{source_file} [{sheet}]" if sheet else source_file


# The shape of a NIK: a region code of six digits that does not start with 0, the day of birth
# (plus 40 for a woman) and month, and six more digits. A bank account number starting 000 or
# a 15-digit NPWP is no NIK.
NIK_SHAPE = (
    "[1-9][0-9]{5}(0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])(0[1-9]|1[0-2])[0-9]{6}"
)
# A cell that looks like a NIK: that shape with optional separators, or the number a
# spreadsheet shows for a NIK stored as a number (3.32501E+15).
_NIK_LIKE_CELL = re.compile(NIK_SHAPE)
_NIK_SEPARATORS = re.compile(r"[\s.\-]")
_NIK_AS_NUMBER = re.compile(r"\d[.,]\d+[eE]\+?15")


def _has_nik_cells(sheet: SheetSource, header_index: int) -> bool:
    """Return whether a NIK-like cell lies below the header row in the rows read ahead."""
    rows = sheet.preview[header_index + 1:]
    return any(
        _NIK_LIKE_CELL.fullmatch(_NIK_SEPARATORS.sub("", cell))
        or _NIK_AS_NUMBER.fullmatch(cell.strip())
        for row in rows
        for cell in row
    )


def _find_header(sheet: SheetSource, scorer, spec: SourceSpec) -> int | None:
    """Return the 0-based index of the header row: the configured one, else the first row
    with the most known headers (at least MIN_HEADER_SCORE)."""
    if spec.header_row is not None:
        index = spec.header_row - 1
        return index if index < len(sheet.preview) else None
    best_index, best_score = None, MIN_HEADER_SCORE - 1
    for index, row in enumerate(sheet.preview):
        score = scorer(row)
        if score > best_score:
            best_index, best_score = index, score
    return best_index


def _plan_sheet(sheet: SheetSource, definition: SourceDefinition, spec: SourceSpec,
                source_file: str) -> _SheetPlan:
    index = _find_header(sheet, lambda row: header_score(definition, row), spec)
    if index is None:
        return _SheetPlan(sheet, None, None)

    mapping = map_headers(definition, sheet.preview[index])
    missing = missing_required(definition, mapping)
    # Merges that hide a header: across columns of the header row, or from a row above it.
    header_merges = [
        merged for merged in sheet.merged
        if merged.covers_row(index)
        and (merged.last_column > merged.first_column or merged.first_row < index)
    ]
    if missing:
        message = _missing_columns_message(
            definition, mapping, missing, _where(source_file, sheet.sheet), index + 1
        )
        if header_merges:
            # Merging keeps the first cell's text only, so a header merged into its neighbour
            # is gone and no [sources.columns] line can map it.
            message += " " + _(
                "Header row {row} has merged cells ({ranges}), and merging keeps only the first "
                "cell's text: unmerge them and give each column its own header."
            ).format(row=index + 1, ranges=_ranges_text(header_merges))
        error = SourceFileError(message)
        # A header row with none of the required columns, such as KECAMATAN and NOMINAL on a
        # Rekap sheet, heads a summary or notes sheet. Its rows are quarantined like those of a
        # sheet without a header row, and ingest_file raises `error` only when no sheet maps.
        # A header row with some of them (NIK but no name) more likely heads a list sheet with a
        # damaged header. Loading the other sheets without its rows would audit part of the
        # list, so it stops the run. A sheet without the NIK column and without a NIK in its
        # first rows (a Rekap naming each kecamatan's pendamping) is no list, though: a list
        # sheet has NIKs even when its NIK header is damaged.
        is_list_sheet = "nik" not in missing or _has_nik_cells(sheet, index)
        if len(missing) < len(definition.required) and is_list_sheet:
            raise error
        _stop_if_list_header_elsewhere(sheet, definition, source_file, index)
        return _SheetPlan(sheet, None, None, error)
    if header_merges:
        logger.warning(
            "%s: header row %d has merged cells (%s). Merging keeps only the first cell's text, "
            "so a column under the rest of a range has no header and is not read. Unmerge them "
            "and give each column its own header.",
            _where(source_file, sheet.sheet), index + 1, _ranges_text(header_merges),
        )
    if mapping.unmapped:
        logger.info("%s: columns not used: %s", _where(source_file, sheet.sheet),
                    ", ".join(mapping.unmapped))
    for header, column in mapping.duplicates:
        read = mapping.headers[mapping.position_of(column)]
        if header_key(read) in definition.configured:
            continue
        logger.warning(
            "%s: columns \"%s\" and \"%s\" both map to column %s, and only \"%s\" is read. "
            "If \"%s\" holds the %s, map it under [sources.columns] in the run configuration.",
            _where(source_file, sheet.sheet), read, header, column, read, header, column,
        )
    for near in misspelt_headers(definition, mapping):
        logger.warning(
            "%s: column \"%s\" is not read, but it looks like \"%s\", a header of column %s, "
            "which the file lacks. If it is that column, rename the header or map it under "
            "[sources.columns] in the run configuration; otherwise rules that need %s may not "
            "be evaluated.",
            _where(source_file, sheet.sheet), near.header, near.accepted, near.column,
            near.column,
        )
    return _SheetPlan(sheet, index, mapping)


def _missing_columns_message(definition: SourceDefinition, mapping, missing: list[str],
                             where: str, row: int) -> str:
    """Return the error for required columns missing from header row `row`.

    The message names each column by its usual header (NIK), points to a header of the row that
    looks like a misspelling of it, and gives a [sources.columns] line to map it."""
    misspelt = {near.column: near.header for near in misspelt_headers(definition, mapping)}
    details = []
    for column in missing:
        accepted = ", ".join(definition.aliases[column])
        if column in misspelt:
            details.append(
                _('{column} (the header "{header}" looks like a misspelling of it; accepted '
                  'headers: {accepted})').format(
                    column=column_header(definition.kind, column), header=misspelt[column],
                    accepted=accepted)
            )
        else:
            details.append(_("{column} (accepted headers: {accepted})").format(
                column=column_header(definition.kind, column), accepted=accepted))
    example_column = missing[0]
    example_header = misspelt.get(example_column, _("<header in the file>"))
    return _(
        "{where}: required column missing in header row {row}: {details}. Rename the header in "
        "the file, or map it under [sources.columns] in the run configuration, for example: "
        '"{header}" = "{column}".'
    ).format(where=where, row=row, details="; ".join(details), header=example_header,
             column=example_column)


def _stop_if_list_header_elsewhere(sheet: SheetSource, definition: SourceDefinition,
                                   source_file: str, index: int) -> None:
    """Raise SourceFileError when another of the first rows of `sheet` has every required column.

    Such a sheet is part of the list, read with the wrong header row (a `header_row` that fits
    the other sheets, say), and quarantining its rows would leave them out of the audit.
    """
    for other, row in enumerate(sheet.preview):
        if other != index and not missing_required(definition, map_headers(definition, row)):
            raise SourceFileError(
                _("{where}: header row {row} has none of the required columns of the {kind}, "
                  "but row {found} has them all. Correct `header_row` of this source in "
                  "the run configuration (without it, the header row of each sheet is found "
                  "on its own) and run again.").format(
                    where=_where(source_file, sheet.sheet), row=index + 1,
                    kind=kind_label(definition.kind), found=other + 1)
            )


def _forget_file(con, kind: str, run_id: str, source_file: str) -> None:
    """Delete rows of an earlier load of the same file, so re-ingesting is idempotent."""
    query_rows(con, f"delete from raw_{kind} where source_file = ?", [source_file])
    query_rows(
        con,
        "delete from source_columns where source_kind = ? and source_file = ?",
        [kind, source_file],
    )
    query_rows(
        con,
        "delete from quarantine where run_id = ? and source_kind = ? and source_file = ?",
        [run_id, kind, source_file],
    )
    query_rows(
        con,
        "delete from file_reconciliation where run_id = ? and source_kind = ? "
        "and source_file = ?",
        [run_id, kind, source_file],
    )


def _load_sheet(con, plan: _SheetPlan, kind: str, spec: SourceSpec, source_file: str,
                run_id: str, file_number: int) -> FileCount:
    sheet = plan.source
    if plan.mapping is None:
        width = max((len(r) for r in sheet.preview), default=1) or 1
        headers = [f"column_{i + 1}" for i in range(width)]
        ids = IdPositions()
    else:
        headers = list(plan.mapping.headers)
        width = len(headers)
        ids = IdPositions(plan.mapping.position_of("nik"), plan.mapping.position_of("no_kk"),
                          frozenset(plan.mapping.canonical_by_position))

    context = _ClassifyContext(kind, source_file, sheet.sheet, run_id, file_number,
                               plan.header_index, headers, plan.mapping, spec, sheet.delimiter)
    rows_read = _fill_classified(con, sheet, context, width, ids)
    joined = joined_rows(con, len(headers)) if sheet.delimiter else []
    _warn_joined_rows(source_file, joined)
    _insert_quarantine(con, context)
    if plan.mapping is not None:
        _insert_raw(con, context)
        _insert_source_columns(con, context)
    run_sql(con, f"drop table if exists {CLASSIFIED}")
    lines_joined = sum(row.last_line - row.first_line for row in joined)
    count = _reconcile(con, context, rows_read, lines_joined)
    _warn_quarantined_rows(con, context, {row.source_row for row in joined})
    return count


def _insert_source_columns(con, ctx: _ClassifyContext) -> None:
    query_rows(
        con,
        "insert into source_columns select * from (values "
        + ", ".join("(?, ?, ?, ?, ?)" for _ in ctx.mapping.canonical_by_position)
        + ")",
        [
            value
            for position, column in ctx.mapping.canonical_by_position.items()
            for value in (ctx.kind, ctx.source_file, ctx.source_sheet, column,
                          ctx.headers[position].strip())
        ],
    )


def _warn_quarantined_rows(con, ctx: _ClassifyContext, warned_rows: set[int]) -> None:
    """Warn about the data rows of this sheet that were quarantined, naming the first few with
    their reason. Layout rows (blank, title, totals, a repeated header) are expected in
    exported workbooks and are left out. So are rows that the joined-lines warning named, and
    the rows of a sheet without a header row, which `_check_sheet_not_loaded` warns about."""
    layout = ", ".join(_sql_text(reason) for reason in (*LAYOUT_REASONS, SHEET_WITHOUT_HEADER))
    rows = query_rows(
        con,
        f"select source_row, reason_detail from quarantine "
        f"where run_id = ? and source_kind = ? and source_file = ? and source_sheet = ? "
        f"and reason_code not in ({layout}) order by source_row",
        [ctx.run_id, ctx.kind, ctx.source_file, ctx.source_sheet],
    )
    rows = [(row, detail) for row, detail in rows if row not in warned_rows]
    if not rows:
        return

    where = _where(ctx.source_file, ctx.source_sheet)
    # The log keeps English and the console the run's language. The reasons themselves are
    # stored in the run's language.
    template = (
        "%s: %d data row was not loaded but quarantined (%s). The quarantine table of "
        "audit.duckdb lists it with its values; correct it in the file and run the audit again."
        if len(rows) == 1 else
        "%s: %d data rows were not loaded but quarantined (%s). The quarantine table of "
        "audit.duckdb lists each one with its values; correct them in the file and run the "
        "audit again."
    )

    logger.warning(
        template,
        where, len(rows), _quarantine_examples(rows, ctx.source_file, "en"),
        extra={"console_args": (where, len(rows), _quarantine_examples(
            rows, ctx.source_file, current_language()
        ))},
    )


def _quarantine_examples(rows: list[tuple[int, str]], source_file: str, language: str) -> str:
    """Return "row 42: reason; row 50: reason; 3 more" in `language`. A reason that names
    the file, as a CSV parse problem does with its row, is given as it is."""
    # A reason may quote a cell, so NIKs in it are masked for the log.
    parts = [
        mask_ids_in_text(detail.rstrip(".")) if detail.startswith(source_file)
        else gettext_for(language, "row {row}: {reason}").format(
            row=row, reason=mask_ids_in_text(detail.rstrip("."))
        )
        for row, detail in rows[:QUARANTINE_EXAMPLES]
    ]
    if len(rows) > QUARANTINE_EXAMPLES:
        parts.append(gettext_for(language, "{count} more").format(
            count=len(rows) - QUARANTINE_EXAMPLES
        ))
    return "; ".join(parts)


def landing_schema(width: int) -> pa.Schema:
    """Schema of the batches a reader yields for a sheet `width` cells wide."""
    return pa.schema(
        [("source_row", pa.int64())]
        + [(f"c{i}", pa.string()) for i in range(width)]
        + [("nik_cell_type", pa.string()), ("no_kk_cell_type", pa.string()),
           ("parse_issue", pa.string()), ("issue_code", pa.string())]
    )


def _fill_classified(con, sheet: SheetSource, ctx: _ClassifyContext, width: int,
                     ids: IdPositions) -> int:
    """Stream the sheet into the table of classified rows; return the number of rows read."""
    header = ctx.header_index if ctx.header_index is not None else -1
    select = _classified_sql(ctx)
    irregular = _load_stream(con, sheet.batches(header, width, ids, exact=False), width, select)
    if irregular:
        logger.info("%s: ragged rows (%s); reading again record by record", sheet.path.name,
                    irregular)
        _load_stream(con, sheet.batches(header, width, ids, exact=True), width, select)
    return query_rows(con, f"select count(*) from {CLASSIFIED}")[0][0]


_LINE_BREAK = r"\r\n|\r|\n"


def _line_breaks_sql(width: int) -> str:
    """Return an expression counting the line breaks inside a classified row's cells.

    Breaks after the row's last non-empty cell are not counted. A quote that is never closed
    runs to the end of the file and keeps the file's last line break, which starts no line.
    """
    cells = ", ".join(f"coalesce(c{i}, '')" for i in range(width))
    text = f"rtrim(concat_ws(chr(31), {cells}), chr(31) || chr(13) || chr(10))"
    return f"len(regexp_extract_all({text}, '{_LINE_BREAK}'))"


def joined_rows(con, width: int) -> list[JoinedRow]:
    """Return the classified CSV rows quarantined for a stray quote that span several lines.

    The rows are numbered by record, so a row's first line is its number plus the line breaks
    inside all earlier rows, including loaded rows with a quoted line break in a value.
    """
    breaks = _line_breaks_sql(width)
    reasons = ", ".join(_sql_text(reason) for reason in JOINED_REASONS)
    flagged = query_rows(
        con,
        f"select source_row, {breaks} as breaks from {CLASSIFIED} "
        f"where reason_code in ({reasons}) and breaks > 0 order by source_row",
    )
    if not flagged:
        return []
    # Only rows with a line break move the line numbers of the rows after them.
    with_breaks = query_rows(
        con,
        f"select source_row, {breaks} as breaks from {CLASSIFIED} "
        f"where breaks > 0 order by source_row",
    )
    rows = []
    for source_row, count in flagged:
        earlier = sum(n for row, n in with_breaks if row < source_row)
        first_line = source_row + earlier
        rows.append(JoinedRow(source_row, first_line, first_line + count))
    return rows


def _warn_joined_rows(source_file: str, joined: list[JoinedRow]) -> None:
    """Warn about each row that a stray quote joined from several lines, up to
    MAX_JOINED_WARNINGS rows, then once for the rest of the file."""
    for row in joined[:MAX_JOINED_WARNINGS]:
        logger.warning(
            "%s row %d contains lines %d to %d of the file: a stray double quote joined them into "
            "one row, which is quarantined, so the data on %d more lines is not audited. "
            "Remove the stray quote and export the file again.",
            source_file, row.source_row, row.first_line, row.last_line,
            row.last_line - row.first_line,
        )
    rest = joined[MAX_JOINED_WARNINGS:]
    if rest:
        logger.warning(
            "%s: %d more rows were joined from several lines by stray double quotes (%d lines "
            "in all); the quarantine table lists them with reason joined_lines or "
            "unparseable_row.",
            source_file, len(rest), sum(row.last_line - row.first_line + 1 for row in rest),
        )


def _load_stream(con, batches, width: int, select: str) -> str | None:
    """Create the table of classified rows from a stream of batches in one statement (one
    DuckDB scan is far faster than an insert per batch). Return the reason when the fast CSV
    reader gave up."""
    stopped: list[str] = []
    # DuckDB pulls the batches from its own threads. Running the reader in the caller's context
    # keeps the run's language for the quarantine reasons that the reader writes.
    context = contextvars.copy_context()

    # A reader error raised inside DuckDB's scan would reach the user wrapped in DuckDB's
    # English error text, so it ends the stream here and is raised again after the scan.
    failed: list[SourceFileError] = []

    def guarded():
        iterator = iter(batches)
        try:
            while (batch := context.run(next, iterator, None)) is not None:
                yield batch
        except IrregularCsvError as e:
            stopped.append(str(e))
        except SourceFileError as e:
            failed.append(e)

    reader = pa.RecordBatchReader.from_batches(landing_schema(width), guarded())
    con.register("__ingest_stream", reader)
    try:
        run_sql(con, f"create or replace temp table {CLASSIFIED} as {select}")
    finally:
        con.unregister("__ingest_stream")
    if failed:
        raise failed[0]
    return stopped[0] if stopped else None


@dataclass(frozen=True)
class _ClassifyContext:
    kind: str
    source_file: str
    source_sheet: str
    run_id: str
    file_number: int
    header_index: int | None
    headers: list[str]
    mapping: HeaderMapping | None
    spec: SourceSpec
    # CSV field separator; empty for an Excel sheet.
    delimiter: str = ""


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _json_keys(headers: list[str]) -> list[str]:
    keys, seen = [], set()
    for i, header in enumerate(headers):
        key = header.strip() or f"column_{i + 1}"
        while key in seen:
            key = f"{key}_{i + 1}"
        seen.add(key)
        keys.append(key)
    return keys


_INVISIBLE = r"[\s\x{00A0}\x{200B}-\x{200D}\x{2060}\x{FEFF}\x1f]"
_TOTALS = r"(^|\x1f)\s*(SUB\s*)?(JUMLAH|TOTAL|GRAND\s*TOTAL|REKAP)\b"
_NIK_AFTER_BREAK = r"[\r\n][\s\x22'']*[0-9]{16}"


def _cell_matches(position: int | None, pattern: str) -> str:
    if position is None:
        return "false"
    return f"regexp_matches(coalesce(c{position}, ''), '{pattern}')"


def _separator_count_sql(text: str, delimiter: str) -> str:
    return f"(length({text}) - length(replace({text}, {_sql_text(delimiter)}, '')))"


def _swallowed_records_sql(position: int, width: int, delimiter: str) -> str:
    """Return a condition that is true when CSV cell `position` contains lines of other records.

    A stray double quote that opens the value in column k of one line and is closed in column k
    of a later line leaves a row of the header's `width`, so it loads unless caught here. Its
    value contains the rest of the first line (width - 1 - k separators), every line in between
    (width - 1 separators each, blank lines aside) and the start of the last line (k
    separators). Legitimate text over several lines, such as a complaint's description, seldom
    has that many separators on each of its lines.
    """
    lines = f"string_split_regex(coalesce(c{position}, ''), '{_LINE_BREAK}')"
    first = _separator_count_sql(f"{lines}[1]", delimiter)
    last = _separator_count_sql(f"{lines}[-1]", delimiter)
    short_middle = (
        f"list_filter({lines}[2:-2], lambda line: trim(line) <> '' "
        f"and {_separator_count_sql('line', delimiter)} < {width - 1})"
    )
    return (
        f"(len({lines}) > 1 and {first} >= {width - 1 - position} and {last} >= {position} "
        f"and len({short_middle}) = 0)"
    )


def _record_shaped_sql(ctx: _ClassifyContext) -> str:
    """Return a condition that is true when a CSV cell contains lines of other records (never
    for an Excel sheet, whose cells have no separators)."""
    if not ctx.delimiter:
        return "false"
    width = len(ctx.headers)
    return "(" + " or ".join(
        _swallowed_records_sql(position, width, ctx.delimiter) for position in range(width)
    ) + ")"


def _reason_sql(ctx: _ClassifyContext) -> str:
    """Return a CASE expression giving the quarantine reason code of a landing row, or NULL."""
    cells = ", ".join(f"coalesce(c{i}, '')" for i in range(len(ctx.headers)))
    joined = f"concat_ws(chr(31), {cells})"
    blank = f"regexp_matches({joined}, '^{_INVISIBLE}*$')"
    if ctx.mapping is None:
        return f"case when {blank} then 'blank_row' else '{SHEET_WITHOUT_HEADER}' end"

    header_row = ctx.header_index + 1
    nik = ctx.mapping.position_of("nik")
    name = ctx.mapping.position_of("name")
    nik_present = _cell_matches(nik, "[1-9]")
    nik_long = _cell_matches(nik, "[0-9]{10}")
    name_present = _cell_matches(name, "[A-Za-z]")
    header_hits = " + ".join(
        f"(lower(trim(coalesce(c{p}, ''))) = {_sql_text(ctx.headers[p].strip().lower())})::int"
        for p in ctx.mapping.canonical_by_position
    )
    needed = max(MIN_HEADER_SCORE, (len(ctx.mapping.canonical_by_position) + 1) // 2)
    # The second branch lets ordinary data rows (a long NIK and a name below the header) skip
    # the costlier checks: none of the later reasons can apply to them.
    # A value with a line break followed by a NIK, or with the lines of whole records: a stray
    # double quote opened a value and a later one closed it, so records became part of a cell.
    joined_records = (
        f"((contains({joined}, chr(10)) or contains({joined}, chr(13))) "
        f"and (regexp_matches({joined}, '{_NIK_AFTER_BREAK}') or {_record_shaped_sql(ctx)}))"
    )
    return f"""case
        when parse_issue is not null then issue_code
        when {joined_records} then 'joined_lines'
        when source_row > {header_row} and {nik_long} and {name_present} then null
        when {blank} then 'blank_row'
        when source_row < {header_row} then 'title_row'
        when ({header_hits}) >= {needed} then 'repeated_header'
        when not {nik_long} and regexp_matches({joined}, '{_TOTALS}', 'i') then 'totals_row'
        when not {nik_present} and not {name_present} then 'no_identity'
    end"""


def _detail_sql(ctx: _ClassifyContext) -> str:
    header_row = (ctx.header_index or 0) + 1
    details = {
        "blank_row": _("all cells are empty"),
        "title_row": _("text above the header row (row {row})").format(row=header_row),
        "repeated_header": _("the header row appears again inside the data"),
        "totals_row": _("totals row (JUMLAH/TOTAL) without a NIK"),
        "no_identity": _("no NIK and no name"),
        SHEET_WITHOUT_HEADER: _(
            "the sheet has no header row with the required columns of the {kind} ({columns})"
        ).format(kind=kind_label(ctx.kind),
                 columns=required_headers(source_definition(ctx.kind))),
    }
    branches = [
        f"        when {_sql_text(code)} then {_sql_text(text)}" for code, text in details.items()
    ]
    record_lines = _(
        "a value spans several lines of the file, and they contain the separators of whole "
        "records: a stray double quote probably joined those lines into this row. Remove the "
        "stray quote and export the file again."
    )
    nik_after_break = _(
        "a value holds a line break followed by a 16-digit number: a stray double quote "
        "probably joined several lines of the file into this row. Remove the stray quote "
        "and export the file again."
    )
    branches.append(
        f"        when 'joined_lines' then case when {_record_shaped_sql(ctx)} "
        f"then {_sql_text(record_lines)} else {_sql_text(nik_after_break)} end"
    )
    branch_sql = "\n".join(branches)
    # The readers write the whole reason of a row they flag, in the run's language.
    return f"""case
        when parse_issue is not null then parse_issue
        else case reason_code
{branch_sql}
        end
    end"""


def _classified_sql(ctx: _ClassifyContext) -> str:
    return f"select *, {_reason_sql(ctx)} as reason_code from __ingest_stream"


def _insert_quarantine(con, ctx: _ClassifyContext) -> None:
    keys = _json_keys(ctx.headers)
    pairs = ", ".join(f"{_sql_text(k)}, c{i}" for i, k in enumerate(keys))
    sql = f"""
insert into quarantine
with
classified as (
    select * from {CLASSIFIED}
),

final as (
    select
        {_sql_text(ctx.run_id)} as run_id,
        {_sql_text(ctx.kind)} as source_kind,
        {_sql_text(ctx.source_file)} as source_file,
        {_sql_text(ctx.source_sheet)} as source_sheet,
        source_row,
        reason_code,
        {_detail_sql(ctx)} as reason_detail,
        json_object({pairs})::varchar as raw_values
    from classified
    where reason_code is not null
)

select * from final"""
    run_sql(con, sql)


def _insert_raw(con, ctx: _ClassifyContext) -> None:
    mapped = ",\n        ".join(
        f"c{p} as {column}" for p, column in ctx.mapping.canonical_by_position.items()
    )
    record_prefix = f"{ctx.kind}:{ctx.file_number}:{ctx.source_sheet}:"
    extra = ""
    present = set(ctx.mapping.canonical_by_position.values())
    if ctx.kind == "register" and "snapshot_date" not in present and ctx.spec.snapshot_date:
        extra = f",\n        {_sql_text(ctx.spec.snapshot_date.isoformat())} as snapshot_date"
    if ctx.kind in ("pkh", "bpnt") and "period" not in present and ctx.spec.period:
        # The configured period fills in the year that a bare TAHAP column lacks.
        extra += f",\n        {_sql_text(ctx.spec.period)} as period"
    sql = f"""
insert into raw_{ctx.kind} by name
with
classified as (
    select * from {CLASSIFIED}
),

final as (
    select
        {_sql_text(record_prefix)} || source_row as record_id,
        {_sql_text(ctx.source_file)} as source_file,
        {_sql_text(ctx.source_sheet)} as source_sheet,
        source_row,
        nik_cell_type,
        no_kk_cell_type,
        {mapped}{extra}
    from classified
    where reason_code is null
)

select * from final"""
    run_sql(con, sql)


def _reconcile(con, ctx: _ClassifyContext, rows_read: int, lines_joined: int = 0) -> FileCount:
    """Count what was written for this sheet and record it; raise when rows went missing.

    `lines_joined` is the number of extra file lines inside rows that a stray quote joined.
    """
    loaded = query_rows(
        con,
        f"select count(*) from raw_{ctx.kind} where source_file = ? and source_sheet = ?",
        [ctx.source_file, ctx.source_sheet],
    )[0][0] if ctx.mapping is not None else 0
    quarantined = query_rows(
        con,
        "select count(*) from quarantine where run_id = ? and source_kind = ? "
        "and source_file = ? and source_sheet = ?",
        [ctx.run_id, ctx.kind, ctx.source_file, ctx.source_sheet],
    )[0][0]
    count = FileCount(ctx.kind, ctx.source_file, ctx.source_sheet, ctx.file_number,
                      rows_read, loaded, quarantined, lines_joined)
    query_rows(
        con,
        "insert into file_reconciliation values (?, ?, ?, ?, ?, ?, ?, ?)",
        [ctx.run_id, ctx.kind, ctx.source_file, ctx.source_sheet, rows_read, loaded,
         quarantined, lines_joined],
    )
    if rows_read != loaded + quarantined:
        raise ReconciliationError(
            _("{where}: {read} rows read but {loaded} loaded and {quarantined} quarantined. "
              "Rows were lost or duplicated; report this file to the maintainers.").format(
                where=_where(ctx.source_file, ctx.source_sheet), read=rows_read, loaded=loaded,
                quarantined=quarantined)
        )
    logger.info("%s: read %d, loaded %d, quarantined %d",
                _where(ctx.source_file, ctx.source_sheet), rows_read, loaded, quarantined)
    return count
