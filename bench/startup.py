"""Benchmark: how soon a command shows its first line, and `run` with nothing new, end to end.

    python -m bench.startup [--runs 5] [--baseline-src DIR]

On the embedded default (no `PREFECT_API_URL`, no `PREFECT_HOME`: Prefect's local server with
its state under the data directory), against a replica in this process: one `unn-ingest run`
stores the replica's latest articles (and creates Prefect's database), then `--runs` runs find
nothing new. Each command is a child process; the benchmark reports its wall time, the time
to its first byte on stdout or stderr, and the CPU seconds it and its children used
(`wait4`). The baseline, measured in the same run, is the same `run` reporting to a Prefect
server that is already up (what the local server's start adds), and the time to first line
of `unn-ingest --help` (the interpreter and the command line alone). With `--baseline-src`
(a checkout of an earlier commit, e.g. `git archive 175cf1b | tar -x -C /tmp/old`), the same
runs of that version, interleaved with these (its Prefect home a folder of its own, kept
between its runs as `~/.prefect` is). The machine's load
average is printed before and after: these machines are shared. Targets: first line within
1 s of any command; `run` with nothing new in 5 s or less.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from unn_ingest.flows.cli.local_server import LocalServer, free_port
from unn_ingest.replica.testing import running_replica

CLI = [sys.executable, "-m", "unn_ingest"]


def measured(command: list[str], env: dict[str, str], cwd: Path | None = None) -> dict[str, float]:
    """Run a command; return its wall seconds, seconds to its first output and CPU seconds."""
    started = time.perf_counter()
    pipe = subprocess.PIPE
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=pipe, stderr=pipe)
    assert process.stdout is not None and process.stderr is not None
    first: float | None = None
    streams, tail = [process.stdout, process.stderr], b""
    while streams:
        for stream in select.select(streams, [], [])[0]:
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                streams.remove(stream)
                continue
            first = first if first is not None else time.perf_counter() - started
            tail = (tail + chunk)[-2000:]
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command} failed: {tail.decode(errors='replace')}")
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "wall_s": round(wall, 2),
        "first_output_s": round(first or wall, 2),
        "cpu_s": round(cpu, 2),
    }


def summary(samples: list[dict[str, float]]) -> dict[str, Any]:
    """Return the median, min and max of each measure over the samples."""
    return {
        name: {
            "median": round(statistics.median(s[name] for s in samples), 2),
            "min": min(s[name] for s in samples),
            "max": max(s[name] for s in samples),
        }
        for name in samples[0]
    }


def environment(data_dir: Path, api: str | None = None) -> dict[str, str]:
    """Return a newcomer's environment (nothing of Prefect configured), or one naming `api`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["UNN_INGEST_DATA_DIR"] = str(data_dir)
    return env | ({"PREFECT_API_URL": api} if api else {})


def old_environment(data_dir: Path, source: Path) -> dict[str, str]:
    """Return the environment that runs the checkout at `source` instead of this one."""
    env = environment(data_dir) | {"PREFECT_HOME": str(data_dir.parent / "old-prefect-home")}
    return env | {"PYTHONPATH": str(source.resolve())}  # before the editable install's finder


def first_lines(env: dict[str, str], out: Path) -> dict[str, float]:
    """Return the seconds to the first line of the commands a person types most."""
    commands = {
        "--help": ["--help"],
        "stories": ["stories"],
        "failures": ["failures"],
        "db current": ["db", "current"],
        "export": ["export", "--format", "jsonl", "--out", str(out)],
    }
    return {name: measured([*CLI, *args], env)["first_output_s"] for name, args in commands.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-src", type=Path, help="A checkout of an earlier version.")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as work, running_replica(seed=1) as replica:
        data, old_data = Path(work) / "data", Path(work) / "old-data"
        run = [*CLI, "run", "--origin", replica.base_url, "--json"]
        first_run = measured(run, environment(data))  # stores the latest; creates Prefect's db
        old = args.baseline_src
        if old is not None:
            measured(
                run, old_environment(old_data, old), old
            )  # its folder: `-m` imports from there
        nothing_new, old_runs = [], []
        for _ in range(args.runs):
            nothing_new.append(measured(run, environment(data)))
            if old is not None:
                old_runs.append(measured(run, old_environment(old_data, old), old))
        server = LocalServer(free_port())
        server.environment = {"PREFECT_HOME": str(data / "prefect")}
        server.start()
        try:
            server.wait_ready()
            warm = [measured(run, environment(data, server.api_url)) for _ in range(args.runs)]
        finally:
            server.stop()
        lines = first_lines(environment(data), Path(work) / "export.jsonl")
    embedded, baseline = summary(nothing_new), summary(warm)
    result: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "first_run_storing_the_latest": first_run,
        "run_nothing_new_embedded_default": embedded,
        "baseline_run_nothing_new_server_already_up": baseline,
        "ratio_embedded_to_server_up_wall": round(
            embedded["wall_s"]["median"] / baseline["wall_s"]["median"], 2
        ),
        "first_line_s": lines,
    }
    if old_runs:
        result["baseline_run_nothing_new_earlier_version"] = summary(old_runs)
        result["ratio_embedded_to_earlier_version_wall"] = round(
            embedded["wall_s"]["median"] / summary(old_runs)["wall_s"]["median"], 2
        )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
