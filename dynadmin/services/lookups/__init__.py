"""Lookups and listings: from what a person types to one bounded Query, never a scan.

A lookup fills a key template's partition key from typed values (``User by email`` formats
``USER#EMAIL#alice@example.com`` on GSI1) and reads one page of that partition
(``plans``). The global box tries every single-field lookup whose ``accepts`` pattern (or
field) takes the text, in parallel, so finding a user by email costs a handful of small
Queries and one round trip; a text that is itself a partition key (``USER#abc``) needs no call
at all (``box``). Listings open an index partition as a paged list (``listings``); the entity
home shows both as forms (``forms``); matches are grouped for display (``matches``).
"""

from .forms import LookupForm, listing_form, lookup_form
from .global_box import (
    GLOBAL_LIMIT,
    Attempt,
    BoxHint,
    GlobalResult,
    Match,
    RawKey,
    box_hints,
    global_lookup,
)
from .listings import ListingSuggestion, find_listing, listing_suggestions, listing_url
from .matches import group_matches
from .plans import (
    LOOKUP_LIMIT,
    LookupInputError,
    LookupPlan,
    LookupResult,
    find_lookup,
    plan_lookup,
    run_lookup,
)

__all__ = [
    "GLOBAL_LIMIT", "LOOKUP_LIMIT", "Attempt", "BoxHint", "GlobalResult",
    "LookupForm", "LookupInputError",
    "LookupPlan", "LookupResult", "Match", "RawKey",
    "ListingSuggestion", "box_hints", "find_listing", "find_lookup", "global_lookup",
    "group_matches", "listing_form", "listing_suggestions", "listing_url", "lookup_form",
    "plan_lookup", "run_lookup",
]
