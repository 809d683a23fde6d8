"""Kept so that ``from dynadmin.data.operations import ...`` still works; the calls now live
in one module per concept (``reads``, ``writes``, ``describe``, ``calling``, ``translate``).
New code imports from ``dynadmin.data``."""

from .describe import describe, list_tags
from .reads import SORT_OPERATORS, Page, SortCondition, batch_get, get_item, query, query_request
from .writes import (
    ConditionCheck,
    Delete,
    Put,
    Update,
    delete_item,
    load_items_unconditionally,
    put_item,
    transact_write,
    update_item,
)

__all__ = [
    "ConditionCheck", "Delete", "Page", "Put", "SORT_OPERATORS", "SortCondition", "Update",
    "batch_get", "delete_item", "describe", "get_item", "list_tags",
    "load_items_unconditionally", "put_item", "query", "query_request", "transact_write",
    "update_item",
]
