"""A run stops before any work when publishing could not replace the marts folder.

Root ignores file modes, so read-only folders and mount points are simulated: os.access and the
mount table are replaced.
"""

from __future__ import annotations

import errno
import os

import pytest
from test_cli import run_cli
from test_cli_interrupt import demo_config

from pipelines import cli
from pipelines.errors import MartsFolderError
from pipelines.flows import audit as audit_flow
from pipelines.i18n import set_language
from pipelines.publish.formatting import using_language
from pipelines.publish import atomic


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    # Rich wraps at the terminal width, so a wide terminal keeps each message on one line.
    monkeypatch.setenv("COLUMNS", "400")
    yield
    set_language("id")


def read_only(monkeypatch, *folders):
    """Make os.access report each of `folders` as not writable."""
    real_access = os.access
    blocked = {os.path.abspath(folder) for folder in folders}

    def access(path, mode, **kwargs):
        if os.path.abspath(path) in blocked and mode & os.W_OK:
            return False
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(atomic.os, "access", access)


def mount_table(monkeypatch, tmp_path, *mount_points):
    table = tmp_path / "mountinfo"
    lines = [
        f"{36 + number} 1 0:{number} / {point.replace(' ', chr(92) + '040')} rw - ext4 /dev/x rw"
        for number, point in enumerate(["/", *map(str, mount_points)])
    ]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(atomic, "MOUNT_TABLE", table)


def test_writable_marts_folder_passes(tmp_path):
    (tmp_path / "marts").mkdir()
    atomic.check_replaceable(tmp_path / "marts")
    atomic.check_replaceable(tmp_path / "new" / "data" / "marts")


def test_read_only_marts_folder_rejected(tmp_path, monkeypatch):
    marts = tmp_path / "marts"
    marts.mkdir()
    read_only(monkeypatch, marts)

    with using_language("en"), pytest.raises(MartsFolderError) as error:
        atomic.check_replaceable(marts)

    assert str(error.value).startswith(f"The marts folder {marts} is read-only.")


def test_read_only_parent_rejected(tmp_path, monkeypatch):
    read_only(monkeypatch, tmp_path)

    with using_language("en"), pytest.raises(MartsFolderError) as error:
        atomic.check_replaceable(tmp_path / "data" / "marts")

    assert str(error.value).startswith(f"The folder {tmp_path} is read-only")


def test_mount_point_rejected(tmp_path, monkeypatch):
    marts = tmp_path / "bappeda share" / "marts"
    marts.mkdir(parents=True)
    mount_table(monkeypatch, tmp_path, marts)

    assert atomic.is_mount_point(marts)
    assert not atomic.is_mount_point(marts.parent)
    with using_language("en"), pytest.raises(MartsFolderError) as error:
        atomic.check_replaceable(marts)

    assert str(error.value) == (
        f"The marts folder {marts} is a mount point, which a run cannot replace as a whole. "
        f"Set marts_dir in the run configuration to a folder inside it, such as {marts / 'marts'}."
    )


def test_failed_swap_raises_marts_folder_error(tmp_path, monkeypatch):
    marts = tmp_path / "marts"
    marts.mkdir()
    (marts / "publish.json").write_text("{}", encoding="utf-8")
    staging = tmp_path / ".marts.staging-1"
    staging.mkdir()

    def busy(a, b):
        raise OSError(errno.EBUSY, f"renameat2 exchange of {a} and {b} failed: busy")

    monkeypatch.setattr(atomic, "_exchange", busy)

    with using_language("en"), pytest.raises(MartsFolderError) as error:
        atomic.swap_in(staging, marts)

    message = str(error.value)
    assert message.startswith(f"The run could not replace the marts folder {marts}: renameat2")
    assert "\n" not in message
    assert (marts / "publish.json").exists()


@pytest.mark.parametrize(
    ("language", "text"),
    [("id", "hanya-baca. Jadikan folder itu dapat ditulisi"), ("en", "is read-only. Make it")],
)
def test_read_only_marts_stops_before_prefect(capsys, monkeypatch, tmp_path, language, text):
    def start_prefect(home=None):
        raise AssertionError("Prefect was started for a read-only marts folder")

    monkeypatch.setattr(cli, "apply_prefect_defaults", start_prefect)
    config = demo_config(tmp_path)
    (tmp_path / "marts").mkdir()
    read_only(monkeypatch, tmp_path / "marts")

    code, _out, err = run_cli(capsys, "--lang", language, "run", "--config", str(config))

    assert code == 1
    assert text in err
    assert str(tmp_path / "marts") in err
    assert err.strip().count("\n") == 0


def test_flow_checks_marts_folder_first(tmp_path, monkeypatch):
    def stages(run_config, language, run_id, work_dir):
        raise AssertionError("the run started with a read-only marts folder")

    monkeypatch.setattr(audit_flow, "_audit_locked", stages)
    config = demo_config(tmp_path)
    read_only(monkeypatch, tmp_path)

    with pytest.raises(MartsFolderError):
        audit_flow.audit.fn(config_path=config, language="en")
