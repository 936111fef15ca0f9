"""Flow runs a lost Prefect server left "Running", and the later run that ends them Crashed.

A run whose server went away ends without telling the server (it cannot reach it), so the UI
would show the run Running for ever. Before its process exits, the run writes the flow run's
id and the server's URL to `<data dir>/logs/lost-prefect-runs.jsonl`; the next run of this
data folder that reports to that server sets each such run Crashed, saying why, and forgets
it. (A run killed outright, SIGKILL or a power cut, records nothing: Prefect's zombie-run
automation is the remedy for that, docs/monitoring.md.)
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from uuid import UUID

log = logging.getLogger(__name__)

FILE_NAME = "lost-prefect-runs.jsonl"


@dataclass(frozen=True, slots=True)
class LostRun:
    """A flow run whose server went away before the run could report its end."""

    api_url: str
    flow_run_id: str
    lost_at: str  # when the server was found gone ("2025-11-20 10:00:00 UTC")
    stored: int | None  # articles the run stored (None: not known)

    def message(self) -> str:
        """Return the message of the Crashed state a later run sets."""
        stored = "" if self.stored is None else f" ({self.stored:,} articles)"
        return (
            f"the Prefect server was unreachable from {self.lost_at}: the run stored what it "
            f"had fetched{stored} and ended with exit 1; a later run set this state"
        )


def lost_runs_file(data_dir: Path) -> Path:
    """Return where a data folder's lost runs are listed."""
    return data_dir / "logs" / FILE_NAME


def remember(data_dir: Path, run: LostRun) -> None:
    """Add a lost run to the data folder's list (best effort: the process is about to exit)."""
    path = lost_runs_file(data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(asdict(run)) + "\n")
    except OSError as error:
        log.warning("could not record the lost flow run %s: %s", run.flow_run_id, error)


def settle(data_dir: Path, api_url: str) -> int:
    """Set Crashed the runs this server lost; return how many were settled.

    Runs of another server, and runs this one could not be asked about, stay listed.
    """
    path = lost_runs_file(data_dir)
    if not path.exists():
        return 0
    taken = path.with_name(f"{FILE_NAME}.{os.getpid()}")
    try:
        path.replace(taken)  # a run lost meanwhile starts a new list
    except OSError:
        return 0
    runs = read_lost_runs(taken)
    left = [run for run in runs if run.api_url != api_url or not crash(run)]
    for run in left:
        remember(data_dir, run)
    with contextlib.suppress(OSError):
        taken.unlink()
    return len(runs) - len(left)


def read_lost_runs(path: Path) -> list[LostRun]:
    """Return the runs listed in a file (lines that cannot be read are dropped)."""
    runs = []
    with contextlib.suppress(OSError):
        for line in path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError, TypeError):
                runs.append(LostRun(**json.loads(line)))
    return runs


def crash(run: LostRun) -> bool:
    """Set a lost run Crashed (unless it already ended); tell whether it is settled, which a
    run this server does not know is too."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound
    from prefect.states import Crashed

    try:
        run_id = UUID(run.flow_run_id)
    except ValueError:
        return True  # not a run id: nothing to settle
    try:
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(run_id).state
            if state is None or not state.is_final():
                client.set_flow_run_state(run_id, Crashed(message=run.message()), force=True)
    except ObjectNotFound:
        return True
    except Exception as error:  # the next run tries again
        log.warning("could not end the lost flow run %s: %s", run.flow_run_id, error)
        return False
    log.info("flow run %s, lost with its server at %s, set Crashed", run_id, run.lost_at)
    return True
