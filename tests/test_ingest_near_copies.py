"""Two files of one source kind that share most of their rows stop the run after ingest."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.errors import SourceFileError
from pipelines.ingest import ingest_source
from pipelines.ingest.load import FileCount
from pipelines.ingest.near_copies import check_no_near_copies, near_copies
from pipelines.publish.formatting import using_language
from pipelines.runconfig import SourceSpec

HEADER = "NIK;NAMA;NO KK;TAHAP;NOMINAL\n"


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def roster_rows(first: int, count: int, tahap: str = "4") -> list[str]:
    return [
        f"33250152078{first + i:05d};WARGA {first + i};33250101011{first + i:05d};{tahap};"
        "Rp 600.000\n"
        for i in range(count)
    ]


def write_roster(path: Path, rows: list[str]) -> None:
    path.write_text(HEADER + "".join(rows), encoding="utf-8")


def ingest(con, raw_dir: Path, pattern: str = "bpnt_*.csv", **extra) -> list[FileCount]:
    spec = SourceSpec(kind="bpnt", path=pattern, raw_dir=raw_dir, **extra)
    return ingest_source(con, spec, "run-1", 1)


def test_redownload_with_one_cell_changed_stops(con, tmp_path):
    rows = roster_rows(1, 20)
    write_roster(tmp_path / "bpnt_t4.csv", rows)
    changed = [*rows[:-1], rows[-1].replace("Rp 600.000", "Rp 400.000")]
    write_roster(tmp_path / "bpnt_t4 (1).csv", changed)
    counts = ingest(con, tmp_path)

    with using_language("en"), pytest.raises(SourceFileError) as error:
        check_no_near_copies(con, counts)

    message = str(error.value)
    assert "bpnt_t4 (1).csv and bpnt_t4.csv have 19 identical rows, 95% of the 20 rows" in message
    assert "Move one file of each pair out of the raw folder" in message


def test_near_copy_message_indonesian(con, tmp_path):
    rows = roster_rows(1, 4)
    write_roster(tmp_path / "bpnt_a.csv", rows)
    write_roster(tmp_path / "bpnt_b.csv", rows[:3])
    counts = ingest(con, tmp_path)

    with using_language("id"), pytest.raises(SourceFileError) as error:
        check_no_near_copies(con, counts)

    message = str(error.value)
    assert message.startswith("Dua berkas masukan dari satu sumber")
    assert "bpnt_a.csv dan bpnt_b.csv memuat 3 baris yang sama persis, 100% dari 3 baris " \
        "bpnt_b.csv." in message


def test_files_of_other_people_pass(con, tmp_path):
    rows = roster_rows(1, 20)
    write_roster(tmp_path / "bpnt_kec1.csv", rows)
    # One person listed in both kecamatan is a finding of the rules, not a copied file.
    write_roster(tmp_path / "bpnt_kec2.csv", [rows[0], *roster_rows(100, 19)])
    counts = ingest(con, tmp_path)

    check_no_near_copies(con, counts)

    assert near_copies(con, "bpnt") == []


def test_rosters_of_two_tahap_pass(con, tmp_path):
    write_roster(tmp_path / "bpnt_t3.csv", roster_rows(1, 20, tahap="3"))
    write_roster(tmp_path / "bpnt_t4.csv", roster_rows(1, 20, tahap="4"))
    counts = ingest(con, tmp_path)

    check_no_near_copies(con, counts)


def test_configured_periods_keep_files_apart(con, tmp_path):
    rows = roster_rows(1, 20, tahap="")
    write_roster(tmp_path / "bpnt_2025.csv", rows)
    write_roster(tmp_path / "bpnt_2026.csv", rows)
    counts = [
        *ingest(con, tmp_path, "bpnt_2025.csv", period="2025-T4"),
        *ingest(con, tmp_path, "bpnt_2026.csv", period="2026-T4"),
    ]

    check_no_near_copies(con, counts)


def test_one_file_per_kind_reads_nothing(con):
    # No raw table exists, so any query would fail.
    counts = [
        FileCount("bpnt", "bpnt.csv", "", 1, 10, 10, 0),
        FileCount("pkh", "pkh.xlsx", "Desa A", 2, 5, 5, 0),
        FileCount("pkh", "pkh.xlsx", "Desa B", 2, 5, 5, 0),
    ]

    check_no_near_copies(con, counts)
