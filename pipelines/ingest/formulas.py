"""Find formula cells that have no saved value in .xlsx and .xlsm workbooks.

Excel and LibreOffice save each formula with its last result. A library that cannot calculate,
such as openpyxl, saves the formula alone, and calamine then reads the cell as empty, so the
value would vanish without a trace. The readers quarantine such rows instead, or stop when the
cell is a NIK or No KK.

Only the zip-based formats are scanned. A byte search skips each sheet part without an `<f>`
element. A workbook without formulas therefore costs one extra decompression of each sheet,
about 1 s of CPU for the 255 MB sheet of the batang-size synthetic PBI roster.
"""

from __future__ import annotations

import logging
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

from pipelines.errors import SourceFileError
from pipelines.i18n import _
from pipelines.publish.masking import mask_nik

logger = logging.getLogger(__name__)

ZIP_SUFFIXES = (".xlsx", ".xlsm")
# A NIK or No KK (16 digits) inside a formula; longer runs of digits are masked too.
_ID_NUMBER = re.compile(r"\d{12,}")
FORMULA_TEXT_LIMIT = 80
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_SCAN_CHUNK = 1 << 20
_CELL_REFERENCE = re.compile(r"([A-Za-z]+)(\d+)")
_OFFICE_RELATIONSHIPS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)


@dataclass(frozen=True)
class FormulaCell:
    """A formula cell without a saved value; `row` and `column` are 1-based."""

    row: int
    column: int
    formula: str

    @property
    def reference(self) -> str:
        """The cell's A1 reference, such as `B3`."""
        return f"{column_letters(self.column)}{self.row}"

    @property
    def shown_formula(self) -> str:
        """The formula as Excel shows it, NIK-length numbers masked, cut to FORMULA_TEXT_LIMIT
        characters. Errors are logged and kept by Prefect, and a formula such as
        `=TEXT(3325...,"0")` in a NIK column contains the whole NIK."""
        if not self.formula:
            return ""
        text = "=" + _ID_NUMBER.sub(lambda match: mask_nik(match.group()), self.formula)
        if len(text) > FORMULA_TEXT_LIMIT:
            return text[: FORMULA_TEXT_LIMIT - 1] + "…"
        return text


def column_letters(column: int) -> str:
    """Return the letters of a 1-based column number: 1 is A, 27 is AA."""
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def column_number(letters: str) -> int:
    """Return the 1-based column number of column letters: A is 1, AA is 27."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def formulas_without_value(path: Path) -> dict[str, list[FormulaCell]]:
    """Return the formula cells without a saved value of each sheet of `path`, by sheet name.

    Other formats than .xlsx and .xlsm, and workbooks whose structure cannot be read, give an
    empty result: calamine reports a broken workbook with its own error.
    """
    if path.suffix.lower() not in ZIP_SUFFIXES:
        return {}
    try:
        with zipfile.ZipFile(path) as archive:
            found = {}
            for sheet, part in _sheet_parts(archive).items():
                if part in archive.namelist() and _has_formula(archive, part):
                    found[sheet] = _scan_sheet(archive, part)
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, ValueError) as e:
        logger.info("%s: formula cells not checked: %s", path.name, e)
        return {}
    for sheet, cells in found.items():
        if cells:
            logger.info("%s [%s]: %d formula cells without a saved value", path.name, sheet,
                        len(cells))
    return {sheet: cells for sheet, cells in found.items() if cells}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Return the zip member of each sheet by sheet name, from the workbook's relationships."""
    targets = {}
    relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for relationship in relationships:
        target = relationship.get("Target", "")
        # A target is relative to xl/, or absolute from the package root.
        if target.startswith("/"):
            targets[relationship.get("Id")] = target.lstrip("/")
        else:
            targets[relationship.get("Id")] = posixpath.normpath(posixpath.join("xl", target))
    parts = {}
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        relation = next(
            (element.get(f"{{{namespace}}}id") for namespace in _OFFICE_RELATIONSHIPS
             if element.get(f"{{{namespace}}}id")),
            None,
        )
        if relation in targets:
            parts[element.get("name", "")] = targets[relation]
    return parts


def _has_formula(archive: zipfile.ZipFile, part: str) -> bool:
    with archive.open(part) as stream:
        tail = b""
        while chunk := stream.read(_SCAN_CHUNK):
            # Keep the end of the previous chunk, in case a tag is split across two chunks.
            window = tail + chunk
            # The substring tests are far faster than the regular expression, which confirms.
            if (b"<f" in window or b":f" in window) and _FORMULA_TAG.search(window):
                return True
            tail = chunk[-16:]
    return False


def _scan_sheet(archive: zipfile.ZipFile, part: str) -> list[FormulaCell]:
    with archive.open(part) as stream:
        return _formula_cells(stream)


def _formula_cells(stream: IO[bytes]) -> list[FormulaCell]:
    """Stream a worksheet part and collect its formula cells without a saved value.

    A cell has a saved value when it has a non-empty `<v>`, or an empty `<v>` with type `str`
    (a formula whose result is the empty string). Rows and cells without an `r` attribute
    follow the previous one, as the file format allows.
    """
    cells: list[FormulaCell] = []
    row = 0
    column = 0
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        name = _local(element.tag)
        if event == "start" and name == "row":
            row = int(element.get("r") or row + 1)
            column = 0
        elif event == "end" and name == "c":
            row, column = _position(element.get("r"), row, column + 1)
            cell = _without_value(element, row, column)
            if cell is not None:
                cells.append(cell)
        elif event == "end" and name == "row":
            element.clear()
    return cells


def _position(reference: str | None, row: int, column: int) -> tuple[int, int]:
    match = _CELL_REFERENCE.fullmatch(reference or "")
    if match is None:
        return row, column
    return int(match.group(2)), column_number(match.group(1))


def _without_value(cell: ElementTree.Element, row: int, column: int) -> FormulaCell | None:
    children = {_local(child.tag): child for child in cell}
    if "f" not in children:
        return None
    value = children.get("v")
    if value is not None and (value.text or cell.get("t") == "str"):
        return None
    return FormulaCell(row, column, (children["f"].text or "").strip())


@dataclass(frozen=True)
class SheetColumns:
    """Column layout of a sheet: header texts by position, and the 1-based number of the first
    column, because calamine starts a row at the sheet's first used column. It also gives the
    positions of the key columns (NIK, No KK) and of all mapped columns."""

    headers: list[str]
    first_column: int
    keys: frozenset[int]
    mapped: frozenset[int]


def formula_row_issues(
    cells: list[FormulaCell], columns: SheetColumns, where: str, header_row: int
) -> dict[int, str]:
    """Return the quarantine reason of each data row with a formula cell without a saved value
    in a mapped column, by row number.

    Raises SourceFileError when such a cell is a NIK or No KK: those rows cannot be matched,
    and the whole column is usually affected.
    """
    by_row: dict[int, list[tuple[int, FormulaCell]]] = {}
    for cell in cells:
        position = cell.column - columns.first_column
        if cell.row <= header_row or position not in columns.mapped:
            continue
        if position in columns.keys:
            same_column = sum(1 for c in cells if c.column == cell.column and c.row > header_row)
            _raise_key_formula(cell, position, columns, where, same_column)
        by_row.setdefault(cell.row, []).append((position, cell))
    return {
        row: _("{where} row {row}: formula without a saved value in {cells}, so the value is "
               "unknown. Open the file in Excel or LibreOffice, save it and export it again, or "
               "paste the cells as values.").format(
            where=where, row=row, cells=", ".join(
                _("column {column} (cell {cell})").format(
                    column=_header(columns, position), cell=cell.reference)
                for position, cell in found))
        for row, found in by_row.items()
    }


def _header(columns: SheetColumns, position: int) -> str:
    header = columns.headers[position].strip() if position < len(columns.headers) else ""
    return header or column_letters(position + columns.first_column)


def _raise_key_formula(cell: FormulaCell, position: int, columns: SheetColumns, where: str,
                       same_column: int) -> None:
    raise SourceFileError(
        _("{where}, cell {cell} (row {row}, column {column}): the cell holds a formula without a "
          "saved value ({formula}), so the ID cannot be read. Such cells in this column: {count}. "
          "Open the file in Excel or LibreOffice, save it and export it again, or paste "
          "the column as values.").format(
            where=where, cell=cell.reference, row=cell.row, column=_header(columns, position),
            formula=cell.shown_formula or _("a shared formula"), count=same_column)
    )
