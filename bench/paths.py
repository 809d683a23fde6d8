"""Where the benchmark keeps things. Everything but ``results/*.{json,md,svg}`` is ignored."""

from __future__ import annotations

from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
#: the persistent dataset and Django's own state for the run (ignored by bench/.gitignore)
DATA_DIR = BENCH_DIR / ".data"
DB_DIR = DATA_DIR / "dynamodb"
VAR_DIR = DATA_DIR / "var"
STATIC_DIR = DATA_DIR / "static"
#: the peer, dynamodb-admin, installed by npm (ignored)
PEER_DIR = BENCH_DIR / ".peer"
RESULTS_DIR = BENCH_DIR / "results"
#: logs of the processes a run starts (ignored)
TMP_DIR = RESULTS_DIR / "tmp"
#: a RAM disk to load into: DynamoDB Local syncs every write, ~20 ms per item on this disk
RAM_DISK = Path("/dev/shm")  # noqa: S108 - a private mkdtemp folder is made inside
