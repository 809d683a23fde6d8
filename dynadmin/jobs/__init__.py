"""Bulk jobs: one operation over everything a query matches, run by the Tasks framework's
workers in chunks (one Query page each), each item written with the guard of a single edit.

``sources`` turns a page's question into the query a job reads; ``engine`` makes jobs,
plans their chunks and leases them to workers; ``chunks`` runs one chunk and settles one
taken over from a killed worker (``KINDS``: what each kind of job does with a chunk);
``changes`` is what a writing job does to one item; ``preview`` says what a job will do
before it runs; ``forms`` are its pages' forms; ``throttle`` keeps a job within its capacity;
``queue`` hands work to the Tasks framework (``tasks`` holds the task functions).
"""
