"""Atomic replacement of the published marts folder.

A publish builds the whole new set in a sibling staging folder and then swaps it with the live
folder in one `renameat2(RENAME_EXCHANGE)` call (Linux 3.15+, glibc 2.28+), so a path lookup
under the marts folder sees either the old set or the new one. Where the exchange is not
available, two renames are used: live -> retired, staging -> live. In between, for a moment,
the folder does not exist, so a reader gets "not found" but still never a mix.

A reader that opens several files can still straddle a publish, because each open resolves the
path again. `read_consistent` runs such a reader between two reads of the manifest's publish id
and retries when a publish happened in between. Published files are never changed in place,
so a file that is already open stays readable after a swap.
"""

from __future__ import annotations

import ctypes
import errno
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pipelines.errors import MartsFolderError
from pipelines.i18n import _

logger = logging.getLogger(__name__)

PREVIOUS_FOLDER = "previous"
MANIFEST = "publish.json"
T = TypeVar("T")
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# The mount table of this process on Linux (proc(5)).
MOUNT_TABLE = Path("/proc/self/mountinfo")
# Files kept across publishes because they are not outputs (git keeps the empty folder with it).
_CARRIED_FILES = (".gitkeep",)


def staging_dir(marts_dir: Path, run_id: str) -> Path:
    """Return a fresh, empty staging folder next to `marts_dir` for building run `run_id`.

    Staging folders left by an interrupted publish are removed first. NOTE: this assumes one
    publisher per marts folder at a time, as the audit flow runs.
    """
    safe_run = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in run_id)
    if marts_dir.parent.is_dir():
        for stale in marts_dir.parent.glob(f".{marts_dir.name}.staging-*"):
            logger.warning("removing staging folder %s left by an interrupted publish", stale)
            shutil.rmtree(stale)
    path = marts_dir.parent / f".{marts_dir.name}.staging-{safe_run}"
    path.mkdir(parents=True)
    return path


def retired_dir(marts_dir: Path) -> Path:
    return marts_dir.parent / f".{marts_dir.name}.retired"


def keep_previous(marts_dir: Path, staging: Path) -> bool:
    """Hard-link the live set's top-level files into `staging/previous/`; return True if any.

    Published files are never modified in place, so sharing their inodes is safe and costs no
    space. Folders (the verification workbooks) are not kept.
    """
    if not marts_dir.is_dir():
        return False
    target = staging / PREVIOUS_FOLDER
    linked = 0
    for item in sorted(marts_dir.iterdir()):
        if item.is_file() and not item.name.startswith("."):
            target.mkdir(exist_ok=True)
            _link_or_copy(item, target / item.name)
            linked += 1
        elif item.name in _CARRIED_FILES:
            _link_or_copy(item, staging / item.name)
    return linked > 0


def check_replaceable(marts_dir: Path) -> None:
    """Raise MartsFolderError unless a publish can replace `marts_dir` as a whole.

    `swap_in` renames folders in the parent of `marts_dir`, so the parent must be writable.
    `marts_dir`, when it exists, must be writable and not a mount point, because Linux refuses
    to rename a mount point (EBUSY) and an immutable folder (EPERM, even for root).
    """
    folder = Path(os.path.abspath(marts_dir))
    # A file in place of the folder is reported by pipelines.runconfig.load_run_config.
    if folder.is_dir():
        if is_mount_point(folder):
            raise MartsFolderError(
                _("The marts folder {folder} is a mount point, which a run cannot replace as a "
                  "whole. Set marts_dir in the run configuration to a folder inside it, such as "
                  "{inside}.").format(folder=folder, inside=folder / "marts")
            )
        if not os.access(folder, os.W_OK | os.X_OK):
            raise MartsFolderError(
                _("The marts folder {folder} is read-only. Make it writable, or set marts_dir "
                  "in the run configuration to a writable folder.").format(folder=folder)
            )
    parent = folder.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise MartsFolderError(
            _("The folder {parent} is read-only, but a run writes the marts folder {folder} "
              "there. Make it writable, or set marts_dir in the run configuration to a writable "
              "folder.").format(parent=parent, folder=folder)
        )


def is_mount_point(path: Path) -> bool:
    """Return whether `path` is a mount point, a bind mount of a folder on itself included.

    os.path.ismount misses a bind mount within one file system, so on Linux the mount table of
    this process is read as well.
    """
    if os.path.ismount(path):
        return True
    try:
        mountinfo = MOUNT_TABLE.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    real = os.path.realpath(path)
    for line in mountinfo.splitlines():
        fields = line.split(" ")
        # The fifth field is the mount point, with space, tab, newline and backslash octal-escaped.
        if len(fields) > 4 and _unescape_mountinfo(fields[4]) == real:
            return True
    return False


def _unescape_mountinfo(field: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda match: chr(int(match.group(1), 8)), field)


def swap_in(staging: Path, marts_dir: Path) -> None:
    """Make `staging` the live `marts_dir`; the old live set moves to the retired folder.

    Raise MartsFolderError when a folder cannot be created, removed or renamed.
    """
    try:
        _swap_in(staging, marts_dir)
    except OSError as e:
        raise MartsFolderError(
            _("The run could not replace the marts folder {folder}: {reason}. A run needs "
              "write access to that folder and to the folder that contains it, and the marts "
              "folder must not be a mount point.").format(
                folder=marts_dir, reason=e.strerror or e
            )
        ) from e


def _swap_in(staging: Path, marts_dir: Path) -> None:
    marts_dir.parent.mkdir(parents=True, exist_ok=True)
    retired = retired_dir(marts_dir)
    if retired.exists():
        shutil.rmtree(retired)

    if not marts_dir.exists() or _is_empty_dir(marts_dir):
        # rename(2) replaces an empty folder atomically.
        os.rename(staging, marts_dir)
        logger.info("published %s (no previous set)", marts_dir)
        return

    if _exchange(staging, marts_dir):
        os.rename(staging, retired)
        logger.info("published %s by atomic exchange", marts_dir)
        return

    os.rename(marts_dir, retired)
    os.rename(staging, marts_dir)
    logger.info("published %s by two renames (exchange not supported here)", marts_dir)


def read_consistent(
    marts_dir: Path, read: Callable[[Path], T], attempts: int = 20, wait_seconds: float = 0.05
) -> T:
    """Return `read(marts_dir)` computed entirely on one published set.

    The publish id in publish.json is read before and after `read`. The read is repeated when
    the id changed, or when the folder was missing for a moment during a two-rename swap. Then
    `read` can fail with any error of the library it reads with (DuckDB raises its own error
    for a vanished file), so an error is raised only when the set did not change around it.
    """
    for _attempt in range(attempts):
        before = None
        try:
            before = publish_id(marts_dir)
            result = read(marts_dir)
            if publish_id(marts_dir) == before:
                return result
        except Exception:
            if before is not None and _publish_id_or_none(marts_dir) == before:
                raise
        time.sleep(wait_seconds)
    raise TimeoutError(
        f"{marts_dir} changed during each of {attempts} reads; a publish may be stuck in a loop."
    )


def _publish_id_or_none(marts_dir: Path) -> str | None:
    try:
        return publish_id(marts_dir)
    except (OSError, ValueError, KeyError):
        return None


def publish_id(marts_dir: Path) -> str:
    """Return the unique id of the set live in `marts_dir` (from its publish.json)."""
    manifest = json.loads((Path(marts_dir) / MANIFEST).read_text(encoding="utf-8"))
    return manifest["publish_id"]


def live_manifest(marts_dir: Path) -> dict:
    """Return the publish.json of the set live in `marts_dir`, or an empty dict when the folder
    has no readable one."""
    try:
        manifest = json.loads((Path(marts_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically with renameat2; return False when the system lacks it."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, f"renameat2 exchange of {a} and {b} failed: {os.strerror(err)}")


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())
