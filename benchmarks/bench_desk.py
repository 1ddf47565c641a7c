"""Benchmark the complaint-desk lookup on a Batang-size audit.duckdb.

Builds synthetic marts with about 860,000 register rows (pipelines.publish.synthetic_marts),
writes audit.duckdb the way publish_marts does, then times `lookup_nik` and `lookup_person`
for random people. Each call opens the database read-only, as one CLI call does.

    uv run python benchmarks/bench_desk.py [--families-per-desa 1160] [--lookups 200]

Prints the figures; the goal is under one second per lookup.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.desk import lookup_nik, lookup_person, render_answer
from pipelines.publish.publish import write_audit_db
from pipelines.publish.regions import load_regions
from pipelines.publish.synthetic_marts import SyntheticSize, build_synthetic_marts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--families-per-desa",
        type=int,
        default=1160,
        help="families per desa; 1160 gives about 860,000 register rows",
    )
    parser.add_argument("--lookups", type=int, default=200, help="lookups of each kind to time")
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep audit.duckdb in")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_desk_"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "audit.duckdb"
    if db_path.exists():
        db_path.unlink()

    started = time.perf_counter()
    con = duckdb.connect()
    build_synthetic_marts(
        con, load_regions(), SyntheticSize(families_per_desa=args.families_per_desa)
    )
    built = time.perf_counter()
    counts = write_audit_db(con, db_path)
    written = time.perf_counter()
    con.close()
    _print("register rows", f"{counts['stg_register']:,}")
    _print("person records", f"{counts.get('int_person_records', 0):,}")
    _print("findings", f"{counts['fct_findings']:,}")
    _print("build marts (s)", f"{built - started:.1f}")
    _print("write audit.duckdb (s)", f"{written - built:.1f}")
    _print("audit.duckdb size (MB)", f"{db_path.stat().st_size / 1e6:.0f}")

    people = _sample_people(db_path, args.lookups)
    nik_times = _time_calls(lambda p: lookup_nik(db_path, p[0]), people)
    name_times = _time_calls(lambda p: lookup_person(db_path, p[1], p[2], p[3]), people)
    render_times = _time_calls(
        lambda p: render_answer(lookup_nik(db_path, p[0]), "id"), people[:20]
    )
    _report("lookup_nik", nik_times)
    _report("lookup_person", name_times)
    _report("lookup_nik + render_answer", render_times)
    _print("one CLI-like process (s)", f"{_time_process(db_path, people[0][0]):.2f}")


def _sample_people(db_path: Path, count: int) -> list[tuple[str, str, str, str]]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute(
            "select nik, name, strftime(birth_date, '%d-%m-%Y'), desa_code "
            "from stg_register using sample reservoir(1000 rows) repeatable (7)"
        ).fetchall()
    random.Random(7).shuffle(rows)
    return rows[:count]


def _time_calls(call, people) -> list[float]:
    times = []
    for person in people:
        started = time.perf_counter()
        call(person)
        times.append(time.perf_counter() - started)
    return times


def _time_process(db_path: Path, nik: str) -> float:
    code = (
        "import sys; from pathlib import Path; from rich.console import Console;"
        "from pipelines.desk import lookup_nik, render_answer;"
        "answer = lookup_nik(Path(sys.argv[1]), sys.argv[2]);"
        "Console(file=open('/dev/null', 'w')).print(render_answer(answer, 'id'))"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(db_path), nik], check=True)
    return time.perf_counter() - started


def _report(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    _print(
        f"{label} (ms, n={len(times)})",
        f"median {statistics.median(times) * 1000:.1f}, p95 {p95 * 1000:.1f}, "
        f"max {ordered[-1] * 1000:.1f}",
    )


def _print(label: str, value: str) -> None:
    print(f"{label:<38} {value}")  # noqa: T201 - benchmark output


if __name__ == "__main__":
    main()
