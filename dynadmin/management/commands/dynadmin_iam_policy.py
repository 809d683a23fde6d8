"""Print the least-privilege IAM policy for what dynadmin does to the registered tables.

The policy grants exactly the actions dynadmin's code calls (``dynadmin/data/iam.py`` lists
them and says why each is there) on the exact table, index and stream ARNs, never Scan;
``--read-only`` leaves out the writes. Attach it to the role dynadmin signs with, or give it
to a connection as its ``session_policy``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dynadmin.data.iam import policy, policy_text
from dynadmin.management.arguments import add_site_argument, registered_table, site_named


class Command(BaseCommand):
    help = ("Print the least-privilege IAM policy (JSON) for the actions dynadmin calls on the "
            "registered tables and their indexes; never Scan.")
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
        add_site_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        site = site_named(options["site"])
        tables = ([registered_table(site, name) for name in options["table"]]
                  if options["table"] else list(site.tables.values()))
        document = policy(tables, read_only=options["read_only"], region=options["region"],
                          account=options["account"], partition=options["partition"],
                          streams=not options["no_streams"],
                          metrics=not options["no_metrics"])
        self.stdout.write(policy_text(document))
