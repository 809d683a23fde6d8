"""The two sizes the benchmark runs at: the full dataset and a quick smoke run.

Each size has its own physical table, so a quick run never disturbs (or reuses by mistake)
the million-item dataset, and both can live in the same DynamoDB Local data folder.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """How much to load and how hard to measure."""

    name: str
    #: physical table name (the logical name stays ``Application``)
    table: str
    #: orders of the one "whale" user: the big partition, also in GSI1 and GSI2
    whale_orders: int
    #: cheap bulk items (no index keys), spread over many users
    sessions: int
    sessions_per_user: int
    #: the page compared with page 1 (``deep_page`` x 50 items must fit in the partition)
    deep_page: int
    #: pages measured for the depth chart
    depth_pages: tuple[int, ...]
    warmup: int
    samples: int
    depth_samples: int
    throughput_seconds: float
    throughput_max_requests: int
    startup_runs: int
    #: raw and dynadmin throughput alternate this many times (the median round is kept)
    throughput_rounds: int = 1
    page_size: int = 50
    concurrency: int = 8
    #: every latency loop stops after this many seconds, whatever its count
    loop_seconds: float = 120.0
    #: sequential requests per side for CPU per request (a tick is 10 ms: over hundreds of
    #: requests its granularity is negligible)
    cpu_requests: int = 200
    #: the 1,000-row page: sampled requests, and requests for its CPU figure
    wide_samples: int = 30
    wide_cpu_requests: int = 40
    #: the item page with its relations: sampled requests, and turns with the delay on/off
    item_samples: int = 40
    item_delay_samples: int = 10

    @property
    def total_items(self) -> int:
        return self.whale_orders + self.sessions


FULL = Profile(
    name="full",
    table="bench-application",
    whale_orders=100_000,
    sessions=900_000,
    sessions_per_user=9,
    deep_page=2_000,
    depth_pages=(1, 10, 100, 500, 1_000, 1_500, 2_000),
    warmup=100,
    samples=400,
    depth_samples=60,
    throughput_seconds=30.0,
    throughput_max_requests=50_000,
    startup_runs=3,
    throughput_rounds=3,
    cpu_requests=400,
    wide_samples=100,
    wide_cpu_requests=100,
    item_samples=200,
    item_delay_samples=40,
)

QUICK = Profile(
    name="quick",
    table="bench-application-quick",
    whale_orders=5_000,
    sessions=20_000,
    sessions_per_user=9,
    deep_page=100,
    depth_pages=(1, 10, 50, 100),
    warmup=15,
    samples=60,
    depth_samples=10,
    throughput_seconds=4.0,
    throughput_max_requests=5_000,
    startup_runs=1,
    loop_seconds=30.0,
)

PROFILES = {p.name: p for p in (FULL, QUICK)}
