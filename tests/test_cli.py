"""The command line speaks Indonesian by default, typer's own help and errors included."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipelines import cli
from pipelines.i18n import set_language
from pipelines.settings import Paths
from pipelines.truth_manifest import write_manifest

RULES = Path(__file__).resolve().parent.parent / "config" / "rules.toml"


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    # Rich wraps panels at the terminal width, so a wide terminal keeps each message on one line.
    monkeypatch.setenv("COLUMNS", "200")
    yield
    set_language("id")


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(list(args))
        raise SystemExit(0)
    captured = capsys.readouterr()
    return exit_info.value.code or 0, captured.out, captured.err


def test_help_screen_is_indonesian(capsys):
    code, out, _err = run_cli(capsys, "--help")

    assert code == 0
    assert "Cara pakai: bansos-audit" in out
    assert "Opsi" in out
    assert "Perintah" in out
    assert "Tampilkan bantuan ini lalu keluar." in out
    assert "Show this message" not in out


def test_help_screen_in_english(capsys):
    code, out, _err = run_cli(capsys, "--lang", "en", "cek", "--help")

    assert code == 0
    assert "Usage: bansos-audit cek" in out
    assert "Arguments" in out
    assert "Options" in out
    assert "Show this message and exit." in out


def test_birth_date_help_english_months(capsys):
    code, out, _err = run_cli(capsys, "--lang", "en", "cek", "--help")

    assert code == 0
    assert "Birth date, e.g. 07-05-1985 or 7 May 1985." in out
    assert "Mei" not in out


def test_birth_date_help_indonesian_months(capsys):
    code, out, _err = run_cli(capsys, "cek", "--help")

    assert code == 0
    assert "Tanggal lahir, misalnya 07-05-1985 atau 7 Mei 1985." in out


def test_help_defaults_in_indonesian(capsys):
    code, out, _err = run_cli(capsys, "generate", "--help")

    assert code == 0
    assert "[bawaan: demo]" in out


@pytest.mark.parametrize(
    ("args", "indonesian", "english"),
    [
        (["run"], "Opsi '--config' belum diisi.", "Missing option '--config'."),
        (["cek", "--bogus"], "Opsi --bogus tidak ada.", "No such option: --bogus."),
        (["evaluat"], "Perintah 'evaluat' tidak ada. Maksudnya 'evaluate'?",
         "No such command 'evaluat'. Did you mean 'evaluate'?"),
        (["generate", "--persons", "abc"],
         "Nilai '--persons' tidak sah: isi dengan bilangan bulat",
         "Invalid value for '--persons': give a whole number"),
        (["cek", "1", "2", "3"], "Ada argumen lebih yang tidak dikenal: 2 3.",
         "Unexpected extra arguments: 2 3."),
        (["cek", "--nama"], "Opsi '--nama' memerlukan nilai.", "Option '--nama' needs a value."),
    ],
)
def test_usage_errors_both_languages(capsys, args, indonesian, english):
    code, _out, err = run_cli(capsys, *args)
    assert code == 2
    assert indonesian in err
    assert "Kesalahan" in err

    code, _out, err = run_cli(capsys, "--lang", "en", *args)
    assert code == 2
    assert english in err


def test_pipeline_error_exits_one(capsys, tmp_path):
    code, _out, err = run_cli(capsys, "cek", "--marts", str(tmp_path), "3325010101900001")

    assert code == 1
    assert "Belum ada hasil audit" in err


@pytest.mark.parametrize(
    ("nik", "indonesian", "english"),
    [
        ("3325 0101 9000", "NIK terdiri dari 16 digit", "a NIK has 16 digits"),
        ("3325010101900001x", "NIK terdiri dari 16 digit", "a NIK has 16 digits"),
        ("3325O14509950001", "karakter ke-5 adalah huruf O, bukan angka 0",
         "character 5 is the letter O, not the digit 0"),
        ("3325 0145 099S 0001", "karakter ke-12 adalah huruf S, bukan angka 5",
         "character 12 is the letter S, not the digit 5"),
        ("332501450995000X", "karakter ke-16 adalah huruf X, bukan angka.",
         "character 16 is the letter X, not a digit."),
        ("3325014509950,01", "karakter ke-14 adalah ',', bukan angka.",
         "character 14 is ',', not a digit."),
        ("3325014509950\u00b201", "karakter ke-14 adalah '\u00b2', bukan angka.",
         "character 14 is '\u00b2', not a digit."),
        ("9999999999999999", "hanya satu angka yang diulang", "it repeats one digit"),
        ("0000.0000.0000.0000", "hanya satu angka yang diulang", "it repeats one digit"),
    ],
)
def test_cek_names_what_is_wrong_with_the_nik(capsys, tmp_path, nik, indonesian, english):
    # The NIK is checked before the database is opened, so an empty file is enough here.
    (tmp_path / "audit.duckdb").touch()

    code, _out, err = run_cli(capsys, "cek", "--marts", str(tmp_path), nik)
    assert code == 1
    assert indonesian in err

    code, _out, err = run_cli(capsys, "--lang", "en", "cek", "--marts", str(tmp_path), nik)
    assert code == 1
    assert english in err


@pytest.mark.parametrize("details", [[], ["--nama", "Aminah"],
                                     ["--nama", "Aminah", "--tgl-lahir", "08-11-1993"]])
def test_cek_invalid_nik_without_details_stops(capsys, tmp_path, details):
    (tmp_path / "audit.duckdb").touch()

    code, out, err = run_cli(capsys, "cek", "--marts", str(tmp_path), "33251248119300O1",
                             *details)

    assert code == 1
    assert "karakter ke-15 adalah huruf O, bukan angka 0" in err
    assert out == ""


@pytest.mark.parametrize("text", [None, "[run\nname = 'x'\n"], ids=["missing", "invalid"])
def test_config_error_stops_before_prefect(capsys, monkeypatch, tmp_path, text):
    def start_prefect(home=None):
        raise AssertionError("Prefect was started for an invalid run configuration")

    monkeypatch.setattr(cli, "apply_prefect_defaults", start_prefect)
    config = tmp_path / "run.toml"
    if text is not None:
        config.write_text(text, encoding="utf-8")

    code, _out, err = run_cli(capsys, "--lang", "en", "run", "--config", str(config))

    assert code == 1
    assert f"Run configuration {config}" in err
    assert "Still processing" not in err


def test_rules_config_error_stops_before_prefect(capsys, monkeypatch, tmp_path):
    def start_prefect(home=None):
        raise AssertionError("Prefect was started for an invalid rules configuration")

    monkeypatch.setattr(cli, "apply_prefect_defaults", start_prefect)
    (tmp_path / "raw").mkdir()
    (tmp_path / "rules.toml").write_text("period = 'x'\n", encoding="utf-8")
    config = tmp_path / "run.toml"
    config.write_text(
        "[run]\nname = 'x'\nregion_code = '3325'\nrules = 'rules.toml'\nraw_dir = 'raw'\n"
        "marts_dir = 'marts'\n[[sources]]\nkind = 'pkh'\npath = 'pkh.csv'\n",
        encoding="utf-8",
    )

    code, _out, err = run_cli(capsys, "run", "--config", str(config))

    assert code == 1
    assert "tidak memiliki `version`" in err


def test_missing_source_file_stops_before_prefect(capsys, monkeypatch, tmp_path):
    def start_prefect(home=None):
        raise AssertionError("Prefect was started for a source without a file")

    monkeypatch.setattr(cli, "apply_prefect_defaults", start_prefect)
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "pkh.csv").write_text("NIK;NAMA\n", encoding="utf-8")
    shutil.copy(RULES, tmp_path / "rules.toml")
    config = tmp_path / "run.toml"
    config.write_text(
        "[run]\nname = 'x'\nregion_code = '3325'\nrules = 'rules.toml'\nraw_dir = 'raw'\n"
        "marts_dir = 'marts'\n[[sources]]\nkind = 'pkh'\npath = 'pkh.csv'\n"
        "[[sources]]\nkind = 'deaths'\npath = 'kematian_*.xlsx'\n",
        encoding="utf-8",
    )

    code, _out, err = run_cli(capsys, "run", "--config", str(config))

    assert code == 1
    assert "Tidak ada berkas yang cocok dengan kematian_*.xlsx" in err
    assert not (tmp_path / "work").exists()


def test_run_takes_config_as_argument(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "apply_prefect_defaults", lambda home=None: None)
    config = tmp_path / "run.toml"

    code, _out, err = run_cli(capsys, "--lang", "en", "run", str(config))

    assert code == 1
    assert f"Run configuration {config}" in err


def test_run_takes_one_config_written_twice(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "apply_prefect_defaults", lambda home=None: None)
    monkeypatch.chdir(tmp_path)

    code, _out, err = run_cli(capsys, "--lang", "en", "run", "run.toml", "--config",
                              str(tmp_path / "run.toml"))

    assert code == 1
    assert "Run configuration" in err
    assert "once" not in err


def test_run_rejects_two_configs(capsys, tmp_path):
    code, _out, err = run_cli(capsys, "run", "a.toml", "--config", "b.toml")

    assert code == 1
    assert "Sebutkan konfigurasi run sekali saja: a.toml atau b.toml." in err


def test_subcommand_error_without_traceback(capsys):
    code, _out, err = run_cli(capsys, "generate", "--size", "huge")

    assert code == 1
    assert "Kesalahan" in err
    assert "huge" in err
    assert "Traceback" not in err


def test_language_code_any_case(capsys):
    code, out, _err = run_cli(capsys, "--lang", "EN", "--help")

    assert code == 0
    assert "Show this message and exit." in out


def test_unknown_language_rejected_first(capsys):
    code, out, err = run_cli(capsys, "--lang", "fr", "--help")

    assert code == 2
    assert out == ""
    assert "fr" in err


COMMANDS = ([], ["generate"], ["demo"], ["run"], ["evaluate"], ["review"], ["cek"])


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0] if c else "main")
def test_help_flag_shows_no_type(capsys, language, command):
    code, out, _err = run_cli(capsys, "--lang", language, *command, "--help")

    assert code == 0
    help_line = next(line for line in out.splitlines() if "--help" in line)
    assert "<bool>" not in help_line
    assert "<" not in help_line


def test_usage_placeholders_in_indonesian(capsys):
    code, out, _err = run_cli(capsys, "--help")

    assert code == 0
    assert "Cara pakai: bansos-audit [OPSI] PERINTAH [ARGUMEN]..." in out


def test_usage_placeholders_in_english(capsys):
    code, out, _err = run_cli(capsys, "--lang", "en", "cek", "--help")

    assert code == 0
    assert "Usage: bansos-audit cek [OPTIONS] [nik]" in out


@pytest.mark.parametrize(
    ("language", "message"),
    [("id", "Ukuran 'huge' tidak dikenal; gunakan salah satu dari tiny, demo, batang."),
     ("en", "Unknown size 'huge'; use one of tiny, demo, batang.")],
)
def test_demo_rejects_size_before_generating(capsys, language, message):
    code, out, err = run_cli(capsys, "--lang", language, "demo", "--size", "huge")

    assert code == 1
    assert out == ""
    assert message in err
    assert "--persons" not in err


def test_demo_refuses_foreign_raw_files(capsys, monkeypatch, tmp_path):
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "dtsen_batang_202611.csv").write_text("NIK;NAMA\n", encoding="utf-8")
    (raw / "pkh_tahap4_2026.xlsx").write_bytes(b"real export")
    (raw / ".gitkeep").write_bytes(b"")
    (raw / "pkh_kabupaten_asli.xlsx").write_bytes(b"")
    # The demo wrote dtsen_batang_202611.csv as it is now, and another pkh_tahap4_2026.xlsx.
    truth = tmp_path / "data" / "truth"
    truth.mkdir()
    write_manifest(truth, [raw / "dtsen_batang_202611.csv"])
    monkeypatch.setattr(cli, "Paths", lambda: Paths(root=tmp_path))

    code, _out, err = run_cli(capsys, "--lang", "en", "demo", "--size", "tiny")

    assert code == 1
    assert ("contains files that the demo did not write, or that changed since it wrote them: "
            "pkh_kabupaten_asli.xlsx, pkh_tahap4_2026.xlsx.") in err
    assert (raw / "pkh_tahap4_2026.xlsx").read_bytes() == b"real export"


@pytest.mark.parametrize(
    ("language", "description"),
    [("id", "Bahasa pesan: id atau en."), ("en", "Language of messages: id or en.")],
)
@pytest.mark.parametrize("command", COMMANDS[1:], ids=lambda c: c[0])
def test_command_help_lists_lang(capsys, command, language, description):
    code, out, _err = run_cli(capsys, "--lang", language, *command, "--help")

    assert code == 0
    lang_line = next((line for line in out.splitlines() if "--lang" in line), None)
    assert lang_line is not None
    assert description in lang_line


def test_command_after_lang_option_runs(capsys, tmp_path):
    code, _out, err = run_cli(capsys, "evaluate", "--lang", "en", "--marts", str(tmp_path))

    assert code == 1
    assert "No audit results in" in err


@pytest.mark.parametrize(
    ("language", "warning"),
    [("id", "Berkas demo di data/raw dan data/truth ditimpa, dan hasil di data/marts diganti."),
     ("en", "The demo files in data/raw and data/truth are overwritten, and the results in "
            "data/marts are replaced.")],
)
def test_demo_help_says_it_overwrites(capsys, language, warning):
    code, out, _err = run_cli(capsys, "--lang", language, "demo", "--help")

    assert code == 0
    assert warning in " ".join(line.strip(" │") for line in out.splitlines())


@pytest.mark.parametrize(
    ("language", "seconds"),
    [("id", "(12,3 detik)"), ("en", "(12.3 s)")],
)
def test_generate_seconds_use_decimal_mark(capsys, tmp_path, monkeypatch, language, seconds):
    summary = SimpleNamespace(rows={"a.csv": 1, "b.csv": 2}, seconds=12.34)
    monkeypatch.setattr("pipelines.synth.generate", lambda *args, **kwargs: summary)

    code, out, _err = run_cli(
        capsys, "--lang", language, "generate", "--out", str(tmp_path / "raw"),
        "--truth", str(tmp_path / "truth"),
    )

    assert code == 0
    assert seconds in out
