"""Prefect settings and the local API server of one audit run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
    get_current_settings,
    temporary_settings,
)

from pipelines.prefect_env import (
    LocalServer,
    PrefectHomeError,
    ServerStartError,
    ServerUnreachableError,
    apply_prefect_defaults,
    check_api_server,
    flow_run_settings,
    start_local_server,
)


class ReadyServer:
    """A stand-in for LocalServer that is ready at once."""

    waited = False

    def wait_ready(self) -> None:
        self.waited = True


def test_temporary_server_runs_without_heartbeats():
    with temporary_settings(updates={PREFECT_API_URL: None,
                                     PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 180}):
        with flow_run_settings():
            assert get_current_settings().flows.heartbeat_frequency is None
        assert get_current_settings().flows.heartbeat_frequency == 180


def test_permanent_server_keeps_heartbeats():
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api",
                                     PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 180}):
        with flow_run_settings():
            assert get_current_settings().flows.heartbeat_frequency == 180


def test_local_server_waited_for_without_heartbeats():
    server = ReadyServer()
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api",
                                     PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 180}):
        with flow_run_settings(server):
            assert server.waited
            assert get_current_settings().flows.heartbeat_frequency is None


def test_no_local_server_once_prefect_imported(tmp_path, monkeypatch):
    # This test process has imported Prefect, whose settings would miss a new address.
    monkeypatch.delenv("PREFECT_API_URL", raising=False)

    assert start_local_server(tmp_path) is None
    assert "PREFECT_API_URL" not in os.environ


def test_server_that_exits_raises(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    server = LocalServer(process, "http://127.0.0.1:9/api", tmp_path / "local-server.log")

    with pytest.raises(ServerStartError) as error:
        server.wait_ready(timeout=30)

    assert "http://127.0.0.1:9/api" in str(error.value)
    assert "local-server.log" in str(error.value)


START_AND_STOP = textwrap.dedent(
    """
    import os, sys, urllib.request
    from pathlib import Path
    from pipelines.prefect_env import apply_prefect_defaults, start_local_server

    home = Path(sys.argv[1])
    apply_prefect_defaults(home)
    server = start_local_server(home)
    server.wait_ready()
    with urllib.request.urlopen(server.url + "/health", timeout=5) as response:
        print(response.status, os.environ["PREFECT_API_URL"] == server.url)
    server.stop()
    print(server.process.poll() is not None)
    """
)


def test_local_server_starts_and_stops(tmp_path):
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("PREFECT_")}
    done = subprocess.run(
        [sys.executable, "-c", START_AND_STOP, str(tmp_path / "prefect")],
        env=environment, capture_output=True, text=True, timeout=180, check=True,
    )

    assert done.stdout.split() == ["200", "True", "True"]
    log = (tmp_path / "prefect" / "local-server.log").read_text(encoding="utf-8")
    assert log.startswith("--- server on port ")


def test_local_server_log_is_appended(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    (tmp_path / "local-server.log").write_text("--- an earlier server\n", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-c", "pass"])

    def fake_popen(*args, **kwargs):
        return process

    monkeypatch.setattr(subprocess, "Popen", fake_popen)
    monkeypatch.delitem(sys.modules, "prefect")
    # Set first, so that the address the function sets is removed after the test.
    monkeypatch.setenv("PREFECT_API_URL", "")
    monkeypatch.delenv("PREFECT_API_URL")

    server = start_local_server(tmp_path)
    process.wait()

    log = (tmp_path / "local-server.log").read_text(encoding="utf-8").splitlines()
    assert log[0] == "--- an earlier server"
    assert log[1].startswith("--- server on port ")
    assert server.url.startswith("http://127.0.0.1:")


START_AND_WAIT = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from pipelines.prefect_env import apply_prefect_defaults, start_local_server

    home = Path(sys.argv[1])
    apply_prefect_defaults(home)
    server = start_local_server(home)
    server.wait_ready()
    print(server.process.pid, os.getsid(server.process.pid) != os.getsid(0), flush=True)
    time.sleep(600)
    """
)


def _process_exists(pid: int) -> bool:
    # A zombie left for init to reap counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_local_server_stops_with_killed_command(tmp_path):
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("PREFECT_")}
    command = subprocess.Popen(
        [sys.executable, "-c", START_AND_WAIT, str(tmp_path / "prefect")],
        env=environment, stdout=subprocess.PIPE, text=True,
    )
    try:
        pid, own_session = command.stdout.readline().split()
    finally:
        command.kill()
        command.wait()
    server_pid = int(pid)

    deadline = time.monotonic() + 30
    while _process_exists(server_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    server_left = _process_exists(server_pid)
    if server_left:
        os.kill(server_pid, signal.SIGKILL)

    assert own_session == "True"
    assert not server_left


def test_nested_prefect_home_created(tmp_path, monkeypatch):
    home = tmp_path / "a" / "b" / "prefect"
    monkeypatch.setenv("PREFECT_HOME", str(home))

    apply_prefect_defaults()

    assert home.is_dir()


def test_unwritable_prefect_home_raises(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("PREFECT_HOME", str(blocker / "prefect"))

    with pytest.raises(PrefectHomeError) as error:
        apply_prefect_defaults()

    assert str(blocker / "prefect") in str(error.value)


def test_dead_api_server_raises(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")

    with pytest.raises(ServerUnreachableError) as error:
        check_api_server(timeout=1)

    assert "http://127.0.0.1:9/api" in str(error.value)


def test_no_api_server_check_without_url(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)

    check_api_server(timeout=1)
