"""An example or two at the end of every command's help (`unn-ingest run --help`).

Dates are the site's local dates (Europe/Kyiv) as YYYY-MM-DD; `--data-dir` is always this
tool's data folder (the shared evaluation data is `eval … --shared-data`).
"""

from __future__ import annotations

from typer import _click

EXAMPLES: dict[str, tuple[str, ...]] = {
    "run": (
        "unn-ingest run",
        "unn-ingest run --edition en --origin http://127.0.0.1:8765 --json",
    ),
    "backfill": (
        "unn-ingest backfill --from 2025-11-01 --to 2025-11-07",
        "unn-ingest backfill --from 2025-11-19 --to 2025-11-19 --edition uk --refetch",
    ),
    "serve": ('unn-ingest serve --cron "*/10 * * * *"',),
    "stories": ("unn-ingest stories --limit 5 --edition en", "unn-ingest stories --json"),
    "show": (
        "unn-ingest show 42            # article 42 (the ids in stories' editions)",
        "unn-ingest show story:57      # story 57, as `stories` lists it",
        "unn-ingest show https://unn.ua/news/some-slug",
    ),
    "export": (
        "unn-ingest export --from 2025-11-01 --to 2025-11-07 -e uk,en > week.jsonl",
        "unn-ingest export --format parquet --table stories --out stories.parquet",
        "unn-ingest export | head -1        # JSON lines on stdout",
    ),
    "health": ("unn-ingest health", "unn-ingest health --json | head"),
    "failures": ("unn-ingest failures --since 1d", "unn-ingest failures --json | head"),
    "reprocess": (
        "unn-ingest reprocess --from 2025-11-01 --to 2025-11-07 --edition en",
        "UNN_INGEST_ORIGIN=http://127.0.0.1:8765 unn-ingest reprocess",
    ),
    "split-backfill": (
        "unn-ingest split-backfill --from 2025-01-01 --to 2025-12-31 --part-days 7",
    ),
    "config": ("unn-ingest config", "UNN_INGEST_BATCH_SIZE=160 unn-ingest config --json"),
    "db current": ("unn-ingest db current --db postgresql+psycopg://me@db.example/unn",),
    "db upgrade": ("unn-ingest db upgrade --data-dir ./data",),
    "alerts create": ("unn-ingest alerts create --block slack-webhook/ops --stale-minutes 30",),
    "probe": ("unn-ingest probe https://unn.ua/en/news/some-slug --json",),
    "demo": ("unn-ingest demo", "unn-ingest demo --stories 100 --data-dir /tmp/demo"),
    "replica serve": (
        "unn-ingest replica serve --port 8765",
        "unn-ingest replica serve --port 8766 --faults flaky --layout b",
    ),
    "eval extraction": ("unn-ingest eval extraction --quick", "unn-ingest eval extraction --json"),
    "eval language": ("unn-ingest eval language --quick --shared-data ../shared/data",),
    "eval linking": ("unn-ingest eval linking --quick", "unn-ingest eval linking --ntrex"),
}


def epilog(path: str) -> str | None:
    """Return the help's closing examples of a command ("db upgrade"), one paragraph each."""
    lines = EXAMPLES.get(path)
    if not lines:
        return None
    return "Examples:\n\n" + "\n\n".join(f"  {line}" for line in lines)


def with_examples(command: _click.Command, path: list[str]) -> _click.Command:
    """Give a command (and a group's commands) its examples, unless it has its own epilog."""
    if not command.epilog:
        command.epilog = epilog(" ".join(path))
    for name, sub in getattr(command, "commands", {}).items():
        with_examples(sub, [*path, name])
    return command
