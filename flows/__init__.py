"""The I/O and orchestration edge: Prefect flows, the plain steps they run, fetching, the CLI.

One article's way, each stage in one module:

- `flows/ingest.py` — the Prefect flows `ingest` and `backfill`; `flows/tasks.py` — their
  tasks, one line each around a plain step; `flows/runtime.py` builds a run's `RunContext`
  (`flows/context.py`) from settings; `flows/report.py` — what a run did, for its artifacts.
- `flows/steps/` — the plain steps, callable without Prefect: `discover.py` (feeds, listings),
  `batches.py` (select what to fetch, process a batch: fetch, analyse, store), `link.py`
  (explicit and content links, near-duplicates), `fetchlog.py` (what every request gave).
- `flows/fetch/` — the only HTTP client (`http.py`: politeness, retries, host check), the worker
  pool (`pool.py`, `workers.py`, `worker_init.py`), read-ahead and the site-wide limit.
- `flows/cli/` — the `unn-ingest` command line: `app.py` (run, backfill), `serve.py`,
  `prefect_server.py` and `local_server.py` (the Prefect server a command reports to), `options.py`
  (what every command shares), `read.py` (stories, show, export), `demo.py`, `probe.py`,
  `evaluate.py` (`eval …`), `views.py` (terminal tables).
- `flows/evaluation/` — quality against ground truth (real data and the replica).
"""

import os as _os

# Nothing reaches any host but the site's: Prefect's telemetry, its client's (DO_NOT_TRACK) and
# its server's, stays off unless the operator turns it on. Set before Prefect is first
# imported (every module here imports it after this), and inherited by the servers and worker
# processes a run starts.
for _name, _value in (("DO_NOT_TRACK", "1"), ("PREFECT_SERVER_ANALYTICS_ENABLED", "false")):
    _os.environ.setdefault(_name, _value)
