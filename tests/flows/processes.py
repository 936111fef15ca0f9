"""The machine's processes as the tests see them, read from /proc (Linux).

Several tests check that nothing of a run outlives it (the worker pool, its fork server, the
temporary Prefect server of a command); each picks its processes out of this one listing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Process:
    """One process: its ids, state, command line and environment (empty if not readable)."""

    pid: int
    ppid: int
    session: int
    state: str  # "R", "S", ... "Z" for a zombie (ended, not yet reaped)
    argv: tuple[str, ...]
    environ: bytes

    @property
    def alive(self) -> bool:
        """Tell whether the process still runs (a zombie has ended)."""
        return self.state != "Z"

    @property
    def command(self) -> str:
        return " ".join(self.argv)


def processes() -> Iterator[Process]:
    """Yield every process whose status can be read (zombies included)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # after the command name: state ppid pgrp session ...
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except (OSError, IndexError):  # gone meanwhile
            continue
        try:
            environ = (entry / "environ").read_bytes()  # a zombie's reads as empty
        except OSError:  # not ours to read
            environ = b""
        state, ppid, session = fields[0], int(fields[1]), int(fields[3])
        yield Process(int(entry.name), ppid, session, state, tuple(a for a in argv if a), environ)
