"""The least-privilege IAM policy: exactly the actions dynadmin's code calls, on the exact
table, index and stream ARNs, never Scan; ``dynamodb:LeadingKeys`` where a table is narrowed
to partitions; and a connection whose role's sessions are narrowed to a policy, against a
real moto server's STS (which records what it was sent) on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import boto3
import pytest
from django.core.management import CommandError, call_command

from dynadmin import data, fields
from dynadmin.data import fence, iam
from dynadmin.data.client import session_policy_for
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.data.connections import connection, connection_problems
from dynadmin.data.describe import DESCRIBE_OPERATIONS
from dynadmin.definitions import Entity, Key, Table
from dynadmin.sites import AdminSite
from tests.support.moto import moto_server

PACKAGE = Path(__file__).resolve().parent.parent / "dynadmin"
ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table"

orders = Table("IamOrders", indexes={"GSI1": ("GSI1PK", "GSI1SK"), "ByOrg": ("org", None)},
               local_indexes={"ByDate": "placed_on"})
audit = Table("IamAudit", stream_view_type=None, read_only=True)


def _policy(**options):  # noqa: ANN003, ANN202
    return iam.policy([orders, audit], region="eu-west-1", account="123456789012", **options)


def _statements(document) -> dict[str, dict]:  # noqa: ANN001
    return {s["Sid"]: s for s in document["Statement"]}


def _actions(document) -> set[str]:  # noqa: ANN001
    return {a for s in document["Statement"] for a in s["Action"]}


@pytest.fixture(autouse=True)
def _names(settings):  # noqa: ANN001, ANN202
    settings.DYNADMIN_TABLE_NAMES = {"IamOrders": "orders-prod", "IamAudit": "audit-prod"}


# -- the policy's shape --------------------------------------------------------------------
def test_the_policy_grants_dynadmins_calls_on_the_exact_arns_and_never_scan():
    statements = _statements(_policy())
    assert statements["ReadItems"]["Action"] == [
        "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
    assert statements["ReadItems"]["Resource"] == [f"{ARN}/orders-prod", f"{ARN}/audit-prod"]
    # The read-only table is written by nobody: its ARN is not among the writes'.
    assert statements["WriteItems"] == {
        "Sid": "WriteItems", "Effect": "Allow",
        "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
        "Resource": [f"{ARN}/orders-prod"]}
    assert statements["QueryIndexes"]["Action"] == ["dynamodb:Query"]
    assert sorted(statements["QueryIndexes"]["Resource"]) == [
        f"{ARN}/orders-prod/index/ByDate", f"{ARN}/orders-prod/index/ByOrg",
        f"{ARN}/orders-prod/index/GSI1"]
    assert statements["DescribeTables"]["Resource"] == [f"{ARN}/orders-prod",
                                                        f"{ARN}/audit-prod"]
    # Only a table with a stream has its stream read (by the archive's consumer).
    assert statements["ReadStreams"]["Resource"] == [f"{ARN}/orders-prod/stream/*"]
    assert statements["ReadMetrics"]["Action"] == ["cloudwatch:GetMetricData"]
    everything = json.dumps(_policy())
    assert "Scan" not in everything and "PartiQL" not in everything
    assert '"dynamodb:*"' not in everything and "table/*" not in everything
    assert all(s["Effect"] == "Allow" and "Condition" not in s
               for s in _policy()["Statement"])


def test_read_only_leaves_out_every_write():
    document = _policy(read_only=True)
    assert not _actions(document) & set(iam.ITEM_WRITE_ACTIONS)
    assert "WriteItems" not in _statements(document)
    assert _actions(document) >= set(iam.ITEM_READ_ACTIONS) | set(iam.DESCRIBE_ACTIONS)


def test_a_table_read_only_by_setting_gets_no_writes(settings):
    settings.DYNADMIN_READ_ONLY_TABLES = ("IamOrders",)
    assert "WriteItems" not in _statements(_policy())


def test_streams_and_metrics_can_be_left_out():
    statements = _statements(_policy(streams=False, metrics=False))
    assert "ReadStreams" not in statements and "ReadMetrics" not in statements


def test_leading_keys_narrow_a_tables_item_actions_to_its_partitions():
    document = _policy(leading_keys={"IamOrders": ["ORG#acme", "ORG#acme#*"],
                                     "IamOrders.ByOrg": ["acme"]})
    statements = _statements(document)
    condition = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["ORG#acme",
                                                                      "ORG#acme#*"]},
                 "Null": {"dynamodb:LeadingKeys": "false"}}
    assert statements["ReadItemsIamOrders"]["Resource"] == [f"{ARN}/orders-prod"]
    assert statements["ReadItemsIamOrders"]["Condition"] == condition
    assert statements["WriteItemsIamOrders"]["Condition"] == condition
    # A local index shares the table's partition key: the same values hold there.
    assert statements["QueryIndexIamOrdersByDate"]["Condition"] == condition
    assert statements["QueryIndexIamOrdersByOrg"]["Condition"][
        "ForAllValues:StringLike"] == {"dynamodb:LeadingKeys": ["acme"]}
    # The unscoped table and a global index keyed otherwise keep unconditioned grants.
    assert statements["ReadItems"]["Resource"] == [f"{ARN}/audit-prod"]
    assert statements["QueryIndexes"]["Resource"] == [f"{ARN}/orders-prod/index/GSI1"]
    assert "Condition" not in statements["QueryIndexes"]
    assert f"{ARN}/orders-prod" not in statements["ReadItems"]["Resource"]
    assert "WriteItems" not in statements  # the only writable table is scoped


def test_leading_keys_for_no_known_table_or_no_value_are_refused():
    with pytest.raises(ValueError, match="IamNope"):
        _policy(leading_keys={"IamNope": ["x"]})
    with pytest.raises(ValueError, match="IamOrders.ByDate"):
        _policy(leading_keys={"IamOrders.ByDate": ["x"]})  # a local index follows its table
    with pytest.raises(ValueError, match="no value"):
        _policy(leading_keys={"IamOrders": []})


def test_a_site_gives_its_registered_tables(shop_table):
    from dynadmin.sites import site

    names = {r.rsplit("/", 1)[1] for r in _statements(iam.policy(site))["DescribeTables"][
        "Resource"]}
    assert names == {t.table_name for t in site.tables.values()}
    assert iam.policy(AdminSite("empty"))["Statement"] == [_statements(iam.policy(site))[
        "ReadMetrics"]]
    with pytest.raises(TypeError):
        iam.policy(["Application"])


# -- the policy follows the code -----------------------------------------------------------
# Calls made only to create tables for seeding and tests (data/schema.py) and to load items
# unconditionally (seeding and benchmarks): never from a page, a job or a command of the app.
SEEDING_ONLY = {"CreateTable", "DeleteTable", "UpdateTimeToLive", "BatchWriteItem"}
# IAM authorises a transaction as the writes it holds.
AUTHORISED_AS_ITS_PARTS = {"TransactWriteItems"}
CALL = re.compile(
    r"""\b(?:call|call_client|_call|describe)\(\s*(?:[^()"]*?,\s*)?"([A-Z][A-Za-z]+)\"""")


def _operations_called() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "schema.py" and path.parent.name == "data":
            continue
        text = path.read_text()
        found |= set(CALL.findall(text))
        found |= {"GetMetricData"} if ".get_metric_data(" in text else set()
    found |= set(DESCRIBE_OPERATIONS)
    return found


def test_every_operation_dynadmin_calls_is_granted_and_nothing_else():
    called = _operations_called()
    assert {"Query", "GetItem", "PutItem", "DescribeStream", "GetMetricData"} <= called
    granted = {a.split(":", 1)[1] for a in _actions(_policy())}
    assert called - SEEDING_ONLY - AUTHORISED_AS_ITS_PARTS == granted


# -- the command ---------------------------------------------------------------------------
def test_the_command_prints_the_policy_as_json(shop_table, capsys):
    call_command("dynadmin_iam_policy", "--read-only", "--table", "Application",
                 "--region", "eu-west-1", "--account", "123456789012")
    document = json.loads(capsys.readouterr().out)
    physical = shop_table.table_name
    statements = _statements(document)
    assert statements["ReadItems"]["Resource"] == [f"{ARN}/{physical}"]
    assert "WriteItems" not in statements
    assert f"{ARN}/{physical}/index/GSI1" in statements["QueryIndexes"]["Resource"]


def test_the_command_names_the_tables_it_knows(shop_table):
    with pytest.raises(CommandError, match="registered: .*Application"):
        call_command("dynadmin_iam_policy", "--table", "Nope")


# -- the policy of a scope ----------------------------------------------------------------
def _scoped(*args: str, capsys) -> tuple[dict, str]:  # noqa: ANN001
    call_command("dynadmin_iam_policy", "--site", "tests.helpdesk_urls.scoped_desk",
                 "--region", "eu-west-1", "--account", "123456789012", *args)
    out = capsys.readouterr()
    return _statements(json.loads(out.out)), out.err


def test_a_scopes_policy_names_only_its_tenants_partitions_of_the_table_and_each_index(
        capsys):
    statements, _ = _scoped("--scope", "acme", capsys=capsys)
    conditioned = {sid: s for sid, s in statements.items() if "Condition" in s}
    leading = {sid: s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
               for sid, s in conditioned.items()}
    assert leading["ReadItemsHelpdesk"] == ["ORG#acme"]
    assert leading["WriteItemsHelpdesk"] == ["ORG#acme"]
    # the tickets by status: ORG#{org}#STATUS#{status}
    assert leading["QueryIndexHelpdeskGSI1"] == ["ORG#acme#STATUS#*"]
    # nothing reads the helpdesk without the condition
    for sid, statement in statements.items():
        if sid not in conditioned:
            assert not any("table/Helpdesk" in r and "/stream/" not in r
                           for r in statement["Resource"]
                           if sid not in ("DescribeTables",)), sid
    # a table none of whose entities has the field is not limited by the scope
    assert f"{ARN}/Telemetry" in statements["ReadItems"]["Resource"]


def test_a_scope_computed_per_request_takes_its_values_from_the_command_line(capsys):
    with pytest.raises(CommandError, match="--scope-value"):
        call_command("dynadmin_iam_policy", "--site", "tests.helpdesk_urls.scoped_desk",
                     "--scope", "mine")
    statements, _ = _scoped("--scope", "mine", "--scope-value", "initech", capsys=capsys)
    assert statements["ReadItemsHelpdesk"]["Condition"]["ForAllValues:StringLike"][
        "dynamodb:LeadingKeys"] == ["ORG#initech"]


def test_a_key_field_and_its_values_make_a_scope_for_the_policy(shop_table, capsys):
    call_command("dynadmin_iam_policy", "--read-only", "--table", "Application",
                 "--scope-field", "user_id", "--scope-value", "u1")
    statements = _statements(json.loads(capsys.readouterr().out))
    # a customer's own partition, and those no customer owns
    assert statements["ReadItemsApplication"]["Condition"]["ForAllValues:StringLike"][
        "dynamodb:LeadingKeys"] == ["USER#u1", "ORDER#*", "PRODUCT#*", "INVITE#*"]
    with pytest.raises(CommandError, match="--scope-value"):
        call_command("dynadmin_iam_policy", "--scope-field", "user_id")


def test_a_scope_iam_cannot_keep_is_refused_with_the_reason():
    # the tenants' notes hold org outside their keys: only reading tells whose a note is
    with pytest.raises(CommandError, match="outside its partition key"):
        call_command("dynadmin_iam_policy", "--site", "tests.scopes_urls.tenants",
                     "--scope", "acme")
    with pytest.raises(CommandError, match="No scope named 'nope'.*declared: acme"):
        call_command("dynadmin_iam_policy", "--site", "tests.scopes_urls.tenants",
                     "--scope", "nope")


def test_an_index_whose_keys_do_not_hold_the_scopes_field_is_left_out():
    from dynadmin import fields
    from dynadmin.definitions import Entity, Key
    from dynadmin.scopes import Scope, scoped_keys

    accounts = Table("IamAccounts", indexes={"ByEmail": ("GSI1PK", "GSI1SK")})

    class Account(Entity, table=accounts):
        keys = Key(pk="ORG#{org}", sk="ACCOUNT#{account_id}")
        by_email = Key("ByEmail", pk="EMAIL#{email}", sk="ACCOUNT#{account_id}")

        org = fields.String(required=True)
        account_id = fields.String(required=True)
        email = fields.String()

    keys = scoped_keys(Scope("acme", "org", ["acme"]), [accounts])
    assert keys.leading == {"IamAccounts": ["ORG#acme"]}
    assert keys.without_indexes == ["IamAccounts.ByEmail"]
    document = iam.policy([accounts], leading_keys=keys.leading,
                          without_indexes=keys.without_indexes)
    assert "index/ByEmail" not in json.dumps(document)


# -- a connection narrowed to a session policy ---------------------------------------------
@pytest.fixture(scope="module")
def moto_recording(tmp_path_factory) -> Iterator[tuple[str, Path]]:  # noqa: ANN001
    """moto's server (DynamoDB and STS) on 127.0.0.1, writing down every request it gets."""
    directory = tmp_path_factory.mktemp("moto-iam")
    recording = directory / "requests.jsonl"
    with moto_server(directory, MOTO_ENABLE_RECORDING="1",
                     MOTO_RECORDER_FILEPATH=str(recording)) as endpoint:
        yield endpoint, recording


ROLE_ARN = "arn:aws:iam::123456789012:role/dynadmin-support"
narrowed = Table("IamNarrowed", connection="narrowed", stream_view_type=None)


def _requests(recording: Path) -> list[dict]:
    found = []
    for line in recording.read_text().splitlines():
        entry = json.loads(line)
        body = entry.get("body") or ""
        if entry.get("body_encoded"):
            body = base64.b64decode(body).decode()
        found.append({**entry, "body": body})
    return found


def _assume_roles(recording: Path) -> list[dict[str, str]]:
    calls = []
    for entry in _requests(recording):
        form = parse_qs(entry["body"]) if "Action=AssumeRole" in entry["body"] else {}
        if form:
            calls.append({k: v[0] for k, v in form.items()})
    return calls


@pytest.fixture
def narrowed_connection(moto_recording, settings, monkeypatch):  # noqa: ANN001, ANN201
    endpoint, recording = moto_recording
    for name, value in (("AWS_ACCESS_KEY_ID", "source"), ("AWS_SECRET_ACCESS_KEY", "source"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    data.reset_client()  # each test's first call assumes the role afresh
    recording.write_text("")
    settings.DYNADMIN_CONNECTIONS = {"default": {}, "narrowed": {
        "endpoint_url": endpoint, "sts_endpoint_url": endpoint, "region": "us-east-1",
        "role_arn": ROLE_ARN, "session_policy": "least_privilege"}}
    settings.DYNADMIN_TABLE_NAMES = {"IamNarrowed": "iam-narrowed"}
    boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1").create_table(
        TableName="iam-narrowed", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                   {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                              {"AttributeName": "SK", "AttributeType": "S"}])
    yield endpoint, recording
    data.reset_client()
    boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1").delete_table(
        TableName="iam-narrowed")


def test_a_connection_assumes_its_role_with_the_least_privilege_session_policy(
        narrowed_connection):
    endpoint, recording = narrowed_connection
    key = {"PK": "ORG#acme", "SK": "A"}
    data.put_item(narrowed, key, condition=AttributeNotExists("PK"))
    assert data.get_item(narrowed, key) == key

    # The reads' client and the writes' each assume the role, with the same policy.
    sessions = _assume_roles(recording)
    assert len(sessions) == 2 and sessions[0]["Policy"] == sessions[1]["Policy"]
    assumed = sessions[0]
    assert assumed["RoleArn"] == ROLE_ARN
    sent = json.loads(assumed["Policy"])
    statements = _statements(sent)
    table_arn = "arn:aws:dynamodb:us-east-1:123456789012:table/iam-narrowed"
    # This connection's tables only (this module's two), in its region and the role's
    # account.
    tables = [table_arn, "arn:aws:dynamodb:us-east-1:123456789012:table/IamTenancy"]
    assert sorted(statements["ReadItems"]["Resource"]) == sorted(tables)
    assert sorted(statements["WriteItems"]["Resource"]) == sorted(tables)
    assert "Scan" not in assumed["Policy"]
    assert assumed["Policy"] == session_policy_for(connection("narrowed"), "us-east-1")

    # dynadmin's DynamoDB requests were signed with the keys STS handed out to its sessions.
    keys = {data.get_client_for(narrowed, writes=writes)._request_signer._credentials
            .get_frozen_credentials().access_key for writes in (False, True)}
    signed = {re.search(r"Credential=([^/]+)/", e["headers"]["Authorization"]).group(1)
              for e in _requests(recording)
              if e["headers"].get("X-Amz-Target", "").split(".")[-1] in ("PutItem", "GetItem")}
    assert len(keys) == 2 and signed == keys
    credentials = data.get_client_for(narrowed)._request_signer._credentials
    frozen = credentials.get_frozen_credentials()
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id=frozen.access_key,
                       aws_secret_access_key=frozen.secret_key,
                       aws_session_token=frozen.token)
    assert sts.get_caller_identity()["Arn"] == (
        "arn:aws:sts::123456789012:assumed-role/dynadmin-support/dynadmin")

    # Renewed before they expire, under the same policy.
    credentials._expiry_time = credentials._expiry_time.replace(year=2000)
    assert credentials.get_frozen_credentials().access_key != frozen.access_key
    assert [a["Policy"] for a in _assume_roles(recording)] == [assumed["Policy"]] * 3


def test_a_connection_may_give_its_own_policy_document(narrowed_connection, settings):
    endpoint, recording = narrowed_connection
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
        "Resource": ["arn:aws:dynamodb:us-east-1:123456789012:table/iam-narrowed"]}]}
    settings.DYNADMIN_CONNECTIONS["narrowed"]["session_policy"] = document
    data.get_item(narrowed, {"PK": "P", "SK": "A"})
    (assumed,) = _assume_roles(recording)
    assert json.loads(assumed["Policy"]) == document


def test_a_connection_without_a_session_policy_sends_none(narrowed_connection, settings):
    endpoint, recording = narrowed_connection
    del settings.DYNADMIN_CONNECTIONS["narrowed"]["session_policy"]
    data.get_item(narrowed, {"PK": "P", "SK": "A"})
    (assumed,) = _assume_roles(recording)
    assert "Policy" not in assumed


tenancy = Table("IamTenancy", connection="narrowed", stream_view_type=None)


class IamTicket(Entity, table=tenancy):
    keys = Key(pk="ORG#{org}", sk="TICKET#{ticket_id}")

    org = fields.String(required=True, key_only=True)
    ticket_id = fields.String(required=True)


def _tenant(org: str):  # noqa: ANN202
    from dynadmin.scopes import Reach, ScopeFence

    return ScopeFence(lambda entity: Reach({"org": frozenset({org})})
                      if entity is IamTicket else None)


def test_a_scoped_persons_requests_go_through_a_session_narrowed_to_their_partitions(
        narrowed_connection, settings):
    endpoint, recording = narrowed_connection
    settings.DYNADMIN_CONNECTIONS["narrowed"]["session_policy"] = "scoped"
    settings.DYNADMIN_TABLE_NAMES = {"IamNarrowed": "iam-narrowed",
                                     "IamTenancy": "iam-narrowed"}
    acme, globex = {"PK": "ORG#acme", "SK": "TICKET#1"}, {"PK": "ORG#globex", "SK": "TICKET#2"}
    data.put_item(tenancy, acme, condition=AttributeNotExists("PK"))  # as no one in particular

    with fence.fenced(_tenant("acme")):
        assert data.get_item(tenancy, acme) == acme
        assert data.get_item(tenancy, acme) == acme  # the same session again
    with fence.fenced(_tenant("globex")):
        assert data.get_item(tenancy, globex) is None

    sessions = [json.loads(a["Policy"]) for a in _assume_roles(recording)]
    # the writer's own session, then one for acme's support and one for globex's
    assert len(sessions) == 3
    unscoped, for_acme, for_globex = (_statements(p) for p in sessions)
    assert "Condition" not in unscoped["WriteItems"]
    condition = "ForAllValues:StringLike"
    assert for_acme["ReadItemsIamTenancy"]["Condition"][condition][
        "dynamodb:LeadingKeys"] == ["ORG#acme"]
    assert for_globex["ReadItemsIamTenancy"]["Condition"][condition][
        "dynamodb:LeadingKeys"] == ["ORG#globex"]
    # the connection's other table, which no scope limits, stays readable as before
    assert "Condition" not in for_acme["ReadItems"]

    # each GetItem was signed by the session of the person it was sent for
    signers = [re.search(r"Credential=([^/]+)/", e["headers"]["Authorization"]).group(1)
               for e in _requests(recording)
               if e["headers"].get("X-Amz-Target", "").endswith(".GetItem")]
    assert len(signers) == 3 and signers[0] == signers[1] != signers[2]


def test_bad_session_policies_are_reported_clearly(settings):
    settings.DYNADMIN_CONNECTIONS = {
        "default": {},
        "no_role": {"session_policy": "least_privilege"},
        "not_json": {"role_arn": ROLE_ARN, "session_policy": "{oops"},
        "no_statement": {"role_arn": ROLE_ARN, "session_policy": {"Version": "2012-10-17"}},
        "too_long": {"role_arn": ROLE_ARN, "session_policy": {"Statement": [
            {"Effect": "Allow", "Action": "dynamodb:GetItem",
             "Resource": f"arn:aws:dynamodb:*:*:table/t{n:04d}"} for n in range(40)]}},
    }
    assert connection_problems() == [
        "DYNADMIN_CONNECTIONS['no_role'] has a session_policy but no role_arn to assume.",
        "DYNADMIN_CONNECTIONS['not_json']['session_policy'] is neither 'least_privilege', "
        "'scoped' nor a JSON policy document.",
        "DYNADMIN_CONNECTIONS['no_statement']['session_policy'] is a policy document: a dict "
        'with a "Statement" list.',
        "DYNADMIN_CONNECTIONS['too_long']['session_policy'] is 3,735 characters long; STS "
        "takes at most 2,048.",
    ]
