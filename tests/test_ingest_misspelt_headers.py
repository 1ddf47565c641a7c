"""An unused header that looks like the header of a column the file lacks gives a warning."""

from __future__ import annotations

import logging

import duckdb
import pytest

from pipelines.errors import SourceFileError
from pipelines.ingest.load import ingest_source
from pipelines.ingest.sources import (
    MisspeltHeader,
    detect_kind,
    map_headers,
    misspelt_headers,
    source_definition,
)
from pipelines.runconfig import SourceSpec

HEADER = ["No", "No KK", "NIK", "Nama", "Tanggal Lahir", "Desil Kesejahteraan", "Keterangan"]
ROW = "{i};3325010107220001;332512010774000{i};WARGA {i};01-07-1974;3;-"


# Messages are checked in English unless a test sets another language.
pytestmark = pytest.mark.usefixtures("english")


def _misspelt(kind: str, headers: list[str]) -> list[MisspeltHeader]:
    definition = source_definition(kind)
    return misspelt_headers(definition, map_headers(definition, headers))


def test_misspelt_desil_header_found():
    headers = [h.replace("Kesejahteraan", "Kesejahteran") for h in HEADER]

    assert _misspelt("register", headers) == [
        MisspeltHeader("Desil Kesejahteran", "desil", "DESIL KESEJAHTERAAN")
    ]


def test_mapped_and_unrelated_headers_not_reported():
    # Desil is mapped; No and Keterangan are extra columns like none the register lacks.
    assert _misspelt("register", HEADER) == []
    assert _misspelt("asn", ["NIK", "NAMA", "TGL_LHR", "INSTANSI", "GOLONGAN", "KETERANGAN"]) == []


def test_short_headers_not_reported():
    # "DSL" is three letters from "DESIL", but keys this short match too much to tell.
    assert _misspelt("register", ["NIK", "Nama", "No KK", "DSL"]) == []


def test_ingest_warns_of_misspelt_header(tmp_path, caplog):
    headers = [h.replace("Kesejahteraan", "Kesejahteran") for h in HEADER]
    lines = [";".join(headers), *(ROW.format(i=i) for i in range(1, 4))]
    (tmp_path / "dtsen.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = SourceSpec(kind="register", path="dtsen.csv", raw_dir=tmp_path)

    with duckdb.connect() as con, caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        count = ingest_source(con, spec, "r", 1)[0]

    assert count.rows_loaded == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        'dtsen.csv: column "Desil Kesejahteran" is not read, but it looks like "DESIL '
        'KESEJAHTERAAN", a header of column desil, which the file lacks. If it is that column, '
        "rename the header or map it under [sources.columns] in the run configuration; "
        "otherwise rules that need desil may not be evaluated."
    ]


# The header of the generated PBI workbook, with its NIK header typed as NIIK.
PBI_HEADER = ["NOKA", "NIIK", "NAMA", "TGL LAHIR", "SEGMEN", "STATUS", "TMT", "DESA"]
PBI_ROW = "0001234567890;3325015207850001;SITI;12-07-1985;PBI APBN;AKTIF;01-01-2024;KALIBELO"


def test_niik_found_as_nik():
    assert _misspelt("pbi", PBI_HEADER) == [MisspeltHeader("NIIK", "nik", "NIK")]


def test_kind_found_despite_misspelt_nik():
    # Were NIIK not taken for NIK, STATUS alone would make this a complaint export.
    assert detect_kind(PBI_HEADER, "pbi.csv") == "pbi"


def test_missing_nik_names_misspelt_header(tmp_path):
    lines = [";".join(PBI_HEADER), PBI_ROW]
    (tmp_path / "pbi.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = SourceSpec(kind=None, path="pbi.csv", raw_dir=tmp_path)

    with duckdb.connect() as con, pytest.raises(SourceFileError) as raised:
        ingest_source(con, spec, "r", 1)

    message = str(raised.value)
    assert message.startswith(
        'pbi.csv: required column missing in header row 1: NIK (the header "NIIK" looks like a '
        "misspelling of it; accepted headers: NIK, NIK KTP, "
    )
    assert message.endswith(
        "Rename the header in the file, or map it under [sources.columns] in the run "
        'configuration, for example: "NIIK" = "nik".'
    )


def test_kind_error_explains_generic_headers():
    with pytest.raises(SourceFileError) as raised:
        detect_kind(["NO", "NAMA"], "daftar.csv")

    assert str(raised.value) == (
        "daftar.csv: cannot tell the source kind from the headers (NO, NAMA). complaints would "
        "fit, but no header is particular to a kind (for complaints: ID PENGADUAN, TANGGAL, "
        "KANAL, JENIS, PROGRAM DIMINTA, URAIAN, STATUS). Set `kind` for this source in the run "
        "configuration."
    )
