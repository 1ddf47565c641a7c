"""Ground truth of rules 16, 17 and 18 from the written extract rows.

A row counts only when an audit can join it to its person. The linker joins the AHU/OSS list,
whose NIKs stay joinable. BPJS-TK and Samsat rows join by a usable NIK. PLN rows join by a usable
NIK or, without one, by name, desa, RT and RW (`address_link`, set by the generator).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.synth.params import AHU_FILE, BPJS_TK_FILE, PLN_FILE, VEHICLES_FILE


def _column(rows: pd.DataFrame, name: str, default) -> np.ndarray:
    if name not in rows:
        return np.full(len(rows), default)
    return rows[name].fillna(default).to_numpy()


def listed_persons(t) -> dict[str, np.ndarray]:
    """Per rule, a boolean per person: the person has a joinable row that triggers the rule."""
    rows, params = t.rows, t.params
    file = rows["file"].to_numpy()
    pidx = rows["pidx"].to_numpy()
    joinable = rows["nik_valid"].to_numpy()
    wage = _column(rows, "wage_idr", 0).astype(np.int64)
    power = _column(rows, "power_va", 0).astype(np.int64)
    tariff = _column(rows, "tariff", "").astype(str)
    wheels = _column(rows, "wheels", 0).astype(int)
    address = _column(rows, "address_link", False).astype(bool)

    hits = {
        "BUSINESS_OWNER": file == AHU_FILE,
        "WAGE_ABOVE_UMK": (file == BPJS_TK_FILE) & joinable & (wage > params.umk_idr),
        "PROXY_AFFLUENCE": (
            (file == PLN_FILE)
            & (joinable | address)
            & ((power >= params.proxy_min_power_va) | (tariff == "R1M"))
        )
        | ((file == VEHICLES_FILE) & joinable & (wheels >= 4)),
    }
    out = {}
    for rule, mask in hits.items():
        person = np.zeros(len(t.persons), dtype=bool)
        person[pidx[mask]] = True
        out[rule] = person
    return out


def extract_findings(t, first_listed_member, finding) -> list[pd.DataFrame]:
    """Findings of rules 16 to 18 on period recipient rows, as the ASN rule computes them."""
    rows, p = t.rows, t.persons
    pidx = rows["pidx"].to_numpy()
    family = rows["true_family"].to_numpy()
    in_reg = rows["in_register"].to_numpy()
    period = rows["is_period"].to_numpy()
    # Without a register record, the recipient's own row must carry the NIK the extract joins on.
    self_joinable = in_reg | rows["nik_valid"].to_numpy()
    out = []
    for rule, listed in listed_persons(t).items():
        member = first_listed_member(p, listed)
        family_hit = in_reg & (member[family] >= 0)
        own = listed[pidx] & (self_joinable | (rule == "BUSINESS_OWNER"))
        hit = period & (own | family_hit)
        matched = np.where(own, pidx, member[family])
        note = "listed member " + p["person_uid"].to_numpy()[np.maximum(matched, 0)]
        out.append(finding(rows, hit, rule, note))
    return out


def excluded_persons(t) -> np.ndarray:
    """Persons whose family rule 27 treats as excluded: AHU/OSS officers, wages above UMK."""
    listed = listed_persons(t)
    return listed["BUSINESS_OWNER"] | listed["WAGE_ABOVE_UMK"]
