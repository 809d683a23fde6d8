"""Services between views and the data layer: what a page needs, computed once."""
