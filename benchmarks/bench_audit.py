"""End-to-end benchmark: the whole audit on batang-size synthetic data.

Generates about 860,000 persons with their rosters (unless the folder already contains them),
runs the `audit` flow once, and prints seconds per stage and the peak resident memory of this
process (DuckDB's memory counts; the Prefect server runs in another process and does not).

Without `--prefect-server` the script starts Prefect's local server and imports the flow while
it starts, as `bansos-audit run` does, and the wall time includes both and the server's stop.
With it, the script first starts `prefect server start` on 127.0.0.1 and runs the flow against
it, as a scheduled run on a deployment would. Either way it prints the CPU seconds of the
server process.

    uv run --frozen python benchmarks/bench_audit.py [--size batang] [--persons N] [--keep]
        [--prefect-server]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pipelines.prefect_env import apply_prefect_defaults, flow_run_settings, local_server
from pipelines.settings import write_demo_run_config


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of process `pid`, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def prefect_server(home: Path, timeout: float = 90.0) -> Iterator[subprocess.Popen]:
    """Start `prefect server start` on a free loopback port, point PREFECT_API_URL at it and
    stop it on exit. Call before Prefect is imported."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
         "--port", str(port), "--no-ui"],
        env={**os.environ, "PREFECT_HOME": str(home)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        started = time.perf_counter()
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if server.poll() is not None or time.perf_counter() - started > timeout:
                raise SystemExit(f"Prefect server did not start; see {home / 'server.log'}")
            time.sleep(0.2)
        sys.stdout.write(f"prefect server: ready at {url} after "
                         f"{time.perf_counter() - started:.1f} s\n")
        os.environ["PREFECT_API_URL"] = url
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="batang")
    parser.add_argument("--persons", type=int, default=None)
    parser.add_argument("--folder", type=Path, default=None,
                        help="reuse this folder's raw/ files instead of generating")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--prefect-server", action="store_true",
                        help="run against a Prefect server started before the flow")
    args = parser.parse_args()

    folder = args.folder or Path(tempfile.mkdtemp(prefix="bansos-bench-"))
    apply_prefect_defaults(folder / "prefect")
    if args.prefect_server:
        with prefect_server(folder / "prefect-server") as server:
            run(args, folder, server.pid)
    else:
        run(args, folder, None)
    if not args.keep and args.folder is None:
        shutil.rmtree(folder)


def run(args: argparse.Namespace, folder: Path, server_pid: int | None) -> None:
    from pipelines.synth import generate

    if not (folder / "raw").exists():
        started = time.perf_counter()
        summary = generate(folder / "raw", folder / "truth", size=args.size, persons=args.persons)
        rows = sum(summary.rows.values())
        sys.stdout.write(f"generate: {time.perf_counter() - started:.1f} s, {rows:,} rows\n")
    config = write_demo_run_config(folder)

    # As in `bansos-audit run`: without --prefect-server, Prefect's local server starts first
    # and the flow module is imported while it starts, so the wall time includes both.
    server_cpu = process_cpu_seconds(server_pid) if server_pid else 0.0
    started, cpu = time.perf_counter(), cpu_seconds()
    with local_server(folder / "prefect") as local:
        from pipelines.flows.audit import audit, preload_validation_library

        preload_validation_library()
        with flow_run_settings(local):
            result = audit(config_path=config, language="id")
        local_cpu = process_cpu_seconds(local.process.pid) if local is not None else 0.0
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu

    read = sum(c.rows_read for c in result.file_counts)
    start_up = (
        "on a running Prefect server" if server_pid
        else "including imports and the start of Prefect's local server"
    )
    sys.stdout.write(f"audit: {wall:.1f} s wall ({start_up}), {cpu:.1f} s CPU in this process, "
                     f"{read:,} rows read\n")
    if server_pid:
        server_cpu = process_cpu_seconds(server_pid) - server_cpu
        sys.stdout.write(f"  Prefect server CPU during the run: {server_cpu:.1f} s\n")
    else:
        sys.stdout.write(f"  Prefect local server CPU, start included: {local_cpu:.1f} s\n")
    for stage, seconds in result.stage_seconds.items():
        sys.stdout.write(f"  {stage:<10} {seconds:7.1f} s\n")
    sys.stdout.write(f"  findings   {sum(result.findings_per_rule.values()):,}\n")
    sys.stdout.write(f"peak RSS of this process: {peak_rss_mib():,.0f} MiB\n")


if __name__ == "__main__":
    main()
