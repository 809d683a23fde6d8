"""DynamoDB's time to live as a person needs it: when an item goes, and which TTLs never work.

DynamoDB's rules decide what "broken" means here: a TTL is a Number of epoch seconds; any
other type is ignored; a value more than five years in the past is never acted on; and expired
items stay readable until a background process deletes them (usually within a few days). So
a TTL can look set and still never expire; this module names each such case and reads a
chosen partition page by page (Query only, bounded) to count them. Changing a TTL is a write:
``editing.ttl`` composes it and ``editing.writes.save`` writes it.
"""

from .chart import bar_chart_svg
from .inspection import (
    MAX_PAGES,
    Bar,
    Inspection,
    estimate,
    estimate_for_form,
    inspect,
    inspection_defaults,
    inspection_query,
)
from .items import (
    ItemTTL,
    TTLTarget,
    admin_of,
    item_ttl,
    item_ttl_state,
    may_set_any_ttl,
    may_set_ttl,
    ttl_target,
)
from .status import TableTTL, ttl_status
from .values import BROKEN_KINDS, EXTEND_DAYS, TTLState, classify_ttl, relative_time

__all__ = [
    "BROKEN_KINDS", "Bar", "EXTEND_DAYS", "Inspection", "ItemTTL", "MAX_PAGES", "TTLState",
    "TTLTarget", "TableTTL", "admin_of", "bar_chart_svg", "classify_ttl", "estimate",
    "estimate_for_form", "inspect", "inspection_defaults", "inspection_query", "item_ttl",
    "item_ttl_state", "may_set_any_ttl", "may_set_ttl", "relative_time", "ttl_status",
    "ttl_target",
]

# TTL changes moved to dynadmin.editing.ttl. Until views/ttl.py imports them from there,
# ``services.ttl.parse_change`` & co. still resolve, on first use only, so that importing
# services never imports editing. Remove once no caller uses these names.
_MOVED_TO_EDITING = frozenset({"TTLChange", "TTLRefused", "apply_change", "parse_change"})


def __getattr__(name: str) -> object:
    if name in _MOVED_TO_EDITING:
        from ...editing import ttl as ttl_changes  # the one services -> editing edge left

        return getattr(ttl_changes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
