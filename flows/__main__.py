"""`python -m flows` runs the command line (the same as `unn-ingest`)."""

from flows.cli import main

main()
