"""Resolve desa/kecamatan codes and names against the Kemendagri reference table.

Desa names repeat across kecamatan in Batang (Sendang, Gondang, Kalisari, ...), so a name alone
resolves only when it is unique. Otherwise the kecamatan decides, or the row is `ambiguous`.
Names are compared without case, spaces and punctuation (`KALIPUCANGWETAN` = `Kalipucang Wetan`),
and a close spelling (rapidfuzz ratio >= FUZZY_MIN_RATIO) is accepted when it is the only one.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

REFERENCE_CSV = Path(__file__).resolve().parents[2] / "reference" / "wilayah_batang.csv"
FUZZY_MIN_RATIO = 90.0

_NAME_PREFIX = re.compile(
    r"^(?:DESA|DS|KELURAHAN|KEL|KECAMATAN|KEC|KAB|KABUPATEN)\b\.?\s*", re.IGNORECASE
)


@dataclass(frozen=True)
class Village:
    kecamatan_code: str
    kecamatan_name: str
    desa_code: str
    desa_name: str


@dataclass(frozen=True)
class Resolved:
    kecamatan_code: str | None
    desa_code: str | None
    status: str  # one of contract.WILAYAH_STATUSES


def load_reference(path: Path = REFERENCE_CSV) -> list[Village]:
    with path.open(encoding="utf-8", newline="") as f:
        return [
            Village(r["kecamatan_code"], r["kecamatan_name"], r["desa_code"], r["desa_name"])
            for r in csv.DictReader(f)
        ]


def name_key(name: str | None) -> str:
    """Return the comparison key of a place name: no prefix (Desa, Kec.), letters and digits."""
    if not name:
        return ""
    return re.sub(r"[^0-9A-Z]", "", _NAME_PREFIX.sub("", name.strip()).upper())


def code_digits(code: str | None) -> str:
    return re.sub(r"[^0-9]", "", code or "")


class WilayahResolver:
    """Resolve (code, kecamatan code, desa name, kecamatan name) to Kemendagri codes."""

    def __init__(self, villages: list[Village]):
        self.by_desa_code = {v.desa_code: v for v in villages}
        self.kecamatan_names = {v.kecamatan_code: v.kecamatan_name for v in villages}
        self.kecamatan_by_key = {name_key(n): c for c, n in self.kecamatan_names.items()}
        self.desa_by_key: dict[str, list[Village]] = defaultdict(list)
        for v in villages:
            self.desa_by_key[name_key(v.desa_name)].append(v)
        self.region_prefix = _common_prefix([v.desa_code for v in villages])

    def resolve(self, code: str | None, kecamatan_code: str | None, desa: str | None,
                kecamatan: str | None) -> Resolved:
        digits = code_digits(code)
        kecamatan_found, kecamatan_state = self._kecamatan(code_digits(kecamatan_code),
                                                           kecamatan, digits)
        if len(digits) == 10:
            return self._by_desa_code(digits, desa, kecamatan_found)
        if digits and len(digits) not in (4, 6):
            # A 7-digit BPS code or a typo: never compared with Kemendagri codes.
            by_name = self._by_name(desa, kecamatan_found)
            return Resolved(by_name.kecamatan_code, by_name.desa_code, "code_invalid")
        if kecamatan_state == "code_invalid":
            return Resolved(None, None, "code_invalid")
        return self._by_name(desa, kecamatan_found, kecamatan_state)

    def _kecamatan(self, kecamatan_digits: str, kecamatan: str | None, code_digits_: str):
        """Return (kecamatan code or None, state) from a kecamatan code, a 6-digit wilayah code
        or the kecamatan name."""
        for digits in (kecamatan_digits, code_digits_ if len(code_digits_) == 6 else ""):
            if digits:
                if digits in self.kecamatan_names:
                    return digits, "ok"
                return None, "code_invalid"
        key = name_key(kecamatan)
        if not key:
            return None, "absent"
        if key in self.kecamatan_by_key:
            return self.kecamatan_by_key[key], "ok"
        match = process.extractOne(key, list(self.kecamatan_by_key), scorer=fuzz.ratio,
                                   score_cutoff=FUZZY_MIN_RATIO)
        if match:
            return self.kecamatan_by_key[match[0]], "ok"
        return None, "unknown"

    def _by_desa_code(self, digits: str, desa: str | None, kecamatan: str | None) -> Resolved:
        village = self.by_desa_code.get(digits)
        if village is None:
            by_name = self._by_name(desa, kecamatan)
            return Resolved(by_name.kecamatan_code, by_name.desa_code, "code_invalid")
        named = self._by_name(desa, village.kecamatan_code)
        disagrees = (kecamatan is not None and kecamatan != village.kecamatan_code) or (
            named.desa_code is not None and named.desa_code != village.desa_code
        )
        return Resolved(village.kecamatan_code, village.desa_code,
                        "mismatch" if disagrees else "ok")

    def _by_name(self, desa: str | None, kecamatan: str | None,
                 kecamatan_state: str = "ok") -> Resolved:
        key = name_key(desa)
        if not key:
            status = "ok" if kecamatan and kecamatan_state == "ok" else "unknown"
            return Resolved(kecamatan, None, status if kecamatan else "unknown")
        candidates = self.desa_by_key.get(key) or self._fuzzy(key, kecamatan)
        if kecamatan is not None:
            inside = [v for v in candidates if v.kecamatan_code == kecamatan]
            if len(inside) == 1:
                return Resolved(kecamatan, inside[0].desa_code, "ok")
            inside = [v for v in self._fuzzy(key, kecamatan) if v.kecamatan_code == kecamatan]
            if len(inside) == 1:
                return Resolved(kecamatan, inside[0].desa_code, "ok")
            return Resolved(kecamatan, None, "mismatch" if candidates else "unknown")
        if len(candidates) == 1:
            village = candidates[0]
            return Resolved(village.kecamatan_code, village.desa_code, "ok")
        return Resolved(None, None, "ambiguous" if candidates else "unknown")

    def _fuzzy(self, key: str, kecamatan: str | None) -> list[Village]:
        keys = [
            k for k, villages in self.desa_by_key.items()
            if kecamatan is None or any(v.kecamatan_code == kecamatan for v in villages)
        ]
        scored = process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_RATIO,
                                 limit=2)
        if len(scored) == 1 or (len(scored) == 2 and scored[0][1] > scored[1][1]):
            return self.desa_by_key[scored[0][0]]
        return []


def _common_prefix(codes: list[str]) -> str:
    if not codes:
        return ""
    prefix = codes[0]
    for code in codes[1:]:
        while not code.startswith(prefix):
            prefix = prefix[:-1]
    return prefix
