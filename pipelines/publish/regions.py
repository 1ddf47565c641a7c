"""Kecamatan and desa names from the Kemendagri region table, for labels in outputs."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

# NOTE: the table sits outside the package, so this path works from a source checkout (uv's
# editable install) but not from a built wheel.
REGION_TABLE = Path(__file__).resolve().parents[2] / "reference" / "wilayah_batang.csv"


@dataclass(frozen=True)
class Regions:
    """Names by code: `kecamatan[kecamatan_code]`, `desa[desa_code]`."""

    kecamatan: dict[str, str] = field(default_factory=dict)
    desa: dict[str, str] = field(default_factory=dict)

    def kecamatan_name(self, code: str | None) -> str:
        if not code:
            return "-"
        return self.kecamatan.get(code, code)

    def desa_name(self, code: str | None) -> str:
        if not code:
            return "-"
        return self.desa.get(code, code)

    def desa_codes_named(self, name: str, kecamatan: str = "") -> list[str]:
        """Return the codes of the desa named `name`, in kecamatan `kecamatan` when it is given.

        Names are compared without case, spaces and punctuation (`region_key`), so "Sawah Joho"
        and "sawah-joho" both name Sawahjoho.
        """
        desa_key, kecamatan_key = region_key(name), region_key(kecamatan)
        return sorted(
            code for code, desa in self.desa.items()
            if region_key(desa) == desa_key
            and (not kecamatan_key or region_key(self.kecamatan_name(code[:6])) == kecamatan_key)
        )

    def desa_with_kecamatan(self, code: str) -> str:
        """Return desa `code` as "Desa, Kecamatan", so desa that share a name stay distinct."""
        return f"{self.desa_name(code)}, {self.kecamatan_name(code[:6])}"


def region_key(name: str) -> str:
    """Return the comparison key of a region name: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def load_regions(path: Path = REGION_TABLE) -> Regions:
    """Read the region table (kecamatan_code, kecamatan_name, desa_code, desa_name)."""
    kecamatan: dict[str, str] = {}
    desa: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            kecamatan[row["kecamatan_code"]] = row["kecamatan_name"]
            desa[row["desa_code"]] = row["desa_name"]
    return Regions(kecamatan=kecamatan, desa=desa)
