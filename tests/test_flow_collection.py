"""The flow keeps the objects of its imports out of Python's garbage collection while it runs,
and gives them back when the run ends, whether it succeeds or fails.

The stages are replaced by a function that records the collector's state, so no Prefect server
is needed.
"""

from __future__ import annotations

import gc

import pytest
from test_cli_interrupt import demo_config

from pipelines.flows import audit as audit_flow


def test_imports_frozen_during_the_run_only(tmp_path, monkeypatch):
    frozen_during_run = []

    def stages(run_config, language, run_id, work_dir):
        frozen_during_run.append(gc.get_freeze_count())
        return "done"

    monkeypatch.setattr(audit_flow, "_audit_locked", stages)

    assert audit_flow.audit.fn(config_path=demo_config(tmp_path), language="en") == "done"

    assert frozen_during_run[0] > 1000
    assert gc.get_freeze_count() == 0


def test_failed_run_unfreezes(tmp_path, monkeypatch):
    def failing_stages(run_config, language, run_id, work_dir):
        raise RuntimeError("stage failed")

    monkeypatch.setattr(audit_flow, "_audit_locked", failing_stages)

    with pytest.raises(RuntimeError, match="stage failed"):
        audit_flow.audit.fn(config_path=demo_config(tmp_path), language="en")

    assert gc.get_freeze_count() == 0
