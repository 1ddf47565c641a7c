"""A register or PBI roster split over files loads; two snapshots of one population stop."""

from __future__ import annotations

import pytest

from pipelines.errors import SourceFileError
from pipelines.ingest import ingest_source
from pipelines.ingest.snapshots import check_single_snapshot, overlapping_snapshots
from pipelines.publish.formatting import using_language
from pipelines.runconfig import SourceSpec

REGISTER_HEADER = "NIK;NO KK;NAMA;DESIL\n"
PBI_HEADER = "NIK;NAMA;SEGMEN\n"


def _register_file(path, first: int, count: int, desil: str = "3") -> None:
    rows = "".join(
        f"33250152078{first + i:05d};33250100010{first + i:05d};WARGA {first + i};{desil}\n"
        for i in range(count)
    )
    path.write_text(REGISTER_HEADER + rows, encoding="utf-8")


def _ingest(con, tmp_path, kind: str, pattern: str) -> None:
    ingest_source(con, SourceSpec(kind=kind, path=pattern, raw_dir=tmp_path), "r", 1)


def test_two_register_snapshots_stop(con, tmp_path):
    _register_file(tmp_path / "dtsen_batang_202610.csv", 1, 10, desil="4")
    _register_file(tmp_path / "dtsen_batang_202611.csv", 1, 10, desil="3")
    _ingest(con, tmp_path, "register", "dtsen_*.csv")

    with using_language("en"), pytest.raises(SourceFileError) as error:
        check_single_snapshot(con, ["asn", "register"])

    assert str(error.value) == (
        "DTSEN (or DTKS) register: dtsen_batang_202610.csv and dtsen_batang_202611.csv look like "
        "two snapshots of the same list: 10 of the 10 NIKs in the smaller file are in both, so "
        "every person in both would be audited twice. Keep only the newest snapshot in the raw "
        "folder, or narrow `path` of this source in the run configuration to one file, then run "
        "again."
    )


def test_two_register_snapshots_indonesian(con, tmp_path):
    _register_file(tmp_path / "dtsen_a.csv", 1, 10)
    # A later snapshot with two people moved out and one added still shares most NIKs.
    _register_file(tmp_path / "dtsen_b.csv", 3, 9)
    _ingest(con, tmp_path, "register", "dtsen_*.csv")

    with using_language("id"), pytest.raises(SourceFileError) as error:
        check_single_snapshot(con, ["register"])

    message = str(error.value)
    assert message.startswith(
        "Register DTSEN (atau DTKS): dtsen_a.csv dan dtsen_b.csv tampaknya dua snapshot dari "
        "daftar yang sama: 8 dari 9 NIK di berkas yang lebih kecil ada di keduanya")
    assert "Simpan hanya snapshot terbaru di folder raw" in message


def test_register_split_by_kecamatan_loads(con, tmp_path):
    _register_file(tmp_path / "dtsen_332501.csv", 1, 10)
    _register_file(tmp_path / "dtsen_332502.csv", 11, 10)
    # One person listed in both kecamatan by mistake does not make the files snapshots.
    with (tmp_path / "dtsen_332502.csv").open("a", encoding="utf-8") as f:
        f.write("3325015207800001;3325010001000001;WARGA 1;3\n")
    _ingest(con, tmp_path, "register", "dtsen_*.csv")

    check_single_snapshot(con, ["register"])

    assert overlapping_snapshots(con, "register") == []


def test_pbi_segments_load_but_months_stop(con, tmp_path):
    apbn = "".join(f"33250152078{i:05d};WARGA {i};PBI APBN\n" for i in range(1, 9))
    apbd = "".join(f"33250152079{i:05d};WARGA {i};PBI APBD\n" for i in range(1, 9))
    (tmp_path / "pbi_apbn_202611.csv").write_text(PBI_HEADER + apbn, encoding="utf-8")
    (tmp_path / "pbi_apbd_202611.csv").write_text(PBI_HEADER + apbd, encoding="utf-8")
    _ingest(con, tmp_path, "pbi", "pbi_*.csv")
    check_single_snapshot(con, ["pbi"])

    (tmp_path / "pbi_apbn_202610.csv").write_text(PBI_HEADER + apbn, encoding="utf-8")
    _ingest(con, tmp_path, "pbi", "pbi_*.csv")

    pairs = overlapping_snapshots(con, "pbi")
    assert [(p.first_file, p.second_file, p.shared_niks) for p in pairs] == [
        ("pbi_apbn_202610.csv", "pbi_apbn_202611.csv", 8)
    ]


def test_rosters_of_several_tahap_load(con, tmp_path):
    rows = "".join(f"33250152078{i:05d};WARGA {i};3\n" for i in range(1, 9))
    for tahap in (3, 4):
        (tmp_path / f"bpnt_tahap{tahap}_2026.csv").write_text(
            "NIK;NAMA;TAHAP\n" + rows, encoding="utf-8")
    _ingest(con, tmp_path, "bpnt", "bpnt_*.csv")

    check_single_snapshot(con, ["bpnt"])


def test_damaged_niks_do_not_match(con, tmp_path):
    damaged = "".join(f"3,32502E+15;0;WARGA {i};3\n" for i in range(5))
    (tmp_path / "dtsen_a.csv").write_text(REGISTER_HEADER + damaged, encoding="utf-8")
    (tmp_path / "dtsen_b.csv").write_text(REGISTER_HEADER + damaged, encoding="utf-8")
    _ingest(con, tmp_path, "register", "dtsen_*.csv")

    assert overlapping_snapshots(con, "register") == []
