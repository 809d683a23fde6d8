"""Bulk jobs: one operation over everything a query matches, run by the Tasks framework's
workers in chunks (one Query page each), each item written with the guard of a single edit.

``sources`` turns a page's question into the query a job reads; ``engine`` plans the
chunks, leases them to workers and settles a chunk taken over from a killed one;
``changes`` is what each kind does to one item; ``throttle`` keeps a job within its capacity;
``queue`` hands work to the Tasks framework (``tasks`` holds the task functions).
"""
