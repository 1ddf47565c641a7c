"""Run configuration loading: demo file and collected errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from test_rules_builders import FROZEN_RULES

from pipelines.errors import ConfigError
from pipelines.i18n import set_language
from pipelines.runconfig import load_rules_config, load_run_config
from pipelines.settings import write_demo_run_config

REPO = Path(__file__).resolve().parents[1]


# Messages are checked in English unless a test sets another language.
pytestmark = pytest.mark.usefixtures("english")


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "raw").mkdir(exist_ok=True)
    (tmp_path / "rules.toml").write_text("version = '1'\n", encoding="utf-8")
    path = tmp_path / "run.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_config_loads():
    config = load_run_config(REPO / "config" / "demo.toml")

    assert config.name == "demo-batang"
    assert config.region_code == "3325"
    assert config.rules_path == REPO / "config" / "rules.toml"
    assert config.raw_dir == REPO / "data" / "raw"
    assert config.marts_dir == REPO / "data" / "marts"
    assert [s.kind for s in config.sources] == [
        "register", "pkh", "bpnt", "pbi", "complaints", "deaths", "asn", "village_officials",
        "bpjs_tk", "pln", "vehicles", "exclusion"]
    assert config.sources[0].path == "dtsen_*.csv"
    assert config.sources[0].snapshot_date == dt.date(2026, 11, 18)


def test_config_is_frozen():
    config = load_run_config(REPO / "config" / "demo.toml")

    with pytest.raises(dataclasses.FrozenInstanceError):
        config.name = "x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.sources[0].kind = "pkh"


def test_source_options(tmp_path):
    path = _write(tmp_path, """
[run]
name = "t"
region_code = "332501"
rules = "rules.toml"
raw_dir = "raw"
marts_dir = "marts"

[[sources]]
path = "daftar_*.xlsx"
sheet = "Data"
header_row = 4

[sources.columns]
"NIK IBU" = "nik"

[[sources]]
kind = "exclusion"
path = "guru.csv"
aliases = { category = ["JENIS GURU"] }
""")

    config = load_run_config(path)

    first, second = config.sources
    assert (first.kind, first.sheet, first.header_row, first.columns) == (
        None, "Data", 4, (("NIK IBU", "nik"),))
    assert second.aliases == (("category", ("JENIS GURU",)),)
    assert first.raw_dir == tmp_path / "raw"


def test_all_errors_reported_together(tmp_path):
    path = _write(tmp_path, """
[run]
name = "t"
region_code = "33.25"
rules = "missing.toml"
raw_dir = "raw"
marts_dir = "marts"
colour = "blue"

[[sources]]
kind = "pkhh"
path = "pkh.xlsx"

[[sources]]
kind = "pkh"
snapshot_date = "18-11-2026"
header_row = 0

[[sources]]
kind = "asn"
path = "asn.csv"
columns = { "NIP" = "employee_number" }
""")

    with pytest.raises(ConfigError) as error:
        load_run_config(path)

    message = str(error.value)
    assert "has 8 problem(s)" in message
    assert str(path) in message
    assert "[run].region_code '33.25' is invalid" in message
    assert "[run].rules: file" in message
    assert "[run].colour is not a known key; allowed: name, region_code" in message
    assert "[[sources]] #1.kind 'pkhh' is not a source kind; allowed: register, pkh" in message
    assert "[[sources]] #2.path is missing" in message
    assert "[[sources]] #2.snapshot_date '18-11-2026' is not a date" in message
    assert "[[sources]] #2.header_row must be a row number of 1 or more" in message
    assert "[[sources]] #3.columns.'NIP': 'employee_number' is not a column of kind asn" in message


def _write_beside_config_folder(tmp_path: Path) -> Path:
    """Write `config/run.toml` that names the rules file, raw folder and marts folder with
    `../`, and the rules file beside the config folder."""
    (tmp_path / "config").mkdir()
    (tmp_path / "rules.toml").write_text("version = '1'\n", encoding="utf-8")
    path = tmp_path / "config" / "run.toml"
    path.write_text(
        "[run]\nname = 't'\nregion_code = '3325'\nrules = '../rules.toml'\n"
        "raw_dir = '../raw'\nmarts_dir = '../marts'\n"
        "[[sources]]\nkind = 'pkh'\npath = 'pkh.xlsx'\n",
        encoding="utf-8",
    )
    return path


def test_paths_without_parent_parts(tmp_path):
    path = _write_beside_config_folder(tmp_path)
    (tmp_path / "raw").mkdir()

    config = load_run_config(path)

    assert config.rules_path == tmp_path / "rules.toml"
    assert config.raw_dir == tmp_path / "raw"
    assert config.marts_dir == tmp_path / "marts"
    assert config.sources[0].raw_dir == tmp_path / "raw"


def test_missing_raw_dir_named_without_parent_parts(tmp_path):
    path = _write_beside_config_folder(tmp_path)

    with pytest.raises(ConfigError) as error:
        load_run_config(path)

    assert f"[run].raw_dir: folder {tmp_path / 'raw'} not found" in str(error.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_run_config(tmp_path / "none.toml")


def test_invalid_toml(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[run\nname=", encoding="utf-8")

    with pytest.raises(ConfigError, match="not valid TOML"):
        load_run_config(path)


def test_run_config_with_byte_order_mark(tmp_path):
    # Windows Notepad may save a UTF-8 file with a byte order mark.
    path = _write(tmp_path, "\ufeff" + """[run]
name = "t"
region_code = "332501"
rules = "rules.toml"
raw_dir = "raw"
marts_dir = "marts"

[[sources]]
kind = "register"
path = "dtsen.csv"
""")
    (tmp_path / "raw" / "dtsen.csv").write_text("NIK;NO KK;NAMA\n", encoding="utf-8")

    assert load_run_config(path).name == "t"


def test_rules_config_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"Rules configuration .*none\.toml not found"):
        load_rules_config(tmp_path / "none.toml")

    (tmp_path / "bad.toml").write_text("version = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.toml is not valid TOML"):
        load_rules_config(tmp_path / "bad.toml")

    (tmp_path / "plain.toml").write_text("[period]\nlabel = '2026-T4'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="plain.toml has no `version`"):
        load_rules_config(tmp_path / "plain.toml")


def test_rules_config_errors_indonesian(tmp_path):
    set_language("id")

    with pytest.raises(ConfigError, match=r"Konfigurasi aturan .*none\.toml tidak ditemukan"):
        load_rules_config(tmp_path / "none.toml")


def test_spec_files_sorted(tmp_path):
    path = _write(tmp_path, """
[run]
name = "t"
region_code = "3325"
rules = "rules.toml"
raw_dir = "raw"
marts_dir = "marts"

[[sources]]
kind = "asn"
path = "asn_*.csv"
""")
    for name in ("asn_b.csv", "asn_a.csv", "other.csv"):
        (tmp_path / "raw" / name).write_text("NIK;NAMA\n", encoding="utf-8")

    spec = load_run_config(path).sources[0]

    assert [p.name for p in spec.files()] == ["asn_a.csv", "asn_b.csv"]
    assert spec.relative_name(spec.files()[0]) == "asn_a.csv"


def test_demo_config_leaves_out_missing_extracts(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("dtsen_batang_202611.csv", "pkh_tahap4_2026.xlsx", "pln_pelanggan_202611.csv"):
        (raw / name).write_text("x", encoding="utf-8")

    config = load_run_config(write_demo_run_config(tmp_path))

    assert [s.kind for s in config.sources] == ["register", "pkh", "pln"]
    assert config.raw_dir == raw


@pytest.mark.parametrize("blocker", ["out", "out/marts"])
def test_marts_dir_blocked_by_file(tmp_path, blocker):
    # A file is where the marts folder or its parent should be.
    if blocker == "out/marts":
        (tmp_path / "out").mkdir()
    (tmp_path / blocker).write_text("not a folder", encoding="utf-8")
    path = _write(tmp_path, """
[run]
name = "t"
region_code = "3325"
rules = "rules.toml"
raw_dir = "raw"
marts_dir = "out/marts"

[[sources]]
kind = "register"
path = "dtsen.csv"
""")

    with pytest.raises(ConfigError) as raised:
        load_run_config(path)

    assert f"{tmp_path / blocker} is a file, not a folder" in str(raised.value)


def test_shipped_rules_config_loads():
    # The rule tests read tests/data/rules.toml, so this test checks that the shipped file passes
    # validation.
    config = load_rules_config(REPO / "config" / "rules.toml")

    assert config["version"]
    assert config["wage"]["umk_idr"] > 0


@pytest.mark.parametrize(
    ("line", "replacement", "message"),
    [
        ("umk_idr = 2550000", 'umk_idr = "abc"', "[wage] umk_idr = 'abc' is not a whole number"),
        ("PKH = 4", 'PKH = "empat"', "[desil_threshold] PKH = 'empat' is not a whole number"),
        ("PKH = 4", "PKH = 4.5", "[desil_threshold] PKH = 4.5 is not a whole number"),
        ("name_mismatch_similarity = 0.80", "name_mismatch_similarity = true",
         "[linking] name_mismatch_similarity = true is not a number"),
        ("PKH = 4", "PKH = 14", "[desil_threshold] PKH = 14 is not a desil"),
        ("PKH = 4", "PKH = 0", "[desil_threshold] PKH = 0 is not a desil"),
        ("BPNT = 200000", "BPNT = -200000",
         "[benefit_idr_per_month] BPNT = -200000 is negative"),
    ],
)
def test_rules_config_rejects_bad_values(tmp_path, line, replacement, message):
    text = FROZEN_RULES.read_text(encoding="utf-8")
    assert line in text
    path = tmp_path / "rules.toml"
    path.write_text(text.replace(line, replacement, 1), encoding="utf-8")

    with pytest.raises(ConfigError) as raised:
        load_rules_config(path)

    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)


def test_missing_key_names_rules_file(tmp_path):
    text = FROZEN_RULES.read_text(encoding="utf-8")
    assert "umk_idr = 2550000\n" in text
    path = tmp_path / "kabupaten_rules.toml"
    path.write_text(text.replace("umk_idr = 2550000\n", "", 1), encoding="utf-8")

    with pytest.raises(ConfigError) as raised:
        load_rules_config(path)

    message = str(raised.value)
    assert message.startswith(f"{path}: Rules config is missing [wage] umk_idr.")
    assert "config/rules.toml" not in message
