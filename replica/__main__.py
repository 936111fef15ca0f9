"""Run the replica's command group: `python -m replica serve ...`."""

from unn_ingest.replica.cli import replica_app

if __name__ == "__main__":
    replica_app(prog_name="python -m replica")
