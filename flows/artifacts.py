"""A flow run's artifacts in the Prefect UI: progress, summary, failures and a trend over runs.

Keys carry the run's scope (site and database), so runs against different sites or databases
never share an artifact's history. Nothing here shows a secret: database URLs lose their
password before they are shown or hashed into a key.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from uuid import UUID

from unn_ingest.flows.report import COUNTERS, RunReport
from unn_ingest.storage import StorageError

if TYPE_CHECKING:
    from unn_ingest.flows.context import RunContext

log = logging.getLogger(__name__)

COUNTER_HELP = (
    "**discovered**: article URLs the feeds and listings showed; **fetched**: pages downloaded; "
    "**new** / **updated** / **unchanged**: what storing them did; **linked**: stored articles "
    "now in one story with another edition; **removed**: stored articles the site now answers "
    "404 or 410 for (kept, marked removed); **moved**: stored articles whose URL now redirects "
    "to a new slug (same article, same story); **failed**: pages or listings that failed (see the "
    "failures artifact)."
)
TREND_DAYS = 30  # days of history the trend table keeps
HIDDEN = "REDACTED"  # in place of a password ("***" would read as markdown in the UI's logs)


def redact_url(url: str) -> str:
    """Return a URL without its password (database URLs shown in the UI or logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:{HIDDEN}@{parts.hostname or ''}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return parts._replace(netloc=netloc).geturl()


@dataclass(frozen=True, slots=True)
class RunScope:
    """What a run covered, for titles and keys: its flow, dates, editions, site and database."""

    flow: str
    site: str
    database: str  # already redacted
    editions: tuple[str, ...]
    date_from: date | None = None
    date_to: date | None = None

    def key(self, kind: str) -> str:
        """Return an artifact key for this flow, kind and scope (lowercase letters, digits, -)."""
        host = urlsplit(self.site).netloc or self.site
        slug = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")[:40]
        digest = hashlib.sha256(self.database.encode()).hexdigest()[:8]
        return f"{self.flow}-{kind}-{slug}-{digest}"

    def describe(self) -> str:
        """Return one markdown line: range, editions, site and database."""
        span = ""
        if self.date_from is not None:
            span = f"**range** {self.date_from}..{self.date_to} (site-local dates) · "
        editions = ",".join(self.editions)
        # Code-formatted: `user:REDACTED@host` would otherwise render as a mailto: link.
        return (
            f"{span}**editions** {editions} · **site** {self.site} · **database** `{self.database}`"
        )


FINAL_WRITE_WAIT_SECONDS = 5.0


@dataclass
class ProgressArtifact:
    """A progress artifact that a long run updates as batches finish (at most every few s)."""

    scope: RunScope
    every_seconds: float = 3.0
    done: int = 0
    total: int = 0
    _id: UUID | None = None
    _last: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _writing: threading.Thread | None = field(default=None, repr=False)

    def start(self, total: int) -> None:
        """Create the artifact at 0 % for `total` articles."""
        from prefect.artifacts import create_progress_artifact

        self.total = total
        self._id = _quietly(
            create_progress_artifact,
            progress=0.0 if total else 100.0,
            key=self.scope.key("progress"),
            description=f"{self.scope.flow}: articles processed · {self.scope.describe()}",
            _sync=True,
        )
        self._last = time.monotonic()

    def advance(self, done: int, more: int = 0) -> None:
        """Count `done` more articles processed (and `more` added to the total)."""
        with self._lock:
            self.done += done
            self.total += more
            due = time.monotonic() - self._last >= self.every_seconds
            if due:
                self._last = time.monotonic()
        if due:
            self._write_behind()

    def _write_behind(self) -> None:
        """Write the figure in a thread of its own, one write at a time: the run never waits
        on Prefect's API (a call to a server that went away retries for a minute)."""
        if self._writing is not None and self._writing.is_alive():
            return  # a later figure is written by a later call
        context = contextvars.copy_context()
        self._writing = threading.Thread(
            target=context.run, args=(self._write,), name="progress-artifact", daemon=True
        )
        self._writing.start()

    def finish(self) -> None:
        """Write the final figure (100 % unless the run stopped early), after a figure still
        being written."""
        if self._writing is not None:
            self._writing.join(FINAL_WRITE_WAIT_SECONDS)
        self._write(final=True)

    def percent(self) -> float:
        """Return the share of the work done, in percent."""
        return 100.0 if not self.total else min(100.0, 100.0 * self.done / self.total)

    def _write(self, final: bool = False) -> None:
        from prefect.artifacts import update_progress_artifact

        if self._id is None:
            return
        value = self.percent()
        if final and self.done >= self.total:
            value = 100.0
        _quietly(update_progress_artifact, self._id, value, _sync=True)


FAILURES_HINT = (
    "\n\nWhat still fails, why, how often and when it is tried next (the frontier): "
    "`unn-ingest failures --since 1d` (add `--json` for machines)."
)


def run_completeness(ctx: RunContext) -> dict[str, dict[str, Any]]:
    """Return per edition the share of this run's stored articles with each field ({} when
    the store cannot say: the run's own summary must not fail on it)."""
    try:
        rows = ctx.store.field_completeness(article_ids=ctx.report.stored_ids())
    except StorageError as error:
        log.warning("field completeness not measured: %s", error)
        return {}
    return {r.edition: {"articles": r.articles, "shares": r.shares()} for r in rows}


def completeness_markdown(completeness: dict[str, dict[str, Any]]) -> str:
    """Return per edition the share of this run's stored articles with each field, as markdown
    (a field per row: `completeness` is edition -> {"articles": n, "shares": {field: share}})."""
    if not completeness:
        return ""
    editions = sorted(completeness)
    names = list(next(iter(completeness.values()))["shares"])
    lines = [
        "**Fields found** (share of this run's stored articles):",
        "",
        "| field | " + " | ".join(f"{e} ({completeness[e]['articles']})" for e in editions) + " |",
        "|---|" + "---|" * len(editions),
    ]
    for name in names:
        shares = (completeness[e]["shares"].get(name) for e in editions)
        lines.append(f"| {name} | " + " | ".join(_percent(v) for v in shares) + " |")
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def publish_artifacts(
    report: RunReport,
    scope: RunScope,
    note: str = "",
    completeness: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Publish the failures, the per-edition summary (linking to the failures and showing how
    complete each field is) and the trend."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    failures_id = _quietly(
        create_markdown_artifact,
        key=scope.key("failures"),
        markdown=(
            f"# {scope.flow}: failures\n\n{scope.describe()}\n\n{report.failures_markdown()}"
            + FAILURES_HINT
        ),
        description=f"{scope.flow}: what failed, with the reason",
        _sync=True,
    )
    link = f" · [the failures](/artifacts/artifact/{failures_id})" if failures_id else ""
    _quietly(
        create_table_artifact,
        key=scope.key("summary"),
        table=report.table(),
        description=(
            f"{scope.flow}: {report.stored_counts()}{note} · per edition, what this run did · "
            f"{scope.describe()}{link}\n\n"
            + COUNTER_HELP
            + (f"\n\n{completeness_markdown(completeness)}" if completeness else "")
        ),
        _sync=True,
    )
    publish_trend(report, scope)


def publish_trend(report: RunReport, scope: RunScope) -> None:
    """Add this run to the trend table (per publication day and edition)."""
    from prefect.artifacts import create_table_artifact

    key = RunScope("runs", scope.site, scope.database, scope.editions).key("trend")
    rows = merge_trend(_latest_table(key), report)
    _quietly(
        create_table_artifact,
        key=key,
        table=rows,
        description=f"every run against {scope.site} · `{scope.database}`: per publication day "
        f"(site-local) and edition, the runs that stored its articles, how many were new, how "
        f"many are still missing, and minutes from publication to storage (p50, p95, max, over "
        f"every stored article of the day); last {TREND_DAYS} days, newest first",
        _sync=True,
    )


TREND_FRESH = ("fresh p50 min", "fresh p95 min", "fresh max min")


def merge_trend(previous: list[dict[str, Any]], report: RunReport) -> list[dict[str, Any]]:
    """Return the trend rows with this run added: one row per (publication day, edition),
    newest first. New articles add up; "missing" and freshness are the latest measure."""
    rows = {(str(r["day"]), str(r["edition"])): dict(r) for r in previous if "day" in r}
    tally = report.freshness
    for day, edition in tally.days():
        row = rows.setdefault(
            (day.isoformat(), edition),
            {"day": day.isoformat(), "edition": edition, "runs": 0, "new": 0, "missing": 0}
            | dict.fromkeys(TREND_FRESH),
        )
        row["runs"] = int(row.get("runs") or 0) + 1
        row["new"] = int(row.get("new") or 0) + tally.day_new.get((day, edition), 0)
        row["missing"] = tally.day_missing.get((day, edition), 0)
        figures = tally.day_lags.get((day, edition))
        if figures is not None:
            row.update(zip(TREND_FRESH, (figures[k] for k in ("p50", "p95", "max")), strict=True))
    days = sorted({day for day, _ in rows}, reverse=True)[:TREND_DAYS]
    return [rows[k] for k in sorted(rows, key=lambda k: (k[0], k[1]), reverse=True) if k[0] in days]


def _latest_table(key: str) -> list[dict[str, Any]]:
    """Return the rows of the latest table artifact under `key`, or none."""
    import json

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    try:
        with get_client(sync_client=True) as client:
            found = client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                sort=ArtifactSort.CREATED_DESC,
                limit=1,
            )
    except Exception as exc:  # the trend is a convenience: never fail a run over it
        log.warning("could not read the trend artifact %s: %s", key, exc)
        return []
    if not found:
        return []
    data = found[0].data
    rows = json.loads(data) if isinstance(data, str) else data
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def _quietly(create: Any, *args: Any, **kwargs: Any) -> Any:
    """Call an artifact function; an API hiccup is logged, never allowed to fail the run."""
    try:
        return create(*args, **kwargs)
    except Exception as exc:
        log.warning("could not publish an artifact (%s): %s", create.__name__, exc)
        return None


__all__ = ["COUNTERS", "ProgressArtifact", "RunScope", "publish_artifacts", "redact_url"]
