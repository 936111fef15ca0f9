"""The split benchmark counts task runs by task, whatever the run's descriptive name."""

from __future__ import annotations

import pytest

from bench.split import RUN_DEPLOYMENT_KEY, task_label

CASES = {
    "batch": ("process-batch en+uk 2025-11-03 #2", "process_batch-1a2b", "process-batch"),
    "walk": ("discover-range ru 2025-11-01..2025-11-07", "discover_range-3c4d", "discover-range"),
    "link": ("link-by-content 2025-11-01..07", "link_by_content-5e6f", "link-by-content"),
    "one-word": ("select-work", "select_requests-7a8b", "select-work"),
    "random-words": ("brave-otter", RUN_DEPLOYMENT_KEY + "backfill-part", "run-deployment"),
}


@pytest.mark.parametrize(("name", "task_key", "label"), CASES.values(), ids=CASES.keys())
def test_a_task_run_is_labelled_by_its_task(name: str, task_key: str, label: str) -> None:
    assert task_label({"name": name, "task_key": task_key}) == label
