"""The previous run's audit.duckdb, read for findings_diff, may be missing or damaged."""

from __future__ import annotations

import logging

import duckdb

from pipelines.flows.audit import readable_previous_run


def test_missing_previous_run(tmp_path):
    assert readable_previous_run(tmp_path / "audit.duckdb") is None


def test_damaged_previous_run_warns(tmp_path, caplog):
    path = tmp_path / "audit.duckdb"
    path.write_text("garbage", encoding="utf-8")

    with caplog.at_level(logging.WARNING, logger="pipelines.flows.audit"):
        assert readable_previous_run(path) is None

    assert "findings_diff lists every finding as new" in caplog.text
    assert "the runs table keeps no earlier runs" in caplog.text
    assert str(path) in caplog.text


def test_readable_previous_run(tmp_path):
    path = tmp_path / "audit.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table fct_findings (finding_id varchar)")

    assert readable_previous_run(path) == path
