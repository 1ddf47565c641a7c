"""The whole audit flow on the `tiny` synthetic dataset, checked against its ground truth."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from pipelines.publish.formatting import using_language
from pipelines.settings import write_demo_run_config

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def audited(tmp_path_factory, prefect_harness):
    """Generate the tiny dataset once, run the audit flow on it, and return the folder."""
    from pipelines.flows.audit import audit
    from pipelines.synth import generate

    folder = tmp_path_factory.mktemp("audit")
    generate(folder / "raw", folder / "truth", size="tiny")
    result = audit(config_path=write_demo_run_config(folder), language="id", work_dir=folder / "work")
    return folder, result


@pytest.fixture
def marts(audited):
    folder, _result = audited
    con = duckdb.connect(str(folder / "marts" / "audit.duckdb"), read_only=True)
    yield con
    con.close()


def truth_rows(folder: Path, name: str) -> list[dict]:
    with (folder / "truth" / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_input_row_reconciles(marts):
    rows = marts.execute(
        "select source_file, source_sheet, rows_read, rows_loaded, rows_quarantined "
        "from file_reconciliation"
    ).fetchall()
    files = {row[0] for row in rows}
    assert len(files) == 12
    for source_file, sheet, read, loaded, quarantined in rows:
        assert read == loaded + quarantined, (source_file, sheet)


def test_quarantine_rows_have_reasons(marts):
    missing = marts.execute(
        "select count(*) from quarantine where reason_code is null or source_row is null"
    ).fetchall()[0][0]
    assert missing == 0


def test_findings_carry_provenance(marts):
    rows = marts.execute(
        "select count(*), count(source_file), count(source_row), count(rule_code), "
        "count(severity) from fct_findings"
    ).fetchall()[0]
    total = rows[0]
    assert total > 0
    assert rows[1:] == (total, total, total, total)


def test_planted_desil_errors_found(audited, marts):
    folder, _result = audited
    expected = {
        (row["source_file"], row["source_row"])
        for row in truth_rows(folder, "findings.csv")
        if row["rule_code"] == "DESIL_OUT_OF_RANGE" and row["programme"] == "BPNT"
    }
    found = {
        (source_file, str(source_row))
        for source_file, source_row in marts.execute(
            "select source_file, source_row from fct_findings "
            "where rule_code = 'DESIL_OUT_OF_RANGE' and programme = 'BPNT'"
        ).fetchall()
    }
    assert expected
    assert expected <= found


def test_every_rule_evaluated(marts):
    # The demo configuration names every source kind, the extracts of rules 16 to 18 included.
    not_evaluated = marts.execute(
        "select rule_code, not_evaluated_reason from rule_status where not is_evaluated"
    ).fetchall()
    assert not_evaluated == []


def test_run_recorded(marts):
    run_id, version, checksums = marts.execute(
        "select run_id, config_version, input_checksums from runs"
    ).fetchall()[0]
    assert version.startswith("2026.")
    assert "dtsen_batang_202611.csv" in checksums


def test_run_counts_to_start_date(marts):
    """Without `[complaints] reference_date`, complaints are counted overdue to the earlier of
    the period end (31-12-2026 in config/rules.toml) and the local date the run started."""
    started_at, reference = marts.execute(
        "select started_at, complaints_reference_date from runs"
    ).fetchone()
    used = marts.execute("select distinct overdue_reference_date from complaint_results").fetchall()

    assert reference == min(dt.date(2026, 12, 31), started_at.astimezone().date())
    assert used == [(reference,)]


def test_run_records_config_checksums(audited, marts):
    from pipelines.runs import file_checksum
    from pipelines.settings import PROJECT_ROOT

    folder, _result = audited
    rules, run_config = marts.execute(
        "select rules_checksum, run_config_checksum from runs"
    ).fetchall()[0]
    assert rules == file_checksum(PROJECT_ROOT / "config" / "rules.toml")
    assert run_config == file_checksum(folder / "run.toml")


def test_second_run_keeps_first_run(audited, tmp_path, prefect_harness):
    """A second run on the published folder keeps both runs and notes a rules file that
    changed without a new version."""
    import shutil

    from pipelines.flows.audit import audit
    from pipelines.settings import PROJECT_ROOT

    folder, first = audited
    second_folder = tmp_path / "second"
    shutil.copytree(folder, second_folder, ignore=shutil.ignore_patterns("work"))
    # Any changed byte changes the rules checksum, and the version line stays as it is.
    rules = tmp_path / "rules.toml"
    rules.write_text((PROJECT_ROOT / "config" / "rules.toml").read_text(encoding="utf-8")
                     + "\n# reviewed, version left as it was\n", encoding="utf-8")
    config = write_demo_run_config(second_folder)
    config.write_text(config.read_text(encoding="utf-8").replace(
        (PROJECT_ROOT / "config" / "rules.toml").as_posix(), rules.as_posix()), encoding="utf-8")

    second = audit(config_path=config, language="id", work_dir=second_folder / "work")

    marts_dir = second_folder / "marts"
    with duckdb.connect(str(marts_dir / "audit.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select run_id, rules_compared_with_run_id, rules_changed_without_new_version "
            "from runs"
        ).fetchall()
        parquet_ids = con.execute(
            f"select run_id from '{marts_dir / 'runs.parquet'}'"
        ).fetchall()
    assert rows == [(first.run_id, None, None), (second.run_id, first.run_id, True)]
    assert parquet_ids == [(first.run_id,), (second.run_id,)]
    html = (marts_dir / "laporan_bappeda.html").read_text(encoding="utf-8")
    assert f"Berkas aturan berubah setelah run {first.run_id} tanpa versi baru" in html


def test_input_check_unchanged_run(audited):
    from pipelines.truth_manifest import CheckStatus, check_run_inputs

    folder, result = audited

    check = check_run_inputs(folder / "marts" / "audit.duckdb", folder / "truth")

    assert check.status is CheckStatus.CHECKED
    assert check.run_id == result.run_id
    assert check.unmatched == ()


def test_input_check_names_edited_register(audited, tmp_path):
    """A register with one row deleted gets another SHA-256 in the run's `runs` row, computed
    as the run computes it, and the check names that file."""
    import shutil

    from pipelines.flows.audit import input_checksums
    from pipelines.runconfig import load_run_config
    from pipelines.truth_manifest import check_run_inputs

    folder, result = audited
    shutil.copytree(folder / "raw", tmp_path / "raw")
    register = tmp_path / "raw" / "dtsen_batang_202611.csv"
    lines = register.read_bytes().splitlines(keepends=True)
    register.write_bytes(b"".join(lines[:1] + lines[2:]))
    checksums = input_checksums(load_run_config(write_demo_run_config(tmp_path)))
    database = tmp_path / "audit.duckdb"
    shutil.copy(folder / "marts" / "audit.duckdb", database)
    with duckdb.connect(str(database)) as con:
        con.execute(
            "update runs set input_checksums = ? where run_id = ?",
            [json.dumps(checksums), result.run_id],
        )

    check = check_run_inputs(database, folder / "truth")

    assert len(checksums) == 12
    assert check.changed == ("dtsen_batang_202611.csv",)
    assert check.not_generated == ()


def test_inclusion_workbook_keeps_nik_text(audited):
    from openpyxl import load_workbook

    folder, _result = audited
    workbook = load_workbook(folder / "marts" / "inclusion_errors.xlsx", read_only=True)
    sheet = workbook.worksheets[0]
    # The title and the run id come first, then a notice row for each kind of rule that the
    # run skipped or ran with a limitation, then the header.
    top = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=1, max_row=5)]
    header_row = next(n for n, values in enumerate(top, 1) if "NIK" in values)
    nik_column = top[header_row - 1].index("NIK")
    values = [
        row[nik_column].value
        for row in sheet.iter_rows(min_row=header_row + 1)
        if row[nik_column].value
    ]
    assert values
    assert all(isinstance(value, str) for value in values)


def test_report_is_offline(audited):
    folder, _result = audited
    html = (folder / "marts" / "laporan_bappeda.html").read_text(encoding="utf-8")
    assert "src=\"http" not in html
    assert "href=\"http" not in html
    assert "Kecamatan" in html


def test_validation_reports_published(audited):
    folder, _result = audited
    published = sorted(p.name for p in (folder / "marts" / "validasi").iterdir())
    assert "validation_summary.json" in published
    assert any(name.endswith(".html") for name in published)


def test_work_database_removed(audited):
    folder, _result = audited
    assert list((folder / "work").glob("audit-*.duckdb")) == []


def test_failed_expectation_stops_run(tmp_path_factory, prefect_harness):
    """Validation runs beside linking, yet a failed stop expectation still ends the run."""
    from pipelines.errors import ExpectationsFailed
    from pipelines.flows.audit import audit
    from pipelines.synth import generate

    folder = tmp_path_factory.mktemp("stopped")
    generate(folder / "raw", folder / "truth", size="tiny")
    # Put each official's name in the NIK column: no NIK of the ASN list is usable.
    path = folder / "raw" / "asn_tni_polri_2026.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "NIK": row["NAMA"]})

    with using_language("en"), pytest.raises(ExpectationsFailed) as error:
        audit(config_path=write_demo_run_config(folder), language="en", work_dir=folder / "work")

    assert error.value.suite_name == "stg_asn"
    assert "asn_tni_polri_2026.csv (stg_asn)" in str(error.value)
    # The task ran in a worker thread and still raised its error in the caller's language.
    assert str(error.value).startswith("Validation stopped the run")
    assert not (folder / "marts" / "audit.duckdb").exists()
    assert not (folder / "marts" / "audit.duckdb").exists()


def test_interrupted_run_names_kept_work_databases(tmp_path_factory, prefect_harness, monkeypatch):
    """Ctrl-C after ingest stops the run with the work databases it leaves, unpublished."""
    from pipelines.errors import RunInterrupted
    from pipelines.flows import audit as audit_flow
    from pipelines.synth import generate

    folder = tmp_path_factory.mktemp("interrupted")
    generate(folder / "raw", folder / "truth", size="tiny")

    def interrupted_staging(db_path, kinds):
        raise KeyboardInterrupt

    monkeypatch.setattr(audit_flow, "build_staging_task", interrupted_staging)

    with using_language("en"), pytest.raises(RunInterrupted) as interrupt:
        audit_flow.audit(
            config_path=write_demo_run_config(folder), language="en", work_dir=folder / "work"
        )

    run_id = interrupt.value.run_id
    assert interrupt.value.kept_files == [
        folder / "work" / f"audit-{run_id}.duckdb",
        folder / "work" / f"audit-{run_id}-published.duckdb",
    ]
    assert all(path.exists() for path in interrupt.value.kept_files)
    assert not (folder / "marts").exists()


def test_failed_run_names_kept_work_databases(tmp_path_factory, prefect_harness, monkeypatch):
    """A run stopped by a PipelineError after ingest names the work databases it leaves."""
    from pipelines.errors import SourceFileError
    from pipelines.flows import audit as audit_flow
    from pipelines.synth import generate

    folder = tmp_path_factory.mktemp("failed")
    generate(folder / "raw", folder / "truth", size="tiny")

    def failing_staging(db_path, kinds):
        raise SourceFileError("staging failed")

    monkeypatch.setattr(audit_flow, "build_staging_task", failing_staging)

    with using_language("en"), pytest.raises(SourceFileError) as failure:
        audit_flow.audit(
            config_path=write_demo_run_config(folder), language="en", work_dir=folder / "work"
        )

    work_databases = failure.value.kept_files
    assert len(work_databases) == 2
    assert sorted(work_databases) == sorted((folder / "work").glob("audit-*.duckdb"))


def test_second_register_snapshot_stops_run(tmp_path_factory, prefect_harness):
    """A second DTSEN export matched by the register glob stops the run after ingest."""
    from pipelines.errors import SourceFileError
    from pipelines.flows.audit import audit
    from pipelines.synth import generate

    folder = tmp_path_factory.mktemp("snapshots")
    generate(folder / "raw", folder / "truth", size="tiny")
    newest = folder / "raw" / "dtsen_batang_202611.csv"
    lines = newest.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    # Last month's export: the same people, one row fewer, so the checksums differ.
    (folder / "raw" / "dtsen_batang_202610.csv").write_text("".join(lines[:-1]), encoding="utf-8")

    with using_language("en"), pytest.raises(SourceFileError) as error:
        audit(config_path=write_demo_run_config(folder), language="en", work_dir=folder / "work")

    message = str(error.value)
    assert message.startswith("DTSEN (or DTKS) register: dtsen_batang_202610.csv and "
                              "dtsen_batang_202611.csv look like two snapshots of the same list")
    assert "Keep only the newest snapshot" in message
    assert not (folder / "marts" / "audit.duckdb").exists()


def test_near_copy_of_roster_stops_run(tmp_path_factory, prefect_harness):
    """A second download of the BPNT roster that differs in one cell stops the run."""
    from pipelines.errors import SourceFileError
    from pipelines.flows.audit import audit
    from pipelines.synth import generate

    folder = tmp_path_factory.mktemp("near_copy")
    generate(folder / "raw", folder / "truth", size="tiny")
    roster = folder / "raw" / "bpnt_bnba_tahap4_2026.csv"
    lines = roster.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = lines[5].replace("Rp 600.000", "Rp 400.000")
    (folder / "raw" / "bpnt_bnba_tahap4_2026 (1).csv").write_text("".join(lines),
                                                                  encoding="utf-8")

    with using_language("en"), pytest.raises(SourceFileError) as error:
        audit(config_path=write_demo_run_config(folder), language="en", work_dir=folder / "work")

    message = str(error.value)
    assert "bpnt_bnba_tahap4_2026 (1).csv and bpnt_bnba_tahap4_2026.csv have" in message
    assert "Move one file of each pair out of the raw folder" in message
    assert not (folder / "marts" / "audit.duckdb").exists()


def test_missing_source_stops_before_ingest(tmp_path_factory, prefect_harness, monkeypatch):
    """A configured source without a file stops the run before any file is read."""
    from pipelines.errors import SourceFileError
    from pipelines.flows import audit as audit_flow
    from pipelines.synth import generate

    folder = tmp_path_factory.mktemp("missing")
    generate(folder / "raw", folder / "truth", size="tiny")
    # Written first: the demo configuration leaves out sources without a file.
    config = write_demo_run_config(folder)
    (folder / "raw" / "kematian_dukcapil_2026.xlsx").unlink()

    def ingest_not_expected(*args, **kwargs):
        raise AssertionError("ingest started although a source has no file")

    monkeypatch.setattr(audit_flow, "prepare_ingest_task", ingest_not_expected)

    with using_language("en"), pytest.raises(SourceFileError) as error:
        audit_flow.audit(config_path=config, language="en", work_dir=folder / "work")

    assert str(error.value).startswith("No file matches kematian_*.xlsx in ")
    assert not (folder / "work").exists()


def test_source_without_kind_staged(
    tmp_path_factory, prefect_harness, monkeypatch
):
    """A source without `kind` is staged as the kind recognised from its headers."""
    from pipelines.flows import audit as audit_flow
    from pipelines.synth import generate

    folder = tmp_path_factory.mktemp("no_kind")
    generate(folder / "raw", folder / "truth", size="tiny")
    config = write_demo_run_config(folder)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('kind = "pkh"\n', "", 1), encoding="utf-8")
    staged = []

    class StagingReached(Exception):
        pass

    def staging(db_path, kinds):
        staged.extend(kinds)
        raise StagingReached

    monkeypatch.setattr(audit_flow, "build_staging_task", staging)

    with pytest.raises(StagingReached):
        audit_flow.audit(config_path=config, language="en", work_dir=folder / "work")

    assert "pkh" in staged
    assert None not in staged


def test_run_stops_while_marts_locked(tmp_path_factory, prefect_harness):
    """A run on a marts folder that another run is writing to stops before it reads a file."""
    from pipelines.errors import RunInProgressError
    from pipelines.flows.audit import audit
    from pipelines.run_lock import run_folder_lock
    from pipelines.synth import generate

    folder = tmp_path_factory.mktemp("locked")
    generate(folder / "raw", folder / "truth", size="tiny")
    config = write_demo_run_config(folder)

    with run_folder_lock(folder), using_language("en"), pytest.raises(RunInProgressError):
        audit(config_path=config, language="en", work_dir=folder / "work")

    assert not (folder / "work").exists()
    assert not (folder / "marts").exists()
