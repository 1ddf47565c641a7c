"""Strict checks of the rules configuration: unknown keys, wrong types, ranges and the period."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
from test_cli import run_cli
from test_rules_builders import FROZEN_RULES, rules_config

from pipelines import cli
from pipelines.errors import ConfigError
from pipelines.i18n import set_language
from pipelines.rules.params import parse_params
from pipelines.runconfig import load_rules_config

REPO = Path(__file__).resolve().parents[1]


def _write_edited(tmp_path: Path, line: str, replacement: str) -> Path:
    """Write FROZEN_RULES with `line` replaced to tmp_path/rules.toml; return its path."""
    text = FROZEN_RULES.read_text(encoding="utf-8")
    assert line in text
    path = tmp_path / "rules.toml"
    path.write_text(text.replace(line, replacement, 1), encoding="utf-8")
    return path


def _load_edited(tmp_path: Path, line: str, replacement: str) -> str:
    """Load FROZEN_RULES with `line` replaced; return the ConfigError message."""
    path = _write_edited(tmp_path, line, replacement)
    with pytest.raises(ConfigError) as raised:
        load_rules_config(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    return message


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("line", "replacement", "expected"),
    [
        # Roster rows are matched to the period by label: a label that no roster carries would
        # audit no recipient at all.
        ('label = "2026-T4"', 'label = "T4/2026"',
         "[period] label = 'T4/2026' is not a period like \"2026-T4\""),
        ('label = "2026-T4"', 'label = "2026-T004"', 'label = "2026-T4" for start_date 2026-10-01'),
        ('label = "2026-T4"', 'label = "2026-Q4"', "[period] label = '2026-Q4' is not a period"),
        ('label = "2026-T4"', 'label = "2026-T5"', "[period] label = '2026-T5' is not a period"),
        ('label = "2026-T4"', "label = 4", "[period] label = 4 is not a text"),
        ('label = "2026-T4"', 'label = "2026-T3"',
         "[period] label = '2026-T3' does not match start_date 2026-10-01 and end_date "
         "2026-12-31, because tahap 3 of 2026 runs from 2026-07-01 to 2026-09-30. "
         'Write label = "2026-T4"'),
        ('label = "2026-T4"', 'label = "2025-T4"', "label = '2025-T4' does not match"),
        ('end_date = "2026-12-31"', 'end_date = "2027-01-31"',
         "start_date 2026-10-01 and end_date 2027-01-31 lie in different tahap"),
    ],
)
def test_period_label_checked(tmp_path, line, replacement, expected):
    assert expected in _load_edited(tmp_path, line, replacement)


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("2027-T1", "2027-01-01", "2027-03-31"),
        ("2027-T2", "2027-04-01", "2027-06-30"),
        ("2027-T3", "2027-07-01", "2027-09-30"),
        ("2026-T4", "2026-10-01", "2026-12-31"),
        # Part of a tahap is still that tahap.
        ("2026-T4", "2026-11-01", "2026-11-30"),
    ],
)
def test_period_label_of_each_tahap(label, start, end):
    config = copy.deepcopy(rules_config())
    config["period"] = {"start_date": start, "end_date": end, "label": label}

    assert parse_params(config).period_label == label


# Roster cells write the tahap in these forms too, and staging reads them as 2026-T4.
@pytest.mark.parametrize("label", ["2026-t4", "2026-T04", " 2026-T4 "])
def test_period_label_written_as_roster_cells_accepted(label):
    config = copy.deepcopy(rules_config())
    config["period"]["label"] = label

    assert parse_params(config).period_label == "2026-T4"


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("line", "replacement", "expected"),
    [
        # Every [pkh] key is a column name in the SQL of __rules_params, so a hyphen must not
        # reach it.
        ("pengurus_min_age = 17", "pengurus_min_age = 17\nbad-key = 3",
         "[pkh] bad-key = 3 is not a known key. Remove it, or use one of elderly_min_age"),
        ("pengurus_min_age = 17", "pengurus_min_age = 17\nfoo = 3", "[pkh] foo = 3 is not a known"),
        ("umk_idr = 2550000", "umk_idr = 2550000\numk_idr_2027 = 3000000",
         "[wage] umk_idr_2027 = 3000000 is not a known key. Did you mean [wage] umk_idr?"),
        ("[stale]", "[proxy]\nmin_power_VA = 450\n\n[stale]",
         "[proxy] min_power_VA = 450 is not a known key. Did you mean [proxy] min_power_va?"),
        ("PKH = 4", "pkh = 4", "[desil_threshold] pkh = 4 is not a known key. Did you mean "
         "[desil_threshold] PKH?"),
        ('label = "2026-T4"', 'label = "2026-T4"\nreference_date = "2026-12-31"',
         "[period] reference_date = '2026-12-31' is not a known key. Did you mean [complaints] "
         "reference_date?"),
        ("[stale]", "[stales]\nmax_record_age_days = 30\n\n[stale]",
         "section [stales] is not a known section. Did you mean [stale]?"),
        ("[stale]", "[proxies]\nmin_power_va = 450\n\n[stale]",
         "section [proxies] is not a known section. Remove it, or use one of [period]"),
        ('version = "2026.12-1"', 'version = "2026.12-1"\nversoin = "2026.12-2"',
         "versoin = '2026.12-2' is not a known key. Did you mean version?"),
    ],
)
def test_unknown_key_or_section_rejected(tmp_path, line, replacement, expected):
    assert expected in _load_edited(tmp_path, line, replacement)


@pytest.mark.usefixtures("english")
def test_section_written_as_value_rejected():
    config = copy.deepcopy(rules_config())
    config["stale"] = 3

    with pytest.raises(ConfigError, match=r"stale = 3 is not a section. Write a line \[stale\]"):
        parse_params(config)


def test_unknown_pkh_key_rejected_without_loader():
    # apply_rules checks a configuration given as a dict too, before any key becomes SQL.
    config = copy.deepcopy(rules_config())
    config["pkh"]["bad-key"] = 3

    with pytest.raises(ConfigError, match=r"\[pkh\] bad-key = 3"):
        parse_params(config)


def test_optional_keys_accepted(tmp_path):
    # Every optional key of docs/rules.md, set to a valid value.
    text = FROZEN_RULES.read_text(encoding="utf-8")
    text = text.replace(
        "field_check_response_days = 60\n",
        'field_check_response_days = 60\nreference_date = "2026-12-20"\n'
        'closed_statuses = ["SELESAI"]\n',
    )
    text += (
        '\n[exclusion]\nbusiness_categories = ["AHU"]\ninclude_missing_pkh_candidates = false\n'
        "\n[proxy]\nmin_power_va = 900\n\n[age]\nkk_head_min_age = 16\nmax_age = 105\n"
    )
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")

    params = parse_params(load_rules_config(path))

    assert params.complaints_reference_date == dt.date(2026, 12, 20)
    assert params.values["closed_complaint_statuses"] == ["SELESAI"]
    assert params.values["include_missing_pkh_candidates"] is False
    assert params.values["proxy_min_power_va"] == 900
    assert params.values["kk_head_min_age"] == 16
    assert params.values["max_age"] == 105
    assert params.business_categories == ("AHU",)


def test_shipped_rules_keep_commented_reference_date():
    text = (REPO / "config" / "rules.toml").read_text(encoding="utf-8")

    assert '# reference_date = "2026-12-31"' in text
    assert load_rules_config(REPO / "config" / "rules.toml")["version"]


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("line", "replacement", "expected"),
    [
        ("PKH = 4", 'PKH = "4"',
         "[desil_threshold] PKH = '4' is a number in quotes, which TOML reads as text. Write it "
         "without quotes: PKH = 4."),
        ("PKH = 4", 'PKH = "Rp 250.000"', "PKH = 'Rp 250.000' is not a whole number"),
        ("name_mismatch_similarity = 0.80", 'name_mismatch_similarity = "0.8"',
         "name_mismatch_similarity = '0.8' is a number in quotes"),
        ("field_check_response_days = 60",
         'field_check_response_days = 60\nclosed_statuses = "SELESAI"',
         "[complaints] closed_statuses = 'SELESAI' is not a list of texts. Write the texts in "
         'brackets, for example closed_statuses = ["SELESAI"].'),
        ("field_check_response_days = 60",
         'field_check_response_days = 60\nclosed_statuses = ["SELESAI", 3]',
         "closed_statuses = ['SELESAI', 3] is not a list of texts"),
        ("[stale]", '[exclusion]\ninclude_missing_pkh_candidates = "false"\n\n[stale]',
         "[exclusion] include_missing_pkh_candidates = 'false' is not true or false. Write "
         "include_missing_pkh_candidates = true or include_missing_pkh_candidates = false"),
        ("[stale]", '[exclusion]\nbusiness_categories = "AHU"\n\n[stale]',
         "[exclusion] business_categories = 'AHU' is not a list of texts"),
        ('version = "2026.12-1"', 'version = ""',
         "version = '' is not a version. Write a non-empty text in quotes"),
        ('version = "2026.12-1"', "version = 2026",
         "version = 2026 is not a version"),
        # TOML reads 250.000 as 250.0, which would make every rupiah figure 1000 times smaller.
        ("PKH = 250000", "PKH = 250.000",
         "[benefit_idr_per_month] PKH = 250.0 has a decimal point, but the key takes whole "
         "rupiah. A dot in a TOML number marks decimals, not thousands: for Rp 250,000, write "
         "PKH = 250000 or PKH = 250_000."),
        ("PBI = 42000", "PBI = 42.000", "for Rp 42,000, write PBI = 42000 or PBI = 42_000."),
        # An amount with real decimals was not typed with a thousands dot.
        ("umk_idr = 2550000", "umk_idr = 2550000.5",
         "[wage] umk_idr = 2550000.5 is not a whole number. Write it without a decimal point."),
        ("PKH = 4", "PKH = 4.0",
         "[desil_threshold] PKH = 4.0 is not a whole number. Write it without a decimal point."),
        ("pengurus_min_age = 17", "pengurus_min_age = 17.5",
         "pengurus_min_age = 17.5 is not a whole number. Write it without a decimal point."),
    ],
)
def test_wrong_type_rejected(tmp_path, line, replacement, expected):
    assert expected in _load_edited(tmp_path, line, replacement)


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("line", "replacement", "expected"),
    [
        ("name_mismatch_similarity = 0.80", "name_mismatch_similarity = 5",
         "[linking] name_mismatch_similarity = 5 is out of range. Write a value from 0 to 1."),
        ("umk_idr = 2550000", "umk_idr = -5",
         "[wage] umk_idr = -5 is out of range. Write 1 or more."),
        ("elderly_min_age = 60", "elderly_min_age = -1",
         "[pkh] elderly_min_age = -1 is out of range. Write a value from 0 to 120."),
        ("pengurus_min_age = 17", "pengurus_min_age = 170", "pengurus_min_age = 170 is out"),
        ("max_components = 4", "max_components = 0", "max_components = 0 is out of range"),
        ("max_pregnancies = 2", "max_pregnancies = -1", "max_pregnancies = -1 is out of range"),
        ("max_record_age_days = 365", "max_record_age_days = 0",
         "[stale] max_record_age_days = 0 is out of range. Write 1 or more."),
        ("sanggahan_response_days = 14", "sanggahan_response_days = -14",
         "sanggahan_response_days = -14 is out of range"),
        ("school_min_age = 6", "school_min_age = 30",
         "[pkh] school_min_age = 30 is above school_max_age = 21. Write a school_min_age of at "
         "most 21, or raise school_max_age."),
        ("[stale]", "[age]\nkk_head_min_age = 120\n\n[stale]",
         "[age] kk_head_min_age = 120 is above max_age = 110"),
        ("[stale]", "[proxy]\nmin_power_va = -450\n\n[stale]", "min_power_va = -450 is out"),
        ("match_threshold = 0.92", "match_threshold = 1.5",
         "[linking] match_threshold = 1.5 is out of range. Write a value from 0 to 1."),
        ("possible_threshold = 0.50", "possible_threshold = 0.95",
         "[linking] possible_threshold = 0.95 is above match_threshold = 0.92"),
    ],
)
def test_out_of_range_rejected(tmp_path, line, replacement, expected):
    assert expected in _load_edited(tmp_path, line, replacement)


@pytest.mark.usefixtures("english")
def test_linking_thresholds_required_at_load(tmp_path):
    message = _load_edited(tmp_path, "match_threshold = 0.92\n", "")

    assert "Rules config is missing [linking] match_threshold." in message


@pytest.mark.usefixtures("english")
def test_every_problem_names_rules_file(tmp_path):
    message = _load_edited(tmp_path, "umk_idr = 2550000", "umk_idr = -5\numk_idr_2027 = 1\n")
    prefix = f"{tmp_path / 'rules.toml'}: Rules config [wage] "
    lines = message.splitlines()

    assert len(lines) == 2
    assert lines[0].startswith(prefix + "umk_idr = -5 ")
    assert lines[1].startswith(prefix + "umk_idr_2027 = 1 ")


def test_problem_in_indonesian_by_default(tmp_path):
    message = _load_edited(tmp_path, 'label = "2026-T4"', 'label = "T4/2026"')

    assert "Konfigurasi aturan [period] label = 'T4/2026' bukan periode" in message
    assert 'label = "2026-T4"' in message


@pytest.fixture
def indonesian_afterwards():
    """Restore the default language that `--lang en` sets for the rest of the process."""
    yield
    set_language("id")


def _run_config(tmp_path: Path, line: str, replacement: str) -> Path:
    text = FROZEN_RULES.read_text(encoding="utf-8")
    (tmp_path / "rules.toml").write_text(text.replace(line, replacement, 1), encoding="utf-8")
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "pkh.csv").write_text("NIK;NAMA\n", encoding="utf-8")
    config = tmp_path / "run.toml"
    config.write_text(
        "[run]\nname = 'x'\nregion_code = '3325'\nrules = 'rules.toml'\nraw_dir = 'raw'\n"
        "marts_dir = 'marts'\n[[sources]]\nkind = 'pkh'\npath = 'pkh.csv'\n",
        encoding="utf-8",
    )
    return config


@pytest.mark.usefixtures("indonesian_afterwards")
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ((), "Konfigurasi aturan [linking] match_threshold = 1.5 di luar rentang."),
        (("--lang", "en"), "Rules config [linking] match_threshold = 1.5 is out of range."),
    ],
)
def test_cli_stops_before_reading_sources(capsys, monkeypatch, tmp_path, language, expected):
    def start_prefect(home=None):
        raise AssertionError("Prefect was started for an invalid rules configuration")

    monkeypatch.setattr(cli, "apply_prefect_defaults", start_prefect)
    config = _run_config(tmp_path, "match_threshold = 0.92", "match_threshold = 1.5")

    code, _out, err = run_cli(capsys, *language, "run", "--config", str(config))

    assert code == 1
    assert str(tmp_path / "rules.toml") in err
    assert expected in " ".join(err.split())
    assert not (tmp_path / "work").exists()


def test_byte_order_mark_accepted(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_bytes(b"\xef\xbb\xbf" + FROZEN_RULES.read_bytes())

    assert load_rules_config(path)["version"] == "2026.12-1"


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("line", "replacement", "expected"),
    [
        ("umk_idr = 2550000", "umk_idr = 2.550.000",
         "line 51: umk_idr = 2.550.000 (Expected newline or end of document after a statement). "
         "Write numbers without thousands dots, such as 2550000 or 2_550_000."),
        ("BPNT = 5", "BPNT = 5\nPKH = 3",
         "(Cannot overwrite a value). A key or table appears twice; keep one of them."),
        ("[wage]", "[wage", "line 48: [wage (Expected ']' at the end of a table declaration). "
         "Check the quotes, brackets and the = sign on that line."),
        ("match_threshold = 0.92", "match_threshold = 0,92",
         "Write decimals with a point, such as 0.92, and numbers without thousands commas"),
        ('label = "2026-T4"', "label = T4",
         'line 12: label = T4 (Invalid value). Write text between quote marks: label = "T4".'),
        # tomllib places an open single quote at the end of the file.
        ('label = "2026-T4"', "label = '2026-T4",
         "line 12: label = '2026-T4 (Expected \"'\"). Close the text with a second quote mark"),
        ('start_date = "2026-10-01"', "start_date = 01-10-2026",
         "Write dates as year-month-day: start_date = 2026-10-01."),
        ('version = "2026.12-1"', "version = 2026.12-1",
         'Write text between quote marks: version = "2026.12-1".'),
        ("[wage]", "[wage]\numk_idr = 1\n[wage]", "(Cannot declare [wage] twice)."),
        # A comma after a number is no text to quote.
        ("PKH = 4", "PKH = 4,", "Remove the ',' after the number: PKH = 4."),
    ],
)
def test_toml_syntax_error_names_line(tmp_path, line, replacement, expected):
    path = _write_edited(tmp_path, line, replacement)

    with pytest.raises(ConfigError) as raised:
        load_rules_config(path)

    assert str(raised.value).startswith(f"Rules configuration {path} is not valid TOML: ")
    assert expected in str(raised.value)


@pytest.mark.parametrize(
    ("line", "replacement", "expected"),
    [
        ("umk_idr = 2550000", "umk_idr = 2.550.000",
         "baris 51: umk_idr = 2.550.000 (setelah nilai seharusnya baris berakhir)."),
        ("BPNT = 5", "BPNT = 5\nPKH = 3", "(nilai tidak dapat ditimpa)."),
        ("[wage]", "[wage", "baris 48: [wage (nama tabel seharusnya ditutup dengan ']')."),
        ("[wage]", "[wage]\n[wage]", "([wage] dideklarasikan dua kali)."),
        ('label = "2026-T4"', 'label = "2026-T4',
         "(karakter '\\n' tidak diizinkan). Tutup teks dengan tanda kutip kedua di baris yang "
         "sama."),
        ('label = "2026-T4"', "label = 2026-T4",
         "(setelah nilai seharusnya baris berakhir). Tulis teks di antara tanda kutip: "
         'label = "2026-T4".'),
        ('label = "2026-T4"', "label = T4", "baris 12: label = T4 (Nilai tidak valid). Tulis teks "
         'di antara tanda kutip: label = "T4".'),
    ],
)
def test_toml_syntax_error_in_indonesian(tmp_path, line, replacement, expected):
    path = _write_edited(tmp_path, line, replacement)
    set_language("id")

    with pytest.raises(ConfigError) as raised:
        load_rules_config(path)

    assert str(raised.value).startswith(f"Konfigurasi aturan {path} bukan TOML yang valid: ")
    assert expected in str(raised.value)


@pytest.mark.usefixtures("english")
def test_misspelt_key_listed_before_missing(tmp_path):
    message = _load_edited(tmp_path, "elderly_min_age = 60", "elderly_min_ag = 60")
    problems = message.split("\n")

    assert "elderly_min_ag" in problems[0]
    assert problems[1].endswith(
        "Rules config is missing [pkh] elderly_min_age. Add it to this rules file."
    )


@pytest.mark.usefixtures("english")
def test_end_before_start_says_fix(tmp_path):
    message = _load_edited(tmp_path, 'end_date = "2026-12-31"', 'end_date = "2026-09-30"')

    assert message.endswith(
        "end_date 2026-09-30 is before start_date 2026-10-01. Write the first day of the period "
        "as start_date and its last day as end_date."
    )
