"""One run at a time per marts folder.

A run writes its work database (`work/audit-<run id>.duckdb`), the review workbook and the marts
staging folder beside the marts folder. The run id has a resolution of one second, and a new
staging folder removes the staging folders that an interrupted publish left behind. So two runs
there at once would open the same work database, overwrite each other's review workbook, or
remove each other's staging folder. The lock makes the second run stop with a message instead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from pipelines.errors import RunInProgressError
from pipelines.i18n import _

try:
    import fcntl
except ImportError:  # Windows has no fcntl
    fcntl = None

logger = logging.getLogger(__name__)

LOCK_FILE = ".bansos-audit.lock"


@contextmanager
def run_folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder` (the marts folder's parent) while the block runs.

    Raise RunInProgressError at once when another process holds it. The operating system
    releases the lock when the holder exits, so a killed run leaves no stale lock behind.
    """
    if fcntl is None:
        # NOTE: without fcntl (Windows) two runs on one marts folder are not prevented.
        logger.warning(
            "this system has no file locking, so %s is not locked. Start one run at a time on it.",
            folder,
        )
        yield
        return

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    # "a+" leaves the holder's process id in the file until this process owns the lock.
    with path.open("a+", encoding="utf-8") as handle:
        _lock(handle, folder)
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        logger.info("locked %s for this run", folder)
        yield


def check_run_folder_free(folder: Path) -> None:
    """Raise RunInProgressError when another process holds the lock on `folder`.

    The lock is taken and released at once, and nothing is written. The CLI calls this before
    it starts a Prefect server, so that a second run stops at once. The flow still takes the
    lock itself, because a scheduled deployment does not go through the CLI.
    """
    if fcntl is None:
        return
    try:
        handle = (folder / LOCK_FILE).open("r", encoding="utf-8")
    except OSError:
        # No lock file means no run yet. An unreadable one fails in run_folder_lock instead.
        return
    with handle:
        _lock(handle, folder)


def _lock(handle: TextIO, folder: Path) -> None:
    """Lock the open lock file `handle` of `folder`, or raise RunInProgressError with the
    process id that the holder wrote into it."""
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        raise RunInProgressError(
            _("Another run (process {pid}) is writing to {folder}. Wait until it "
              "finishes, then run again.").format(pid=holder, folder=folder)
        ) from None
