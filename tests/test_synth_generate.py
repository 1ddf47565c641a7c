"""End-to-end checks of the synthetic generator on the `tiny` size."""

from __future__ import annotations

import csv
import hashlib
import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from pipelines.synth import generate, generator
from pipelines.synth.identifiers import VALID_PREFIXES

RAW_FILES = (
    "dtsen_batang_202611.csv",
    "pkh_tahap4_2026.xlsx",
    "bpnt_bnba_tahap4_2026.csv",
    "pbi_jkn_202611.xlsx",
    "pengaduan_rumah_curhat_2026.csv",
    "kematian_dukcapil_2026.xlsx",
    "asn_tni_polri_2026.csv",
    "perangkat_desa_2026.xlsx",
    "bpjs_tk_upah_202610.xlsx",
    "pln_pelanggan_202611.csv",
    "samsat_kendaraan_2026.csv",
    "ahu_oss_pengurus_2026.xlsx",
)
TRUTH_FILES = (
    "persons.csv",
    "records.csv",
    "findings.csv",
    "decoys.csv",
    "rules_covered.csv",
    "files.json",
)
DOMAIN_RULES = {
    "NIK_FORMAT",
    "NIK_EXCEL_DAMAGE",
    "NIK_STRUCTURE",
    "NIK_ATTR_MISMATCH",
    "KK_FORMAT",
    "DUP_NIK_IN_LIST",
    "DUP_NIK_CONFLICT",
    "DUP_PERSON_DIFF_NIK",
    "MULTI_KPM_PER_KK",
    "NOT_IN_REGISTER",
    "NOT_PADAN_DUKCAPIL",
    "DESIL_OUT_OF_RANGE",
    "DECEASED_RECIPIENT",
    "ASN_TNI_POLRI",
    "OCCUPATIONAL_EXCLUSION",
    "BUSINESS_OWNER",
    "WAGE_ABOVE_UMK",
    "PROXY_AFFLUENCE",
    "PKH_NO_COMPONENT",
    "PKH_COMPONENT_LIMITS",
    "AGE_IMPLAUSIBLE",
    "DEFAULT_DOB",
    "PBI_NOT_ELIGIBLE",
    "PBI_DOUBLE_COVERAGE",
    "WILAYAH_INVALID",
    "NAME_MISMATCH_SAME_NIK",
    "EXCLUSION_ERROR_CANDIDATE",
    "CROSS_PROGRAMME_INCONSISTENCY",
    "COMPLAINT_LINK",
    "STALE_RECORD",
    "HOUSEHOLD_DISSOLVED",
}
RULES_TOML = Path(__file__).resolve().parents[1] / "config" / "rules.toml"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny")
    generate(root / "raw", root / "truth", size="tiny", seed=7)
    return root


def _truth(root: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(root / "truth" / name, dtype=str, keep_default_na=False)


def _csv_rows(path: Path, delimiter: str, encoding: str) -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


def _sheet_rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_identical_bytes(tiny, tmp_path):
    generate(tmp_path / "raw", tmp_path / "truth", size="tiny", seed=7)
    assert _digest(tmp_path / "raw") == _digest(tiny / "raw")
    assert _digest(tmp_path / "truth") == _digest(tiny / "truth")


def test_forked_writer_same_bytes(tiny, tmp_path, monkeypatch):
    """Writing the PBI workbook in a forked process changes no byte of any file."""
    monkeypatch.setattr(generator, "PARALLEL_MIN_ROWS", 1)
    generate(tmp_path / "raw", tmp_path / "truth", size="tiny", seed=7)
    assert _digest(tmp_path / "raw") == _digest(tiny / "raw")
    assert _digest(tmp_path / "truth") == _digest(tiny / "truth")


def test_other_seed_differs(tiny, tmp_path):
    generate(tmp_path / "raw", tmp_path / "truth", size="tiny", seed=8)
    first = (tiny / "raw" / RAW_FILES[0]).read_bytes()
    assert (tmp_path / "raw" / RAW_FILES[0]).read_bytes() != first


def test_writes_exactly_twelve_files(tiny):
    assert sorted(p.name for p in (tiny / "raw").iterdir()) == sorted(RAW_FILES)
    assert sorted(p.name for p in (tiny / "truth").iterdir()) == sorted(TRUTH_FILES)


def test_manifest_lists_raw_checksums(tiny):
    manifest = json.loads((tiny / "truth" / "files.json").read_text(encoding="utf-8"))

    assert manifest == {"sha256": _digest(tiny / "raw")}


def test_csv_headers_and_encodings(tiny):
    raw = tiny / "raw"
    dtsen_bytes = (raw / "dtsen_batang_202611.csv").read_bytes()
    assert dtsen_bytes.startswith(b"\xef\xbb\xbf")
    dtsen = _csv_rows(raw / "dtsen_batang_202611.csv", ";", "utf-8-sig")
    assert dtsen[0][:3] == ["No", "ID Keluarga", "ID Individu"]
    assert dtsen[0][-1] == "Status Data"
    assert len(dtsen[0]) == 25

    bpnt = _csv_rows(raw / "bpnt_bnba_tahap4_2026.csv", ",", "cp1252")
    assert bpnt[0][:4] == ["ID DTKS", "NO KK", "NIK KTP", "NAMA PENERIMA"]
    assert bpnt[0][-3:] == ["DUSUN", "RT", "RW"]
    assert (raw / "bpnt_bnba_tahap4_2026.csv").read_bytes().startswith(b'"ID DTKS"')

    complaints = _csv_rows(raw / "pengaduan_rumah_curhat_2026.csv", ";", "utf-8")
    assert complaints[0][4] == "NIK PELAPOR"
    assert any("\n" in row[11] for row in complaints[1:])
    assert any(";" in row[11] for row in complaints[1:])

    asn = _csv_rows(raw / "asn_tni_polri_2026.csv", ",", "utf-8")
    assert asn[0] == ["NIK", "NAMA", "TGL_LHR", "INSTANSI", "KATEGORI"]

    pln = _csv_rows(raw / "pln_pelanggan_202611.csv", ";", "utf-8-sig")
    assert pln[0] == ["IDPEL", "NAMA", "NIK", "ALAMAT", "DESA", "KECAMATAN", "TARIF", "DAYA"]
    assert any(row[2] == "" for row in pln[1:])

    samsat = _csv_rows(raw / "samsat_kendaraan_2026.csv", ",", "utf-8")
    assert samsat[0][:3] == ["NO POLISI", "NIK PEMILIK", "NAMA PEMILIK"]
    assert {row[6] for row in samsat[1:]} >= {"SEPEDA MOTOR", "MINIBUS"}


def test_xlsx_layouts(tiny):
    raw = tiny / "raw"
    pkh = CalamineWorkbook.from_path(str(raw / "pkh_tahap4_2026.xlsx"))
    assert all(name.startswith("Kec. ") for name in pkh.sheet_names)
    rows = pkh.get_sheet_by_name(pkh.sheet_names[0]).to_python()
    assert rows[0][0] == "DAFTAR KPM PKH TAHAP 4 TAHUN 2026"
    assert rows[1][0] == "KABUPATEN BATANG"
    assert rows[3][3] == "NIK PENGURUS"
    assert rows[-1][1] == "JUMLAH"

    assert _sheet_rows(raw / "pbi_jkn_202611.xlsx", "PBI")[0][0] == "NOKA"
    assert _sheet_rows(raw / "kematian_dukcapil_2026.xlsx", "Kematian")[0][4] == "TANGGAL MENINGGAL"
    assert _sheet_rows(raw / "perangkat_desa_2026.xlsx", "Perangkat")[0] == [
        "NIK",
        "NAMA",
        "JABATAN",
        "DESA",
        "KECAMATAN",
    ]
    assert _sheet_rows(raw / "bpjs_tk_upah_202610.xlsx", "Upah TK")[0][6] == "UPAH"
    assert _sheet_rows(raw / "ahu_oss_pengurus_2026.xlsx", "Pengurus")[0][6] == "KATEGORI"


def test_true_niks_follow_structure(tiny):
    persons = _truth(tiny, "persons.csv")
    nik = persons["nik"]
    assert nik.str.fullmatch(r"\d{16}").all()
    assert nik.is_unique
    assert nik.str[:6].astype(int).isin(VALID_PREFIXES).all()

    birth = pd.to_datetime(persons["birth_date"])
    day = nik.str[6:8].astype(int)
    expected_day = birth.dt.day + (persons["sex"] == "P") * 40
    assert (day == expected_day).all()
    assert (nik.str[8:10].astype(int) == birth.dt.month).all()
    assert (nik.str[10:12].astype(int) == birth.dt.year % 100).all()
    assert (nik.str[12:].astype(int) >= 1).all()


def test_true_kk_follow_structure(tiny):
    persons = _truth(tiny, "persons.csv")
    kk = persons["no_kk"]
    assert kk.str.fullmatch(r"\d{16}").all()
    assert kk.str[:6].astype(int).isin(VALID_PREFIXES).all()
    assert persons.groupby("family_uid")["no_kk"].nunique().eq(1).all()
    registered = pd.to_datetime("20" + kk.str[10:12] + kk.str[8:10] + kk.str[6:8], format="%Y%m%d")
    assert (registered <= pd.Timestamp("2026-11-18")).all()


def test_truth_points_to_file_rows(tiny):
    records = _truth(tiny, "records.csv")
    keys = set(
        zip(
            records["source_file"],
            records["source_sheet"],
            records["source_row"],
            records["person_uid"], strict=True,
        )
    )
    for name in ("findings.csv", "decoys.csv"):
        frame = _truth(tiny, name)
        missing = [
            row
            for row in zip(
                frame["source_file"],
                frame["source_sheet"],
                frame["source_row"],
                frame["person_uid"], strict=True,
            )
            if row not in keys
        ]
        assert missing == [], f"{name} rows without a record: {missing[:3]}"


def test_records_cover_every_data_row(tiny):
    raw = tiny / "raw"
    records = _truth(tiny, "records.csv")
    per_file = records.groupby("source_file").size()
    dtsen = _csv_rows(raw / "dtsen_batang_202611.csv", ";", "utf-8-sig")
    assert per_file["dtsen_batang_202611.csv"] == len(dtsen) - 1
    bpnt = _csv_rows(raw / "bpnt_bnba_tahap4_2026.csv", ",", "cp1252")
    assert per_file["bpnt_bnba_tahap4_2026.csv"] == len(bpnt) - 1
    pbi = _sheet_rows(raw / "pbi_jkn_202611.xlsx", "PBI")
    assert per_file["pbi_jkn_202611.xlsx"] == len(pbi) - 1


def test_records_match_file_names(tiny):
    """A record's row carries its person's NIK or name in most cases (noise aside)."""
    persons = _truth(tiny, "persons.csv").set_index("person_uid")
    records = _truth(tiny, "records.csv")
    dtsen = _csv_rows(tiny / "raw" / "dtsen_batang_202611.csv", ";", "utf-8-sig")
    rows = records[records["source_file"] == "dtsen_batang_202611.csv"]
    hits = sum(
        dtsen[int(r) - 1][13] == persons.at[uid, "nik"]
        for r, uid in zip(rows["source_row"], rows["person_uid"], strict=True)
    )
    assert hits / len(rows) > 0.95


def test_rule_codes_are_domain_codes(tiny):
    covered = _truth(tiny, "rules_covered.csv")
    assert set(covered["rule_code"]) <= DOMAIN_RULES
    findings = _truth(tiny, "findings.csv")
    assert set(findings["rule_code"]) <= set(covered["rule_code"])
    assert set(findings["programme"]) <= {"PKH", "BPNT", "PBI", "ALL"}


def test_every_covered_rule_has_findings(tiny):
    covered = _truth(tiny, "rules_covered.csv")
    findings = _truth(tiny, "findings.csv")
    counts = findings.groupby("rule_code").size()
    planted_counts = covered["planted_count"].astype(int)
    for rule, planted in zip(covered["rule_code"], planted_counts, strict=True):
        assert counts.get(rule, 0) >= min(planted, 1), rule


def test_decoys_never_flagged(tiny):
    findings = _truth(tiny, "findings.csv")
    decoys = _truth(tiny, "decoys.csv")
    keys = set(
        zip(
            findings["rule_code"],
            findings["source_file"],
            findings["source_sheet"],
            findings["source_row"], strict=True,
        )
    )
    assert len(decoys) > 0
    assert set(decoys["decoy_kind"]) >= {
        "death_after_period_start",
        "repeat_row_other_tahap",
        "same_mononym_default_dob",
        "only_component_school_age_20",
        "female_nik_day_plus_40",
        "title_added_same_person",
    }
    decoy_keys = zip(
        decoys["rule_code"], decoys["source_file"], decoys["source_sheet"], decoys["source_row"],
        strict=True,
    )
    for row in decoy_keys:
        assert row not in keys


def test_desil_truth_is_complete(tiny):
    """Every PKH row whose family desil exceeds the configured threshold is in the truth."""
    with RULES_TOML.open("rb") as f:
        threshold = tomllib.load(f)["desil_threshold"]["PKH"]
    persons = _truth(tiny, "persons.csv").set_index("person_uid")
    records = _truth(tiny, "records.csv")
    dtsen_people = set(
        records.loc[records["source_file"] == "dtsen_batang_202611.csv", "person_uid"]
    )
    pkh = records[records["source_file"] == "pkh_tahap4_2026.xlsx"]
    desil = pkh["person_uid"].map(persons["desil"]).astype(int)
    expected = pkh[((desil > threshold) | (desil == 0)) & pkh["person_uid"].isin(dtsen_people)]
    findings = _truth(tiny, "findings.csv")
    found = findings[
        (findings["rule_code"] == "DESIL_OUT_OF_RANGE") & (findings["programme"] == "PKH")
    ]
    assert set(zip(expected["source_sheet"], expected["source_row"], strict=True)) == set(
        zip(found["source_sheet"], found["source_row"], strict=True)
    )
    assert len(found) > 0


def test_excel_damage_planted_in_files(tiny):
    raw = tiny / "raw"
    findings = _truth(tiny, "findings.csv")
    damage = findings[findings["rule_code"] == "NIK_EXCEL_DAMAGE"]

    bpnt = _csv_rows(raw / "bpnt_bnba_tahap4_2026.csv", ",", "cp1252")
    bpnt_rows = damage.loc[damage["source_file"] == "bpnt_bnba_tahap4_2026.csv", "source_row"]
    assert len(bpnt_rows) > 0
    for r in bpnt_rows.astype(int):
        assert "E+" in bpnt[r - 1][2]

    pbi = _sheet_rows(raw / "pbi_jkn_202611.xlsx", "PBI")
    pbi_rows = damage.loc[damage["source_file"] == "pbi_jkn_202611.xlsx", "source_row"]
    assert len(pbi_rows) > 0
    for r in pbi_rows.astype(int):
        assert isinstance(pbi[r - 1][1], float)
        assert int(pbi[r - 1][1]) % 10 == 0


def test_complaints_without_nik_identifiable(tiny):
    """A complaint without NIK carries the register name and a non-default DOB."""
    persons = _truth(tiny, "persons.csv").set_index("person_uid")
    records = _truth(tiny, "records.csv")
    rows = _csv_rows(tiny / "raw" / "pengaduan_rumah_curhat_2026.csv", ";", "utf-8")
    complaint_records = records[records["source_file"] == "pengaduan_rumah_curhat_2026.csv"]
    without_nik = 0
    for row_number, uid in zip(
        complaint_records["source_row"], complaint_records["person_uid"], strict=True
    ):
        cells = rows[int(row_number) - 1]
        if cells[4] != "":
            continue
        without_nik += 1
        assert cells[5] == persons.at[uid, "name"]
        assert not persons.at[uid, "birth_date"].endswith(("-01-01", "-07-01", "-12-31", "-15"))
    assert without_nik > 0


def test_named_plants_in_files(tiny):
    findings = _truth(tiny, "findings.csv")
    bpnt = _csv_rows(tiny / "raw" / "bpnt_bnba_tahap4_2026.csv", ",", "cp1252")
    deceased = findings[
        (findings["rule_code"] == "DECEASED_RECIPIENT")
        & (findings["source_file"] == "bpnt_bnba_tahap4_2026.csv")
    ]
    names = [bpnt[int(r) - 1][3] for r in deceased["source_row"]]
    assert any(n.startswith(("ALM. ", "ALMH. ")) for n in names)

    pkh = CalamineWorkbook.from_path(str(tiny / "raw" / "pkh_tahap4_2026.xlsx"))
    mismatch = findings[
        (findings["rule_code"] == "NAME_MISMATCH_SAME_NIK")
        & (findings["source_file"] == "pkh_tahap4_2026.xlsx")
    ]
    pkh_names = [
        pkh.get_sheet_by_name(sheet).to_python()[int(r) - 1][4]
        for sheet, r in zip(mismatch["source_sheet"], mismatch["source_row"], strict=True)
    ]
    assert any(n.startswith("NY. ") for n in pkh_names)
