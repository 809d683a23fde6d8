"""DynamoDB's time to live as a person needs it: when an item goes, and which TTLs never work.

DynamoDB's rules decide what "broken" means here: a TTL is a Number of epoch seconds; any
other type is ignored; a value more than five years in the past is never acted on; and expired
items stay readable until a background process deletes them (usually within a few days). So
a TTL can look set and still never expire; this module names each such case and reads a
chosen partition page by page (Query only, bounded) to count them. Changing a TTL is a write:
``editing.ttl`` composes it and the entity admin's ``save_item`` writes it.
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
    EXTENDABLE,
    ItemTTL,
    TTLTarget,
    extension_base,
    extension_cap,
    item_ttl,
    item_ttl_state,
    may_set_any_ttl,
    may_set_ttl,
    ttl_rights,
    ttl_target,
)
from .status import TableTTL, ttl_status
from .values import BROKEN_KINDS, EXTEND_DAYS, TTLState, classify_ttl, relative_time

__all__ = [
    "BROKEN_KINDS", "Bar", "EXTENDABLE", "extension_base", "extension_cap", "ttl_rights",
    "EXTEND_DAYS", "Inspection", "ItemTTL", "MAX_PAGES", "TTLState",
    "TTLTarget", "TableTTL", "bar_chart_svg", "classify_ttl", "estimate",
    "estimate_for_form", "inspect", "inspection_defaults", "inspection_query", "item_ttl",
    "item_ttl_state", "may_set_any_ttl", "may_set_ttl", "relative_time", "ttl_target",
    "ttl_status",
]
