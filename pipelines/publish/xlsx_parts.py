"""The fixed parts of an XLSX package (SpreadsheetML, ECMA-376) that the streaming writer adds.

Cell XML comes from SQL (pipelines.publish.xlsx_cells). This module writes everything else: the
content types, the relationships, workbook.xml with sheet names and defined names, one
styles.xml shared by every workbook, and the XML that goes before and after a sheet's rows.
The layout follows what xlsxwriter 3.3 wrote for the same workbooks, without a theme part, so
fonts name their colours directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

# Excel measures column widths in digits of the default font (7 pixels in Calibri 11) and adds
# 5 pixels of padding. xlsxwriter 3.3 converts widths the same way.
DIGIT_PIXELS = 7
PADDING_PIXELS = 5


class Style:
    """Indexes into cellXfs of STYLES_XML, one per cell format the workbooks use."""

    DEFAULT = 0
    TITLE = 1
    SUBTITLE = 2
    HEADER = 3
    TEXT = 4
    TEXT_GUARDED = 5
    WRAP = 6
    WRAP_GUARDED = 7
    INTEGER = 8
    IDR = 9
    DATE = 10
    INPUT = 11
    INPUT_WRAP = 12
    LINK = 13
    PERCENT = 14
    ID = 15
    ID_GUARDED = 16
    NOTICE = 17


# Font 1 is the 10-point base font of every body cell, and all body styles align to the top.
_TOP = '<alignment vertical="top"/>'
_TOP_WRAP = '<alignment vertical="top" wrapText="1"/>'
_FONT = '<name val="Calibri"/><family val="2"/>'
STYLES_XML = (
    XML_DECLARATION + f'<styleSheet xmlns="{MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="&quot;Rp &quot;#,##0"/>'
    '<numFmt numFmtId="165" formatCode="dd\\-mm\\-yyyy"/></numFmts>'
    '<fonts count="7">'
    f'<font><sz val="11"/><color rgb="FF000000"/>{_FONT}</font>'
    f'<font><sz val="10"/><color rgb="FF000000"/>{_FONT}</font>'
    f'<font><b/><sz val="13"/><color rgb="FF000000"/>{_FONT}</font>'
    f'<font><i/><sz val="10"/><color rgb="FF555555"/>{_FONT}</font>'
    f'<font><b/><sz val="10"/><color rgb="FFFFFFFF"/>{_FONT}</font>'
    f'<font><u/><sz val="11"/><color rgb="FF0563C1"/>{_FONT}</font>'
    f'<font><b/><sz val="10"/><color rgb="FFC00000"/>{_FONT}</font>'
    "</fonts>"
    '<fills count="4"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FF1F4E79"/><bgColor indexed="64"/>'
    "</patternFill></fill>"
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFFF2CC"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/>'
    '</right><top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/>'
    "</bottom><diagonal/></border></borders>"
    '<cellStyleXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '<xf numFmtId="0" fontId="5" fillId="0" borderId="0" applyNumberFormat="0" applyFill="0" '
    'applyBorder="0" applyAlignment="0" applyProtection="0"><alignment vertical="top"/>'
    '<protection locked="0"/></xf></cellStyleXfs>'
    '<cellXfs count="18">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    f'<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" '
    f'applyAlignment="1">{_TOP}</xf>'
    f'<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1" '
    f'applyAlignment="1">{_TOP}</xf>'
    '<xf numFmtId="0" fontId="4" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1" applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>'
    f'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
    f'applyAlignment="1">{_TOP}</xf>'
    f'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" quotePrefix="1" '
    f'applyFont="1" applyAlignment="1">{_TOP}</xf>'
    f'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
    f'applyAlignment="1">{_TOP_WRAP}</xf>'
    f'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" quotePrefix="1" '
    f'applyFont="1" applyAlignment="1">{_TOP_WRAP}</xf>'
    f'<xf numFmtId="3" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    f'applyFont="1" applyAlignment="1">{_TOP}</xf>'
    f'<xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    f'applyFont="1" applyAlignment="1">{_TOP}</xf>'
    f'<xf numFmtId="165" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    f'applyFont="1" applyAlignment="1">{_TOP}</xf>'
    f'<xf numFmtId="0" fontId="1" fillId="3" borderId="1" xfId="0" applyFont="1" '
    f'applyFill="1" applyBorder="1" applyAlignment="1">{_TOP}</xf>'
    f'<xf numFmtId="0" fontId="1" fillId="3" borderId="1" xfId="0" applyFont="1" '
    f'applyFill="1" applyBorder="1" applyAlignment="1">{_TOP_WRAP}</xf>'
    '<xf numFmtId="0" fontId="5" fillId="0" borderId="0" xfId="1" applyAlignment="1" '
    'applyProtection="1"/>'
    # Built-in number format 10 is 0.00%.
    f'<xf numFmtId="10" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    f'applyFont="1" applyAlignment="1">{_TOP}</xf>'
    # Built-in number format 49 is Text (@): a NIK that a user edits stays text, and Excel does
    # not turn it into a number that loses its 16th digit.
    f'<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    f'applyFont="1" applyAlignment="1">{_TOP}</xf>'
    f'<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" quotePrefix="1" '
    f'applyNumberFormat="1" applyFont="1" applyAlignment="1">{_TOP}</xf>'
    # Notices about rules the run skipped or ran with a limitation: bold dark red.
    f'<xf numFmtId="0" fontId="6" fillId="0" borderId="0" xfId="0" applyFont="1" '
    f'applyAlignment="1">{_TOP}</xf>'
    "</cellXfs>"
    '<cellStyles count="2"><cellStyle name="Hyperlink" xfId="1" builtinId="8"/>'
    '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
)

ROOT_RELS_XML = (
    XML_DECLARATION + f'<Relationships xmlns="{PACKAGE_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)

# The footer prints the sheet name on the left and "page / pages" on the right.
FOOTER = "&L&A&R&P / &N"


@dataclass
class SheetLayout:
    """Layout of one sheet: name, size, header row, column widths, drop-down list and links.

    Row and column numbers are 0-based like xlsxwriter's. `validation` is the drop-down list
    of the verification sheets, and `links` maps a cell reference to the sheet it opens.
    """

    name: str
    header_row: int
    last_row: int
    last_col: int
    widths: Sequence[float]
    validation: DataValidation | None = None
    links: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DataValidation:
    """A drop-down list on the cells of one column, from `first_row` to `last_row` (0-based)."""

    col: int
    first_row: int
    last_row: int
    values: Sequence[str]
    input_title: str
    input_message: str
    error_title: str
    error_message: str


def column_letter(col: int) -> str:
    """Return the Excel letters of a 0-based column number: 0 -> A, 27 -> AB."""
    letters = ""
    number = col + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """Return the A1 reference of a 0-based row and column."""
    return f"{column_letter(col)}{row + 1}"


def column_width(width: float) -> float:
    """Return the stored width of a column set to `width` characters, as Excel and xlsxwriter do."""
    if width < 1:
        pixels = int(width * (DIGIT_PIXELS + PADDING_PIXELS) + 0.5)
    else:
        pixels = int(width * DIGIT_PIXELS + 0.5) + PADDING_PIXELS
    return (pixels * 256 // DIGIT_PIXELS) / 256.0


def sheet_head(layout: SheetLayout, selected: bool) -> str:
    """Return the worksheet XML up to and including the opening `<sheetData>` tag."""
    first_body = cell_ref(layout.header_row + 1, 0)
    dimension = f"A1:{cell_ref(max(layout.last_row, layout.header_row), layout.last_col)}"
    cols = "".join(
        f'<col min="{n + 1}" max="{n + 1}" width="{column_width(w):.16g}" customWidth="1"/>'
        for n, w in enumerate(layout.widths)
    )
    tab = ' tabSelected="1"' if selected else ""
    return (
        XML_DECLARATION + f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="{dimension}"/>'
        f'<sheetViews><sheetView{tab} workbookViewId="0">'
        f'<pane ySplit="{layout.header_row + 1}" topLeftCell="{first_body}" '
        'activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="{first_body}" sqref="{first_body}"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        # The SpreadsheetML schema requires at least one <col> inside <cols>.
         + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>"
    )


def sheet_tail(layout: SheetLayout) -> str:
    """Return the worksheet XML after the rows: autofilter, drop-down list, links, print setup."""
    parts = ["</sheetData>", f'<autoFilter ref="{_table_range(layout)}"/>']
    if layout.validation is not None:
        parts.append(_validation_xml(layout.validation))
    if layout.links:
        links = "".join(
            f"<hyperlink ref={quoteattr(ref)} "
            f"location={quoteattr(_sheet_prefix(sheet, quote_always=True) + 'A1')} "
            f"display={quoteattr(sheet)}/>"
            for ref, sheet in layout.links.items()
        )
        parts.append(f"<hyperlinks>{links}</hyperlinks>")
    parts.append(
        '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.6" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" fitToHeight="0" orientation="landscape"/>'
        f"<headerFooter><oddFooter>{escape(FOOTER)}</oddFooter></headerFooter></worksheet>"
    )
    return "".join(parts)


def workbook_xml(layouts: Sequence[SheetLayout]) -> str:
    """Return xl/workbook.xml: the sheets in order, their autofilter and print-title names."""
    sheets = "".join(
        f'<sheet name={quoteattr(layout.name)} sheetId="{n + 1}" r:id="rId{n + 1}"/>'
        for n, layout in enumerate(layouts)
    )
    names = []
    for n, layout in enumerate(layouts):
        prefix = _sheet_prefix(layout.name, quote_always=False)
        first, last = layout.header_row + 1, max(layout.last_row, layout.header_row) + 1
        filter_range = f"{prefix}$A${first}:${column_letter(layout.last_col)}${last}"
        names.append(("_FilterDatabase", layout.name, n, ' hidden="1"', filter_range))
        names.append(("Print_Titles", layout.name, n, "", f"{prefix}${first}:${first}"))
    # xlsxwriter sorts defined names by name and then by sheet name, as Excel writes them.
    names.sort(key=lambda item: (item[0].casefold(), item[1].casefold()))
    defined = "".join(
        f'<definedName name="_xlnm.{name}" localSheetId="{index}"{hidden}>{escape(ref)}'
        "</definedName>"
        for name, _sheet, index, hidden, ref in names
    )
    return (
        XML_DECLARATION + f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<workbookPr/><bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" '
        'windowHeight="9660"/></bookViews>'
        f"<sheets>{sheets}</sheets><definedNames>{defined}</definedNames>"
        '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def workbook_rels_xml(sheet_count: int) -> str:
    """Return xl/_rels/workbook.xml.rels: one relationship per sheet, then the styles."""
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheet_count + 1)
    )
    styles = f'<Relationship Id="rId{sheet_count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
    return (
        XML_DECLARATION
        + f'<Relationships xmlns="{PACKAGE_REL_NS}">{sheets}{styles}</Relationships>'
    )


def content_types_xml(sheet_count: int) -> str:
    """Return [Content_Types].xml for a workbook of `sheet_count` sheets."""
    base = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_CONTENT_TYPE}"/>'
        for n in range(1, sheet_count + 1)
    )
    return (
        XML_DECLARATION
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{base}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{base}.styles+xml"/>'
        f"{sheets}</Types>"
    )


def _table_range(layout: SheetLayout) -> str:
    last = cell_ref(max(layout.last_row, layout.header_row), layout.last_col)
    return f"{cell_ref(layout.header_row, 0)}:{last}"


def _validation_xml(validation: DataValidation) -> str:
    column = column_letter(validation.col)
    sqref = f"{column}{validation.first_row + 1}"
    if validation.last_row > validation.first_row:
        sqref += f":{column}{validation.last_row + 1}"
    values = escape('"' + ",".join(validation.values) + '"')
    return (
        '<dataValidations count="1"><dataValidation type="list" allowBlank="1" '
        'showInputMessage="1" showErrorMessage="1" '
        f"errorTitle={quoteattr(validation.error_title)} "
        f"error={quoteattr(validation.error_message)} "
        f"promptTitle={quoteattr(validation.input_title)} "
        f'prompt={quoteattr(validation.input_message)} sqref="{sqref}">'
        f"<formula1>{values}</formula1></dataValidation></dataValidations>"
    )


def _sheet_prefix(name: str, quote_always: bool) -> str:
    """Return `name!` for a formula, quoted when the name needs it (`'It''s'!`)."""
    plain = name.replace("_", "").isalnum() and not name[0].isdigit()
    if plain and not quote_always:
        return f"{name}!"
    return "'" + name.replace("'", "''") + "'!"
