"""The `unn-ingest` command line: `app` holds the commands, `options` what they share."""
