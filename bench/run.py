"""Benchmark dynadmin against raw DynamoDB Local and against dynamodb-admin.

    python bench/run.py [--quick] [--load-only] [--threads N] [--no-peer]
                        [--shared-state] [--two-hosts]

Loads the dataset once (kept in bench/.data, skipped on later runs), starts gunicorn on the
production settings and the peer, measures, and writes bench/results/latest.{json,md} and
bench/results/depth.svg. See bench/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from contextlib import ExitStack
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the repository (dynadmin, examples, bench) importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import configuration, djangoenv  # noqa: E402
from bench.procs import BenchError, stop_on_sigterm  # noqa: E402
from bench.profiles import FULL, QUICK, Profile  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a small dataset in its own table and fewer requests (smoke run)")
    parser.add_argument("--load-only", action="store_true",
                        help="make sure the dataset is loaded, then stop")
    parser.add_argument("--threads", type=int, default=4,
                        help="writer threads while loading (default 4)")
    parser.add_argument("--no-peer", action="store_true", help="skip dynamodb-admin")
    parser.add_argument("--shared-state", action="store_true",
                        help="gunicorn on PostgreSQL + Redis (started and stopped by the run) "
                             "instead of SQLite + the database cache")
    parser.add_argument("--two-hosts", action="store_true",
                        help="also two gunicorn masters on the shared state (implies "
                             "--shared-state): sessions, DescribeTable, throughput split")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    profile: Profile = QUICK if args.quick else FULL
    stop_on_sigterm()
    started = time.perf_counter()
    try:
        with ExitStack() as stack:
            # The database and cache first: Django reads DATABASE_URL and REDIS_URL at set-up.
            config, state_env = configuration.start(
                stack, shared_state=args.shared_state or args.two_hosts,
                hosts=2 if args.two_hosts else 1)
            env = djangoenv.production_env(profile.table) | state_env
            # A long read timeout for this process only: a loaded 2-core machine can stall
            # DynamoDB Local's batch writes for seconds. gunicorn keeps the production default.
            djangoenv.setup(env | {"DYNADMIN_READ_TIMEOUT": "120"})
            from bench.loader import ensure_dataset

            server, load_info = ensure_dataset(profile, env, stack, threads=args.threads)
            if args.load_only:
                return 0
            from bench.measures import run_all

            # As gunicorn's master does before forking its workers: the start-up heap out of
            # the collector's sight, so the raw side's CPU is not inflated by walking it.
            gc.freeze()
            run_all(profile, env, stack, server, load_info, peer=not args.no_peer,
                    configuration=config, started=started)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: every process started was stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
