"""Jobs: bulk operations over everything a query matches, run on Django's Tasks framework."""
