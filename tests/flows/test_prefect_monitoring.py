"""What an operator sees of a run in a real Prefect server: state, logs, names, artifacts, alerts.

Each test runs the `unn-ingest` command as a user would (a subprocess reporting to the test's
`prefect server start`) and reads the run back through the server's API, or through its UI in
headless Chromium.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, make_url, text

from tests.conftest import PG_URL
from tests.flows.prefect_api import api_client
from tests.flows.test_prefect_server import free_port, pipeline_env, prefect_api, wait_for
from unn_ingest.replica.testing import running_replica

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.postgres]
REPO = Path(__file__).resolve().parents[2]
CI_OUT = REPO / ".ci" / "out"
__all__ = ["prefect_api"]  # the module's Prefect server (a fixture)


def user_env(api: str, data_dir: Path) -> dict[str, str]:
    """A user's environment: Prefect's default log level, not the test session's quiet one."""
    env = pipeline_env(api, data_dir)
    env.pop("PREFECT_LOGGING_LEVEL", None)
    return env


def unn_ingest(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "unn_ingest", *args]
    return subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)


def flow_runs(api: httpx.Client, flow: str) -> list[dict[str, Any]]:
    body = {"flows": {"name": {"any_": [flow]}}, "sort": "START_TIME_DESC"}
    runs: list[dict[str, Any]] = api.post("/flow_runs/filter", json=body).json()
    return runs


def run_logs(api: httpx.Client, run_id: str) -> list[dict[str, Any]]:
    logs: list[dict[str, Any]] = []
    while True:
        body = {"logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 200, "offset": len(logs)}
        page = api.post("/logs/filter", json=body).json()
        logs += page
        if len(page) < 200:
            return logs


def run_artifacts(api: httpx.Client, run_id: str) -> list[dict[str, Any]]:
    body = {"artifacts": {"flow_run_id": {"any_": [run_id]}}}
    found: list[dict[str, Any]] = api.post("/artifacts/filter", json=body).json()
    return found


@contextmanager
def site_down() -> Iterator[str]:
    """Yield a site that is down: it answers 503 to every feed and listing page (a site that
    refuses connections is refused before a run starts, with no flow run at all)."""
    with running_replica(seed=2, generated=10, faults="503:1.0") as down:
        yield down.base_url


def task_runs(api: httpx.Client, run_id: str) -> list[dict[str, Any]]:
    body = {"flow_runs": {"id": {"any_": [run_id]}}}
    found: list[dict[str, Any]] = api.post("/task_runs/filter", json=body).json()
    return found


@pytest.fixture(scope="module")
def dead_run(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One `unn-ingest run` against a site that is down: it answers 503 to every feed and
    listing page (a site that refuses connections is refused before a run starts)."""
    env = user_env(prefect_api, tmp_path_factory.mktemp("dead"))
    with site_down() as down:
        done = unn_ingest(env, "run", "--origin", down)
    with api_client(prefect_api) as api:
        run = flow_runs(api, "ingest")[0]
        return {"done": done, "run": run, "tasks": task_runs(api, run["id"]), "api": prefect_api}


def test_a_run_against_a_stopped_site_ends_failed_and_the_cli_exits_non_zero(
    dead_run: dict[str, Any],
) -> None:
    done, run = dead_run["done"], dead_run["run"]
    assert done.returncode == 1, done.stderr[-2000:]  # a failure at run time
    assert "error: nothing could be discovered" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert run["state_type"] == "FAILED"
    assert "nothing could be discovered" in run["state"]["message"]
    assert re.fullmatch(r"ingest \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC uk,en,ru", run["name"])
    discovery = [t for t in dead_run["tasks"] if t["name"].startswith("catch-up ")]
    assert len(discovery) == 3 and {t["state_type"] for t in discovery} == {"FAILED"}


@pytest.fixture(scope="module")
def hostile_run(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One `unn-ingest run` against a replica whose faults make some pages fail."""
    env = user_env(prefect_api, tmp_path_factory.mktemp("hostile"))
    env["UNN_INGEST_BATCH_SIZE"] = "20"  # several batches, some of them hit
    with running_replica(seed=2, generated=40, faults="hostile") as replica:
        done = unn_ingest(env, "run", "--origin", replica.base_url, "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    with api_client(prefect_api) as api:
        run = flow_runs(api, "ingest")[0]
        return {
            "summary": json.loads(done.stdout),
            "run": run,
            "logs": run_logs(api, run["id"]),
            "tasks": task_runs(api, run["id"]),
            "artifacts": run_artifacts(api, run["id"]),
            "api": prefect_api,
        }


def test_a_run_with_failed_pages_completes_marked_with_one_warning_per_failure(
    hostile_run: dict[str, Any],
) -> None:
    summary, run = hostile_run["summary"], hostile_run["run"]
    failures = summary["failures"]
    assert failures, "the hostile replica should make some pages fail"
    total = summary["editions"]["total"]
    assert run["state_type"] == "COMPLETED"
    assert run["state"]["message"] == (
        f"completed: {total['new']} new, {total['updated']} updated, {len(failures)} failed"
    )
    assert total["failed"] == len(failures)
    assert "has-failures" in run["tags"]
    warnings = [
        line
        for line in hostile_run["logs"]
        if line["level"] == 30 and line["name"] == "unn_ingest.flows.report"
    ]
    assert len(warnings) == len(failures)
    assert {f["url"] for f in failures} == {w["message"].rsplit(" — ", 1)[1] for w in warnings}
    batches = [t for t in hostile_run["tasks"] if t["name"].startswith("process-batch ")]
    assert "Completed with failures" in {t["state_name"] for t in batches}


@pytest.fixture(scope="module")
def backfilled(
    prefect_api: str, tmp_path_factory: pytest.TempPathFactory, pg_admin: Engine
) -> Iterator[dict[str, Any]]:
    """One backfill of three days through the CLI, into PostgreSQL with a password in its URL.

    (The test server trusts local connections: the password is only there to be kept secret.)
    """
    data_dir = tmp_path_factory.mktemp("backfill")
    env = user_env(prefect_api, data_dir)
    env["UNN_INGEST_BATCH_SIZE"] = "12"  # several batches per day
    schema = f"unn_test_mon_{os.getpid()}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).set(password="s3cr3t-pw")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    secret_db = url.render_as_string(hide_password=False)
    try:
        with running_replica(seed=5, generated=20) as replica:
            args = ["backfill", "--origin", replica.base_url, "--from", "2025-11-18"]
            done = unn_ingest(env, *args, "--to", "2025-11-20", "--db", secret_db, "--json")
    finally:
        with pg_admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    assert done.returncode == 0, done.stderr[-2000:]
    with api_client(prefect_api) as api:
        run = flow_runs(api, "backfill")[0]
        yield {"run": run, "summary": json.loads(done.stdout), "api": prefect_api}


def test_a_backfill_is_named_tagged_and_its_tasks_say_what_they_hold(
    backfilled: dict[str, Any],
) -> None:
    run = backfilled["run"]
    assert run["name"] == "backfill 2025-11-18..20 uk,en,ru"
    assert {"backfill", "edition:uk", "edition:en", "edition:ru"} <= set(run["tags"])
    with api_client(backfilled["api"]) as api:
        body = {"flow_runs": {"id": {"any_": [run["id"]]}}}
        names = {t["name"] for t in api.post("/task_runs/filter", json=body).json()}
    assert "discover-range uk 2025-11-18..2025-11-20" in names
    # A backfill's day is one task (its batches, then its content links): docs/performance.md
    days = [n for n in names if n.startswith("process-day ")]
    assert sorted(days) == [f"process-day en+ru+uk 2025-11-{d}" for d in (18, 19, 20)], names
    assert not [n for n in names if n.startswith(("process-batch ", "link-by-content "))]


def test_a_backfill_logs_its_summary_and_every_batch_to_the_run(
    backfilled: dict[str, Any],
) -> None:
    run = backfilled["run"]
    with api_client(backfilled["api"]) as api:
        messages = [line["message"] for line in run_logs(api, run["id"])]
        body = {"flow_runs": {"id": {"any_": [run["id"]]}}}
        task_runs = api.post("/task_runs/filter", json=body).json()
    days = [t for t in task_runs if t["name"].startswith("process-day ")]
    total = backfilled["summary"]["editions"]["total"]
    summary = f"backfill finished: {total['discovered']} discovered, {total['new']} new"
    assert any(m.startswith(summary) for m in messages), messages[-5:]
    assert any(m.startswith("backfill started: range 2025-11-18..2025-11-20") for m in messages)
    # Several batches a day (UNN_INGEST_BATCH_SIZE=12), each with its line in the run's logs.
    batch_lines = [m for m in messages if m.startswith("batch: ")]
    assert len(batch_lines) >= 2 * len(days) > 0
    assert any("Finished in state Completed" in m for m in messages)  # Prefect's own lines too


def test_a_backfill_publishes_progress_a_scoped_summary_and_no_secret(
    backfilled: dict[str, Any],
) -> None:
    run = backfilled["run"]
    with api_client(backfilled["api"]) as api:
        artifacts = run_artifacts(api, run["id"])
        logs = run_logs(api, run["id"])
    kinds = {a["key"].split("-")[1]: a for a in artifacts if a["key"]}
    assert {"progress", "summary", "failures"} <= set(kinds)
    assert kinds["progress"]["type"] == "progress" and float(kinds["progress"]["data"]) == 100.0
    summary = kinds["summary"]
    assert summary["key"].startswith("backfill-summary-127-0-0-1-")
    assert "2025-11-18..2025-11-20" in summary["description"]
    counts = str(run["state"]["message"]).removeprefix("completed: ")  # the artifact's history
    assert summary["description"].startswith(f"backfill: {counts} · per edition")  # shows it
    assert "postgres:REDACTED@" in summary["description"]
    assert f"/artifacts/artifact/{kinds['failures']['id']}" in summary["description"]
    assert any(a["key"].startswith("runs-trend-") for a in artifacts)
    everything = json.dumps([run["parameters"], logs, artifacts])
    assert "s3cr3t-pw" not in everything
    assert run["parameters"]["db_url"].startswith("postgresql+psycopg://postgres:REDACTED@")


def test_alerts_create_makes_automations_and_a_failed_run_notifies_the_block(
    prefect_api: str, tmp_path: Path
) -> None:
    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            received.append(json.loads(self.rfile.read(length) or b"{}"))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    env = user_env(prefect_api, tmp_path)
    make_block = (
        "from prefect.blocks.notifications import CustomWebhookNotificationBlock as B; "
        f"B(name='unn-alerts', url='http://127.0.0.1:{hook.server_port}/', "
        "allow_private_urls=True, "
        "json_data={'subject': '{{subject}}', 'body': '{{body}}'}).save('alerts-test')"
    )
    try:
        made = subprocess.run([sys.executable, "-c", make_block], env=env, capture_output=True)
        assert made.returncode == 0, made.stderr[-2000:]
        created = unn_ingest(env, "alerts", "create", "--block", "custom-webhook/alerts-test")
        assert created.returncode == 0, created.stderr[-2000:]
        assert created.stdout.count("created automation") == 3
        with api_client(prefect_api) as api:
            names = {a["name"] for a in api.post("/automations/filter", json={}).json()}
        assert "unn-ingest: a flow run failed" in names
        again = unn_ingest(env, "alerts", "create", "--block", "custom-webhook/alerts-test")
        assert again.returncode == 0  # replaces, does not duplicate
        time.sleep(5)  # the server's trigger service picks new automations up on a short loop
        with site_down() as down:
            unn_ingest(env, "run", "--origin", down)
        wait_for(lambda: [r for r in received if "failed" in r.get("subject", "")] or None, 120)
    finally:
        hook.shutdown()
    alert = next(r for r in received if "failed" in r["subject"])
    assert alert["subject"] == "unn-ingest: a flow run failed"
    assert "nothing could be discovered" in alert["body"]
    with api_client(prefect_api) as api:
        failed_run = flow_runs(api, "ingest")[0]
        described = api.post("/automations/filter", json={}).json()
    ui = prefect_api.removesuffix("/api")
    assert f"The run: {ui}/runs/flow-run/{failed_run['id']}" in alert["body"]
    assert all(a["description"] for a in described if a["name"].startswith("unn-ingest: "))


def test_alerts_create_with_a_missing_block_says_so_in_one_line(
    prefect_api: str, tmp_path: Path
) -> None:
    done = unn_ingest(user_env(prefect_api, tmp_path), "alerts", "create", "--block", "slack/nope")
    assert done.returncode == 2
    assert done.stderr.startswith("error: no notification block slack/nope")
    assert "Traceback" not in done.stderr


def test_an_unreachable_prefect_api_is_one_line_and_non_zero(tmp_path: Path) -> None:
    env = user_env(f"http://127.0.0.1:{free_port()}/api", tmp_path)
    with running_replica(seed=2, generated=10) as site:  # the site is up, the API is not
        done = unn_ingest(env, "run", "--origin", site.base_url)
    assert done.returncode == 1, done.stderr[-2000:]  # a failure at run time
    assert "Traceback" not in done.stderr
    assert done.stderr.lstrip().startswith("error: Failed to reach API at")  # after the bar
    assert len(done.stderr.strip().splitlines()) <= 3  # one line, wrapped by the terminal width


# --- the UI itself, in headless Chromium ---------------------------------------------------


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def render(url: str, screenshot: Path, size: str = "1400,1800") -> str:
    """Render a page of the UI headless: save a screenshot, return the DOM after scripts ran."""
    browser = chromium()
    assert browser is not None
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    common += ["--virtual-time-budget=20000", f"--window-size={size}"]
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [*common, f"--screenshot={screenshot}", url], capture_output=True, timeout=180, check=True
    )
    dom = subprocess.run(
        [*common, "--dump-dom", url], capture_output=True, text=True, timeout=180, check=True
    )
    return dom.stdout


def test_the_ui_shows_the_runs_logs_and_its_per_edition_table(
    backfilled: dict[str, Any],
) -> None:
    if chromium() is None:
        pytest.skip("chromium is not installed: apt-get install -y chromium")
    run = backfilled["run"]
    ui = backfilled["api"].removesuffix("/api")
    page = render(f"{ui}/runs/flow-run/{run['id']}?tab=Logs", CI_OUT / "ui-run-logs.png")
    assert "backfill finished:" in page, page[-3000:]
    assert "batch: " in page
    with api_client(backfilled["api"]) as api:
        summary = next(
            a
            for a in run_artifacts(api, run["id"])
            if (a["key"] or "").startswith("backfill-summary")
        )
    table = render(f"{ui}/artifacts/artifact/{summary['id']}", CI_OUT / "ui-summary-table.png")
    for cell in ("edition", "discovered", "linked", "total"):
        assert cell in table
    assert re.search(r">\s*uk\s*<", table) and re.search(r">\s*ru\s*<", table)
    assert os.path.getsize(CI_OUT / "ui-run-logs.png") > 10_000


def test_the_ui_links_whole_urls_shows_task_states_and_the_failures_reason(
    hostile_run: dict[str, Any], dead_run: dict[str, Any]
) -> None:
    if chromium() is None:
        pytest.skip("chromium is not installed: apt-get install -y chromium")
    ui = hostile_run["api"].removesuffix("/api")
    run = hostile_run["run"]
    failed = {f["url"] for f in hostile_run["summary"]["failures"]}
    logs = render(
        f"{ui}/runs/flow-run/{run['id']}?tab=Logs", CI_OUT / "ui-failure-logs.png", "1600,6000"
    )
    links = set(re.findall(r'<a[^>]*href="(https?://[^"]+)"', logs))
    assert links & failed, sorted(links)[:10]  # a failure's URL, linked whole
    assert not [link for link in links if link[-1] in ":;,."], links
    # Task runs: a batch with failed pages, and the dead site's discovery, as the UI shows them.
    batch = next(t for t in hostile_run["tasks"] if t["state_name"] == "Completed with failures")
    page = render(f"{ui}/runs/task-run/{batch['id']}", CI_OUT / "ui-task-run-with-failures.png")
    assert batch["name"] in page and re.search(r">\s*Completed with failures\s*<", page)
    found = next(t for t in dead_run["tasks"] if t["name"].startswith("catch-up "))
    page = render(f"{ui}/runs/task-run/{found['id']}", CI_OUT / "ui-task-run-failed.png")
    assert found["name"] in page and "state-badge state--failed" in page
    dead = render(f"{ui}/runs/flow-run/{dead_run['run']['id']}", CI_OUT / "ui-dead-site-run.png")
    assert "catch-up" in dead  # its timeline: the discovery tasks in red
    board = render(f"{ui}/dashboard", CI_OUT / "ui-dashboard.png")
    card = re.sub(r"<[^>]+>", " ", board[board.index("Task Runs") :])[:400]
    assert re.search(r"\d+\s+Failed", card), card  # not "100 % Completed"
    failures = next(
        a for a in hostile_run["artifacts"] if (a["key"] or "").startswith("ingest-failures")
    )
    table = render(
        f"{ui}/artifacts/artifact/{failures['id']}", CI_OUT / "ui-failures-table.png", "1600,1000"
    )
    (CI_OUT / "ui-failures-table.html").write_text(table)
    # The columns in this order (the reason before the long URL, which a screen cuts off).
    columns = r">\s*stage\s*<.*?>\s*edition\s*<.*?>\s*reason\s*<.*?>\s*URL\s*<"
    assert re.search(columns, table, re.DOTALL), table[-3000:]
