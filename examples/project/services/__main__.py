"""``python -m examples.project.services {start,stop} {postgres,redis} [--dir DIR] [--port N]``"""

from __future__ import annotations

import argparse
import sys

from . import ServiceMissing, start_postgres, start_redis, stop_postgres, stop_redis

SERVICES = {"postgres": (start_postgres, stop_postgres, "DATABASE_URL"),
            "redis": (start_redis, stop_redis, "REDIS_URL")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.project.services")
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("service", choices=sorted(SERVICES))
    parser.add_argument("--dir", help="the server's folder (start: a new temporary one)")
    parser.add_argument("--port", type=int, help="start: a free port when omitted")
    args = parser.parse_args(argv)
    start, stop, variable = SERVICES[args.service]
    if args.action == "stop":
        if not args.dir:
            parser.error("stop needs --dir, the folder start printed")
        stop(args.dir)
        return 0
    try:
        server = start(args.dir, args.port)
    except ServiceMissing as missing:
        print(missing, file=sys.stderr)
        return 2
    print(f"{variable}={server.url}")
    print(f"# stop: python -m examples.project.services stop {args.service} --dir {server.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
