"""Two header cells that map to one column: the run reads one and warns about the other."""

from __future__ import annotations

import logging

import duckdb
import pytest

from pipelines.ingest.load import ingest_source
from pipelines.ingest.sources import map_headers, source_definition
from pipelines.runconfig import SourceSpec

# "NIK ART" and "NIK" are both accepted headers of the register's nik column.
HEADER = ["No", "No KK", "NIK ART", "NIK", "Nama", "Tanggal Lahir", "Desil Kesejahteraan"]
ROW = "{i};3325010107220001;3325999999000{i:03d};332512010774000{i};WARGA {i};01-07-1974;3"


# Messages are checked in English unless a test sets another language.
pytestmark = pytest.mark.usefixtures("english")


def _ingest(tmp_path, columns: tuple[tuple[str, str], ...] = ()) -> list[str]:
    lines = [";".join(HEADER), *(ROW.format(i=i) for i in range(1, 4))]
    (tmp_path / "dtsen.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = SourceSpec(kind="register", path="dtsen.csv", raw_dir=tmp_path, columns=columns)
    with duckdb.connect() as con:
        ingest_source(con, spec, "r", 1)
        return [row[0] for row in con.execute("select nik from raw_register order by 1").fetchall()]


def test_leftmost_duplicate_is_listed():
    mapping = map_headers(source_definition("register"), HEADER)

    assert mapping.headers[mapping.position_of("nik")] == "NIK ART"
    assert mapping.duplicates == (("NIK", "nik"),)


def test_configured_header_wins_over_leftmost():
    definition = source_definition("register").with_extra({"NIK": "nik"}, {})

    mapping = map_headers(definition, HEADER)

    assert mapping.headers[mapping.position_of("nik")] == "NIK"
    assert mapping.duplicates == (("NIK ART", "nik"),)
    assert list(mapping.canonical_by_position) == sorted(mapping.canonical_by_position)


def test_ingest_warns_of_duplicate_header(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        niks = _ingest(tmp_path)

    assert niks == ["3325999999000001", "3325999999000002", "3325999999000003"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        'dtsen.csv: columns "NIK ART" and "NIK" both map to column nik, and only "NIK ART" is '
        'read. If "NIK" holds the nik, map it under [sources.columns] in the run configuration.'
    ]


def test_ingest_reads_configured_duplicate(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="pipelines.ingest"):
        niks = _ingest(tmp_path, columns=(("NIK", "nik"),))

    assert niks == ["3325120107740001", "3325120107740002", "3325120107740003"]
    assert [r for r in caplog.records if r.levelno == logging.WARNING] == []
