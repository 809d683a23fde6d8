"""Editing: forms from definitions, conditional writes, conflicts, audit and actions.

Every write goes through ``writes``: creates cannot overwrite, edits cannot lose someone
else's change, and a failed condition becomes an ``EditConflict`` carrying both versions.
"""
