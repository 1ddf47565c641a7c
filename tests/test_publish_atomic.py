"""Atomic publish: a reader in another process sees the old set or the new one, never a mix."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import duckdb
import pytest
from test_publish_handmade_marts import make_marts

from pipelines.publish import atomic, previous_audit_db, publish_marts
from pipelines.publish import publish as publish_module
from pipelines.publish import report as report_module

READER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import duckdb
    from pipelines.publish.atomic import read_consistent

    def read_set(folder):
        manifest = json.loads((folder / "publish.json").read_text())["run_id"]
        with duckdb.connect(str(folder / "audit.duckdb"), read_only=True) as con:
            in_db = con.execute("select run_id from runs").fetchall()[0][0]
            in_parquet = con.execute(
                f"select run_id from read_parquet('{folder / 'runs.parquet'}')"
            ).fetchall()[0][0]
        in_html = (folder / "laporan_bappeda.html").read_text().count(manifest) > 0
        return manifest, in_db, in_parquet, in_html

    marts_dir, stop_file, out_file = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    seen, mixed, reads = set(), [], 0
    while not stop_file.exists():
        manifest, in_db, in_parquet, in_html = read_consistent(marts_dir, read_set)
        reads += 1
        seen.add(manifest)
        if not (manifest == in_db == in_parquet and in_html):
            mixed.append([manifest, in_db, in_parquet, in_html])
    out_file.write_text(json.dumps({"seen": sorted(seen), "mixed": mixed, "reads": reads}))
    """
)


def _publish(marts_dir, run_id):
    con = duckdb.connect()
    make_marts(con, run_id)
    summary = publish_marts(con, marts_dir, "id", run_id)
    con.close()
    return summary


def _run_id_in(db_path):
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute("select run_id from runs").fetchall()[0][0]


def test_second_publish_keeps_previous(tmp_path):
    marts_dir = tmp_path / "marts"
    _publish(marts_dir, "run-a")

    summary = _publish(marts_dir, "run-b")

    assert summary.has_previous
    assert _run_id_in(marts_dir / "audit.duckdb") == "run-b"
    assert _run_id_in(previous_audit_db(marts_dir)) == "run-a"
    assert json.loads((marts_dir / "previous" / "publish.json").read_text())["run_id"] == "run-a"
    assert not (marts_dir / "previous" / "previous").exists()
    assert not list(tmp_path.glob(".marts.staging-*"))


def test_publish_keeps_gitkeep(tmp_path):
    marts_dir = tmp_path / "marts"
    marts_dir.mkdir()
    (marts_dir / ".gitkeep").write_text("")

    _publish(marts_dir, "run-a")
    _publish(marts_dir, "run-b")

    assert (marts_dir / ".gitkeep").exists()


def test_failed_publish_leaves_live_set(tmp_path, monkeypatch):
    marts_dir = tmp_path / "marts"
    _publish(marts_dir, "run-a")

    def broken_report(*args, **kwargs):
        raise RuntimeError("report failed")

    monkeypatch.setattr("pipelines.publish.publish.write_report", broken_report)
    with pytest.raises(RuntimeError):
        _publish(marts_dir, "run-b")

    assert _run_id_in(marts_dir / "audit.duckdb") == "run-a"
    assert not list(tmp_path.glob(".marts.staging-*"))
    assert report_module.write_report is not broken_report


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_reader_never_sees_mix(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    marts_dir = tmp_path / "marts"
    _publish(marts_dir, "run-0")
    stop_file, out_file = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(marts_dir), str(stop_file), str(out_file)]
    )
    try:
        for number in range(1, 5):
            _publish(marts_dir, f"run-{number}")
    finally:
        stop_file.write_text("")
        reader.wait(timeout=60)
    result = json.loads(out_file.read_text())

    assert reader.returncode == 0
    assert result["mixed"] == []
    assert result["reads"] > 0
    assert set(result["seen"]) <= {f"run-{n}" for n in range(5)}


def test_swap_by_exchange_never_removes_folder(tmp_path):
    marts_dir = tmp_path / "marts"
    _publish(marts_dir, "run-a")
    staging = atomic.staging_dir(marts_dir, "run-b")
    (staging / "publish.json").write_text('{"publish_id": "b"}')

    atomic.swap_in(staging, marts_dir)

    assert json.loads((marts_dir / "publish.json").read_text())["publish_id"] == "b"
    assert (tmp_path / ".marts.retired" / "audit.duckdb").exists()


# During a two-rename swap DuckDB reports the vanished file with its own error type.
@pytest.mark.parametrize(
    "error",
    [None, duckdb.IOException("No files found that match the pattern runs.parquet")],
    ids=["read-finished", "read-failed"],
)
def test_read_consistent_retries_after_publish(tmp_path, error):
    marts_dir = tmp_path / "marts"
    _publish(marts_dir, "run-a")
    calls = []

    def read_and_publish_once(folder):
        calls.append(folder)
        if len(calls) == 1:
            _publish(marts_dir, "run-b")
            if error is not None:
                raise error
        return _run_id_in(folder / "audit.duckdb")

    assert atomic.read_consistent(marts_dir, read_and_publish_once) == "run-b"
    assert len(calls) == 2


def test_read_consistent_raises_error_of_unchanged_set(tmp_path):
    marts_dir = tmp_path / "marts"
    _publish(marts_dir, "run-a")
    calls = []

    def broken_read(folder):
        calls.append(folder)
        raise duckdb.IOException("file is damaged")

    with pytest.raises(duckdb.IOException, match="damaged"):
        atomic.read_consistent(marts_dir, broken_read)
    assert len(calls) == 1


def test_stale_staging_removed(tmp_path, caplog):
    marts_dir = tmp_path / "marts"
    stale = tmp_path / ".marts.staging-run-crashed"
    stale.mkdir()
    (stale / "audit.duckdb").write_text("half written")

    _publish(marts_dir, "run-a")

    assert not stale.exists()
    assert "left by an interrupted publish" in caplog.text


class _BusyConnection:
    """A connection whose checkpoint fails while another write transaction is open."""

    def __init__(self, busy_attempts: int):
        self.busy_attempts = busy_attempts
        self.calls = 0

    def execute(self, sql):
        self.calls += 1
        if self.calls <= self.busy_attempts:
            raise duckdb.TransactionException("Cannot CHECKPOINT: other write transactions")


def test_checkpoint_waits_for_other_writer():
    con = _BusyConnection(busy_attempts=2)

    publish_module._checkpoint(con, "publish_target")

    assert con.calls == 3


def test_checkpoint_gives_up_to_detach(caplog):
    con = _BusyConnection(busy_attempts=99)

    publish_module._checkpoint(con, "publish_target", attempts=3)

    assert con.calls == 3
    assert "detaching it checkpoints instead" in caplog.text
