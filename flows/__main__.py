"""`python -m flows` runs the command line (the same as `unn-ingest`)."""

from unn_ingest.flows.cli import main

main()
