"""Header alias table: case, spacing and punctuation variants map to canonical columns."""

from __future__ import annotations

import pytest

from pipelines.errors import SourceFileError
from pipelines.ingest.sources import (
    SOURCE_KINDS,
    detect_kind,
    header_key,
    map_headers,
    missing_required,
    source_definition,
)

VARIANTS = [
    ("register", "no_kk", ["NO KK", "NOKK", "No. KK", "NO_KK", "NOMOR KK", "no kk", " No  KK "]),
    ("bpnt", "nik", ["NIK", "NIK KTP", "NIK_KTP", "nik ktp"]),
    ("register", "nik", ["NIK ART", "NIK"]),
    ("pkh", "nik", ["NIK PENGURUS", "NIK_PENGURUS"]),
    ("pbi", "birth_date", ["TGL LAHIR", "TANGGAL LAHIR", "TGL_LHR", "Tgl. Lahir"]),
    ("register", "relationship", ["HUB KELUARGA", "SHDK", "HUB KELUARGA (SHDK)",
                                  "Hubungan dengan Kepala Keluarga"]),
    ("register", "desil", ["DESIL", "Desil Kesejahteraan"]),
    ("register", "family_id", ["ID Keluarga", "ID KELUARGA P3KE"]),
    ("register", "register_person_id", ["ID Individu", "IDSEMESTA", "ID DTKS"]),
    ("register", "wilayah_code", ["Kode Kemdagri", "KODE WILAYAH"]),
    ("register", "desa", ["Desa/Kelurahan", "KELURAHAN", "DESA", "NM KEL"]),
    ("register", "kabupaten", ["Kabupaten/Kota", "NM KAB"]),
    ("bpnt", "register_id", ["ID DTKS"]),
    ("bpnt", "name", ["NAMA PENERIMA", "NAMA"]),
    ("pkh", "rt_rw", ["RT/RW"]),
    ("pbi", "noka", ["NOKA", "NO KARTU"]),
    ("asn", "birth_date", ["TGL_LHR"]),
    ("deaths", "death_date", ["TANGGAL MENINGGAL", "TGL MENINGGAL"]),
    ("complaints", "nik", ["NIK PELAPOR"]),
    ("complaints", "programme_requested", ["PROGRAM DIMINTA"]),
    ("village_officials", "position", ["JABATAN"]),
]


@pytest.mark.parametrize(("kind", "canonical", "headers"), VARIANTS)
def test_header_variants_map(kind, canonical, headers):
    definition = source_definition(kind)

    for header in headers:
        mapping = map_headers(definition, ["X", header])
        assert mapping.canonical_by_position == {1: canonical}, header


def test_header_key_ignores_case_space_punctuation():
    assert {header_key(h) for h in ["NO KK", "NOKK", "No. KK", "NO_KK", "no-kk"]} == {"NOKK"}


FILES_SPEC_HEADERS = {
    "register": "No;ID Keluarga;ID Individu;Provinsi;Kabupaten/Kota;Kecamatan;Desa/Kelurahan;"
                "Kode Kemdagri;Desil Kesejahteraan;Alamat;RT;RW;No KK;NIK;Nama;Padan Dukcapil;"
                "Jenis Kelamin;Hubungan dengan Kepala Keluarga;Tanggal Lahir;Pekerjaan;"
                "Status Kehamilan;Disabilitas Berat;Partisipasi Sekolah;Jenjang Sekolah;"
                "Status Data",
    "pkh": "NO;ID PKH;ID DTKS;NIK PENGURUS;NAMA PENGURUS;NO KK;KECAMATAN;DESA/KELURAHAN;ALAMAT;"
           "RT/RW;KOMPONEN;TAHAP;NOMINAL;BANK;STATUS",
    "bpnt": "ID DTKS;NO KK;NIK KTP;NAMA PENERIMA;KODE WILAYAH;TAHAP;BANSOS;NOMINAL;BANK;PROVINSI;"
            "KABUPATEN;KECAMATAN;KELURAHAN;ALAMAT;DUSUN;RT;RW",
    "pbi": "NOKA;NIK;NAMA;TGL LAHIR;JENIS KELAMIN;KODE FASKES;NAMA FASKES;SEGMEN;STATUS;TMT;"
           "KECAMATAN;DESA",
    "complaints": "NO;TANGGAL;KANAL;JENIS;NIK PELAPOR;NAMA PELAPOR;NO KK;TGL LAHIR;DESA;KECAMATAN;"
                  "PROGRAM DIMINTA;URAIAN;STATUS",
    "deaths": "NIK;NAMA;TANGGAL LAHIR;JENIS KELAMIN;TANGGAL MENINGGAL;DESA;KECAMATAN",
    "asn": "NIK;NAMA;TGL_LHR;INSTANSI;KATEGORI",
    "village_officials": "NIK;NAMA;JABATAN;DESA;KECAMATAN",
}
UNUSED = {"register": {"No"}, "pkh": {"NO"}}


@pytest.mark.parametrize("kind", sorted(FILES_SPEC_HEADERS))
def test_generator_headers_fully_mapped(kind):
    headers = FILES_SPEC_HEADERS[kind].split(";")
    definition = source_definition(kind)

    mapping = map_headers(definition, headers)

    assert missing_required(definition, mapping) == []
    assert set(mapping.unmapped) == UNUSED.get(kind, set())


@pytest.mark.parametrize("kind", sorted(set(FILES_SPEC_HEADERS) - {"village_officials"}))
def test_generator_headers_recognised(kind):
    assert detect_kind(FILES_SPEC_HEADERS[kind].split(";"), "f.csv") == kind


def test_officials_need_kind():
    # NIK, NAMA, JABATAN: only village officials have JABATAN, so this is unambiguous.
    assert detect_kind(["NIK", "NAMA", "JABATAN"], "f.csv") == "village_officials"


def test_unknown_kind_rejected():
    with pytest.raises(SourceFileError, match="register, pkh, bpnt"):
        source_definition("bansos")


def test_every_kind_defined():
    for kind in SOURCE_KINDS:
        definition = source_definition(kind)
        assert set(definition.required) <= set(definition.columns)
        assert "nik" in definition.columns
        assert "name" in definition.columns
