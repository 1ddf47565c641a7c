"""Benchmark ingestion and staging on Batang-size inputs.

Usage:
    uv run python benchmarks/bench_ingest.py                  # generate (cached) and measure
    uv run python benchmarks/bench_ingest.py --raw-dir DIR    # measure files made elsewhere
    uv run python benchmarks/bench_ingest.py --persons 100000 # smaller run
    uv run python benchmarks/bench_ingest.py --validate       # also time validate_staging

The synthetic generator's Batang-size files can be measured with --raw-dir after
`generate(raw_dir, truth_dir, size="batang")` from pipelines.synth.

The database is in memory with DuckDB memory_limit 1GB (--memory-limit), spilling to
benchmarks/cache/tmp above it, or a file given with --database.

Generated inputs (about 860,000 register persons plus rosters, in the layouts of the synthetic
generator) are cached under benchmarks/cache/. Prints rows/s and peak resident memory per file
and for staging. Process CPU seconds are printed beside wall seconds because other processes
on a shared machine stretch wall time, and the load average is printed before and after.
Peak memory is sampled from /proc/self/statm every 10 ms, so it is Linux-only and can miss
spikes shorter than that.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import xlsxwriter

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.ingest import build_staging, ingest_source, validate_staging  # noqa: E402
from pipelines.runconfig import SourceSpec  # noqa: E402

CACHE = REPO / "benchmarks" / "cache"
PAGE = 4096
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember"]
FIRST = ["SITI", "SRI", "MUHAMMAD", "AHMAD", "SLAMET", "JOKO", "TRI", "DWI", "NUR", "SUPARDI",
         "SUMIYATI", "KASTARI", "SAINEM", "RATNA", "BUDI", "EKO", "AGUS", "WATI", "ROHMAT",
         "FATIMAH", "KHOIRUL", "ZAINAL", "YANTI", "SUJONO", "CAHYONO", "JUMINAH", "MOCH"]
LAST = ["", "", "AMINAH", "ROMLAH", "FAIZIN", "SOLICHIN", "RIYADI", "HIDAYAT", "LESTARI",
        "WIBOWO", "SETIAWAN", "NURHAYATI", "PRASETYO", "MAULANA", "KURNIAWAN"]


@dataclass
class Person:
    nik: str
    no_kk: str
    name: str
    birth: dt.date
    sex: str
    desa_code: str
    desa: str
    kecamatan: str
    desil: int
    relationship: str


class PeakSampler:
    """Sample this process's resident memory in a thread and keep the maximum."""

    def __init__(self, interval: float = 0.01):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(self.interval)

    def __enter__(self):
        self.peak = self._rss()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


# --- input generation ------------------------------------------------------------------------


def _villages() -> list[tuple[str, str, str]]:
    with (REPO / "reference" / "wilayah_batang.csv").open(encoding="utf-8") as f:
        return [(r["desa_code"], r["desa_name"], r["kecamatan_name"]) for r in csv.DictReader(f)]


def _date_text(rng: random.Random, d: dt.date) -> str:
    style = rng.random()
    if style < 0.5:
        return d.strftime("%d-%m-%Y")
    if style < 0.7:
        return d.isoformat()
    if style < 0.8:
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    if style < 0.9:
        return f"{d.day}/{d.month}/{d.year}"
    return str((d - dt.date(1899, 12, 30)).days)


def make_population(rng: random.Random, persons: int) -> list[Person]:
    villages = _villages()
    people: list[Person] = []
    serial = 0
    while len(people) < persons:
        desa_code, desa, kecamatan = rng.choice(villages)
        kk_date = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(7000))
        serial += 1
        no_kk = f"{desa_code[:6]}{kk_date:%d%m%y}{serial % 10000 or 1:04d}"
        desil = rng.randint(1, 10)
        for member in range(rng.randint(3, 5)):
            sex = "L" if (member == 0) == (rng.random() < 0.9) else "P"
            if rng.random() < 0.15:
                birth = dt.date(rng.randint(1940, 1990), 7, 1)
            else:
                birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30000))
            day = birth.day + (40 if sex == "P" else 0)
            nik = f"{desa_code[:6]}{day:02d}{birth:%m%y}{rng.randint(1, 9999):04d}"
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}".strip()
            relationship = ["KEPALA KELUARGA", "ISTRI", "ANAK", "ANAK", "CUCU"][member]
            people.append(Person(nik, no_kk, name, birth, sex, desa_code, desa, kecamatan,
                                 desil, relationship))
    return people[:persons]


def _noisy_nik(rng: random.Random, nik: str) -> str:
    roll = rng.random()
    if roll < 0.003:
        return f"{nik[0]},{nik[1:6]}E+15"
    if roll < 0.006:
        return "'" + nik
    if roll < 0.008:
        return "BELUM ADA"
    return nik


def write_register(path: Path, rng: random.Random, people: list[Person]) -> int:
    header = ("No;ID Keluarga;ID Individu;Provinsi;Kabupaten/Kota;Kecamatan;Desa/Kelurahan;"
              "Kode Kemdagri;Desil Kesejahteraan;Alamat;RT;RW;No KK;NIK;Nama;Padan Dukcapil;"
              "Jenis Kelamin;Hubungan dengan Kepala Keluarga;Tanggal Lahir;Pekerjaan;"
              "Status Kehamilan;Disabilitas Berat;Partisipasi Sekolah;Jenjang Sekolah;"
              "Status Data").split(";")
    desil_styles = ["{}", "Desil {}", "D{}", "DESIL {} (SANGAT MISKIN)"]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(header)
        for i, p in enumerate(people, start=1):
            code = f"{p.desa_code[:2]}.{p.desa_code[2:4]}.{p.desa_code[4:6]}.{p.desa_code[6:]}"
            writer.writerow([
                i, f"K{p.no_kk}", f"P{i:07d}", "JAWA TENGAH", "BATANG", p.kecamatan, p.desa, code,
                rng.choice(desil_styles).format(p.desil), f"Dk. Krajan {i % 7}",
                f"{i % 9 + 1:03d}", f"{i % 5 + 1:03d}", p.no_kk, _noisy_nik(rng, p.nik), p.name,
                "YA" if rng.random() < 0.95 else "TIDAK", p.sex, p.relationship,
                _date_text(rng, p.birth), "PETANI", "TIDAK", "TIDAK", "TIDAK SEKOLAH LAGI", "",
                "AKTIF",
            ])
    return len(people)


def write_pkh(path: Path, rng: random.Random, heads: list[Person]) -> int:
    headers = ["NO", "ID PKH", "ID DTKS", "NIK PENGURUS", "NAMA PENGURUS", "NO KK", "KECAMATAN",
               "DESA/KELURAHAN", "ALAMAT", "RT/RW", "KOMPONEN", "TAHAP", "NOMINAL", "BANK",
               "STATUS"]
    by_kecamatan: dict[str, list[Person]] = {}
    for p in heads:
        by_kecamatan.setdefault(p.kecamatan, []).append(p)
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    for kecamatan, people in sorted(by_kecamatan.items()):
        sheet = workbook.add_worksheet(f"Kec. {kecamatan}")
        sheet.write_string(0, 0, "DAFTAR KPM PKH TAHAP 4 TAHUN 2026")
        sheet.write_string(1, 0, "KABUPATEN BATANG")
        sheet.write_row(3, 0, headers)
        for i, p in enumerate(people, start=1):
            row = 3 + i
            sheet.write_row(row, 0, [str(i), f"PKH{i:06d}", f"D{i:07d}"])
            if rng.random() < 0.01:
                sheet.write_number(row, 3, int(p.nik))
            else:
                sheet.write_string(row, 3, p.nik)
            sheet.write_row(row, 4, [p.name, p.no_kk, kecamatan.upper(), p.desa.upper(),
                                     "DK KRAJAN", f"{i % 9 + 1:03d}/{i % 5 + 1:03d}",
                                     rng.choice(["SD, LANSIA", "BALITA", "SMP", "HAMIL, SD"]),
                                     "4", "Rp 600.000", "BRI", "AKTIF"])
        sheet.write_row(4 + len(people), 0, ["", "JUMLAH"])
    workbook.close()
    return len(heads)


def write_bpnt(path: Path, rng: random.Random, heads: list[Person]) -> int:
    header = ["ID DTKS", "NO KK", "NIK KTP", "NAMA PENERIMA", "KODE WILAYAH", "TAHAP", "BANSOS",
              "NOMINAL", "BANK", "PROVINSI", "KABUPATEN", "KECAMATAN", "KELURAHAN", "ALAMAT",
              "DUSUN", "RT", "RW"]
    rows = 0
    with path.open("w", encoding="cp1252", newline="") as f:
        writer = csv.writer(f, delimiter=",", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        for tahap in (3, 4):
            for i, p in enumerate(heads, start=1):
                writer.writerow([f"D{i:07d}", p.no_kk, _noisy_nik(rng, p.nik), p.name,
                                 p.desa_code, tahap, "SEMBAKO", "600.000,00", "BNI",
                                 "JAWA TENGAH", "BATANG", p.kecamatan.upper(), p.desa.upper(),
                                 "JL. DESA, NO. 1", "KRAJAN", i % 9 + 1, i % 5 + 1])
                rows += 1
    return rows


def write_pbi(path: Path, rng: random.Random, members: list[Person]) -> int:
    headers = ["NOKA", "NIK", "NAMA", "TGL LAHIR", "JENIS KELAMIN", "KODE FASKES", "NAMA FASKES",
               "SEGMEN", "STATUS", "TMT", "KECAMATAN", "DESA"]
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet("PBI")
    sheet.write_row(0, 0, headers)
    for i, p in enumerate(members, start=1):
        sheet.write_row(i, 0, [f"{i:013d}", p.nik, p.name, _date_text(rng, p.birth), p.sex,
                               "0123B001", "PUSKESMAS BATANG", rng.choice(["PBI APBN", "PBI APBD"]),
                               "AKTIF", "01-01-2024", p.kecamatan.upper(), p.desa.upper()])
    workbook.close()
    return len(members)


def write_small_lists(raw: Path, rng: random.Random, people: list[Person]) -> dict[str, int]:
    counts = {}
    sample = rng.sample(people, 15000)
    with (raw / "asn_tni_polri_2026.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["NIK", "NAMA", "TGL_LHR", "INSTANSI", "KATEGORI"])
        for p in sample:
            writer.writerow([p.nik, p.name, p.birth.strftime("%d/%m/%Y"), "DINAS PENDIDIKAN",
                             rng.choice(["ASN", "TNI", "POLRI", "PENSIUNAN"])])
    counts["asn_tni_polri_2026.csv"] = len(sample)

    with (raw / "pengaduan_rumah_curhat_2026.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["NO", "TANGGAL", "KANAL", "JENIS", "NIK PELAPOR", "NAMA PELAPOR",
                         "NO KK", "TGL LAHIR", "DESA", "KECAMATAN", "PROGRAM DIMINTA", "URAIAN",
                         "STATUS"])
        for i, p in enumerate(people[:5000], start=1):
            writer.writerow([i, "03/11/2026", "Rumah Curhat", "usulan", p.nik, p.name, p.no_kk,
                             _date_text(rng, p.birth), p.desa, p.kecamatan, "PKH",
                             "Keluarga miskin; belum\nterdaftar", "PROSES"])
    counts["pengaduan_rumah_curhat_2026.csv"] = 5000

    for name, sheet_name, headers, rows in (
        ("kematian_dukcapil_2026.xlsx", "Kematian",
         ["NIK", "NAMA", "TANGGAL LAHIR", "JENIS KELAMIN", "TANGGAL MENINGGAL", "DESA",
          "KECAMATAN"],
         [[p.nik, p.name, _date_text(rng, p.birth), p.sex, "15 Agustus 2026", p.desa,
           p.kecamatan] for p in people[5000:13000]]),
        ("perangkat_desa_2026.xlsx", "Perangkat", ["NIK", "NAMA", "JABATAN", "DESA", "KECAMATAN"],
         [[p.nik, p.name, "KADUS", p.desa, p.kecamatan] for p in people[13000:16000]]),
    ):
        workbook = xlsxwriter.Workbook(raw / name, {"constant_memory": True})
        sheet = workbook.add_worksheet(sheet_name)
        sheet.write_row(0, 0, headers)
        for i, row in enumerate(rows, start=1):
            sheet.write_row(i, 0, row)
        workbook.close()
        counts[name] = len(rows)
    return counts


def generate(raw: Path, persons: int, seed: int) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    started = time.perf_counter()
    people = make_population(rng, persons)
    heads = [p for p in people if p.relationship == "KEPALA KELUARGA"]
    poor_heads = [p for p in heads if p.desil <= 4]
    write_register(raw / "dtsen_batang_202611.csv", rng, people)
    write_pkh(raw / "pkh_tahap4_2026.xlsx", rng, poor_heads[: len(poor_heads) // 2])
    write_bpnt(raw / "bpnt_bnba_tahap4_2026.csv", rng, poor_heads)
    write_pbi(raw / "pbi_jkn_202611.xlsx", rng, [p for p in people if p.desil <= 5][:250000])
    write_small_lists(raw, rng, people)
    _out(f"generated inputs for {persons:,} persons in {time.perf_counter() - started:.1f} s "
          f"into {raw}")


# --- measurement -----------------------------------------------------------------------------

SOURCES = [
    ("register", "dtsen_*.csv"), ("pkh", "pkh_*.xlsx"), ("bpnt", "bpnt_*.csv"),
    ("pbi", "pbi_*.xlsx"), ("complaints", "pengaduan_*.csv"), ("deaths", "kematian_*.xlsx"),
    ("asn", "asn_*.csv"), ("village_officials", "perangkat_desa_*.xlsx"),
]


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load_average() -> str:
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def connect(database: Path | None, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """Open the benchmark database: a DuckDB file, or (None) an in-memory database that may
    spill to benchmarks/cache/tmp above `memory_limit`."""
    (CACHE / "tmp").mkdir(parents=True, exist_ok=True)
    config = {"autoinstall_known_extensions": False, "memory_limit": memory_limit,
              "temp_directory": str(CACHE / "tmp")}
    if database is not None:
        database.unlink(missing_ok=True)
        return duckdb.connect(str(database), config=config)
    return duckdb.connect(config=config)


def measure(raw: Path, database: Path | None, memory_limit: str, validate: bool) -> None:
    con = connect(database, memory_limit)
    _out(f"database {database or 'in memory'}, DuckDB memory_limit {memory_limit}")
    _out(f"load average before: {_load_average()} on {os.cpu_count()} cores")
    _out(f"{'step':<36} {'rows':>10} {'wall s':>7} {'cpu s':>7} {'rows/s':>9} {'peak MiB':>9}")
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    kinds, file_number = [], 1
    for kind, pattern in SOURCES:
        spec = SourceSpec(kind=kind, path=pattern, raw_dir=raw,
                          snapshot_date=dt.date(2026, 11, 18) if kind == "register" else None)
        if not spec.files():
            continue
        with PeakSampler() as sampler:
            t0, c0 = time.perf_counter(), _cpu_seconds()
            counts = ingest_source(con, spec, "bench", file_number)
            seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
        file_number += len({c.source_file for c in counts})
        kinds.append(kind)
        rows = sum(c.rows_read for c in counts)
        label = ", ".join(sorted({c.source_file for c in counts}))
        _line(label, rows, seconds, cpu, sampler.peak)

    with PeakSampler() as sampler:
        t0, c0 = time.perf_counter(), _cpu_seconds()
        staged = build_staging(con, kinds, today=dt.date(2026, 12, 4))
        seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
    _line(f"staging ({len(kinds)} tables)", sum(staged.values()), seconds, cpu, sampler.peak)

    total, cpu_total = time.perf_counter() - started, _cpu_seconds() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _out(f"total ingestion + staging: {total:.1f} s wall, {cpu_total:.1f} s CPU, process peak "
         f"RSS {peak:.0f} MiB (target: 15 s wall, 2048 MiB)")
    _out(f"load average after: {_load_average()}")
    if validate:
        _measure_validation(con)


def _measure_validation(con: duckdb.DuckDBPyConnection) -> None:
    t0, c0 = time.perf_counter(), _cpu_seconds()
    summary = validate_staging(con, CACHE / "validation", "bench")
    seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
    _out(f"validation: {seconds:.1f} s wall, {cpu:.1f} s CPU, {len(summary.flag_failures)} "
         f"flag failures, reports in {CACHE / 'validation'}")


def _line(label: str, rows: int, seconds: float, cpu: float, peak: int) -> None:
    rate = rows / seconds if seconds else 0
    _out(f"{label[:36]:<36} {rows:>10,} {seconds:>7.2f} {cpu:>7.2f} {rate:>9,.0f} "
         f"{peak / 2**20:>9.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, help="folder with input files to measure")
    parser.add_argument("--persons", type=int, default=860_000,
                        help="register persons to generate (default 860000)")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--database", type=Path,
                        help="DuckDB file to build (deleted first); default: in memory")
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit")
    parser.add_argument("--validate", action="store_true",
                        help="also run validate_staging and print its time (not in the total)")
    args = parser.parse_args()

    raw = args.raw_dir or CACHE / f"raw_{args.persons}_{args.seed}"
    if args.raw_dir is None and not (raw / "dtsen_batang_202611.csv").is_file():
        generate(raw, args.persons, args.seed)
    measure(raw, args.database, args.memory_limit, args.validate)


if __name__ == "__main__":
    main()
