"""Bulk jobs: operations over everything a query matches, or over an uploaded file."""
