"""Print the least-privilege IAM policy for what dynadmin does to the registered tables.

The policy grants exactly the actions dynadmin's code calls (``dynadmin/data/iam.py`` lists
them and says why each is there) on the exact table, index and stream ARNs (its reads:
GetItem, BatchGetItem and Query only); ``--read-only`` leaves out the writes. Attach it to
the role dynadmin signs with, or give it to a connection as its ``session_policy``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dynadmin.data.iam import policy, policy_text
from dynadmin.management.arguments import add_site_argument, registered_table, site_named
from dynadmin.scopes import Scope, scoped_keys


class Command(BaseCommand):
    help = ("Print the least-privilege IAM policy (JSON) for the actions dynadmin calls on the "
            "registered tables and their indexes (reads: GetItem, BatchGetItem, Query).")
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--read-only", action="store_true",
                            help="leave out every write (PutItem, UpdateItem, DeleteItem)")
        parser.add_argument("--table", metavar="NAME", action="append",
                            help="only this table (its logical name, as registered); "
                                 "repeat for several")
        parser.add_argument("--region", default="*",
                            help="the region in the ARNs (default: *, any region)")
        parser.add_argument("--account", default="*",
                            help="the AWS account id in the ARNs (default: *, any account)")
        parser.add_argument("--partition", default="aws",
                            help="the ARNs' partition (aws-cn, aws-us-gov; default: aws)")
        parser.add_argument("--no-streams", action="store_true",
                            help="leave out the streams' reads (only the archive's consumer, "
                                 "manage.py dynadmin_history, needs them)")
        parser.add_argument("--no-metrics", action="store_true",
                            help="leave out cloudwatch:GetMetricData (the health page's "
                                 "metrics)")
        parser.add_argument("--scope", metavar="NAME",
                            help="the policy of the people a declared scope limits: each "
                                 "table's and index's requests conditioned on the partition "
                                 "keys the scope allows (dynamodb:LeadingKeys)")
        parser.add_argument("--scope-field", metavar="FIELD",
                            help="instead of a declared --scope: limit by this key field "
                                 "(with --scope-value)")
        parser.add_argument("--scope-value", metavar="VALUE", action="append",
                            help="the values of the scope's field to allow (needed with "
                                 "--scope-field, or a scope that computes its values per "
                                 "request); repeat for several")
        add_site_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        site = site_named(options["site"])
        tables = ([registered_table(site, name) for name in options["table"]]
                  if options["table"] else list(site.tables.values()))
        leading: dict[str, list[str]] = {}
        without: list[str] = []
        if options["scope"] or options["scope_field"]:
            scoped = scoped_keys(self._scope(site, options), tables)
            if scoped.refused:
                raise CommandError(
                    f"The scope {options['scope'] or options['scope_field']!r} cannot be "
                    "kept by IAM on "
                    + "; ".join(scoped.refused.values())
                    + ". dynadmin still keeps it on every page; leave those tables out of "
                      "this policy with --table.")
            leading, without = scoped.leading, scoped.without_indexes
            for name in without:
                self.stderr.write(f"{name} is left out: its partition keys do not hold "
                                  "the scope's field, so a scoped person's reads through "
                                  "it are refused by AWS.")
        document = policy(tables, read_only=options["read_only"], region=options["region"],
                          account=options["account"], partition=options["partition"],
                          streams=not options["no_streams"],
                          metrics=not options["no_metrics"], leading_keys=leading,
                          without_indexes=without)
        self.stdout.write(policy_text(document))

    def _scope(self, site: Any, options: dict[str, Any]) -> Scope:
        if options["scope_field"]:
            if options["scope"]:
                raise CommandError("Give --scope or --scope-field, not both.")
            if not options["scope_value"]:
                raise CommandError("--scope-field needs the values to allow: --scope-value.")
            return Scope("--scope-field", options["scope_field"], options["scope_value"])
        name = options["scope"]
        found = [scope for scope, _ in site.declared_scopes() if scope.name == name]
        if not found:
            known = sorted({scope.name for scope, _ in site.declared_scopes()})
            raise CommandError(f"No scope named {name!r} is declared"
                               + (f" (declared: {', '.join(known)})." if known else "."))
        scope = found[0]
        if options["scope_value"]:
            return Scope(scope.name, scope.field, options["scope_value"])
        if scope.values is None:
            raise CommandError(f"The scope {name!r} computes its values for each request: "
                               "give the values to allow with --scope-value.")
        return scope
