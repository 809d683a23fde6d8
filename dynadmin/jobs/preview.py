"""What a job will do, said before it runs: its first pages read, the items counted, the
capacity and time estimated from them, and the count the person types to confirm.

DynamoDB never says how many items a query matches without reading them, so the preview
reads at most ``PREVIEW_PAGES`` pages (one Query each): within them it counts exactly,
beyond them it says "more than" and extrapolates nothing it cannot know.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..editing.validation import item_size
from ..models import Job
from . import sources

if TYPE_CHECKING:
    from ..options import EntityAdmin

__all__ = ["PREVIEW_PAGES", "Preview", "estimate_seconds", "preview"]

PREVIEW_PAGES = 5
#: items shown on the preview page
SHOWN = 10


@dataclass
class Preview:
    items: int
    pages: int
    #: every page was read: ``items`` is the exact count
    complete: bool
    rcu: float
    wcu: float
    #: seconds at the job's own limits (None: it has none)
    seconds: float | None
    first: list[dict[str, Any]] = field(default_factory=list)

    @property
    def confirmation(self) -> str:
        """What the person types to start it: the count, "1234" (or "more than 500")."""
        return str(self.items) if self.complete else f"more than {self.items}"

    def as_json(self) -> dict[str, Any]:
        return {"items": self.items, "pages": self.pages, "complete": self.complete,
                "rcu": self.rcu, "wcu": self.wcu, "seconds": self.seconds}


def estimate_seconds(job: Job, *, rcu: float, wcu: float) -> float | None:
    """How long the job takes at its limits (its creator's, or ``throttle.default_limits``
    given when it was made): its reads and its writes each go at their own limit, and the
    slower of the two sets the pace. None when neither is limited."""
    paces = [spent / limit for spent, limit in ((rcu, job.max_rcu), (wcu, job.max_wcu))
             if limit and limit > 0]
    return max(paces) if paces else None


def preview(job: Job, admin: EntityAdmin) -> Preview:
    """Read the first pages of the job's source (at most ``PREVIEW_PAGES`` Queries)."""
    query = sources.query_of(admin.opts.table, job.source or {})
    start, items, pages, rcu = None, [], 0, 0.0
    complete = False
    while pages < PREVIEW_PAGES:
        page = sources.read_page(query, admin.entity, start)
        pages += 1
        rcu += page.consumed_rcu
        items.extend(page.items)
        if page.next_key is None:
            complete = True
            break
        start = page.next_key
    writes = job.kind != Job.Kind.EXPORT and not job.dry_run
    # A write costs one WCU per KB of the larger of the item before and after, at least one.
    wcu = float(sum(max(1, math.ceil(item_size(item) / 1024)) for item in items)
                ) if writes else 0.0
    # Each item is read again, consistently, just before its write: about what the Query
    # cost, once more.
    rcu = rcu * 2
    seconds = estimate_seconds(job, rcu=rcu, wcu=wcu)
    return Preview(items=len(items), pages=pages, complete=complete, rcu=round(rcu, 1),
                   wcu=wcu, seconds=round(seconds, 1) if seconds is not None else None,
                   first=items[:SHOWN])
