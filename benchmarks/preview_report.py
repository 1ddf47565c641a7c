"""Publish synthetic Batang marts (15 kecamatan, 248 desa) in both languages and screenshot the
Bappeda report with headless Chromium, to look at the layout.

    uv run python benchmarks/preview_report.py [--out benchmarks/out/preview]

Writes <out>/<language>/ (the published set) and <out>/laporan_<language>.png. Needs the Debian
`chromium` package for the screenshots; without it only the HTML is written.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import tomllib
from pathlib import Path

import duckdb

from pipelines.publish import publish_marts
from pipelines.publish.regions import load_regions
from pipelines.publish.report import REPORT_FILE, ReportOptions
from pipelines.publish.synthetic_marts import SyntheticSize, build_synthetic_marts

RULES_CONFIG = Path(__file__).resolve().parents[1] / "config" / "rules.toml"
RUN_ID = "run-preview"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/preview"))
    parser.add_argument("--families-per-desa", type=int, default=60)
    parser.add_argument("--height", type=int, default=2400, help="screenshot height in px")
    args = parser.parse_args()

    con = duckdb.connect()
    build_synthetic_marts(
        con, load_regions(), SyntheticSize(families_per_desa=args.families_per_desa, run_id=RUN_ID)
    )
    options = ReportOptions(rules_config=tomllib.loads(RULES_CONFIG.read_text(encoding="utf-8")))
    for language in ("id", "en"):
        marts_dir = args.out / language
        publish_marts(con, marts_dir, language, RUN_ID, options=options)
        png = args.out / f"laporan_{language}.png"
        if _screenshot(marts_dir / REPORT_FILE, png, args.height):
            print(f"wrote {png}")  # noqa: T201 - script output
        else:
            print(f"wrote {marts_dir / REPORT_FILE} (chromium not found, no screenshot)")  # noqa: T201


def _screenshot(html: Path, png: Path, height: int) -> bool:
    chromium = shutil.which("chromium")
    if chromium is None:
        return False
    with tempfile.TemporaryDirectory() as profile:
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={png.resolve()}",
            f"--window-size=1280,{height}",
            html.resolve().as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(
            f"chromium failed ({result.returncode}): {' '.join(command)}\n{result.stderr}"
        )
    return True


if __name__ == "__main__":
    main()
