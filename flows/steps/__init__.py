"""The plain steps of a run (discover, select, process a batch, link), callable without Prefect."""
