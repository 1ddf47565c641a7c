"""A second run on the same marts folder stops with a message while the first one runs."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from test_cli import run_cli
from test_cli_interrupt import demo_config

from pipelines import cli
from pipelines.errors import RunInProgressError
from pipelines.i18n import set_language
from pipelines.publish.formatting import using_language
from pipelines.run_lock import LOCK_FILE, check_run_folder_free, run_folder_lock


def _hold_lock(folder, locked, release):
    with run_folder_lock(folder):
        locked.set()
        release.wait(30)


@pytest.fixture
def held_by_other_process(tmp_path):
    """Hold the lock on `tmp_path` in a child process; yield the child's process id."""
    context = multiprocessing.get_context("fork")
    locked, release = context.Event(), context.Event()
    child = context.Process(target=_hold_lock, args=(tmp_path, locked, release))
    child.start()
    try:
        assert locked.wait(30)
        yield child.pid
    finally:
        release.set()
        child.join(30)


def test_lock_rejects_second_run(tmp_path, held_by_other_process):
    with using_language("en"), pytest.raises(RunInProgressError) as error:
        with run_folder_lock(tmp_path):
            pass

    assert f"process {held_by_other_process}" in str(error.value)
    assert str(tmp_path) in str(error.value)
    assert "Wait until it finishes" in str(error.value)


def test_lock_message_in_indonesian(tmp_path, held_by_other_process):
    with using_language("id"), pytest.raises(RunInProgressError) as error:
        with run_folder_lock(tmp_path):
            pass

    assert str(error.value).startswith(f"Run lain (proses {held_by_other_process})")


def test_check_rejects_held_folder(tmp_path, held_by_other_process):
    with using_language("en"), pytest.raises(RunInProgressError) as error:
        check_run_folder_free(tmp_path)

    assert f"process {held_by_other_process}" in str(error.value)
    assert str(tmp_path) in str(error.value)


def test_check_leaves_free_folder_free(tmp_path):
    check_run_folder_free(tmp_path / "missing")
    assert not (tmp_path / "missing").exists()

    with run_folder_lock(tmp_path):
        pass
    check_run_folder_free(tmp_path)

    with run_folder_lock(tmp_path):
        assert (tmp_path / LOCK_FILE).read_text(encoding="utf-8") == str(os.getpid())


@pytest.fixture
def cli_language():
    """Restore the default language that a command's --lang option changes."""
    yield
    set_language("id")


def test_second_run_stops_before_prefect(
    capsys, monkeypatch, tmp_path, held_by_other_process, cli_language
):
    def start_prefect(home=None):
        raise AssertionError("Prefect was started while another run held the lock")

    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.setattr(cli, "apply_prefect_defaults", start_prefect)
    config = demo_config(tmp_path)

    code, _out, err = run_cli(capsys, "--lang", "en", "run", "--config", str(config))

    assert code == 1
    assert f"Another run (process {held_by_other_process}) is writing to {tmp_path}." in err


def test_lock_free_after_run(tmp_path):
    with run_folder_lock(tmp_path):
        assert (tmp_path / LOCK_FILE).read_text(encoding="utf-8") == str(os.getpid())

    with run_folder_lock(tmp_path):
        pass


def test_lock_creates_missing_folder(tmp_path):
    folder = tmp_path / "new" / "audit"

    with run_folder_lock(folder):
        assert (folder / LOCK_FILE).exists()
