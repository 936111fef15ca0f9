"""CPU milliseconds per article by stage, for the benchmarks that run a flow in this process.

The stages are what `unn_ingest.flows.cputime` charged during the run: this process's own
(`discover`, `batch: store articles`, `link: near-duplicates`, …) and the worker processes'
(`workers: analysis`, …, sent back with every batch). What no stage claims is shown as "the
rest": in this process Prefect's engine, logs sent to its API, the HTTP client of listing
walks and the pool's result thread; in the workers their start-up (fork server imports) and
the pickling of batches.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass
from typing import Any

WORKERS = "workers: "


@dataclass(frozen=True)
class CpuMark:
    """CPU counters at one moment: this process, its reaped children, the stages."""

    own: float
    children: float
    stages: dict[str, float]
    load: str

    @classmethod
    def now(cls) -> CpuMark:
        from unn_ingest.flows import cputime

        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return cls(
            own.ru_utime + own.ru_stime,
            kids.ru_utime + kids.ru_stime,
            cputime.snapshot(),
            load_average(),
        )


def load_average() -> str:
    """Return the machine's load averages (1, 5, 15 minutes), as `uptime` shows them."""
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def ms_per_article(before: CpuMark, after: CpuMark, articles: int) -> dict[str, Any]:
    """Return CPU ms per article by stage between two marks: main process and workers."""
    spent = {k: v - before.stages.get(k, 0.0) for k, v in after.stages.items()}
    main = {k: v for k, v in spent.items() if not k.startswith(WORKERS) and v > 0}
    workers = {
        k.removeprefix(WORKERS): v for k, v in spent.items() if k.startswith(WORKERS) and v > 0
    }
    own, children = after.own - before.own, after.children - before.children
    per = 1000 / max(articles, 1)
    return {
        "main process": _table(main, own, per),
        "workers": _table(workers, children, per) if children or workers else {},
        "total": round((own + children) * per, 2),
        "load average before / after": [before.load, after.load],
    }


def _table(stages: dict[str, float], total: float, per: float) -> dict[str, float]:
    """Return the stages in ms per article, largest first, with the rest and the total."""
    rows = {k: round(v * per, 2) for k, v in sorted(stages.items(), key=lambda kv: -kv[1])}
    rows["the rest"] = round((total - sum(stages.values())) * per, 2)
    rows["total"] = round(total * per, 2)
    return rows


def cpu_seconds(call: Any, *args: Any) -> tuple[float, float]:
    """Return (wall seconds, CPU seconds of this process) that `call(*args)` takes."""
    wall, cpu = time.perf_counter(), time.process_time()
    call(*args)
    return time.perf_counter() - wall, time.process_time() - cpu
