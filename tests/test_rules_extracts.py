"""Rules 17 and 18 end to end: hand-made files through ingest, staging, linking and rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from test_rules_builders import make_kk, make_nik, rules_config

from pipelines.er import link_persons
from pipelines.er.records import PERSON_KINDS, build_person_records
from pipelines.ingest import build_staging, ingest_source
from pipelines.rules import apply_rules
from pipelines.runconfig import SourceSpec

TODAY = dt.date(2026, 12, 4)

# Two registered families in desa Kalisalak (Kec. Batang, 3325092004), each with a PKH
# pengurus. Family A: head Sukardi, wife Sumiyati, son Agus. Family B: head Tarjo, wife Wartini.
KK_A = make_kk(1, "2012-04-03", "332509")
KK_B = make_kk(2, "2013-05-06", "332509")
SUKARDI = make_nik(1, "1975-03-04", "L", "332509")
SUMIYATI = make_nik(2, "1979-06-07", "P", "332509")
AGUS = make_nik(3, "2001-08-09", "L", "332509")
TARJO = make_nik(4, "1970-01-02", "L", "332509")
WARTINI = make_nik(5, "1972-02-03", "P", "332509")

REGISTER = [
    "No;No KK;NIK;Nama;Jenis Kelamin;Tanggal Lahir;Hubungan dengan Kepala Keluarga;"
    "Desil Kesejahteraan;Padan Dukcapil;Status Data;Kecamatan;Desa/Kelurahan;Alamat;RT;RW",
    f"1;{KK_A};{SUKARDI};SUKARDI;L;04-03-1975;KEPALA KELUARGA;2;YA;AKTIF;BATANG;KALISALAK;"
    "DK. KRAJAN;3;2",
    f"2;{KK_A};{SUMIYATI};SUMIYATI;P;07-06-1979;ISTRI;2;YA;AKTIF;BATANG;KALISALAK;DK. KRAJAN;3;2",
    f"3;{KK_A};{AGUS};AGUS SALIM;L;09-08-2001;ANAK;2;YA;AKTIF;BATANG;KALISALAK;DK. KRAJAN;3;2",
    f"4;{KK_B};{TARJO};TARJO;L;02-01-1970;KEPALA KELUARGA;1;YA;AKTIF;BATANG;KALISALAK;"
    "DK. SIDOREJO;5;1",
    f"5;{KK_B};{WARTINI};WARTINI;P;03-02-1972;ISTRI;1;YA;AKTIF;BATANG;KALISALAK;DK. SIDOREJO;5;1",
]
PKH = [
    "NO;NIK PENGURUS;NAMA PENGURUS;NO KK;KECAMATAN;DESA/KELURAHAN;KOMPONEN;TAHAP;NOMINAL",
    f"1;{SUMIYATI};SUMIYATI;{KK_A};BATANG;KALISALAK;SD;TAHAP 4 TAHUN 2026;Rp 225.000",
    f"2;{WARTINI};WARTINI;{KK_B};BATANG;KALISALAK;LANSIA;TAHAP 4 TAHUN 2026;Rp 600.000",
]


def _write(folder: Path, name: str, lines: list[str]) -> None:
    (folder / name).write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def _audit(
    tmp_path: Path, files: dict[str, tuple[str, list[str]]], register: list[str] = REGISTER
) -> duckdb.DuckDBPyConnection:
    """Ingest the register, the PKH roster and `files` (name -> kind, lines); link; apply rules."""
    files = {"dtsen.csv": ("register", register), "pkh.csv": ("pkh", PKH), **files}
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    for number, (name, (kind, lines)) in enumerate(files.items(), start=1):
        _write(tmp_path, name, lines)
        ingest_source(con, SourceSpec(kind=kind, path=name, raw_dir=tmp_path), "run-1", number)
    kinds = [kind for kind, _lines in files.values()]
    build_staging(con, kinds, today=TODAY)
    build_person_records(con, [kind for kind in kinds if kind in PERSON_KINDS])
    link_persons(con, None, rules_config()["linking"], None)
    apply_rules(con, rules_config(), "run-1")
    return con


def _findings(con, rule: str) -> list[tuple[str, str]]:
    return con.execute(
        "select source_file || ':' || source_row, evidence from fct_findings "
        "where rule_code = ? order by 1",
        [rule],
    ).fetchall()


def _status(con, rule: str) -> tuple:
    return con.execute(
        "select is_evaluated, not_evaluated_reason from rule_status where rule_code = ?", [rule]
    ).fetchall()[0]


def test_wage_above_umk_family_member(tmp_path):
    bpjs = [
        "NO;NO KPJ;NIK;NAMA TENAGA KERJA;TGL LAHIR;NAMA PERUSAHAAN;UPAH;BLTH",
        # Agus earns Rp 3,100,000 (UMK 2,550,000) in a family where his mother receives PKH.
        f"1;'26011234567;{AGUS};AGUS SALIM;09-08-2001;PT KAINDO BATANG;Rp 3.100.000;OKT 2026",
        # Tarjo is a member, but at exactly the UMK: no finding.
        f"2;26019876543;{TARJO};TARJO;02-01-1970;CV SUMBER REJEKI;Rp 2.550.000;OKT 2026",
        # A damaged NIK cell: the row loads, but cannot be joined.
        "3;26015555555;3,32509E+15;WARTINI;03-02-1972;PT TEKSTIL;Rp 4.000.000;OKT 2026",
    ]
    con = _audit(tmp_path, {"bpjs_tk_2026.csv": ("bpjs_tk", bpjs)})

    found = _findings(con, "WAGE_ABOVE_UMK")

    assert [where for where, _evidence in found] == ["pkh.csv:2"]
    assert "AGUS SALIM" in found[0][1]
    assert "Rp 3,100,000 above the UMK Rp 2,550,000" in found[0][1]
    assert _findings(con, "NIK_EXCEL_DAMAGE")[0][0] == "bpjs_tk_2026.csv:4"


def test_wage_at_umk_no_finding(tmp_path):
    bpjs = [
        "NIK;NAMA;UPAH;PERIODE",
        f"{SUKARDI};SUKARDI;1.800.000;2026-10",
        f"{AGUS};AGUS SALIM;2.550.000,00;2026-10",
    ]
    con = _audit(tmp_path, {"bpjs.csv": ("bpjs_tk", bpjs)})

    assert _status(con, "WAGE_ABOVE_UMK") == (True, None)
    assert _findings(con, "WAGE_ABOVE_UMK") == []


def test_pln_by_nik_and_address(tmp_path):
    pln = [
        "IDPEL;NAMA;NIK;ALAMAT;DESA;KECAMATAN;TARIF;DAYA",
        # Sukardi's household: R1M/900 (non-subsidised) under his NIK.
        f"524010000001;SUKARDI;{SUKARDI};DK. KRAJAN RT 003 RW 002;KALISALAK;BATANG;R1M/900;900 VA",
        # Tarjo's household: NIK `-`, 1300 VA at his name and address (RT 5, RW 1).
        "524010000002;TARJO;-;DK. SIDOREJO RT 05/01;KALISALAK;BATANG;R1/1300;1.300 VA",
    ]
    con = _audit(tmp_path, {"pln.csv": ("pln", pln)})

    found = _findings(con, "PROXY_AFFLUENCE")

    assert [where for where, _evidence in found] == ["pkh.csv:2", "pkh.csv:3"]
    assert "tariff R1M" in found[0][1]
    assert "at 1300 VA" in found[1][1]
    # A PLN NIK without digits gives no NIK_FORMAT finding, as in complaints.
    assert _findings(con, "NIK_FORMAT") == []


def test_pln_ambiguous_address_skipped(tmp_path):
    # A second TARJO lives in the same RT and RW, so a PLN row without NIK names no household.
    namesake = make_nik(6, "1966-05-06", "L", "332509")
    register = [
        *REGISTER,
        f"6;{make_kk(3, '2014-01-02', '332509')};{namesake};TARJO;L;06-05-1966;KEPALA KELUARGA;"
        "6;YA;AKTIF;BATANG;KALISALAK;DK. SIDOREJO;5;1",
    ]
    pln = [
        "IDPEL;NAMA;NIK;ALAMAT;DESA;KECAMATAN;TARIF;DAYA",
        "524010000002;TARJO;;DK. SIDOREJO RT 005 RW 001;KALISALAK;BATANG;R1;2.200 VA",
    ]
    con = _audit(tmp_path, {"pln.csv": ("pln", pln)}, register)

    assert _status(con, "PROXY_AFFLUENCE") == (True, None)
    assert _findings(con, "PROXY_AFFLUENCE") == []


def test_subsidised_pln_motorbike_ignored(tmp_path):
    pln = [
        "ID PELANGGAN;NAMA PELANGGAN;NIK PELANGGAN;TARIF/DAYA",
        f"524010000001;SUKARDI;{SUKARDI};R1/900",
        # Same name in another RT, without a NIK: not Tarjo's household.
        "524010000002;TARJO;;R1/2200",
    ]
    vehicles = [
        "NO POLISI;NIK PEMILIK;NAMA PEMILIK;JENIS KENDARAAN;MERK;JML RODA",
        f"G 1234 AB;{WARTINI};WARTINI;SEPEDA MOTOR;HONDA BEAT;2",
        f"G5678CD;{AGUS};AGUS SALIM;SPD. MOTOR;YAMAHA MIO;",
    ]
    con = _audit(tmp_path, {"pln.csv": ("pln", pln), "samsat.csv": ("vehicles", vehicles)})

    assert _status(con, "PROXY_AFFLUENCE") == (True, None)
    assert _findings(con, "PROXY_AFFLUENCE") == []


def test_four_wheel_vehicle_fires(tmp_path):
    vehicles = [
        "NOPOL;NIK PEMILIK;NAMA PEMILIK;ALAMAT PEMILIK;DESA;KECAMATAN;JENIS/MODEL",
        # An empty NIK cell: the owner's household is found by name, desa, RT and RW.
        "G 1 XY;;TARJO;DK. SIDOREJO RT 005 RW 001;KALISALAK;BATANG;MINIBUS",
    ]
    con = _audit(tmp_path, {"samsat.csv": ("vehicles", vehicles)})

    found = _findings(con, "PROXY_AFFLUENCE")

    assert [where for where, _evidence in found] == ["pkh.csv:3"]
    assert "vehicle G 1 XY with 4 wheels" in found[0][1]


def test_rules_not_evaluated_without_extracts(tmp_path):
    con = _audit(tmp_path, {})

    assert _status(con, "WAGE_ABOVE_UMK")[0] is False
    assert "upah BPJS Ketenagakerjaan" in _status(con, "WAGE_ABOVE_UMK")[1]
    assert _status(con, "PROXY_AFFLUENCE")[0] is False


def test_header_only_register_not_evaluated(tmp_path):
    con = _audit(tmp_path, {}, register=REGISTER[:1])

    evaluated, reason = _status(con, "NOT_IN_REGISTER")
    assert evaluated is False
    assert reason == "tidak ada baris data di register DTSEN (atau DTKS)"
    assert _findings(con, "NOT_IN_REGISTER") == []


def test_header_only_extracts_not_evaluated(tmp_path):
    header = "NO POLISI;NIK PEMILIK;NAMA PEMILIK;JML RODA"
    con = _audit(tmp_path, {"samsat.csv": ("vehicles", [header])})

    evaluated, reason = _status(con, "PROXY_AFFLUENCE")
    assert evaluated is False
    assert reason == "tidak ada baris data di satu pun dari ini: data kendaraan Samsat"
    assert _status(con, "DESIL_OUT_OF_RANGE") == (True, None)


def test_header_only_extract_beside_full_one(tmp_path):
    pln = [
        "IDPEL;NAMA;NIK;ALAMAT;DESA;KECAMATAN;TARIF;DAYA",
        f"524010000001;SUKARDI;{SUKARDI};DK. KRAJAN RT 003 RW 002;KALISALAK;BATANG;R1M/900;900 VA",
    ]
    header = "NO POLISI;NIK PEMILIK;NAMA PEMILIK;JML RODA"
    con = _audit(tmp_path, {"pln.csv": ("pln", pln), "samsat.csv": ("vehicles", [header])})

    assert _status(con, "PROXY_AFFLUENCE") == (True, None)
    assert [where for where, _evidence in _findings(con, "PROXY_AFFLUENCE")] == ["pkh.csv:2"]
