"""What every part of the launcher shares: where it keeps its files, and how it fails."""

from __future__ import annotations

import os
from pathlib import Path

# This file is examples/project/local/common.py: the repository root is three folders up.
REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DIR = Path(os.environ.get("DYNADMIN_LOCAL_DIR") or REPO_ROOT / ".dynamodb-local")
DEFAULT_PORT = 8000

_STOP_TIMEOUT = 10.0


class LocalBackendError(RuntimeError):
    """A local DynamoDB backend could not be installed or started; the message says why."""


def _last_lines(text: str, count: int) -> str:
    return "\n".join(text.strip().splitlines()[-count:])
