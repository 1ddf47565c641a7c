"""Checks of the generator's parameters: sizes, thresholds and configuration errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from test_rules_builders import FROZEN_RULES

from pipelines.errors import ConfigError
from pipelines.synth.identifiers import kk_structure_ok, nik_structure_ok
from pipelines.synth.params import load_rule_params, resolve_persons
from pipelines.synth.plants import broken_nik


def test_sizes_resolve():
    assert resolve_persons("tiny", None) == 1_500
    assert resolve_persons("batang", None) == 860_000
    assert resolve_persons("demo", 5_000) == 5_000


def test_unknown_size_rejected():
    with pytest.raises(ConfigError, match="big") as raised:
        resolve_persons("big", None)

    # The message names the command-line option, as the user types it.
    assert "--persons N" in str(raised.value)


def test_too_few_persons_rejected():
    with pytest.raises(ConfigError, match="10") as raised:
        resolve_persons("tiny", 10)

    assert "--persons 10" in str(raised.value)


def test_rules_file_missing(tmp_path: Path):
    with pytest.raises(ConfigError, match="missing.toml"):
        load_rule_params(tmp_path / "missing.toml")


def test_thresholds_come_from_rules_file(tmp_path: Path):
    rules = FROZEN_RULES.read_text(encoding="utf-8")
    assert "PKH = 4\n" in rules
    changed = tmp_path / "rules.toml"
    changed.write_text(rules.replace("PKH = 4\n", "PKH = 3\n", 1))
    assert load_rule_params(changed).desil_threshold["PKH"] == 3


def test_rules_file_checked_as_audit_checks_it(tmp_path: Path):
    rules = FROZEN_RULES.read_text(encoding="utf-8")
    assert "PKH = 4\n" in rules
    changed = tmp_path / "rules.toml"
    changed.write_text(rules.replace("PKH = 4\n", 'PKH = "4"\n', 1), encoding="utf-8")

    with pytest.raises(ConfigError) as raised:
        load_rule_params(changed)

    assert str(raised.value).startswith(f"{changed}: ")
    assert "[desil_threshold] PKH = '4'" in str(raised.value)


def test_rules_file_with_unquoted_dates(tmp_path: Path):
    # TOML reads an unquoted 2026-10-01 as a date, which the audit accepts too.
    rules = FROZEN_RULES.read_text(encoding="utf-8")
    assert 'start_date = "2026-10-01"' in rules
    changed = tmp_path / "rules.toml"
    changed.write_text(
        rules.replace('start_date = "2026-10-01"', "start_date = 2026-10-01", 1), encoding="utf-8"
    )

    assert load_rule_params(changed).period_start == date(2026, 10, 1)


@pytest.mark.parametrize(
    ("nik", "valid"),
    [
        (3325015207850001, True),  # woman born 12-07-1985
        (3325017112800001, True),  # woman born 31-12-1980, day 71
        (3325012902000001, True),  # 29 February, allowed for any year
        (3325017207850001, False),  # day 72
        (3325011213850001, False),  # month 13
        (3325013102850001, False),  # 31 February
        (3325011207850000, False),  # serial 0000
        (3325991207850001, False),  # kecamatan 99 is not in Batang
        (3325013207850001, False),  # day 32
    ],
)
def test_nik_structure_cases(nik: int, valid: bool):
    assert bool(nik_structure_ok(np.array([nik]))[0]) is valid


def test_broken_niks_all_invalid():
    broken = np.array([broken_nik(3325015207850001, n) for n in range(6)])
    assert not nik_structure_ok(broken).any()


def test_kk_future_date_invalid():
    assert kk_structure_ok(np.array([3325010107220001]))[0]
    assert not kk_structure_ok(np.array([3325010107270001]))[0]
