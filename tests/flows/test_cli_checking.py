"""A run's first second on a terminal: a line saying what it checks, erased when the checks end,
so a mistake is still one line; piped output gets nothing of it."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from unn_ingest.flows.cli.app import CHECKING, _checking

REPO = Path(__file__).resolve().parents[2]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_checking_line_is_shown_on_a_terminal_and_erased() -> None:
    terminal, pipe = Terminal(), io.StringIO()
    with _checking(terminal), _checking(pipe):
        assert terminal.getvalue() == CHECKING
    assert terminal.getvalue() == CHECKING + "\r\x1b[K"
    assert pipe.getvalue() == ""


def test_a_refused_site_on_a_terminal_ends_in_one_visible_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"UNN_INGEST_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    command = [sys.executable, "-m", "unn_ingest", "run", "--origin", "http://127.0.0.1:9"]
    leader, follower = pty.openpty()
    with subprocess.Popen(command, env=env, cwd=REPO, stdout=follower, stderr=follower) as done:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end closed
                break
            if not chunk:
                break
            chunks.append(chunk)
    os.close(leader)
    shown = b"".join(chunks).decode()
    assert done.returncode == 1, shown  # a site that refuses: exit 1 (docs/command-line.md)
    assert shown.startswith(CHECKING), shown
    after = shown.split("\r\x1b[K", 1)[1]  # what stays on screen once the line is erased
    plain = re.sub(r"\x1b\[[0-9;]*m", "", after).replace("\r", "")  # colours off
    lines = [line for line in plain.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach"), lines
