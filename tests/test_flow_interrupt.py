"""Ctrl-C during a run raises RunInterrupted, which names the work databases the run leaves.

The flow's stages are replaced by a function that raises, so no test depends on when a signal
arrives, and no Prefect server is needed.
"""

from __future__ import annotations

import pytest
from test_cli_interrupt import demo_config

from pipelines.errors import RunInterrupted
from pipelines.flows import audit as audit_flow


def keyboard_interrupt() -> None:
    raise KeyboardInterrupt


def prefect_error_during_interrupt() -> None:
    # Prefect 3.9.1's task engine, when Ctrl-C arrives before it has created the task run.
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt:
        raise ValueError("Task run is not set") from None


@pytest.mark.parametrize("interrupt", [keyboard_interrupt, prefect_error_during_interrupt])
def test_interrupt_names_work_databases(tmp_path, monkeypatch, interrupt):
    work = tmp_path / "work"

    def interrupted_stages(run_config, language, run_id, work_dir):
        work_dir.mkdir()
        for path in audit_flow.work_database_paths(work_dir, run_id):
            path.touch()
        interrupt()

    monkeypatch.setattr(audit_flow, "_audit_locked", interrupted_stages)

    with pytest.raises(RunInterrupted) as error:
        audit_flow.audit.fn(config_path=demo_config(tmp_path), language="en", work_dir=work)

    run_id = error.value.run_id
    assert error.value.kept_files == [
        work / f"audit-{run_id}.duckdb",
        work / f"audit-{run_id}-published.duckdb",
    ]


def test_interrupt_before_work_database(tmp_path, monkeypatch):
    def interrupted_stages(run_config, language, run_id, work_dir):
        raise KeyboardInterrupt

    monkeypatch.setattr(audit_flow, "_audit_locked", interrupted_stages)

    with pytest.raises(RunInterrupted) as error:
        audit_flow.audit.fn(config_path=demo_config(tmp_path), language="en")

    assert error.value.kept_files == []

