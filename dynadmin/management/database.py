"""Commands that need Django's database (the audit log, users and groups, a database cache)
say so in one line when it is not ready, instead of dying with a traceback.

Before ``migrate`` the tables do not exist; after it, a database cache's table may still be
missing (``createcachetable``), or the database may not answer at all.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

__all__ = ["DatabaseCommand", "database_problem"]


def database_problem(alias: str = DEFAULT_DB_ALIAS) -> str:
    """Why the database cannot serve dynadmin yet ("" when it can): it does not answer, or
    migrations are not applied."""
    try:
        executor = MigrationExecutor(connections[alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"which does not answer: {_one_line(exc)}. Check DATABASE_URL."
    if plan:
        return (f"which is not migrated yet ({len(plan)} migration(s) not applied): run "
                "`manage.py migrate` first.")
    return ""


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split()) or type(error).__name__


class DatabaseCommand(BaseCommand):
    """A management command that reads or writes Django's database.

    ``needs_migrations``: the command's own queries need dynadmin's and Django's tables
    (checked before it starts). A command that touches the database only through the cache
    (which may live elsewhere) sets it False; a failing query still ends in one line.
    """

    needs_migrations = True

    def execute(self, *args: Any, **options: Any) -> Any:
        if self.needs_migrations:
            problem = database_problem(options.get("database") or DEFAULT_DB_ALIAS)
            if problem:
                raise CommandError(f"{self._name()} needs the database, {problem}")
        try:
            return super().execute(*args, **options)
        except DatabaseError as exc:
            # A table is missing (before `migrate`; a database cache before
            # `createcachetable`) or the database stopped answering meanwhile.
            raise CommandError(f"{self._name()} needs the database, which failed: "
                               f"{_one_line(exc)}. Run `manage.py migrate` first (and "
                               "`createcachetable` for a database cache).") from None

    def _name(self) -> str:
        return type(self).__module__.rpartition(".")[2]
