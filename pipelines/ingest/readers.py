"""Readers that turn CSV and Excel files into Arrow batches of text cells.

Every value stays text: no reader infers types, so leading zeros and the 16th digit of an ID
survive. Each batch carries the row number a user sees in the file (`source_row`) and, for
Excel, whether the NIK and No KK cells were numeric (such cells have already lost digits).

Batch columns: `source_row` (int64), `c0` .. `c<width-1>` (string), `nik_cell_type`,
`no_kk_cell_type` (`text`, `number` or `csv`), `parse_issue` (NULL, or the quarantine reason of a
row the reader cannot load as it is, in the current language) and `issue_code` (its reason code:
`unparseable_row` for a CSV row that does not split into `width` cells, `formula_without_value`
for an Excel row with a formula cell that has no saved value).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import python_calamine

from pipelines.errors import SourceFileError
from pipelines.i18n import _
from pipelines.ingest.csv_issues import RowContext, csv_error_message, width_issue
from pipelines.ingest.formulas import (
    FormulaCell,
    SheetColumns,
    column_letters,
    formula_row_issues,
    formulas_without_value,
)

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 30
BATCH_ROWS = 65_536
CSV_DELIMITERS = (";", ",", "\t", "|")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_SAMPLE_BYTES = 256 * 1024
_DECODE_CHUNK = 4 * 1024 * 1024
# Share of NUL bytes on one byte position (odd for little endian) above which a file without a
# BOM is read as UTF-16, provided the other position has almost none. Latin-script text in
# UTF-16 has a NUL on nearly every second byte.
UTF16_NUL_SHARE = 0.4
UTF16_STRAY_NUL_SHARE = 0.05


# Quarantine reason codes of the rows a reader flags (`issue_code`).
UNPARSEABLE_ROW = "unparseable_row"
FORMULA_WITHOUT_VALUE = "formula_without_value"


class IrregularCsvError(Exception):
    """The fast CSV reader met a row with the wrong number of fields; re-read exactly."""


@dataclass(frozen=True)
class IdPositions:
    """Positions of the NIK and No KK columns whose cell type is recorded (None if absent), and
    of every column mapped to a canonical name."""

    nik: int | None = None
    no_kk: int | None = None
    mapped: frozenset[int] = frozenset()


@dataclass(frozen=True)
class MergedRange:
    """A range of merged cells; rows and columns are 0-based and absolute, as calamine gives
    them. Excel shows the value of the first cell in every cell of the range."""

    first_row: int
    first_column: int
    last_row: int
    last_column: int

    @property
    def reference(self) -> str:
        """The range as Excel writes it, such as `H5:H9`."""
        return (f"{column_letters(self.first_column + 1)}{self.first_row + 1}:"
                f"{column_letters(self.last_column + 1)}{self.last_row + 1}")

    def covers_row(self, index: int) -> bool:
        """Return whether the range covers the row at 0-based `index`."""
        return self.first_row <= index <= self.last_row


@dataclass
class SheetSource:
    """One sheet of a workbook, or a whole CSV file (sheet name '')."""

    path: Path
    sheet: str
    preview: list[list[str]]
    _batches: Callable[..., Iterator[pa.RecordBatch]] = field(repr=False)
    encoding: str = ""
    delimiter: str = ""
    # Hidden or very hidden in the workbook: Excel does not show the sheet, but it is read.
    hidden: bool = False
    # Merged cell ranges of the sheet, as in Excel.
    merged: list[MergedRange] = field(default_factory=list)

    def batches(
        self, header_index: int, width: int, ids: IdPositions, exact: bool = False
    ) -> Iterator[pa.RecordBatch]:
        """Yield every row except the header row (0-based `header_index`) in batches.

        For CSV, `exact=False` uses the fast Arrow parser, which raises IrregularCsvError on a
        ragged row. The caller then discards what it loaded and calls again with `exact=True`.
        """
        return self._batches(header_index, width, ids, exact)


def open_sources(path: Path, score_row: Callable[[list[str]], int]) -> list[SheetSource]:
    """Open a CSV or Excel file and return one SheetSource per sheet (one for CSV).

    `score_row` counts the known headers in a row; it picks the CSV delimiter.
    """
    if not path.is_file():
        raise SourceFileError(_("{file}: file not found.").format(file=path))
    if path.stat().st_size == 0:
        raise SourceFileError(
            _("{file}: the file is empty (0 bytes). Export it again from the source system, "
              "or remove it from the run configuration.").format(file=path)
        )
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _open_workbook(path)
    return [_open_csv(path, score_row)]


# --- CSV -------------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """Return `utf-8-sig` (BOM), `utf-16` (BOM, Excel's "Unicode Text"), `utf-16-le` or
    `utf-16-be` (no BOM), `utf-8`, `cp1252` or `latin-1`, checking the whole file.

    Raise SourceFileError for a file that looks like UTF-16 without a BOM but does not decode
    as such.
    """
    with path.open("rb") as f:
        start = f.read(_SAMPLE_BYTES)
    if start[:3] == codecs.BOM_UTF8:
        return "utf-8-sig"
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    utf16 = _utf16_byte_order(start)
    if utf16 is not None:
        if _decodes(path, utf16):
            return utf16
        raise SourceFileError(
            _("{file}: the file looks like UTF-16 text without a byte order mark, but it does "
              "not decode as UTF-16. Open it in Excel or a text editor, save it as CSV UTF-8 "
              "and run again.").format(file=path.name)
        )
    for encoding in ("utf-8", "cp1252"):
        if _decodes(path, encoding):
            return encoding
    return "latin-1"


def _utf16_byte_order(sample: bytes) -> str | None:
    """Return `utf-16-le` or `utf-16-be` when `sample` has the NUL bytes of UTF-16 text without
    a BOM, else None.

    A CSV export is mostly ASCII, which UTF-16 stores as the character and a NUL byte, so the
    NULs fall on every second byte. UTF-8 and the single-byte encodings have no NUL in text.
    """
    even, odd = sample[0::2], sample[1::2]
    if len(odd) < 2:
        return None
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    if odd_nul >= UTF16_NUL_SHARE and even_nul < UTF16_STRAY_NUL_SHARE:
        return "utf-16-le"
    if even_nul >= UTF16_NUL_SHARE and odd_nul < UTF16_STRAY_NUL_SHARE:
        return "utf-16-be"
    return None


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as f:
            while chunk := f.read(_DECODE_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _read_sample(path: Path, encoding: str) -> str:
    with path.open("rb") as f:
        raw = f.read(_SAMPLE_BYTES)
        complete = len(raw) < _SAMPLE_BYTES
    text = raw.decode(encoding, errors="ignore")
    if not complete:
        # Drop the last, possibly cut, line.
        text = text[: max(text.rfind("\n"), 0)]
    return text


def _sample_rows(sample: str, delimiter: str) -> list[list[str]]:
    rows = []
    try:
        for row in csv.reader(io.StringIO(sample), delimiter=delimiter):
            rows.append(row)
            if len(rows) >= PREVIEW_ROWS:
                break
    except csv.Error:
        return rows
    return rows


def detect_delimiter(sample: str, score_row: Callable[[list[str]], int]) -> str:
    """Pick the delimiter whose split yields the row with most known headers; on a tie, the
    one giving the most fields in that row."""
    best = (-1, -1, CSV_DELIMITERS[0])
    for delimiter in CSV_DELIMITERS:
        rows = _sample_rows(sample, delimiter)
        for row in rows:
            candidate = (score_row(row), len(row), delimiter)
            if candidate[:2] > best[:2]:
                best = candidate
    return best[2]


def _open_csv(path: Path, score_row: Callable[[list[str]], int]) -> SheetSource:
    encoding = detect_encoding(path)
    sample = _read_sample(path, encoding)
    delimiter = detect_delimiter(sample, score_row)
    preview = _sample_rows(sample, delimiter)
    logger.info("opened CSV %s: encoding %s, delimiter %r", path.name, encoding, delimiter)

    def batches(header_index: int, width: int, ids: IdPositions, exact: bool):
        if exact or header_index < 0:
            return _csv_batches_exact(path, encoding, delimiter, header_index, width)
        return _csv_batches_fast(path, encoding, delimiter, width, preview[:header_index])

    return SheetSource(path, "", preview, batches, encoding, delimiter)


def _cell_names(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def _csv_batches_fast(
    path: Path, encoding: str, delimiter: str, width: int, title_rows: list[list[str]]
) -> Iterator[pa.RecordBatch]:
    """Stream with Arrow's CSV parser. Rows above the header (`title_rows`, taken from the
    preview) are emitted first and skipped by Arrow, which counts them as lines.

    NOTE: a title row with a quoted line break would shift Arrow's line count, so such a file
    is numbered wrongly from the header on.
    """
    if title_rows:
        builder = _BatchBuilder(width, RowContext(path.name, delimiter))
        for record, row in enumerate(title_rows, start=1):
            builder.add(record, row, "csv", "csv", check_width=False)
        yield builder.flush()
    names = _cell_names(width)
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=names,
                skip_rows=len(title_rows),
                encoding="utf8" if encoding in ("utf-8", "utf-8-sig") else encoding,
                block_size=8 << 20,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        next_row = len(title_rows) + 1
        skip_header = True
        for batch in reader:
            if skip_header:
                batch = batch.slice(1)
                next_row += 1
                skip_header = False
            yield _with_provenance(batch, next_row, "csv")
            next_row += batch.num_rows
    except pa.ArrowInvalid as e:
        # Arrow rejects a row whose field count differs from the header's.
        raise IrregularCsvError(str(e)) from e


def _with_provenance(batch: pa.RecordBatch, first_row: int, cell_type: str) -> pa.RecordBatch:
    n = batch.num_rows
    rows = pa.array(np.arange(first_row, first_row + n, dtype=np.int64))
    constant = pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(n, dtype=np.int32)), pa.array([cell_type])
    ).cast(pa.string())
    no_issue = pa.nulls(n, type=pa.string())
    return pa.RecordBatch.from_arrays(
        [rows, *batch.columns, constant, constant, no_issue, no_issue],
        names=_batch_names(batch.num_columns),
    )


def _csv_batches_exact(
    path: Path, encoding: str, delimiter: str, header_index: int, width: int
) -> Iterator[pa.RecordBatch]:
    """Read record by record with the csv module, which tolerates ragged and title rows."""
    builder = _BatchBuilder(width, RowContext(path.name, delimiter))
    with path.open(encoding=encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        record = 0
        last_line = 0
        try:
            for row in reader:
                record += 1
                lines = (last_line + 1, reader.line_num)
                last_line = reader.line_num
                if record - 1 == header_index:
                    continue
                builder.add(record, row, "csv", "csv", check_width=record - 1 > header_index,
                            lines=lines)
                if builder.full:
                    yield builder.flush()
        except csv.Error as e:
            raise SourceFileError(csv_error_message(path.name, last_line + 1, e)) from e
    if builder.size:
        yield builder.flush()


class _BatchBuilder:
    """Collect rows column by column and emit Arrow batches of BATCH_ROWS rows."""

    def __init__(self, width: int, context: RowContext | None = None):
        self.width = width
        self.context = context or RowContext("", ",")
        self._reset()

    def _reset(self) -> None:
        self.rows: list[int] = []
        self.cells: list[list[str]] = [[] for _ in range(self.width)]
        self.nik_types: list[str] = []
        self.kk_types: list[str] = []
        self.issues: list[str | None] = []

    @property
    def size(self) -> int:
        return len(self.rows)

    @property
    def full(self) -> bool:
        return len(self.rows) >= BATCH_ROWS

    def add(self, row_number: int, cells: list[str], nik_type: str, kk_type: str,
            check_width: bool, lines: tuple[int, int] | None = None) -> None:
        """Add one row, read from the file lines `lines` (first, last). With `check_width`, a
        row with a different number of fields (other than a blank row or extra empty fields)
        gets a parse issue."""
        issue = None
        if check_width and cells:
            extra = cells[self.width:]
            if any(c.strip() for c in extra) or len(cells) < self.width:
                # The loader warns about a row joined from several lines.
                issue = width_issue(self.context, row_number, len(cells), self.width, lines,
                                    has_quote=any('"' in c for c in cells))
        padded = cells[: self.width] + [""] * (self.width - len(cells))
        if issue:
            # Keep every field so the quarantine shows the whole row.
            padded[-1] = delimiter_join(cells[self.width - 1:])
        self.rows.append(row_number)
        for column, value in zip(self.cells, padded, strict=True):
            column.append(value)
        self.nik_types.append(nik_type)
        self.kk_types.append(kk_type)
        self.issues.append(issue)

    def flush(self) -> pa.RecordBatch:
        arrays = [pa.array(self.rows, type=pa.int64())]
        arrays += [pa.array(column, type=pa.string()) for column in self.cells]
        codes = [UNPARSEABLE_ROW if issue else None for issue in self.issues]
        arrays += [
            pa.array(self.nik_types, type=pa.string()),
            pa.array(self.kk_types, type=pa.string()),
            pa.array(self.issues, type=pa.string()),
            pa.array(codes, type=pa.string()),
        ]
        batch = pa.RecordBatch.from_arrays(arrays, names=_batch_names(self.width))
        self._reset()
        return batch


def delimiter_join(cells: list[str]) -> str:
    return " | ".join(cells)


# --- Excel -----------------------------------------------------------------------------------


def cell_text(value) -> str:
    """Return the text of a calamine cell value without losing digits the cell still has."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e18:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def cell_type(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "number"
    return "text"


def _open_workbook(path: Path) -> list[SheetSource]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types for every format problem
        raise SourceFileError(
            _("{file}: the workbook cannot be opened (the XLSX reader reports: {error}). Save "
              "it again as .xlsx and retry.").format(file=path.name, error=e)
        ) from e
    # NOTE: .xls, .xlsb and .ods workbooks are not scanned for formulas without a saved value.
    formulas = formulas_without_value(path)
    hidden = {
        sheet.name for sheet in workbook.sheets_metadata
        if sheet.visible != python_calamine.SheetVisibleEnum.Visible
    }
    sources = []
    for name in workbook.sheet_names:
        source = _open_sheet(path, workbook, name, formulas.get(name, []))
        source.hidden = name in hidden
        sources.append(source)
    return sources


def _open_sheet(path: Path, workbook, name: str, formulas: list[FormulaCell]) -> SheetSource:
    sheet = workbook.get_sheet_by_name(name)
    # calamine starts each row at the sheet's first used column.
    first_column = (sheet.start[1] + 1) if sheet.start else 1
    rows = sheet.iter_rows()
    head: list[list] = []
    for row in rows:
        head.append(row)
        if len(head) >= PREVIEW_ROWS:
            break
    preview = [[cell_text(v) for v in row] for row in head]
    merged = _merged_ranges(sheet)
    consumed = {"done": False}

    def batches(header_index: int, width: int, ids: IdPositions, exact: bool):
        if consumed["done"]:
            raise RuntimeError(f"sheet {name!r} of {path.name} can be read only once")
        consumed["done"] = True
        issues = {}
        if formulas and 0 <= header_index < len(preview):
            keys = frozenset(p for p in (ids.nik, ids.no_kk) if p is not None)
            columns = SheetColumns(preview[header_index], first_column, keys, ids.mapped)
            # Called from the ingest step, before the rows stream, so a formula in a NIK or No
            # KK column stops the file before anything is loaded.
            issues = formula_row_issues(formulas, columns, f"{path.name} [{name}]",
                                        header_index + 1)
        fills = [r for r in merged if r.first_row > header_index]
        return _sheet_batches(head, rows, header_index, width, ids, issues,
                              _MergedFill(fills, first_column - 1) if fills else None)

    return SheetSource(path, name, preview, batches, merged=merged)


def _merged_ranges(sheet) -> list[MergedRange]:
    """Return the merged cell ranges of a calamine sheet; formats without them give none."""
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception as e:  # calamine raises its own error types for unreadable sheet parts
        logger.info("merged cells of sheet %r not read: %s", sheet.name, e)
        return []
    return [MergedRange(start[0], start[1], end[0], end[1]) for start, end in ranges]


class _MergedFill:
    """Filler of merged ranges: it copies the value of each range's first cell down the range's
    first column as the rows stream by, so that every row reads what Excel shows beside it. The
    other columns of a range wider than one column stay empty: one value does not belong in
    two fields, such as a name and a No KK."""

    def __init__(self, ranges: list[MergedRange], column_offset: int) -> None:
        # calamine's rows start at the sheet's first used column, `column_offset` from column A.
        self.pending = sorted(ranges, key=lambda merged: merged.first_row, reverse=True)
        self.column_offset = column_offset
        # The ranges that cover the current row, with the value of their first cell.
        self.active: dict[MergedRange, object] = {}

    def apply(self, index: int, values: list) -> list:
        """Return the cells of the row at 0-based `index`, with merged cells filled. Rows must
        come in order, so that each range starts at its first row."""
        while self.pending and self.pending[-1].first_row <= index:
            merged = self.pending.pop()
            first = merged.first_column - self.column_offset
            self.active[merged] = values[first] if 0 <= first < len(values) else None
        filled = None
        for merged, value in list(self.active.items()):
            if merged.last_row < index:
                del self.active[merged]
                continue
            first = merged.first_column - self.column_offset
            if value is None or value == "" or index == merged.first_row or first < 0:
                continue
            if filled is None:
                filled = list(values)
            if len(filled) <= first:
                filled += [""] * (first + 1 - len(filled))
            filled[first] = value
        return values if filled is None else filled


def _sheet_batches(head: list[list], rest: Iterator[list], header_index: int, width: int,
                   ids: IdPositions, issues: dict[int, str],
                   fill: _MergedFill | None = None) -> Iterator[pa.RecordBatch]:
    """Yield the sheet's rows as batches. `issues` maps a row number to the quarantine reason
    of a row with a formula cell without a saved value, and `fill` fills merged cells below
    the header row. Rows are collected whole and turned into columns once per batch, which
    costs far less than appending cell by cell."""
    rows: list[list[str]] = []
    numbers: list[int] = []
    nik_types: list[str] = []
    kk_types: list[str] = []
    row_number = 0
    for values in _chain(head, rest):
        row_number += 1
        if row_number - 1 == header_index:
            continue
        if fill is not None:
            values = fill.apply(row_number - 1, values)
        # NOTE: cells right of the header's last column are not loaded; Excel rows have no
        # field count to check, so such a row is not quarantined either.
        cells = [v if v.__class__ is str else cell_text(v) for v in values[:width]]
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        rows.append(cells)
        numbers.append(row_number)
        nik_types.append(_type_at(values, ids.nik))
        kk_types.append(_type_at(values, ids.no_kk))
        if len(rows) >= BATCH_ROWS:
            yield _rows_to_batch(rows, numbers, nik_types, kk_types, width, issues)
            rows, numbers, nik_types, kk_types = [], [], [], []
    if rows:
        yield _rows_to_batch(rows, numbers, nik_types, kk_types, width, issues)


def _rows_to_batch(rows: list[list[str]], numbers: list[int], nik_types: list[str],
                   kk_types: list[str], width: int, issues: dict[int, str]) -> pa.RecordBatch:
    # Every row has `width` cells. Converting the rows as one list array and taking each column
    # by stride is about twice as fast as transposing the rows in Python first.
    cells = pa.array(rows, type=pa.list_(pa.string())).flatten()
    total = len(rows) * width
    arrays = [pa.array(numbers, type=pa.int64())]
    arrays += [cells.take(pa.array(np.arange(i, total, width))) for i in range(width)]
    arrays += [pa.array(nik_types, type=pa.string()), pa.array(kk_types, type=pa.string())]
    if issues:
        details = [issues.get(number) for number in numbers]
        codes = [FORMULA_WITHOUT_VALUE if detail else None for detail in details]
        arrays += [pa.array(details, type=pa.string()), pa.array(codes, type=pa.string())]
    else:
        arrays += [pa.nulls(len(rows), type=pa.string()), pa.nulls(len(rows), type=pa.string())]
    return pa.RecordBatch.from_arrays(arrays, names=_batch_names(width))


def _batch_names(width: int) -> list[str]:
    return ["source_row", *_cell_names(width), "nik_cell_type", "no_kk_cell_type",
            "parse_issue", "issue_code"]


def _chain(head: list[list], rest: Iterator[list]) -> Iterator[list]:
    yield from head
    yield from rest


def _type_at(values: list, position: int | None) -> str:
    if position is None or position >= len(values):
        return "text"
    return cell_type(values[position])
