"""Ctrl-C stops a command with exit code 130 and one message in the user's language.

The flow is replaced by a function that raises the interrupt, so no test depends on when a
signal arrives.
"""

from __future__ import annotations

import contextlib
import json
import re

import pytest
from test_cli import run_cli

from pipelines import cli
from pipelines.errors import RunInterrupted, SourceFileError
from pipelines.i18n import set_language
from pipelines.settings import write_demo_run_config


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    # Rich wraps at the terminal width, so a wide terminal keeps each message on one line.
    monkeypatch.setenv("COLUMNS", "400")
    yield
    set_language("id")


@pytest.fixture
def no_prefect_server(monkeypatch):
    """Run `run` without starting or checking a Prefect server."""
    monkeypatch.setattr(cli, "apply_prefect_defaults", lambda home=None: None)
    monkeypatch.setattr(cli, "local_server", lambda home: contextlib.nullcontext(None))
    monkeypatch.setattr(cli, "check_api_server", lambda: None)
    monkeypatch.setattr(cli, "flow_run_settings", lambda server=None: contextlib.nullcontext())
    from pipelines.flows import audit as audit_flow

    monkeypatch.setattr(audit_flow, "preload_validation_library", lambda: None)
    return audit_flow


def demo_config(folder):
    """Write the demo run configuration for `folder/raw` and `folder/marts`, and the raw
    folder with an empty file for each source, because `run` stops before Prefect starts when
    a source has no file."""
    config = write_demo_run_config(folder)
    (folder / "raw").mkdir()
    for pattern in re.findall(r'^path = "([^"]+)"', config.read_text(), re.MULTILINE):
        (folder / "raw" / pattern.replace("*", "demo")).touch()
    return config


def write_manifest(marts_dir, publish_id: str, run_id: str = "earlier") -> None:
    marts_dir.mkdir(parents=True, exist_ok=True)
    manifest = {"publish_id": publish_id, "run_id": run_id}
    (marts_dir / "publish.json").write_text(json.dumps(manifest))


def language_args(language: str) -> list[str]:
    return [] if language == "id" else ["--lang", language]


@pytest.mark.parametrize(
    ("language", "stopped", "files_line"),
    [
        ("id", "Dihentikan oleh pengguna (Ctrl-C) sebelum ada hasil yang diterbitkan ke",
         "Run yang dihentikan meninggalkan basis data kerja"),
        ("en", "Stopped by the user (Ctrl-C) before anything was published to",
         "The stopped run kept its work databases"),
    ],
)
def test_interrupted_run_names_work_databases(
    capsys, tmp_path, no_prefect_server, monkeypatch, language, stopped, files_line
):
    config = demo_config(tmp_path)
    write_manifest(tmp_path / "marts", "earlier")
    work = tmp_path / "work"
    kept_files = [work / "audit-1.duckdb", work / "audit-1-published.duckdb"]

    def interrupted_audit(config_path, language):
        raise RunInterrupted("1", kept_files)

    monkeypatch.setattr(no_prefect_server, "audit", interrupted_audit)

    code, _out, err = run_cli(capsys, *language_args(language), "run", "--config", str(config))

    assert code == 130
    assert f"{stopped} {(tmp_path / 'marts').resolve()}." in err
    assert f"{files_line} {kept_files[0]}, {kept_files[1]}." in err
    assert "Traceback" not in err


def test_second_interrupt_keeps_work_databases(capsys, tmp_path, no_prefect_server, monkeypatch):
    # A second Ctrl-C while Prefect shuts the flow down replaces the flow's RunInterrupted.
    config = demo_config(tmp_path)
    kept_files = [tmp_path / "work" / "audit-1.duckdb"]

    def twice_interrupted_audit(config_path, language):
        try:
            raise RunInterrupted("1", kept_files)
        except RunInterrupted:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(no_prefect_server, "audit", twice_interrupted_audit)

    code, _out, err = run_cli(capsys, "--lang", "en", "run", "--config", str(config))

    assert code == 130
    assert "Stopped by the user (Ctrl-C) before anything was published to" in err
    assert f"The stopped run kept its work database {kept_files[0]}. It contains" in err


@pytest.mark.parametrize(
    ("language", "stopped"),
    [
        ("id", "Dihentikan oleh pengguna (Ctrl-C) sebelum ada hasil yang diterbitkan ke"),
        ("en", "Stopped by the user (Ctrl-C) before anything was published to"),
    ],
)
def test_interrupt_before_run_starts(
    capsys, tmp_path, no_prefect_server, monkeypatch, language, stopped
):
    # Ctrl-C before the flow made its work database: nothing to name but the marts folder.
    config = demo_config(tmp_path)

    def interrupted_audit(config_path, language):
        raise KeyboardInterrupt

    monkeypatch.setattr(no_prefect_server, "audit", interrupted_audit)

    code, _out, err = run_cli(capsys, *language_args(language), "run", "--config", str(config))

    assert code == 130
    assert stopped in err
    assert "NIK" not in err
    assert "Traceback" not in err


def test_prefect_error_during_interrupt(capsys, tmp_path, no_prefect_server, monkeypatch):
    # Prefect 3.9.1 raises an error of its own when Ctrl-C arrives while it creates a run.
    config = demo_config(tmp_path)

    def interrupted_audit(config_path, language):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ValueError("Task run is not set") from None

    monkeypatch.setattr(no_prefect_server, "audit", interrupted_audit)

    code, _out, err = run_cli(capsys, "--lang", "en", "run", "--config", str(config))

    assert code == 130
    assert "Stopped by the user (Ctrl-C) before anything was published to" in err
    assert "Task run is not set" not in err


@pytest.mark.parametrize("in_summary", [False, True], ids=["in the flow", "in the summary"])
@pytest.mark.parametrize(
    ("language", "stopped"),
    [
        ("id", "Dihentikan oleh pengguna (Ctrl-C) setelah hasil run ini diterbitkan ke"),
        ("en", "Stopped by the user (Ctrl-C) after the run was published to"),
    ],
)
def test_interrupt_after_publish_says_published(
    capsys, tmp_path, no_prefect_server, monkeypatch, language, stopped, in_summary
):
    # Ctrl-C lands after the publish: in the flow, or once the flow has returned and the
    # command writes its summary.
    config = demo_config(tmp_path)
    write_manifest(tmp_path / "marts", "earlier")

    def published_audit(config_path, language):
        write_manifest(tmp_path / "marts", "this run")
        if in_summary:
            return object()
        raise KeyboardInterrupt

    def interrupted_summary(result, warnings=()):
        raise KeyboardInterrupt

    monkeypatch.setattr(no_prefect_server, "audit", published_audit)
    monkeypatch.setattr(cli, "print_run_summary", interrupted_summary)

    code, _out, err = run_cli(capsys, *language_args(language), "run", "--config", str(config))

    assert code == 130
    assert f"{stopped} {(tmp_path / 'marts').resolve()}." in err
    assert err.count("Ctrl-C") == 1


def test_interrupt_after_own_publish(capsys, tmp_path, no_prefect_server, monkeypatch):
    # Ctrl-C after the flow's publish and before the flow removed its work databases.
    config = demo_config(tmp_path)
    write_manifest(tmp_path / "marts", "this run", run_id="1")
    kept_files = [tmp_path / "work" / "audit-1.duckdb"]

    def interrupted_audit(config_path, language):
        raise RunInterrupted("1", kept_files)

    monkeypatch.setattr(no_prefect_server, "audit", interrupted_audit)

    code, _out, err = run_cli(capsys, "--lang", "en", "run", "--config", str(config))

    assert code == 130
    assert "Stopped by the user (Ctrl-C) after the run was published to" in err
    assert f"The stopped run kept its work database {kept_files[0]}." in err


def test_interrupt_after_other_runs_publish(capsys, tmp_path, no_prefect_server, monkeypatch):
    # Another run published after this command started. The live set is not this run's.
    config = demo_config(tmp_path)

    def interrupted_audit(config_path, language):
        write_manifest(tmp_path / "marts", "other run", run_id="0")
        raise RunInterrupted("1", [])

    monkeypatch.setattr(no_prefect_server, "audit", interrupted_audit)

    code, _out, err = run_cli(capsys, "--lang", "en", "run", "--config", str(config))

    assert code == 130
    assert "Stopped by the user (Ctrl-C) before anything was published to" in err
    assert "work database" not in err


@pytest.mark.parametrize(
    ("language", "stopped"),
    [("id", "Dihentikan oleh pengguna (Ctrl-C)."), ("en", "Stopped by the user (Ctrl-C).")],
)
def test_interrupted_generate_says_stopped(capsys, tmp_path, monkeypatch, language, stopped):
    import pipelines.synth

    def interrupted_generate(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipelines.synth, "generate", interrupted_generate)

    code, _out, err = run_cli(
        capsys, *language_args(language), "generate", "--out", str(tmp_path / "raw"),
        "--truth", str(tmp_path / "truth"),
    )

    assert code == 130
    assert err.strip() == stopped


@pytest.mark.parametrize(
    ("language", "files_line"),
    [
        ("id", "Run yang gagal meninggalkan basis data kerja"),
        ("en", "The failed run kept its work databases"),
    ],
)
def test_failed_run_names_work_databases(
    capsys, tmp_path, no_prefect_server, monkeypatch, language, files_line
):
    config = demo_config(tmp_path)
    work = tmp_path / "work"
    kept_files = (work / "audit-1.duckdb", work / "audit-1-published.duckdb")

    def failed_audit(config_path, language):
        error = SourceFileError("the file is broken")
        error.kept_files = kept_files
        raise error

    monkeypatch.setattr(no_prefect_server, "audit", failed_audit)

    code, _out, err = run_cli(capsys, *language_args(language), "run", "--config", str(config))

    assert code == 1
    assert "the file is broken" in err
    assert f"{files_line} {kept_files[0]}, {kept_files[1]} " in err
    assert "Traceback" not in err
