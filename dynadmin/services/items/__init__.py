"""The item page: an item's fields as read, and its related items through the design's keys."""
