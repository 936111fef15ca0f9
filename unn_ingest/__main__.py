"""`python -m unn_ingest` runs the command line (the same as `unn-ingest`)."""

from unn_ingest.flows.cli.app import main

main()
