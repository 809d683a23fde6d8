"""Table health: the page, its JSON, drift, the design check, the checklist and the command.

Everything runs against the real backend (DynamoDB Local, or moto's server with
DYNADMIN_TEST_BACKEND=moto); where the two offer different Describe calls the expectations
branch on BACKEND. Drift comes from a physical table created from a *different* definition
than the registered one, mapped to the same logical name.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from html import unescape
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from dynadmin import Entity, EntityAdmin, Key, Listing, Lookup, Table, data, fields
from dynadmin.data import cloudwatch
from dynadmin.services.health import (
    LOCAL_MESSAGE,
    design_findings,
    sparkline_svg,
    table_health,
    to_json,
)
from dynadmin.services.health.metrics import points_on_grid
from dynadmin.sites import AdminSite
from dynadmin.sites import site as default_site
from tests.conftest import BACKEND, physical_table

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = '</script><img src=x onerror="alert(1)">&'


def health_url(table: str = "Application") -> str:
    return reverse("dynadmin:health", kwargs={"table": table})


def json_url(table: str = "Application") -> str:
    return reverse("dynadmin:health_json", kwargs={"table": table})


def codes(findings) -> set[str]:
    return {f.code for f in findings}


def checklist_row(report, starts: str):
    return next(r for r in report.checklist if r.item.startswith(starts))


# -- definitions that deliberately differ from the registered example -----------------------
drifted = Table(
    "Application", pk="PK", sk="SK",
    indexes={"GSI1": ("GSI1PK", "GSI1SK"), "GSI9": ("GSI9PK", None)},  # no GSI2
    key_types={"GSI1SK": "N"},  # the example declares S
    ttl_attribute=None,  # so TTL stays disabled on the physical table
    billing_mode="PROVISIONED",
)
reshaped = Table(
    "Application", pk="PK", sk="SortKey",  # the example's sort key is SK
    indexes={"GSI1": ("GSI1PK", None), "GSI2": ("GSI2PK", "GSI2SK")},  # GSI1 without its SK
    ttl_attribute="ttl",
)
hostile_ttl = Table(
    "Application", pk="PK", sk="SK",
    indexes={"GSI1": ("GSI1PK", "GSI1SK"), "GSI2": ("GSI2PK", "GSI2SK")},
    ttl_attribute=HOSTILE,
)


# -- a badly designed site, checked through the site parameter -----------------------------
bad = Table("Bad", pk="PK", sk="SK", indexes={"GSI1": ("GSI1PK", "GSI1SK")},
            billing_mode="PROVISIONED", type_attribute="type")  # no ttl_attribute


class Ticket(Entity, table=bad):
    keys = Key(pk="TICKET#{ticket_no}", sk="METADATA")  # an Integer id: sequential
    by_state = Key("GSI1", pk="TICKET#STATE#{state}", sk="TICKET#{ticket_no}")  # low cardinality
    by_owner = Key("GSI3", pk="OWNER#{owner}", sk="TICKET#{ticket_no}")  # GSI3 is not declared

    ticket_no = fields.Integer(required=True)
    state = fields.Choice("OPEN", "CLOSED", required=True)
    owner = fields.String()


class Session(Entity, table=bad, ttl="required"):  # ephemeral, but nothing expires it
    keys = Key(pk="SESSION#{session_id}", sk="METADATA")
    session_id = fields.String(required=True)


class AuthToken(Entity, table=bad):  # sounds ephemeral, has no TTL
    keys = Key(pk="TOKEN#{token}", sk="METADATA")
    token = fields.String(required=True)


class Setting(Entity, table=bad):  # one partition for every item
    keys = Key(pk="SETTINGS", sk="SETTING#{name}")
    name = fields.String(required=True)


class TicketAdmin(EntityAdmin):
    lookups = (Lookup("by_owner", label="Tickets of an owner"),)
    listings = (Listing("by_state", label="Tickets by state"),)


bad_site = AdminSite("bad")
bad_site.register(Ticket, TicketAdmin)
bad_site.register([Session, AuthToken, Setting])


@pytest.fixture
def bad_table(dynamodb_endpoint, settings):
    with physical_table(bad) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        yield bad


@pytest.fixture
def drifted_table(shop_table, settings):
    """The registered example, pointed at a table built from ``drifted``."""
    with physical_table(drifted) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        yield shop_table


# -- the page ------------------------------------------------------------------------------
class TestHealthPage:
    def test_shows_what_the_backend_provides_and_marks_the_rest_unsupported(
            self, staff_client, shop_table):
        response = staff_client.get(health_url())
        html = response.content.decode()
        assert response.status_code == 200
        assert shop_table.table_name in html
        for shown in ("ACTIVE", "PAY_PER_REQUEST", "STANDARD", "NEW_AND_OLD_IMAGES",
                      "AWS owned key", "GSI1PK", "GSI2SK", "ALL"):
            assert shown in html, shown
        assert "refreshed by DynamoDB about every six hours" in html
        assert "ENABLED on ttl" in html  # create_table enabled TTL on the declared attribute
        settings_section = html.split('id="health-settings-heading"')[1].split("</section>")[0]
        pitr = settings_section.split("Point-in-time recovery</dt><dd>")[1].split("</dd>")[0]
        insights = settings_section.split("Contributor Insights</dt><dd>")[1].split("</dd>")[0]
        tags = settings_section.split("Tags</dt><dd>")[1].split("</dd>")[0]
        if BACKEND == "moto":
            assert pitr == "DISABLED"
            assert tags == "none"
        else:
            assert pitr == "not supported by this endpoint"
            assert tags == "not supported by this endpoint"
        assert insights == "not supported by this endpoint"
        assert "DescribeContributorInsights: not supported by this endpoint" in html
        assert "could not be read" not in html
        assert "Traceback" not in html

    def test_polls_the_status_fragment_without_inline_script_or_style(self, staff_client,
                                                                      shop_table):
        html = staff_client.get(health_url()).content.decode()
        assert f'hx-get="{health_url()}"' in html
        assert 'hx-trigger="every 30s"' in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert not re.search(r"\sstyle=", html)
        assert not re.search(r"\son[a-z]+=", html)

    def test_the_htmx_poll_gets_the_status_fragment_from_one_describe_table(
            self, staff_client, shop_table):
        response = staff_client.get(health_url(), HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert html.strip().startswith("<section id=\"health-status\"")
        assert 'hx-trigger="every 30s"' in html
        assert "ACTIVE" in html
        assert response["X-Dynadmin-Calls"] == "DescribeTable"

    def test_no_scan_and_describe_table_is_cached(self, staff_client, shop_table, settings):
        settings.DYNADMIN_DESCRIBE_TTL = 60
        first = staff_client.get(health_url())
        calls = first["X-Dynadmin-Calls"].split(",")
        assert calls.count("DescribeTable") == 1
        assert "Scan" not in calls and "GetMetricData" not in calls
        assert set(calls) <= {"DescribeTable", "DescribeTimeToLive",
                              "DescribeContinuousBackups", "DescribeContributorInsights",
                              "ListTagsOfResource", "Query"}
        # the archive of changes: the consumer's last word and the gaps, a Query each
        assert calls.count("Query") == 2
        staff_client.get(reverse("dynadmin:dashboard"))  # describes the archive's table too
        for again in (staff_client.get(health_url()),
                      staff_client.get(health_url(), HTTP_HX_REQUEST="true"),
                      staff_client.get(reverse("dynadmin:dashboard"))):
            assert again.status_code == 200
            assert "DescribeTable" not in again.get("X-Dynadmin-Calls", "")
        # Monitors ask whether DynamoDB answers now: health.json reads DescribeTable, once.
        monitor = staff_client.get(json_url())
        assert monitor["X-Dynadmin-Calls"].split(",").count("DescribeTable") == 1

    def test_the_dashboard_links_each_table_to_its_health(self, staff_client, shop_table):
        html = staff_client.get(reverse("dynadmin:dashboard")).content.decode()
        assert f'href="{health_url()}"' in html

    def test_login_is_required(self, client, shop_table):
        for url in (health_url(), json_url()):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("dynadmin:login"))

    def test_a_person_without_view_permission_is_refused(self, client, django_user_model,
                                                         shop_table):
        user = django_user_model.objects.create_user("s", password="x", is_staff=True)
        client.force_login(user)
        assert client.get(health_url()).status_code == 403
        assert client.get(json_url()).status_code == 403

    def test_an_unknown_table_is_a_404(self, staff_client):
        assert staff_client.get(health_url("Nope")).status_code == 404
        assert staff_client.get(json_url("Nope")).status_code == 404

    def test_a_missing_table_is_reported_not_a_crash(self, staff_client, shop_table, settings):
        settings.DYNADMIN_TABLE_NAMES = {"Application": "nope-not-here"}
        response = staff_client.get(health_url())
        html = response.content.decode()
        assert response.status_code == 200
        assert "NOT FOUND" in html and "table-not-found" in html
        assert "not read: the table does not exist" in html
        # The design check needs no table: it still runs.
        assert "low-cardinality-partition-key" in html

    def test_dynamodb_unreachable_is_a_page_not_a_500(self, staff_client, shop_table,
                                                     monkeypatch):
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")
        data.reset_client()
        try:
            response = staff_client.get(health_url())
            as_json = staff_client.get(json_url())
        finally:
            monkeypatch.undo()
            data.reset_client()
        assert response.status_code == 200
        html = response.content.decode()
        assert "UNAVAILABLE" in html and "unreachable" in html
        assert "Traceback" not in html
        assert as_json.status_code == 503  # for load balancers and monitors
        assert json.loads(as_json.content)["reachable"] is False


# -- the JSON ------------------------------------------------------------------------------
class TestHealthJson:
    def test_the_same_report_as_json(self, staff_client, shop_table):
        response = staff_client.get(json_url())
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        report = json.loads(response.content)
        assert report["table"] == "Application"
        assert report["physical_name"] == shop_table.table_name
        assert report["status"]["status"] == "ACTIVE"
        assert report["status"]["counts_note"] == (
            "approximate: refreshed by DynamoDB about every six hours")
        assert {i["name"] for i in report["indexes"]} == {"GSI1", "GSI2"}
        gsi2 = next(i for i in report["indexes"] if i["name"] == "GSI2")
        assert (gsi2["partition_key"], gsi2["sort_key"], gsi2["projection"]) == (
            "GSI2PK", "GSI2SK", "ALL")
        assert report["ttl"] == {"state": "ok", "status": "ENABLED", "attribute": "ttl"}
        states = {s["operation"]: s["state"] for s in report["sources"]}
        assert states["DescribeTable"] == states["DescribeTimeToLive"] == "ok"
        assert states["DescribeContributorInsights"] == "not_supported"
        expected = "ok" if BACKEND == "moto" else "not_supported"
        assert states["DescribeContinuousBackups"] == states["ListTagsOfResource"] == expected
        assert report["drift"] == []
        assert report["summary"]["failing"] is False
        assert report["metrics"] == {"available": False, "message": LOCAL_MESSAGE,
                                     "period_seconds": 300, "start": None, "end": None,
                                     "series": []}

    def test_hostile_attribute_names_are_escaped(self, staff_client, shop_table, settings):
        with physical_table(hostile_ttl) as names:
            settings.DYNADMIN_TABLE_NAMES = names
            as_json = staff_client.get(json_url())
            page = staff_client.get(health_url())
        body = as_json.content.decode()
        assert "<" not in body and ">" not in body and "&" not in body
        report = json.loads(body)
        assert report["ttl"]["attribute"] == HOSTILE  # escaped, not altered
        drift = {f["code"]: f for f in report["drift"]}
        assert HOSTILE in drift["ttl-attribute"]["what"]
        html = page.content.decode()
        assert "ttl-attribute" in html
        assert "<img src=x" not in html and "</script><img" not in html
        assert "&lt;/script&gt;&lt;img src=x onerror=" in html

    def test_to_json_escapes_markup_but_round_trips(self):
        text = to_json({"name": HOSTILE, "line": "a\u2028b"})
        assert not set("<>&") & set(text)
        assert json.loads(text) == {"name": HOSTILE, "line": "a\u2028b"}


# -- drift ---------------------------------------------------------------------------------
class TestDrift:
    def test_the_example_on_its_own_table_has_no_drift(self, shop_table):
        assert table_health(shop_table, default_site).drift == []

    def test_each_disagreement_is_a_finding(self, drifted_table):
        report = table_health(drifted_table, default_site)
        found = {f.code: f for f in report.drift}
        assert {"missing-index", "key-type", "ttl-disabled", "billing-mode",
                "undeclared-live-index"} <= set(found)
        assert found["missing-index"].severity == "fail"
        assert found["missing-index"].subject == "GSI2"
        assert "Application.Order.by_status" in found["missing-index"].what
        assert "Orders by status" in found["missing-index"].what  # the listing it breaks
        assert found["key-type"].subject == "Application.GSI1SK"
        assert "Number (N)" in found["key-type"].what and "String (S)" in found["key-type"].what
        assert found["ttl-disabled"].severity == "fail"
        assert "PROVISIONED" in found["billing-mode"].what
        assert found["undeclared-live-index"].severity == "info"
        for finding in report.drift:
            assert finding.what and finding.why and finding.fix
        # The checklist follows: the listing's index is missing and nothing expires.
        assert checklist_row(report, "GSIs for all").status == "fail"
        assert checklist_row(report, "TTL enabled").status == "fail"
        assert checklist_row(report, "Capacity mode").status == "warn"
        assert "provisioned-capacity" in codes(report.findings)
        assert report.failing

    def test_key_schema_disagreements(self, shop_table, settings):
        with physical_table(reshaped) as names:
            settings.DYNADMIN_TABLE_NAMES = names
            report = table_health(shop_table, default_site)
        found = {(f.code, f.subject): f for f in report.drift}
        table_key = found[("key-schema", "Application (table)")]
        assert "PK / SortKey" in table_key.what and "PK / SK" in table_key.what
        assert "GSI1PK (no sort key)" in found[("index-key-schema", "GSI1")].what
        assert ("index-key-schema", "GSI2") not in found

    def test_the_page_shows_the_drift(self, staff_client, drifted_table):
        html = staff_client.get(health_url()).content.decode()
        assert 'data-code="missing-index"' in html
        assert 'data-code="ttl-disabled"' in html
        assert "missing on the table" in html  # GSI2 in the indexes table


# -- the design check ---------------------------------------------------------------------
class TestDesign:
    def test_bad_definitions_produce_each_finding(self):
        found = {(f.code, f.subject): f for f in design_findings(bad, bad_site)}
        expected = {
            ("low-cardinality-partition-key", "Bad.Ticket.by_state (GSI1)"): "warn",
            ("sequential-id-partition-key", "Bad.Ticket.keys (table)"): "warn",
            ("undeclared-index", "Bad.Ticket.by_owner (GSI3)"): "fail",
            ("access-pattern-on-undeclared-index",
             "Bad.Ticket lookup 'Tickets of an owner'"): "fail",
            ("ephemeral-without-ttl-field", "Bad.Session"): "fail",
            ("ephemeral-without-table-ttl", "Bad.Session"): "fail",
            ("ephemeral-name-without-ttl", "Bad.AuthToken"): "warn",
            ("constant-partition-key", "Bad.Setting.keys (table)"): "warn",
            ("provisioned-capacity", "Bad"): "warn",
        }
        for key, severity in expected.items():
            assert key in found, key
            assert found[key].severity == severity, key
            assert found[key].what and found[key].why and found[key].fix

    def test_the_example_only_warns(self):
        from examples.shop.definitions import shop

        findings = design_findings(shop, default_site)
        assert all(f.severity != "fail" for f in findings)
        low = {f.subject for f in findings if f.code == "low-cardinality-partition-key"}
        assert "Application.Order.by_status (GSI2)" in low
        assert "ORDER#STATUS#{status}" in next(
            f.what for f in findings if f.subject == "Application.Order.by_status (GSI2)")
        assert not codes(findings) & {"sequential-id-partition-key", "ephemeral-name-without-ttl"}

    def test_the_live_table_adds_capacity_pitr_and_deletion_protection(self, bad_table):
        report = table_health(bad_table, bad_site)
        live = codes(report.findings)
        assert "deletion-protection-off" in live
        assert ("pitr-disabled" if BACKEND == "moto" else "pitr-not-supported") in live
        assert report.status.billing_mode == "PROVISIONED"
        assert (report.status.read_capacity, report.status.write_capacity) == (5, 5)
        rows = {r.item.split(" ")[0]: r.status for r in report.checklist}
        assert rows["GSIs"] == "fail"  # the lookup's GSI3
        assert rows["TTL"] == "fail"
        assert rows["Capacity"] == "warn"
        assert rows["Point-in-time"] == "warn"
        assert rows["Deletion"] == "warn"
        assert rows["Encryption"] == "pass"
        assert report.failing


# -- the command ---------------------------------------------------------------------------
class TestCommand:
    def test_the_example_passes(self, shop_table):
        out = StringIO()
        call_command("dynadmin_health", stdout=out)
        text = out.getvalue()
        assert "== Application" in text and "FAILING" not in text
        assert "[WARN]" in text and "ORDER#STATUS#{status}" in text

    def test_json_parses(self, shop_table):
        out = StringIO()
        call_command("dynadmin_health", "--json", "--table", "Application", stdout=out)
        parsed = json.loads(out.getvalue())
        assert parsed["ok"] is True and parsed["failing"] == []
        assert [t["table"] for t in parsed["tables"]] == ["Application"]

    def test_bad_definitions_exit_1(self, bad_table):
        out = StringIO()
        with pytest.raises(CommandError) as raised:
            call_command("dynadmin_health", "--site", "tests.test_health.bad_site",
                         "--json", stdout=out)
        assert raised.value.returncode == 1
        assert "Bad" in str(raised.value)
        parsed = json.loads(out.getvalue())
        assert parsed["ok"] is False and parsed["failing"] == ["Bad"]

    def test_drift_exits_1(self, drifted_table):
        out = StringIO()
        with pytest.raises(CommandError) as raised:
            call_command("dynadmin_health", "--table", "Application", stdout=out)
        assert raised.value.returncode == 1
        assert "[FAIL] GSI2" in out.getvalue()

    def test_an_unknown_table_is_a_clear_error(self, shop_table):
        with pytest.raises(CommandError, match="No registered table is called 'Nope'"):
            call_command("dynadmin_health", "--table", "Nope")

    def test_exit_status_in_a_real_process(self, shop_table, dynamodb_endpoint):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
               "DYNADMIN_TABLE_NAMES": f"Application={shop_table.table_name}"}
        ok = subprocess.run([sys.executable, "manage.py", "dynadmin_health", "--json"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert ok.returncode == 0, ok.stderr
        assert json.loads(ok.stdout)["ok"] is True
        env["AWS_ENDPOINT_URL_DYNAMODB"] = "http://127.0.0.1:9"
        down = subprocess.run([sys.executable, "manage.py", "dynadmin_health"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert down.returncode == 1
        assert "CommandError: DynamoDB is unreachable at http://127.0.0.1:9" in down.stderr
        assert "Traceback" not in down.stderr


# -- CloudWatch ----------------------------------------------------------------------------
class TestMetrics:
    def test_no_cloudwatch_call_against_the_local_endpoint(self, staff_client, shop_table):
        cloudwatch.reset_cloudwatch_client()
        response = staff_client.get(health_url())
        assert LOCAL_MESSAGE in response.content.decode()
        assert "GetMetricData" not in response["X-Dynadmin-Calls"]
        assert not cloudwatch.cloudwatch_client_built()
        assert not cloudwatch.metrics_available()
        with pytest.raises(data.DataError, match="only available against AWS"):
            cloudwatch.get_cloudwatch_client()

    @pytest.mark.parametrize(("url", "aws"), [
        ("https://dynamodb.eu-west-1.amazonaws.com", True),
        ("https://dynamodb.cn-north-1.amazonaws.com.cn", True),
        ("http://127.0.0.1:8000", False),
        ("http://localhost:8000", False),
        ("http://[::1]:8000", False),
        ("http://dynamodb:8000", False),  # docker compose's DynamoDB Local
        ("http://amazonaws.com.example.org", False),
    ])
    def test_only_aws_hosts_count_as_aws(self, url, aws):
        assert cloudwatch.is_aws_endpoint(url) is aws

    def test_the_queries_cover_capacity_throttles_and_latency(self):
        queries = {q["Id"]: q for q in cloudwatch.metric_queries("orders", 300)}
        assert queries["read"]["MetricStat"]["Stat"] == "Sum"
        assert queries["write"]["MetricStat"]["Metric"]["MetricName"] == (
            "ConsumedWriteCapacityUnits")
        assert queries["throttled"]["Expression"].startswith("SUM([thr0,")
        latency = queries["latencyQuery"]["MetricStat"]
        assert latency["Stat"] == "Average"
        assert {"Name": "Operation", "Value": "Query"} in latency["Metric"]["Dimensions"]
        assert "latencyGetItem" in queries
        assert sum(1 for q in queries.values() if q["ReturnData"]) == 5

    def test_missing_periods_are_zero_for_counts_and_gaps_for_latency(self):
        start = dt.datetime(2024, 1, 1, 12, 0, tzinfo=dt.UTC)
        points = [(start + dt.timedelta(minutes=5), 7.0), (start + dt.timedelta(minutes=15), 2.5)]
        assert points_on_grid(points, start, 4, zero=True) == [0.0, 7.0, 0.0, 2.5]
        assert points_on_grid(points, start, 4, zero=False) == [None, 7.0, None, 2.5]


class TestMetricsSection:
    def test_renders_sparklines_with_latest_and_peak(self):
        from django.template.loader import render_to_string

        from dynadmin.services.health.report_data import Metrics, MetricSeries

        values = [0.0, 3.0, None, 7.5, 2.0]
        metrics = Metrics(available=True, series=[MetricSeries(
            name="read", label="Consumed read capacity", unit="RCU per 5 min",
            values=values, svg=sparkline_svg(values, label="Consumed read capacity"))])
        html = render_to_string("dynadmin/partials/health_metrics.html", {"metrics": metrics})
        assert html.count("<svg") == 1 and "<polyline" in html  # markup, not escaped text
        row = html.split("Consumed read capacity</th>")[1]
        assert ">2<" in row and ">7.50<" in row  # latest, peak
        assert LOCAL_MESSAGE not in html

    def test_says_so_when_unavailable(self):
        from django.template.loader import render_to_string

        html = render_to_string("dynadmin/partials/health_metrics.html", {"metrics": None})
        assert LOCAL_MESSAGE in html


class TestSparkline:
    def points(self, svg: str) -> list[list[tuple[float, float]]]:
        return [[tuple(map(float, p.split(","))) for p in line.split()]
                for line in re.findall(r'<polyline points="([^"]+)"', svg)]

    def test_scales_from_zero_to_the_peak(self):
        svg = sparkline_svg([0, 5, 10], label="Reads", width=100, height=20)
        (line,) = self.points(svg)
        assert line == [(2.0, 18.0), (50.0, 10.0), (98.0, 2.0)]
        assert 'viewBox="0 0 100 20"' in svg and 'role="img"' in svg

    def test_gaps_break_the_line_and_lone_points_are_dots(self):
        svg = sparkline_svg([1, 2, None, 3, None, 4, 4], label="Latency")
        assert len(self.points(svg)) == 2
        assert svg.count("<circle") == 1

    def test_all_zero_is_a_flat_line_at_the_bottom(self):
        (line,) = self.points(sparkline_svg([0, 0, 0], label="Throttles", height=20))
        assert {y for _x, y in line} == {18.0}

    def test_no_data_is_a_dashed_baseline(self):
        svg = sparkline_svg([None, None], label="Reads")
        assert "<polyline" not in svg and "stroke-dasharray" in svg

    def test_presentation_attributes_only_and_the_label_escaped(self):
        svg = sparkline_svg([1, 2, 3], label='<script>alert("x")</script>')
        assert "<script" not in svg and "&lt;script&gt;" in svg
        assert not re.search(r"\sstyle=|\son[a-z]+=|javascript:", svg)


class TestWhatIsShownIsWhatDynamoDBSaid:
    """A cached answer is never presented as a fresh one."""

    def _dead_endpoint(self, settings):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        settings.DYNADMIN_CONNECTIONS = {"default": {"endpoint_url": f"http://127.0.0.1:{port}",
                                                     "region": "us-east-1"}}

    def test_health_json_reads_now_and_answers_503_once_dynamodb_is_gone(
            self, staff_client, shop_table, settings):
        settings.DYNADMIN_DESCRIBE_TTL = 60
        assert staff_client.get(health_url()).status_code == 200  # ACTIVE, now in the cache
        working = settings.DYNADMIN_CONNECTIONS
        self._dead_endpoint(settings)
        try:
            response = staff_client.get(json_url())
        finally:
            settings.DYNADMIN_CONNECTIONS = working
        assert response.status_code == 503
        assert json.loads(response.content)["reachable"] is False

    def test_a_failing_check_is_a_503_too(self, staff_client, shop_table, settings):
        settings.DYNADMIN_TABLE_NAMES = {"Application": "nope-not-here"}
        response = staff_client.get(json_url())
        assert response.status_code == 503
        assert json.loads(response.content)["summary"]["failing"] is True

    def test_the_status_says_how_old_its_answer_is(self, staff_client, shop_table, settings):
        import time

        from django.core.cache import cache

        from dynadmin.services.tables.summaries import describe_cache_key, described_table

        settings.DYNADMIN_DESCRIBE_TTL = 60
        description, _ = described_table(shop_table)
        cache.set(describe_cache_key(shop_table),
                  {"table": description, "read_at": time.time() - 45}, 60)
        html = staff_client.get(health_url(), HTTP_HX_REQUEST="true").content.decode()
        assert re.search(r"DescribeTable answered at [0-9: -]+ UTC, 4[5-9] seconds ago", html)


def test_the_archive_section_names_the_consumers_last_word_and_every_gap(
        staff_client, shop_table, dynamodb_endpoint, archived):
    from dynadmin.history.consumer import record_gap

    page = staff_client.get(health_url()).content.decode()
    assert "Archive of changes" in page and "No consumer has reported" in page

    archived(shop_table)
    record_gap(shop_table.table_name, "shardId-0001", "100", "250", "trimmed")
    page = unescape(staff_client.get(health_url()).content.decode())
    assert "data-archive-gaps" in page and "shardId-0001" in page
    assert "were not archived" in page and "0" * 37 + "100" in page
