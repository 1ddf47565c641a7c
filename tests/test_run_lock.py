"""A second run on the same marts folder stops with a message while the first one runs."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from pipelines.errors import RunInProgressError
from pipelines.publish.formatting import using_language
from pipelines.run_lock import LOCK_FILE, run_folder_lock


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


def test_lock_free_after_run(tmp_path):
    with run_folder_lock(tmp_path):
        assert (tmp_path / LOCK_FILE).read_text(encoding="utf-8") == str(os.getpid())

    with run_folder_lock(tmp_path):
        pass


def test_lock_creates_missing_folder(tmp_path):
    folder = tmp_path / "new" / "audit"

    with run_folder_lock(folder):
        assert (folder / LOCK_FILE).exists()
