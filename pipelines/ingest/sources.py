"""Source definitions: canonical columns per source kind and the header alias table.

No official column specification of SIKS-NG/DTSEN exports exists, so every file is mapped through
aliases. Headers are compared after `header_key`, which ignores case, spacing and punctuation:
`NO KK`, `NOKK`, `No. KK` and `NO_KK` all become `NOKK`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz

from pipelines.errors import SourceFileError
from pipelines.i18n import _

SOURCE_KINDS = (
    "register",
    "pkh",
    "bpnt",
    "pbi",
    "complaints",
    "deaths",
    "asn",
    "village_officials",
    "exclusion",
    "bpjs_tk",
    "pln",
    "vehicles",
)

# English description of each kind; `kind_label` translates it for reports.
KIND_LABELS: dict[str, str] = {
    "register": "DTSEN (or DTKS) register",
    "pkh": "PKH roster",
    "bpnt": "BPNT/Sembako roster",
    "pbi": "PBI JKN roster",
    "complaints": "complaints",
    "deaths": "death register",
    "asn": "ASN/TNI/Polri and pensioner list",
    "village_officials": "perangkat desa list",
    "exclusion": "other exclusion list (AHU/OSS, teachers, health workers...)",
    "bpjs_tk": "BPJS Ketenagakerjaan wage extract",
    "pln": "PLN customer extract",
    "vehicles": "Samsat vehicle extract",
}

# Columns that a person-bearing row may carry in any kind of file.
_COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    "nik": (
        "NIK", "NIK KTP", "NIK_KTP", "NIK ART", "NIK PENERIMA", "NIK KPM", "NIK PENGURUS",
        "NIK PESERTA", "NIK ANGGOTA", "NO NIK", "NOMOR NIK", "NOMOR INDUK KEPENDUDUKAN",
        "NIK PELAPOR", "NIK ALMARHUM", "NIK JENAZAH", "NIK PEGAWAI", "NIK PERANGKAT",
        "NIK PEMILIK", "NIK PELANGGAN", "NIK TENAGA KERJA", "NIK PENGURUS BADAN USAHA",
    ),
    "no_kk": (
        "NO KK", "NOKK", "NO. KK", "NO_KK", "NOMOR KK", "NO KARTU KELUARGA",
        "NOMOR KARTU KELUARGA", "KK", "NO KEL", "NOKEL",
    ),
    "name": (
        "NAMA", "NAMA LENGKAP", "NAMA PENERIMA", "NAMA KPM", "NAMA PENGURUS", "NAMA ART",
        "NAMA PESERTA", "NAMA ANGGOTA", "NAMA PELAPOR", "NAMA ALMARHUM", "NAMA JENAZAH",
        "NAMA PEGAWAI", "NAMA PERANGKAT", "NM PENERIMA", "NAMA PEMILIK", "NAMA PELANGGAN",
        "NAMA TENAGA KERJA", "NAMA PEKERJA", "NM PELANGGAN",
    ),
    "birth_date": (
        "TGL LAHIR", "TANGGAL LAHIR", "TGL_LHR", "TGL LHR", "TGLLAHIR", "TANGGAL_LAHIR",
        "TGL. LAHIR", "TTL TANGGAL", "DOB",
    ),
    "birth_place": ("TEMPAT LAHIR", "TMP LAHIR", "TMPT LAHIR", "TEMPAT_LAHIR"),
    "sex": ("JENIS KELAMIN", "JK", "JNS KELAMIN", "KELAMIN", "L/P", "SEX", "JENIS_KELAMIN"),
    "address": (
        "ALAMAT", "ALAMAT LENGKAP", "ALAMAT RUMAH", "ALAMAT PEMILIK", "ALAMAT PELANGGAN",
        "ALAMAT TINGGAL",
    ),
    "rt": ("RT",),
    "rw": ("RW",),
    "rt_rw": ("RT/RW", "RT RW", "RTRW", "RT / RW"),
    "dusun": ("DUSUN", "DUKUH", "DSN", "DK"),
    "desa": (
        "DESA", "DESA/KELURAHAN", "DESA/KEL", "KELURAHAN", "KELURAHAN/DESA", "NAMA DESA",
        "NM KEL", "NM DESA", "DESA KELURAHAN", "KEL/DESA",
    ),
    "kecamatan": ("KECAMATAN", "KEC", "NAMA KECAMATAN", "NM KEC"),
    "kabupaten": ("KABUPATEN", "KABUPATEN/KOTA", "KAB/KOTA", "NM KAB", "KOTA/KABUPATEN"),
    "provinsi": ("PROVINSI", "PROPINSI", "NM PROV", "PROV"),
    "wilayah_code": (
        "KODE KEMDAGRI", "KODE WILAYAH", "KODE DESA", "KD DESA", "KODE DESA KEMENDAGRI",
        "ID DESA", "KODE KEMENDAGRI",
    ),
    "kecamatan_code": ("KODE KECAMATAN", "KD KEC", "ID KEC", "KODE KEC"),
}

# Columns specific to one kind: canonical name -> accepted headers.
_KIND_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "register": {
        "family_id": ("ID KELUARGA", "ID KELUARGA P3KE", "ID KEL", "IDKELUARGA", "ID RUTA"),
        "register_person_id": (
            "ID INDIVIDU", "ID ART", "IDSEMESTA", "ID SEMESTA", "ID DTKS", "ID DTSEN",
            "ID PERSON",
        ),
        "desil": ("DESIL", "DESIL KESEJAHTERAAN", "DESIL NASIONAL", "PERINGKAT DESIL"),
        "relationship": (
            "HUBUNGAN DENGAN KEPALA KELUARGA", "HUB KELUARGA", "HUB KELUARGA (SHDK)", "SHDK",
            "HUBUNGAN KELUARGA", "HUB KK", "HUBUNGAN DENGAN KRT", "STATUS HUBUNGAN",
            "HUBUNGAN",
        ),
        "padan_dukcapil": ("PADAN DUKCAPIL", "STATUS PADAN", "PADAN", "IS PADAN"),
        "pregnant": ("STATUS KEHAMILAN", "HAMIL", "IS HAMIL", "ISAKTIFHAMIL", "IBU HAMIL"),
        "severe_disability": (
            "DISABILITAS BERAT", "DISABILITAS", "KETERANGAN DISABILITAS", "PENYANDANG DISABILITAS",
        ),
        "school_participation": ("PARTISIPASI SEKOLAH", "STATUS SEKOLAH", "MASIH SEKOLAH"),
        "school_level": ("JENJANG SEKOLAH", "JENJANG PENDIDIKAN SAAT INI", "JENJANG"),
        "register_status": ("STATUS DATA", "STATUS", "IS NONAKTIF", "STATUS AKTIF"),
        "occupation": ("PEKERJAAN", "PEKERJAAN UTAMA", "JENIS PEKERJAAN"),
        "snapshot_date": ("TANGGAL DATA", "TGL DATA", "SNAPSHOT", "PERIODE DATA"),
    },
    "pkh": {
        "kpm_id": ("ID PKH", "NO PESERTA", "NO PESERTA PKH", "ID KPM", "ID PESERTA PKH"),
        "register_id": ("ID DTKS", "ID DTSEN", "IDSEMESTA"),
        "components": ("KOMPONEN", "KOMPONEN PKH", "KATEGORI KOMPONEN", "JENIS KOMPONEN"),
        "tahap": ("TAHAP", "TAHAP PENYALURAN"),
        "period": ("PERIODE", "PERIODE PENYALURAN", "TAHUN"),
        "amount": ("NOMINAL", "JUMLAH BANTUAN", "NILAI BANTUAN", "BESARAN", "NOMINAL BANTUAN"),
        "bank": ("BANK", "BANK PENYALUR", "NAMA BANK", "PENYALUR"),
        "status": ("STATUS", "STATUS KPM", "STATUS KEPESERTAAN"),
    },
    "bpnt": {
        "kpm_id": ("ID KPM", "NO PESERTA", "ID PESERTA"),
        "register_id": ("ID DTKS", "ID DTSEN", "IDSEMESTA"),
        "tahap": ("TAHAP", "TAHAP PENYALURAN"),
        "period": ("PERIODE", "PERIODE PENYALURAN", "TAHUN"),
        "programme": ("BANSOS", "PROGRAM", "JENIS BANSOS"),
        "amount": ("NOMINAL", "JUMLAH BANTUAN", "NILAI BANTUAN", "NOMINAL BANTUAN"),
        "bank": ("BANK", "BANK PENYALUR", "PENYALUR"),
        "status": ("STATUS", "STATUS SALUR", "STATUS KPM"),
        "wave": ("GELOMBANG",),
    },
    "pbi": {
        "noka": (
            "NOKA", "NO KARTU", "NOMOR KARTU", "NO KARTU JKN", "NO BPJS", "NOMOR BPJS", "NO KIS",
        ),
        "faskes_code": ("KODE FASKES", "KD FASKES", "KODE FKTP"),
        "faskes_name": ("NAMA FASKES", "FASKES", "NAMA FKTP", "FKTP"),
        "segment": ("SEGMEN", "SEGMEN PESERTA", "JENIS PESERTA", "KEPESERTAAN"),
        "status": ("STATUS", "STATUS PESERTA", "STATUS KEPESERTAAN"),
        "start_date": ("TMT", "TMT PESERTA", "TANGGAL MULAI", "TGL TMT"),
        "class": ("KELAS", "KELAS RAWAT", "HAK KELAS"),
    },
    "complaints": {
        "complaint_id": (
            "ID PENGADUAN", "NO PENGADUAN", "NOMOR PENGADUAN", "NO TIKET", "ID TIKET",
            "NOMOR TIKET", "NO", "NO.",
        ),
        "complaint_date": ("TANGGAL", "TGL", "TANGGAL PENGADUAN", "TGL PENGADUAN", "TANGGAL LAPOR"),
        "channel": ("KANAL", "SALURAN", "SUMBER", "MEDIA"),
        "complaint_type": ("JENIS", "JENIS PENGADUAN", "JENIS LAPORAN", "KATEGORI"),
        "programme_requested": ("PROGRAM DIMINTA", "PROGRAM", "PROGRAM USULAN", "BANSOS"),
        "reason": ("URAIAN", "ALASAN", "ISI PENGADUAN", "KETERANGAN", "ISI LAPORAN"),
        "complaint_status": ("STATUS", "STATUS PENGADUAN", "TINDAK LANJUT", "STATUS TINDAK LANJUT"),
    },
    "deaths": {
        "death_date": (
            "TANGGAL MENINGGAL", "TGL MENINGGAL", "TANGGAL KEMATIAN", "TGL KEMATIAN",
            "TGL WAFAT", "TANGGAL WAFAT",
        ),
    },
    "asn": {
        "category": ("KATEGORI", "JENIS PEGAWAI", "STATUS KEPEGAWAIAN", "JENIS"),
        "agency": ("INSTANSI", "SATKER", "UNIT KERJA", "OPD", "KESATUAN", "INSTANSI INDUK"),
    },
    "village_officials": {
        "position": ("JABATAN", "NAMA JABATAN", "JABATAN PERANGKAT"),
    },
    "exclusion": {
        "category": ("KATEGORI", "JENIS DAFTAR", "KELOMPOK"),
        "as_of_date": ("PER TANGGAL", "TANGGAL DATA", "TGL DATA", "KEADAAN PER"),
        # Stored in raw_exclusion only. The header separates an AHU/OSS officer list from a
        # complaint export, which also has NO and KATEGORI columns.
        "company": ("NAMA BADAN USAHA", "NAMA PERUSAHAAN", "BADAN USAHA", "NAMA PERSEROAN"),
    },
    # BPJS Ketenagakerjaan wage extract: one row per member and reported month.
    "bpjs_tk": {
        "kpj": ("NO KPJ", "KPJ", "NOMOR KPJ", "NO PESERTA BPJS TK", "NOMOR PESERTA"),
        "employer": (
            "NAMA PERUSAHAAN", "PERUSAHAAN", "NAMA PEMBERI KERJA", "PEMBERI KERJA",
            "NAMA BADAN USAHA",
        ),
        "wage": (
            "UPAH", "UPAH DILAPORKAN", "UPAH YANG DILAPORKAN", "UPAH TERAKHIR", "UPAH SEBULAN",
            "UPAH PER BULAN", "GAJI", "GAJI POKOK", "UPAH (RP)", "UPAH RP",
        ),
        "wage_month": (
            "BULAN", "BULAN UPAH", "PERIODE", "PERIODE UPAH", "BLTH", "BULAN IURAN",
            "PERIODE IURAN", "BLN",
        ),
    },
    # PLN customer extract (AP2T), one row per connection; NIK is often missing.
    "pln": {
        "customer_id": (
            "IDPEL", "ID PELANGGAN", "IDPELANGGAN", "NO PELANGGAN", "NOMOR PELANGGAN",
            "ID PEL",
        ),
        "tariff": ("TARIF", "GOL TARIF", "GOLONGAN TARIF", "TARIF/DAYA", "TARIF DAYA"),
        "power": ("DAYA", "DAYA (VA)", "DAYA VA", "DAYA TERPASANG", "DAYA LISTRIK"),
        "meter": ("NO METER", "NOMOR METER", "NOMET", "NO KWH"),
    },
    # Samsat vehicle register extract, one row per vehicle.
    "vehicles": {
        "plate": ("NO POLISI", "NOPOL", "NOMOR POLISI", "NO POL", "NO. POL", "TNKB", "PLAT NOMOR"),
        "vehicle_type": (
            "JENIS KENDARAAN", "JENIS", "JENIS/MODEL", "MODEL", "JENIS RANMOR", "KATEGORI",
        ),
        "wheels": ("JUMLAH RODA", "JML RODA", "RODA", "JUMLAH SUMBU RODA"),
        "brand": ("MERK", "MEREK", "MERK/TYPE", "MEREK/TIPE"),
        "production_year": ("TAHUN PEMBUATAN", "THN BUAT", "TAHUN BUAT"),
    },
}

_REQUIRED: dict[str, tuple[str, ...]] = {
    "register": ("nik", "no_kk", "name"),
    "pkh": ("nik", "name"),
    "bpnt": ("nik", "name"),
    "pbi": ("nik", "name"),
    "complaints": ("name",),
    "deaths": ("nik", "name", "death_date"),
    "asn": ("nik", "name"),
    "village_officials": ("nik", "name"),
    "exclusion": ("nik", "name"),
    "bpjs_tk": ("nik", "name", "wage"),
    "pln": ("customer_id", "name"),
    "vehicles": ("plate", "name"),
}

def kind_label(kind: str, sentence_start: bool = False) -> str:
    """Return the translated description of a source kind, or the kind itself when unknown.

    Descriptions start in lower case, as they read inside a sentence. `sentence_start`
    capitalises the first letter for a table cell or the start of a message.
    """
    label = _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind
    return label[:1].upper() + label[1:] if sentence_start else label


def header_key(header: str) -> str:
    """Return the comparison key of a header: upper case, letters and digits only."""
    return re.sub(r"[^0-9A-Z]", "", header.upper())


@dataclass(frozen=True)
class SourceDefinition:
    """Canonical columns of one source kind and the headers accepted for each."""

    kind: str
    aliases: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    specific: tuple[str, ...] = field(default=())
    # Header keys named under [sources.columns]. Such a cell takes its column before a cell that
    # matches only the alias table, whatever their order in the header row.
    configured: frozenset[str] = field(default=frozenset())

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.aliases)

    @cached_property
    def key_index(self) -> dict[str, str]:
        """Header key -> canonical column; the first canonical column listing a key wins."""
        index: dict[str, str] = {}
        for canonical, headers in self.aliases.items():
            for header in (canonical, *headers):
                index.setdefault(header_key(header), canonical)
        return index

    def with_extra(self, columns: dict[str, str], aliases: dict[str, tuple[str, ...]]):
        """Return a copy that also accepts the headers configured for one source.

        `columns` maps a file header to a canonical column and wins over the built-in table;
        `aliases` adds headers per canonical column.
        """
        merged: dict[str, tuple[str, ...]] = {}
        for canonical, headers in self.aliases.items():
            configured = tuple(h for h, c in columns.items() if c == canonical)
            merged[canonical] = configured + aliases.get(canonical, ()) + headers
        configured_keys = self.configured | {header_key(h) for h in columns}
        return SourceDefinition(self.kind, merged, self.required, self.specific, configured_keys)


def source_definition(kind: str) -> SourceDefinition:
    """Return the definition of `kind`; raise SourceFileError listing the known kinds."""
    if kind not in _KIND_ALIASES:
        raise SourceFileError(
            _("Unknown source kind {kind!r}. Use one of: {kinds}.").format(
                kind=kind, kinds=", ".join(SOURCE_KINDS)
            )
        )
    specific = _KIND_ALIASES[kind]
    aliases = {**specific, **_COMMON_ALIASES}
    # Kind-specific columns come first so that their headers win over common ones
    # (for example `ID DTKS` is a person id in a register but a family id in a roster).
    ordered = {**specific, **{k: v for k, v in aliases.items() if k not in specific}}
    return SourceDefinition(kind, ordered, _REQUIRED[kind], tuple(specific))


@dataclass(frozen=True)
class HeaderMapping:
    """Mapping of the cells of one header row to canonical columns."""

    headers: tuple[str, ...]
    canonical_by_position: dict[int, str]
    unmapped: tuple[str, ...]
    # Unread header cells whose column another cell already took, as (header, column) pairs.
    duplicates: tuple[tuple[str, str], ...] = ()

    def position_of(self, canonical: str) -> int | None:
        for position, column in self.canonical_by_position.items():
            if column == canonical:
                return position
        return None


def map_headers(definition: SourceDefinition, headers: list[str]) -> HeaderMapping:
    """Map each header cell to a canonical column. A canonical column is assigned once: a cell
    named under [sources.columns] takes it first, and otherwise the leftmost matching cell."""
    index = definition.key_index
    configured_first = sorted(
        range(len(headers)),
        key=lambda position: header_key(headers[position]) not in definition.configured,
    )
    mapping: dict[int, str] = {}
    for position in configured_first:
        canonical = index.get(header_key(headers[position]))
        if canonical is not None and canonical not in mapping.values():
            mapping[position] = canonical

    unmapped: list[str] = []
    duplicates: list[tuple[str, str]] = []
    for position, header in enumerate(headers):
        if position in mapping or not header.strip():
            continue
        unmapped.append(header)
        canonical = index.get(header_key(header))
        if canonical is not None:
            duplicates.append((header, canonical))
    return HeaderMapping(tuple(headers), dict(sorted(mapping.items())), tuple(unmapped),
                         tuple(duplicates))


# An unused header this similar (rapidfuzz ratio of the header keys, 0-100) to an accepted header
# of a column the row lacks is probably that header misspelt. "DESILKESEJAHTERAN" against
# "DESILKESEJAHTERAAN" scores 97, and no unused header of the synthetic files reaches 85.
MISSPELT_HEADER_SCORE = 85
# Minimum key lengths for the comparison. "NIIK" against "NIK" scores 86, so an unused header
# of four letters is compared with accepted headers of three. Shorter keys ("RT", "NO") match
# too much.
MISSPELT_HEADER_MIN_LENGTH = 4
MISSPELT_ACCEPTED_MIN_LENGTH = 3


@dataclass(frozen=True)
class MisspeltHeader:
    """An unused header cell that looks like an accepted header of a column the row lacks."""

    header: str
    column: str
    accepted: str


def misspelt_headers(definition: SourceDefinition, mapping: HeaderMapping) -> list[MisspeltHeader]:
    """Return the unused headers of `mapping` that look like a header of a column it lacks."""
    present = set(mapping.canonical_by_position.values())
    absent = [
        (column, accepted)
        for column, headers in definition.aliases.items()
        if column not in present
        for accepted in headers
        if len(header_key(accepted)) >= MISSPELT_ACCEPTED_MIN_LENGTH
    ]
    found = []
    for header in mapping.unmapped:
        key = header_key(header)
        if len(key) < MISSPELT_HEADER_MIN_LENGTH:
            continue
        scored = [(fuzz.ratio(key, header_key(accepted)), column, accepted)
                  for column, accepted in absent]
        if scored:
            score, column, accepted = max(scored)
            if score >= MISSPELT_HEADER_SCORE:
                found.append(MisspeltHeader(header, column, accepted))
    return found


def column_header(kind: str, column: str) -> str:
    """Return the header users know a canonical column by: its first built-in accepted header
    (NIK for nik, NAMA for name), or the column itself when the kind has no such column."""
    headers = source_definition(kind).aliases.get(column)
    return headers[0] if headers else column


def required_headers(definition: SourceDefinition) -> str:
    """Return the required columns of a kind as users know them from their files: the first
    accepted header of each (NIK, NAMA), not the canonical names."""
    return ", ".join(definition.aliases[column][0] for column in definition.required)


def missing_required(definition: SourceDefinition, mapping: HeaderMapping) -> list[str]:
    present = set(mapping.canonical_by_position.values())
    return [column for column in definition.required if column not in present]


def header_score(definition: SourceDefinition, cells: list[str]) -> int:
    """Count the cells of a row that are known headers of this definition."""
    index = definition.key_index
    return len({index[k] for k in map(header_key, cells) if k and k in index})


# Headers of a row-number column, which almost every list has. A kind-specific column matched
# only by one of them (NO as a complaint number) does not tell the kind.
ROW_NUMBER_HEADER_KEYS = frozenset({header_key("NO"), header_key("NOMOR")})


# Headers particular to a kind that a row needs before the kind is taken although a required
# column is missing: two, so that one shared word (STATUS) decides nothing.
MIN_LACKING_KIND_SCORE = 2


def detect_kind(headers: list[str], where: str) -> str:
    """Recognise the source kind from a header row.

    A kind is a candidate when all its required columns are present, or when each one missing
    has a misspelt header in the row ("NIIK"): reading such a file as another kind would hide
    the misspelling, and its ingest names the header instead. The candidate with the most
    kind-specific columns wins, unless a kind that lacks a required column has more of its own
    columns than any candidate: that kind is returned, and its ingest names the missing column.
    A tie, or candidates with no specific column, raise SourceFileError saying why.
    """
    scored: list[tuple[int, str]] = []
    # Kinds that lack a required column but whose own headers fill the row, such as a BPNT
    # roster without its NIK column (ID DTKS, TAHAP, BANSOS, NOMINAL, BANK).
    lacking: list[tuple[int, str]] = []
    for kind in SOURCE_KINDS:
        definition = source_definition(kind)
        mapping = map_headers(definition, headers)
        found = {
            column for position, column in mapping.canonical_by_position.items()
            if header_key(headers[position]) not in ROW_NUMBER_HEADER_KEYS
        }
        score = len(found & set(definition.specific))
        missing = set(missing_required(definition, mapping))
        if missing - {near.column for near in misspelt_headers(definition, mapping)}:
            lacking.append((score, kind))
        else:
            scored.append((score, kind))
    scored.sort(reverse=True)
    lacking.sort(reverse=True)

    # Such a kind wins over one that fits only by generic columns: read as its own kind, the
    # file stops with the error that names the missing column, instead of loading as a
    # complaint export whose NIKs are all missing.
    best = scored[0][0] if scored else 0
    if (lacking and lacking[0][0] >= MIN_LACKING_KIND_SCORE and lacking[0][0] > best
            and (len(lacking) == 1 or lacking[0][0] > lacking[1][0])):
        return lacking[0][1]
    if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1]
    if not scored:
        reason = _("No kind has all its required columns (most kinds need NIK and NAMA).")
    elif scored[0][0] == 0:
        reason = _(
            "{kinds} would fit, but no header is particular to a kind (for {kind}: {headers})."
        ).format(
            kinds=", ".join(kind for _score, kind in scored),
            kind=scored[0][1],
            headers=", ".join(_specific_headers(scored[0][1])),
        )
    else:
        reason = _("{kinds} fit equally well.").format(
            kinds=", ".join(kind for score, kind in scored if score == scored[0][0])
        )
    raise SourceFileError(
        _(
            "{where}: cannot tell the source kind from the headers ({headers}). {reason} "
            "Set `kind` for this source in the run configuration."
        ).format(
            where=where,
            headers=", ".join(h for h in headers if h.strip()),
            reason=reason,
        )
    )


def _specific_headers(kind: str) -> list[str]:
    """Return the first accepted header of each column particular to `kind`, except row numbers."""
    definition = source_definition(kind)
    return [
        header
        for column in definition.specific
        for header in definition.aliases[column][:1]
        if header_key(header) not in ROW_NUMBER_HEADER_KEYS
    ]
