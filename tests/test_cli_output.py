"""CLI tables written to a pipe or file: every NIK, No KK, number and rule code stays whole."""

from __future__ import annotations

import io
import logging
import os
from types import SimpleNamespace

import pytest
from rich.console import Console
from test_desk_lookup import audit_db  # noqa: F401 (a fixture)
from test_evaluate import (
    DECEASED_RICH,
    REGISTER_LINES,
    make_run,
    make_truth,
    record_run,
    write_inputs,
)
from test_publish_handmade_marts import ANAK, BUDI, KK_1, RUN_ID, SITI

from pipelines import cli, cli_framework
from pipelines.i18n import set_language
from pipelines.rules.registry import RULES
from pipelines.truth_manifest import write_manifest


@pytest.fixture(autouse=True)
def redirected(monkeypatch):
    # capsys is not a terminal, so rich falls back to 80 columns unless COLUMNS sets a width.
    monkeypatch.delenv("COLUMNS", raising=False)
    yield
    set_language("id")


def run_cli(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(list(args))
        raise SystemExit(0)
    assert (exit_info.value.code or 0) == 0
    return capsys.readouterr().out


def row_cells(out: str, first_cell: str) -> list[str]:
    """Return the cells of the table row that starts with `first_cell`, each cell's wrapped
    lines joined by a space."""
    lines = [line.strip() for line in out.splitlines()]
    for number, line in enumerate(lines):
        cells = [cell.strip() for cell in line.strip("│").split("│")]
        if line.startswith("│") and cells[0] == first_cell:
            break
    else:
        raise AssertionError(f"no table row starts with {first_cell}")
    for line in lines[number + 1:]:
        more = [cell.strip() for cell in line.strip("│").split("│")]
        if not line.startswith("│") or more[0] or len(more) != len(cells):
            break
        cells = [" ".join(filter(None, pair)) for pair in zip(cells, more, strict=True)]
    return cells


def _evaluation_output(capsys, tmp_path, language: str) -> str:
    make_run(tmp_path)
    truth = make_truth(
        tmp_path, [["NOT_IN_REGISTER", "PKH", "u-stranger", "f2", "pkh.csv", "", "3", ""]]
    )
    return run_cli(capsys, "--lang", language, "evaluate", "--marts", str(tmp_path),
                   "--truth", str(truth))


@pytest.mark.parametrize("language", ["id", "en"])
def test_evaluate_redirected_keeps_rule_codes(capsys, tmp_path, language):
    out = _evaluation_output(capsys, tmp_path, language)

    assert "…" not in out
    lines = out.splitlines()
    for rule in RULES:
        row = [line for line in lines if f" {rule.code} " in line]
        assert len(row) == 1, rule.code


@pytest.mark.parametrize(("language", "score"), [("id", "1,000"), ("en", "1.000")])
def test_evaluate_redirected_row_cells(capsys, tmp_path, language, score):
    out = _evaluation_output(capsys, tmp_path, language)

    cells = row_cells(out, "NOT_IN_REGISTER")
    assert cells[:6] == ["NOT_IN_REGISTER", "1", "1", "1", score, score]


@pytest.mark.parametrize(
    ("language", "definition"),
    [("id", "Presisi adalah bagian dari Ditemukan yang Benar, dan Recall bagian dari "
            "Seharusnya yang Benar."),
     ("en", "Precision is the share of Found that is Correct, and Recall the share of "
            "Expected that is Correct.")],
)
def test_evaluate_defines_score_headers(capsys, tmp_path, language, definition):
    out = _evaluation_output(capsys, tmp_path, language)

    assert definition in " ".join(out.split())


@pytest.mark.parametrize(
    ("language", "caption"),
    [("id", "dihitung sekali, sehingga Ditemukan bisa lebih kecil"),
     ("en", "count once, so Found can be lower than the run's findings")],
)
def test_evaluate_explains_person_counts(capsys, tmp_path, language, caption):
    out = _evaluation_output(capsys, tmp_path, language)

    assert caption in " ".join(out.split())


@pytest.mark.parametrize(
    ("language", "limited"),
    [("id", "dievaluasi dengan keterbatasan"), ("en", "evaluated with a limitation")],
)
def test_evaluate_notes_limited_rule(capsys, tmp_path, language, limited):
    out = _evaluation_output(capsys, tmp_path, language)

    assert limited in row_cells(out, "PKH_NO_COMPONENT")[-1]
    assert limited not in row_cells(out, "NOT_IN_REGISTER")[-1]


@pytest.mark.parametrize(
    ("language", "score", "left_out"),
    [("id", "1,000",
      "1 temuan kunci jawaban tidak dihitung: daftar peserta PBI JKN tidak ada dalam run ini"),
     ("en", "1.000", "1 truth finding left out: PBI JKN roster not in this run")],
)
def test_evaluate_notes_left_out_roster(capsys, tmp_path, language, score, left_out):
    make_run(tmp_path)
    truth = make_truth(tmp_path, [
        ["NOT_IN_REGISTER", "PKH", "u-stranger", "f2", "pkh.csv", "", "3", ""],
        ["NOT_IN_REGISTER", "PBI", "u-head", "f1", "pbi.csv", "", "2", ""],
    ])

    out = run_cli(capsys, "--lang", language, "evaluate", "--marts", str(tmp_path),
                  "--truth", str(truth))

    cells = row_cells(out, "NOT_IN_REGISTER")
    assert cells[:6] == ["NOT_IN_REGISTER", "1", "1", "1", score, score]
    assert cells[-1] == left_out


@pytest.mark.parametrize(
    ("language", "skipped"), [("id", "tidak dievaluasi"), ("en", "not evaluated")]
)
def test_evaluate_dashes_rule_not_evaluated(capsys, tmp_path, language, skipped):
    make_run(tmp_path)
    # No death register in the run, so DECEASED_RECIPIENT did not run and found no one.
    decoy = ["alive_namesake", "DECEASED_RECIPIENT", "PKH", "u-stranger", "pkh.csv", "", "3", ""]
    truth = make_truth(tmp_path, [DECEASED_RICH], decoys=[decoy])

    out = run_cli(capsys, "--lang", language, "evaluate", "--marts", str(tmp_path),
                  "--truth", str(truth))

    cells = row_cells(out, "DECEASED_RECIPIENT")
    assert cells[:6] == ["DECEASED_RECIPIENT", "1", "-", "-", "-", "-"]
    # 0 of 1 decoys flagged would read as a rule that passed its decoy check.
    assert cells[6] == "-"
    assert cells[-1] == skipped


@pytest.mark.parametrize(
    ("language", "limited_note", "skipped_note"),
    [("id", "dievaluasi dengan keterbatasan: tanpa data kematian",
      "tidak dievaluasi: tidak ada data kematian"),
     ("en", "evaluated with a limitation: without the death register",
      "not evaluated: no death register")],
)
def test_rules_table_notes_status(capsys, tmp_path, language, limited_note, skipped_note):
    set_language(language)
    result = SimpleNamespace(
        findings_per_rule={"PKH_NO_COMPONENT": 3, "DESIL_OUT_OF_RANGE": 2},
        rules_limited={"PKH_NO_COMPONENT": limited_note + " (stg_deaths)"},
        rules_not_evaluated={"DECEASED_RECIPIENT": skipped_note + " (stg_deaths)"},
    )

    console = Console(width=200, file=io.StringIO())
    console.print(cli.rules_table(result))
    lines = console.file.getvalue().splitlines()

    limited = next(line for line in lines if " PKH_NO_COMPONENT " in line)
    skipped = next(line for line in lines if " DECEASED_RECIPIENT " in line)
    plain = next(line for line in lines if " DESIL_OUT_OF_RANGE " in line)
    assert " 3 " in limited
    assert limited_note in limited
    assert skipped_note in skipped
    assert "keterbatasan" not in plain
    assert "limitation" not in plain


@pytest.mark.parametrize("columns", [None, "60"])
def test_cek_redirected_keeps_ids(capsys, monkeypatch, audit_db, columns):  # noqa: F811
    if columns:
        monkeypatch.setenv("COLUMNS", columns)

    out = run_cli(capsys, "cek", "--marts", str(audit_db.parent), BUDI)

    assert "…" not in out
    for nik in (BUDI, SITI, ANAK, KK_1):
        assert nik in out


def test_cek_name_not_found_names_run(capsys, audit_db):  # noqa: F811
    out = run_cli(capsys, "--lang", "en", "cek", "--marts", str(audit_db.parent),
                  "--nama", "Budi Santoso", "--tgl-lahir", "13-03-1980", "--desa", "Silurah")

    assert "No person found for Budi Santoso / 13 Mar 1980 / Silurah, Wonotunggal." in out
    assert f"Searched audit run {RUN_ID} of 4 Dec 2026 20:10." in out


def test_cek_name_near_miss_lists_candidate(capsys, audit_db):  # noqa: F811
    out = run_cli(capsys, "--lang", "en", "cek", "--marts", str(audit_db.parent),
                  "--nama", "Siti Aminah", "--tgl-lahir", "07-05-1985", "--desa", "Silurah")
    # Panel borders removed, so that a sentence the panel wraps reads whole.
    text = " ".join(out.replace("│", " ").split())

    assert "Not an exact match: check the KTP." in text
    # The candidates' table sits in the not-found panel, inside its borders.
    row = next(line for line in out.splitlines() if SITI in line)
    cells = [cell.strip() for cell in row.split("│") if cell.strip()]
    assert cells == [SITI, "SITI AMINAH", "5 Jul 1985", "day and month swapped", "yes"]
    assert "Do not propose the person through SIKS-NG" in text
    assert "can propose them (usulan)" not in text


@pytest.mark.parametrize("columns", [None, "60"])
def test_cek_warnings_one_line_redirected(capsys, monkeypatch, audit_db, columns):  # noqa: F811
    if columns:
        monkeypatch.setenv("COLUMNS", columns)

    out = run_cli(capsys, "cek", "--marts", str(audit_db.parent), BUDI, "--nama", "Sainem",
                  "--tgl-lahir", "01-07-1950", "--desa", "Sodong")
    lines = out.splitlines()

    for warning in (
        "Nama tidak cocok dengan NIK ini: yang diketik Sainem, yang tercatat BUDI SANTOSO. NIK "
        "ini bisa milik orang lain, jadi periksa KTP atau KK sebelum menjawab.",
        "Tanggal lahir tidak cocok dengan NIK ini: yang diketik 1 Jul 1950, yang tercatat 12 Mar "
        "1980. Periksa KTP atau KK sebelum menjawab.",
        "Desa tidak cocok dengan NIK ini: yang diketik Sodong, yang tercatat Silurah, "
        "Wonotunggal. Periksa KTP atau KK sebelum menjawab.",
    ):
        assert warning in lines
    assert row_cells(out, BUDI)[1] == "BUDI SANTOSO"


def test_cek_warnings_wrap_on_terminal(capsys, monkeypatch, audit_db):  # noqa: F811
    terminal = Console(file=io.StringIO(), force_terminal=True, width=60, color_system=None)
    monkeypatch.setattr(cli, "console", terminal)

    run_cli(capsys, "cek", "--marts", str(audit_db.parent), BUDI, "--nama", "Sainem")
    lines = terminal.file.getvalue().splitlines()

    warning = next(line for line in lines if line.startswith("Nama tidak cocok dengan NIK ini"))
    assert len(warning) <= 60


@pytest.mark.parametrize(
    ("language", "title"),
    [("id", "Tidak ditemukan orang untuk Sainem / 2 Nov 1971 / Lebo, Gringsing; Lebo, "
            "Warungasem."),
     ("en", "No person found for Sainem / 2 Nov 1971 / Lebo, Gringsing; Lebo, Warungasem.")],
)
def test_cek_not_found_shows_parsed_date(capsys, audit_db, language, title):  # noqa: F811
    out = run_cli(capsys, "--lang", language, "cek", "--marts", str(audit_db.parent),
                  "--nama", "Sainem", "--tgl-lahir", "2/11/1971", "--desa", "Lebo")

    assert title in " ".join(out.split())
    assert "2/11/1971" not in out


def test_cek_nik_warns_typed_identity_differs(capsys, audit_db):  # noqa: F811
    out = run_cli(capsys, "cek", "--marts", str(audit_db.parent), BUDI, "--nama", "Sainem",
                  "--tgl-lahir", "01-07-1950", "--desa", "Sodong")
    text = " ".join(out.split())

    assert "Nama tidak cocok dengan NIK ini: yang diketik Sainem" in text
    assert "Tanggal lahir tidak cocok dengan NIK ini: yang diketik 1 Jul 1950" in text
    assert "Desa tidak cocok dengan NIK ini: yang diketik Sodong" in text


@pytest.mark.parametrize(
    ("language", "warning", "title"),
    [("id", "Peringatan: NIK 33250112O3800002 tidak valid: karakter ke-9 adalah huruf O, bukan "
            "angka 0.", "Cek data: Budi Santoso / 12 Mar 1980 /"),
     ("en", "Warning: NIK 33250112O3800002 is invalid: character 9 is the letter O, not the "
            "digit 0.", "Desk lookup: Budi Santoso / 12 Mar 1980 /")],
)
def test_cek_invalid_nik_searches_details(capsys, audit_db, language, warning,  # noqa: F811
                                          title):
    out = run_cli(capsys, "--lang", language, "cek", "--marts", str(audit_db.parent),
                  "33250112O3800002", "--nama", "Budi Santoso", "--tgl-lahir", "12-03-1980",
                  "--desa", "Silurah")
    text = " ".join(out.split())

    assert warning in text
    assert title in text
    assert row_cells(out, BUDI)[1] == "BUDI SANTOSO"


@pytest.mark.parametrize(
    ("language", "message"),
    [("id", "Tanggal lahir '99-99-9999' bukan tanggal."),
     ("en", "Birth date '99-99-9999' is not a date.")],
)
def test_cek_nik_rejects_invalid_birth_date(capsys, audit_db, language, message):  # noqa: F811
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--lang", language, "cek", "--marts", str(audit_db.parent), BUDI,
                  "--tgl-lahir", "99-99-9999"])
    captured = capsys.readouterr()

    assert exit_info.value.code == 1
    assert message in " ".join(captured.err.split())
    assert BUDI not in captured.out


def test_evaluate_narrow_terminal_keeps_rule_codes(capsys, tmp_path, monkeypatch):
    terminal = Console(file=io.StringIO(), force_terminal=True, width=50, color_system=None)
    monkeypatch.setattr(cli, "console", terminal)

    _evaluation_output(capsys, tmp_path, "id")

    out = terminal.file.getvalue()
    assert "…" not in out
    for rule in RULES:
        assert f" {rule.code} " in out


# A run without possible matches and without a filled review workbook.
NO_REVIEW = {
    "review_workbook": None,
    "review_pairs": 0,
    "review_decisions_imported": 0,
    "review_decisions_stored": 0,
    "review_decisions_applied": 0,
}


@pytest.mark.parametrize(
    ("language", "caption"),
    [("id", "Validasi berjalan bersamaan"), ("en", "Validation runs while persons are linked")],
)
def test_stage_table_explains_overlap(capsys, tmp_path, language, caption):
    result = SimpleNamespace(
        file_counts=[], findings_per_rule={}, rules_not_evaluated={}, rules_limited={},
        marts_dir=tmp_path,
        stage_seconds={"ingest": 9.5, "staging": 8.6, "validate": 14.1, "link": 35.1},
        **NO_REVIEW,
    )
    set_language(language)

    cli.print_run_summary(result)

    assert caption in " ".join(capsys.readouterr().out.split())


def _file_count(name: str, read: int, loaded: int, quarantined: int, joined: int = 0):
    from pipelines.ingest.load import FileCount

    return FileCount("asn", name, "", 1, read, loaded, quarantined, joined)


@pytest.mark.parametrize(
    ("language", "header", "caption"),
    [("id", "Baris teks tergabung", "Dibaca ditambah baris teks tergabung sama dengan jumlah "
      "baris teks data di berkas"),
     ("en", "Joined lines", "Read plus joined lines is the number of data lines in the file")],
)
def test_file_table_shows_joined_lines(capsys, tmp_path, language, header, caption):
    result = SimpleNamespace(
        file_counts=[_file_count("asn.csv", 21, 20, 1, 3), _file_count("pln.csv", 5, 5, 0)],
        findings_per_rule={}, rules_not_evaluated={}, marts_dir=tmp_path, stage_seconds={},
        **NO_REVIEW,
    )
    set_language(language)

    cli.print_run_summary(result)

    out = capsys.readouterr().out
    assert header in out
    assert caption in " ".join(out.split())
    row = next(line for line in out.splitlines() if "asn.csv" in line)
    assert [cell.strip() for cell in row.strip("│ ").split("│")][2:] == ["21", "20", "1", "3"]


@pytest.mark.parametrize(
    ("language", "file_counts", "findings"),
    [("id", ["29.597", "29.590", "7", "1.204"], "12.756"),
     ("en", ["29,597", "29,590", "7", "1,204"], "12,756")],
)
def test_run_tables_group_thousands(capsys, tmp_path, language, file_counts, findings):
    result = SimpleNamespace(
        file_counts=[_file_count("dtsen.csv", 29597, 29590, 7, 1204)],
        findings_per_rule={"PBI_NOT_ELIGIBLE": 12756}, rules_not_evaluated={}, rules_limited={},
        marts_dir=tmp_path, stage_seconds={}, **NO_REVIEW,
    )
    set_language(language)

    cli.print_run_summary(result)

    out = capsys.readouterr().out
    assert row_cells(out, "dtsen.csv")[2:] == file_counts
    assert row_cells(out, "PBI_NOT_ELIGIBLE")[1] == findings


@pytest.mark.parametrize(
    ("language", "line"),
    [("id", "Temuan dibandingkan dengan run 20261205T010000Z: 1.204 baru, 16 baru saat aturannya "
            "kekurangan masukan, 40 tetap ada, 3 selesai. findings_diff mencantumkan "
            "masing-masing."),
     ("en", "Findings compared with run 20261205T010000Z: 1,204 new, 16 new while their rule "
            "lacked an input, 40 persisting, 3 resolved. findings_diff lists each one.")],
)
def test_summary_counts_findings_diff(capsys, tmp_path, language, line):
    result = SimpleNamespace(
        file_counts=[], findings_per_rule={}, rules_not_evaluated={}, rules_limited={},
        marts_dir=tmp_path, stage_seconds={}, previous_run_id="20261205T010000Z",
        diff_counts={"persisting": 40, "resolved": 3, "new": 1204, "new_with_limitation": 16},
        **NO_REVIEW,
    )
    set_language(language)

    cli.print_run_summary(result)

    assert line in " ".join(capsys.readouterr().out.split())


def test_first_run_has_no_diff_line(capsys, tmp_path):
    result = SimpleNamespace(
        file_counts=[], findings_per_rule={}, rules_not_evaluated={}, rules_limited={},
        marts_dir=tmp_path, stage_seconds={}, previous_run_id=None, diff_counts={}, **NO_REVIEW,
    )
    set_language("en")

    cli.print_run_summary(result)

    assert "compared with run" not in capsys.readouterr().out


def test_file_table_without_joined_lines(capsys, tmp_path):
    result = SimpleNamespace(
        file_counts=[_file_count("pln.csv", 5, 5, 0)], findings_per_rule={},
        rules_not_evaluated={}, marts_dir=tmp_path, stage_seconds={}, **NO_REVIEW,
    )
    set_language("en")

    cli.print_run_summary(result)

    assert "Joined lines" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("language", "stored", "waiting"),
    [
        ("id", "2 keputusan tinjauan dari", "18 pasangan yang mungkin sama menunggu keputusan"),
        ("en", "2 review decisions stored from", "18 possible matches wait for a decision"),
    ],
)
def test_summary_points_to_review_workbook(capsys, tmp_path, language, stored, waiting):
    workbook = tmp_path / "review" / "review_pending.xlsx"
    result = SimpleNamespace(
        file_counts=[], findings_per_rule={}, rules_not_evaluated={}, marts_dir=tmp_path,
        stage_seconds={}, review_workbook=workbook, review_pairs=18,
        review_decisions_imported=2, review_decisions_stored=5, review_decisions_applied=3,
    )
    set_language(language)

    cli.print_run_summary(result)

    out = " ".join(capsys.readouterr().out.split())
    assert stored in out
    assert waiting in out
    assert "bansos-audit review" in out
    assert {"id": "3 dari 5 keputusan tinjauan yang tersimpan memutuskan pasangan di run ini",
            "en": "3 of the 5 stored review decisions decided pairs of this run"}[language] in out


@pytest.mark.parametrize(
    ("language", "line", "wrong"),
    [
        ("id", "Semua 4 keputusan tinjauan yang tersimpan memutuskan pasangan di run ini.",
         "sisanya"),
        ("en", "All 4 stored review decisions decided pairs of this run.", "others wait"),
    ],
)
def test_summary_all_review_decisions_applied(capsys, tmp_path, language, line, wrong):
    result = SimpleNamespace(
        file_counts=[], findings_per_rule={}, rules_not_evaluated={}, marts_dir=tmp_path,
        stage_seconds={}, review_workbook=None, review_pairs=0,
        review_decisions_imported=0, review_decisions_stored=4, review_decisions_applied=4,
    )
    set_language(language)

    cli.print_run_summary(result)

    out = " ".join(capsys.readouterr().out.split())
    assert line in out
    assert wrong not in out


def _summary_warnings(splits) -> list[logging.LogRecord]:
    """Return what the run's SummaryWarningHandler keeps when the linker warns about `splits`
    and another module logs a warning that is not for the summary."""
    from pipelines.er.engine import _warn_nik_splits

    handler = cli.SummaryWarningHandler()
    pipelines_logger = logging.getLogger("pipelines")
    pipelines_logger.addHandler(handler)
    try:
        _warn_nik_splits(splits)
        logging.getLogger("pipelines.publish.report").warning("runs.input_checksums is not JSON; "
                                                             "the report shows no checksums")
    finally:
        pipelines_logger.removeHandler(handler)
    return handler.records


@pytest.mark.parametrize(
    ("language", "warning"),
    [("id", 'Peringatan: keputusan tinjauan "orang berbeda" yang memisahkan rekaman dengan satu '
            "NIK: 2 (bpnt:1::2 / register:1::5, NIK 3325********0003; pkh:1:Kec. A:5 / "
            "register:1::2, NIK 3325********0001). Keputusan itu keliru, atau NIK itu dipakai "
            "dua orang. Periksa keputusan ini di buku kerja tinjauan, atau periksa NIK-nya ke "
            "Dukcapil."),
     ("en", 'Warning: "different people" review decisions that split records with one NIK: 2 '
            "(bpnt:1::2 / register:1::5, NIK 3325********0003; pkh:1:Kec. A:5 / register:1::2, "
            "NIK 3325********0001). Either the decision is wrong or two people use the NIK. "
            "Check the decision in the review workbook, or check the NIK at Dukcapil.")],
)
def test_summary_repeats_nik_split_warning(capsys, tmp_path, language, warning):
    from pipelines.er.engine import NikSplit

    records = _summary_warnings([
        NikSplit("bpnt:1::2", "register:1::5", "3325011203800003"),
        NikSplit("pkh:1:Kec. A:5", "register:1::2", "3325014705850001"),
    ])
    result = SimpleNamespace(
        file_counts=[], findings_per_rule={}, rules_not_evaluated={}, marts_dir=tmp_path,
        stage_seconds={}, **NO_REVIEW,
    )
    set_language(language)
    capsys.readouterr()

    cli.print_run_summary(result, records)

    out = " ".join(capsys.readouterr().out.split())
    assert len(records) == 1
    assert warning in out
    assert "3325014705850001" not in out
    assert "checksums" not in out


def test_summary_without_nik_split_warning(capsys, tmp_path):
    records = _summary_warnings([])
    result = SimpleNamespace(
        file_counts=[], findings_per_rule={}, rules_not_evaluated={}, marts_dir=tmp_path,
        stage_seconds={}, **NO_REVIEW,
    )
    set_language("en")

    cli.print_run_summary(result, records)

    assert records == []
    assert "Warning" not in capsys.readouterr().out


# A note as long as the one of EXCLUSION_ERROR_CANDIDATE in a run with only the register and
# the PKH roster.
LONG_NOTE = (
    "without the death register, family members who died count as living; without the "
    "ASN/TNI/Polri and pensioner list, perangkat desa list, other exclusion list (AHU/OSS, "
    "teachers, health workers...), a family with a member on such a list still counts as "
    "eligible; without the BPJS Ketenagakerjaan wage extract, a family with a member earning "
    "above the UMK still counts as eligible"
)


def _summary_with_long_note(capsys, tmp_path) -> str:
    from pipelines.er.engine import NikSplit

    records = _summary_warnings([NikSplit("pkh:1:Kec. A:5", "register:1::2", "3325014705850001")])
    result = SimpleNamespace(
        file_counts=[_file_count("pkh.csv", 5, 5, 0)],
        findings_per_rule={"EXCLUSION_ERROR_CANDIDATE": 4, "NOT_IN_REGISTER": 1},
        rules_limited={"EXCLUSION_ERROR_CANDIDATE": LONG_NOTE},
        rules_not_evaluated={"DECEASED_RECIPIENT": "no death register in this run"},
        marts_dir=tmp_path, stage_seconds={"ingest": 1.5}, **NO_REVIEW,
    )
    set_language("en")
    capsys.readouterr()

    cli.print_run_summary(result, records)
    return capsys.readouterr().out


@pytest.mark.parametrize(("columns", "width"), [(None, 100), ("120", 120), ("72", 72)])
def test_redirected_summary_wraps_long_note(capsys, tmp_path, monkeypatch, columns, width):
    if columns:
        monkeypatch.setenv("COLUMNS", columns)

    out = _summary_with_long_note(capsys, tmp_path)

    # The tables wrap; a warning stays on one line, so that grep finds it in a log file.
    lines = out.splitlines()
    warnings = [line for line in lines if line.startswith("Warning:")]
    assert max(len(line) for line in lines if line not in warnings) <= width
    note = row_cells(out, "EXCLUSION_ERROR_CANDIDATE")[-1]
    assert note == f"evaluated with a limitation: {LONG_NOTE}"
    assert row_cells(out, "DECEASED_RECIPIENT")[-1] == "not evaluated: no death register in this run"
    assert len(warnings) == 1
    assert "NIK: 1 (pkh:1:Kec. A:5 / register:1::2, NIK 3325********0001)" in warnings[0]


def test_terminal_keeps_its_width(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=0: os.terminal_size((150, 40)))

    terminal = cli_framework.OutputConsole(file=io.StringIO(), force_terminal=True)
    redirected = cli_framework.OutputConsole(file=io.StringIO())
    sized = cli_framework.OutputConsole(file=io.StringIO(), width=60)

    assert terminal.width == 150
    assert redirected.width == cli_framework.REDIRECTED_WIDTH
    assert sized.width == 60


def run_cli_code(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(list(args))
        raise SystemExit(0)
    return exit_info.value.code or 0, " ".join(capsys.readouterr().out.split())


def _evaluation_over(capsys, tmp_path, language, register_lines=REGISTER_LINES, manifest=True):
    """Evaluate a run over a register.csv with `register_lines` against a truth whose
    files.json lists the unchanged files, or that has no files.json."""
    generated = write_inputs(tmp_path / "generated")
    database = make_run(tmp_path)
    record_run(database, write_inputs(tmp_path / "raw", register_lines))
    truth = make_truth(tmp_path, [])
    if manifest:
        write_manifest(truth, generated)
    return run_cli_code(capsys, "--lang", language, "evaluate", "--marts", str(tmp_path),
                        "--truth", str(truth))


@pytest.mark.parametrize("language", ["id", "en"])
def test_evaluate_unchanged_inputs_no_warning(capsys, tmp_path, language):
    code, out = _evaluation_over(capsys, tmp_path, language)

    assert code == 0
    assert "NOT_IN_REGISTER" in out
    assert "Peringatan" not in out
    assert "Warning" not in out
    assert "files.json" not in out


@pytest.mark.parametrize(
    ("language", "above", "below"),
    [("id",
      "Peringatan: register.csv berbeda dari berkas yang ditulis generator",
      "Peringatan: Skor di atas tidak bermakna untuk temuan dari register.csv dan untuk "
      "RECORD_LINKAGE"),
     ("en",
      "Warning: register.csv differs from the file the generator wrote",
      "Warning: The scores above are not meaningful for findings from register.csv and for "
      "RECORD_LINKAGE")],
)
def test_evaluate_warns_row_deleted(capsys, tmp_path, language, above, below):
    code, out = _evaluation_over(capsys, tmp_path, language, REGISTER_LINES[:2])

    assert code == cli.EXIT_INPUTS_NOT_GENERATED
    assert out.count(above) == 1
    assert out.count(below) == 1
    assert out.index(above) < out.index(" NOT_IN_REGISTER ") < out.index(below)
    assert "pkh.csv" not in out


@pytest.mark.parametrize(
    ("language", "note"),
    [("id", "tidak memiliki files.json, sehingga berkas masukan run tidak dapat dicocokkan"),
     ("en", "has no files.json, so the run's input files cannot be checked")],
)
def test_evaluate_notes_missing_manifest(capsys, tmp_path, language, note):
    code, out = _evaluation_over(capsys, tmp_path, language, REGISTER_LINES[:2], manifest=False)

    assert code == 0
    assert out.count(note) == 1
    assert out.index(note) < out.index(" NOT_IN_REGISTER ")
    assert "register.csv" not in out


def test_period_warning_when_all_rows_outside(capsys):
    set_language("en")

    cli.print_period_warnings(
        SimpleNamespace(rows_outside_period={"pkh": (5, 5)}, period_label="2026-T4",
                        periods_outside={"pkh": [("2026-T10", 3), ("2026-T11", 2)]})
    )

    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("Warning: PKH: 5 of 5 rows are not in the audited period 2026-T4 "
                          "(2026-T10: 3, 2026-T11: 2)")
    assert 'set `period = "2026-T4"` for this source' in out
    assert "or set [period] in the rules file to the tahap of the file." in out


@pytest.mark.parametrize(
    ("language", "note"),
    [("id", "BPNT: 2.589 dari 5.285 baris termasuk periode selain 2026-T4 (2026-T3: 2.583, "
            "2026-T2: 3, tanpa periode: 2, 1 periode lain) dan tidak diperiksa aturan penerima."),
     ("en", "BPNT: 2,589 of 5,285 rows belong to another period than 2026-T4 (2026-T3: 2,583, "
            "2026-T2: 3, no period: 2, 1 other period) and are left out of the recipient "
            "rules.")],
)
def test_period_note_stays_on_one_line(capsys, monkeypatch, language, note):
    monkeypatch.setenv("COLUMNS", "60")
    set_language(language)

    cli.print_period_warnings(
        SimpleNamespace(
            rows_outside_period={"bpnt": (2589, 5285)}, period_label="2026-T4",
            periods_outside={"bpnt": [("2026-T3", 2583), ("2026-T2", 3), (None, 2),
                                      ("2025-T4", 1)]},
        )
    )

    assert capsys.readouterr().out.splitlines() == [note]


def test_redirected_error_stays_on_one_line(capsys, monkeypatch, tmp_path):
    # README: each warning or error stays on one line in a log file, so grep finds it.
    monkeypatch.setenv("COLUMNS", "60")
    path = tmp_path / ("folder-" * 12) / "audit-1.duckdb"
    message = f"the work database {path} cannot be read, so the run stops here; move it away"

    cli.print_error(message)
    cli.print_kept_files([path])

    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert message in lines[0]
    assert str(path.resolve()) in lines[1]


@pytest.mark.parametrize(
    ("language", "cells"),
    [("id", ["6.714", "31.921", "6.500", "0,204", "0,968", "1.200/1.500"]),
     ("en", ["6,714", "31,921", "6,500", "0.204", "0.968", "1,200/1,500"])],
)
def test_evaluation_table_groups_thousands(language, cells):
    from pipelines.evaluate import EvalRow

    row = EvalRow(
        rule_code="PROXY_AFFLUENCE", is_evaluated=True, is_covered_by_truth=True,
        predicted=31921, expected=6714, true_positives=6500, false_positives=25421,
        false_negatives=214, precision=6500 / 31921, recall=6500 / 6714, f1=None,
        decoys=1500, decoys_flagged=1200, unmapped_findings=0,
    )
    set_language(language)
    console = Console(width=200, record=True, file=io.StringIO())

    console.print(cli.evaluation_table([row]))

    assert row_cells(console.export_text(), "PROXY_AFFLUENCE")[1:7] == cells
