"""The progress artifact is written behind the run: a step never waits on Prefect's API (a
call to a server that went away retries for a minute)."""

from __future__ import annotations

import threading
from typing import Any
from uuid import uuid4

import prefect.artifacts
import pytest

from unn_ingest.flows.artifacts import ProgressArtifact, RunScope


def test_advancing_never_waits_for_prefects_api(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    written: list[float] = []

    def update(artifact_id: Any, progress: float, **_: Any) -> None:
        written.append(progress)
        release.wait(60)  # a server that does not answer

    monkeypatch.setattr(prefect.artifacts, "create_progress_artifact", lambda **_: uuid4())
    monkeypatch.setattr(prefect.artifacts, "update_progress_artifact", update)
    artifact = ProgressArtifact(RunScope("backfill", "http://site", "sqlite://", ("uk",)), 0.0)
    artifact.start(10)
    artifact.advance(5)  # returns although its write hangs
    artifact.advance(3)  # a write is still in flight: this figure is not written
    assert artifact.percent() == 80.0
    release.set()
    artifact.advance(2)
    artifact.finish()  # after the write in flight, the final figure
    assert written[0] == 50.0 and written[-1] == 100.0 and 80.0 not in written
