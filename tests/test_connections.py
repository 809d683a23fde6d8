"""Tables in several AWS environments: each connection has its own client, credentials and label.

Every connection here points at the session's DynamoDB Local; the role connection assumes its
role through a real moto server's STS on 127.0.0.1. Nothing mocks boto3.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import botocore.loaders
import pytest
from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured

from dynadmin import data
from dynadmin.data.conditions import AttributeNotExists
from dynadmin.data.connections import Connection, connection_for, connection_problems
from dynadmin.data.sessions import new_session
from dynadmin.definitions import Table
from tests.support.moto import free_port, moto_server

from .conftest import physical_table

staging_table = Table("ConnStaging", connection="staging")
prod_table = Table("ConnProd")  # on "default" in its definition; the deployment moves it
profile_table = Table("ConnProfile", connection="profiled")
role_table = Table("ConnRole", connection="assumed")

ROLE_ARN = "arn:aws:iam::123456789012:role/dynadmin-reader"


def _key(pk: str) -> dict[str, str]:
    return {"PK": pk, "SK": "A"}


@pytest.fixture
def two_environments(dynamodb_endpoint, settings):  # noqa: ANN001, ANN201
    settings.DYNADMIN_CONNECTIONS = {
        "default": {},
        "staging": {"endpoint_url": dynamodb_endpoint, "environment": "staging",
                    "color": "amber"},
        "prod": {"endpoint_url": dynamodb_endpoint, "region": "eu-west-1",
                 "environment": "production", "color": "red"},
    }
    settings.DYNADMIN_TABLE_CONNECTIONS = {"ConnProd": "prod"}
    return settings


def test_without_the_setting_one_default_connection_uses_boto3s_chain(dynamodb_endpoint,
                                                                        shop_table, settings):
    del settings.DYNADMIN_CONNECTIONS  # the ready-made project labels its one connection
    client = data.get_client()
    assert client is data.get_client("default") is data.get_client_for(shop_table)
    assert client.meta.endpoint_url == dynamodb_endpoint  # from AWS_ENDPOINT_URL_DYNAMODB
    assert connection_for(shop_table) == Connection(name="default", environment="default")


def test_each_connection_has_its_own_client_and_label(two_environments):
    staging, prod = data.get_client_for(staging_table), data.get_client_for(prod_table)
    assert staging is not prod is not data.get_client()
    assert data.get_client("prod") is prod, "one client per connection, built once"
    assert prod.meta.region_name == "eu-west-1"
    assert (connection_for(prod_table).environment, connection_for(prod_table).color) == (
        "production", "red")
    assert (connection_for(staging_table).environment,
            connection_for(staging_table).color) == ("staging", "amber")


def test_calls_for_a_table_go_through_its_connection(two_environments):
    with physical_table(prod_table) as names:
        two_environments.DYNADMIN_TABLE_NAMES = names
        # Each connection has a client for reads and one for writes (fewer read retries).
        prod_clients = (data.get_client("prod"), data.get_client("prod", writes=True))
        sent = []

        def note(request, **kwargs):  # noqa: ANN001, ANN003, ANN202
            # before-send: every request, also those sent without boto3's pipeline (fast.py)
            target = request.headers["X-Amz-Target"]
            sent.append((target.decode() if isinstance(target, bytes) else target).split(".")[-1])

        for prod in prod_clients:
            prod.meta.events.register("before-send.dynamodb", note, unique_id="test-note")
        try:
            data.put_item(prod_table, {**_key("X"), "v": 1}, condition=AttributeNotExists("PK"))
            assert data.get_item(prod_table, _key("X"))["v"] == 1
        finally:
            for prod in prod_clients:
                prod.meta.events.unregister("before-send.dynamodb", unique_id="test-note")
    assert sent == ["PutItem", "GetItem"]


def test_every_client_shares_botocores_parsed_data(two_environments):
    # botocore parses DynamoDB's service model, the endpoints and the partitions for each
    # session it is given (about 10 MB resident): every client of the process reads the one
    # copy, whatever its connection or side.
    clients = [data.get_client(), data.get_client(writes=True), data.get_client_for(staging_table),
               data.get_client_for(prod_table), data.get_client("prod", writes=True)]
    assert len({id(c) for c in clients}) == len(clients)
    assert len({id(c._loader) for c in clients}) == 1
    assert len({id(c.meta.service_model._service_description) for c in clients}) == 1
    # boto3 adds its own data folder to the loader of each session made: once is enough.
    paths = list(clients[0]._loader.search_paths)
    for _ in range(3):
        new_session(region="eu-west-1")
    assert clients[0]._loader.search_paths == paths
    assert len(paths) == len(set(paths))


def _regions() -> list[str]:
    # every region of every partition, from botocore's own (whole) endpoints file
    endpoints = botocore.loaders.Loader().load_data("endpoints")
    return [region for partition in endpoints["partitions"] for region in partition["regions"]]


def _resolved(session: boto3.session.Session, service: str, region: str,
              config: Config | None) -> tuple[object, ...]:
    try:
        client = session.client(service, region_name=region, config=config,
                                aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    except Exception as error:  # noqa: BLE001 - boto3's own refusal must be the same too
        return type(error).__name__, str(error)
    return (client.meta.endpoint_url, client.meta.region_name, client.meta.partition,
            client._request_signer._region_name, client._request_signer._signing_name)


@pytest.mark.parametrize("service", ["dynamodb", "dynamodbstreams", "sts", "cloudwatch"])
def test_clients_resolve_the_endpoints_boto3s_own_would(service, monkeypatch):
    # The shared loader keeps of the endpoints file only the services dynadmin calls: their
    # addresses, signing regions and partitions stay those of boto3's own session, in every
    # region of every partition, FIPS and dual-stack included (and where boto3 refuses a
    # variant, the same refusal).
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_STS",
                 "AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "AWS_ENDPOINT_URL_CLOUDWATCH"):
        monkeypatch.delenv(name, raising=False)
    ours, theirs = new_session(), boto3.session.Session()
    regions = _regions()
    assert len(regions) > 30 and "cn-north-1" in regions and "us-gov-west-1" in regions
    seen = []
    for region in regions:
        for config in (None, Config(use_fips_endpoint=True), Config(use_dualstack_endpoint=True)):
            expected = _resolved(theirs, service, region, config)
            assert _resolved(ours, service, region, config) == expected, (region, config)
            seen.append(expected)
    assert any(len(s) == 5 and s[0].startswith("https://") for s in seen)


def test_a_connection_can_sign_in_with_a_profile(dynamodb_endpoint, settings, tmp_path,
                                                 monkeypatch):
    (tmp_path / "config").write_text("[profile staging]\nregion = ap-southeast-2\n")
    (tmp_path / "credentials").write_text(
        "[staging]\naws_access_key_id = AKIAPROFILESTAGING01\n"
        "aws_secret_access_key = staging-secret\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    settings.DYNADMIN_REGION = None
    settings.DYNADMIN_CONNECTIONS = {
        "default": {}, "profiled": {"profile": "staging", "endpoint_url": dynamodb_endpoint}}

    client = data.get_client_for(profile_table)

    credentials = client._request_signer._credentials.get_frozen_credentials()
    assert credentials.access_key == "AKIAPROFILESTAGING01", "the profile's, not the env's"
    assert client.meta.region_name == "ap-southeast-2"
    with physical_table(profile_table) as names:
        settings.DYNADMIN_TABLE_NAMES = names
        data.put_item(profile_table, _key("P"), condition=AttributeNotExists("PK"))
        assert data.get_item(profile_table, _key("P")) == _key("P")


# -- a role assumed through STS ----------------------------------------------------------
@pytest.fixture(scope="module")
def sts_endpoint(tmp_path_factory) -> Iterator[str]:  # noqa: ANN001
    """moto's server, which implements STS's AssumeRole, on a free port of 127.0.0.1."""
    with moto_server(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint


@pytest.fixture
def assumed(dynamodb_endpoint, sts_endpoint, settings):  # noqa: ANN001, ANN201
    settings.DYNADMIN_CONNECTIONS = {"default": {}, "assumed": {
        "endpoint_url": dynamodb_endpoint, "sts_endpoint_url": sts_endpoint,
        "role_arn": ROLE_ARN, "external_id": "dynadmin-test", "environment": "production",
        "color": "red"}}
    return settings


def _caller(sts_endpoint: str, credentials) -> str:  # noqa: ANN001
    sts = boto3.client("sts", endpoint_url=sts_endpoint, region_name="us-east-1",
                       aws_access_key_id=credentials.access_key,
                       aws_secret_access_key=credentials.secret_key,
                       aws_session_token=credentials.token)
    return sts.get_caller_identity()["Arn"]


def test_a_connection_with_a_role_signs_with_the_roles_temporary_credentials(assumed,
                                                                              sts_endpoint):
    client = data.get_client_for(role_table)
    with physical_table(role_table) as names:
        assumed.DYNADMIN_TABLE_NAMES = names
        data.put_item(role_table, _key("R"), condition=AttributeNotExists("PK"))
        assert data.get_item(role_table, _key("R")) == _key("R")

    credentials = client._request_signer._credentials.get_frozen_credentials()
    assert credentials.access_key != "local" and credentials.token
    assert client._loader is data.get_client()._loader, "botocore's data parsed once"
    # STS itself says whose keys these are: the role, under dynadmin's session name.
    assert _caller(sts_endpoint, credentials) == (
        "arn:aws:sts::123456789012:assumed-role/dynadmin-reader/dynadmin")


def test_the_roles_credentials_are_renewed_before_they_expire(assumed, sts_endpoint):
    client = data.get_client_for(role_table)
    credentials = client._request_signer._credentials
    first = credentials.get_frozen_credentials().access_key
    # As if the hour had passed: botocore must ask STS again rather than sign with old keys.
    credentials._expiry_time = credentials._expiry_time.replace(year=2000)
    renewed = credentials.get_frozen_credentials()
    assert renewed.access_key != first
    assert _caller(sts_endpoint, renewed).endswith("assumed-role/dynadmin-reader/dynadmin")


def test_building_a_role_client_asks_sts_nothing_until_the_first_call(dynamodb_endpoint,
                                                                      settings):
    # An STS that is not there: the client still builds; the first call reports it.
    settings.DYNADMIN_CONNECTIONS = {"default": {}, "assumed": {
        "endpoint_url": dynamodb_endpoint, "sts_endpoint_url": f"http://127.0.0.1:{free_port()}",
        "role_arn": ROLE_ARN}}
    data.get_client_for(role_table)
    settings.DYNADMIN_TABLE_NAMES = {"ConnRole": "never-created"}
    with pytest.raises(data.Unavailable):
        data.get_item(role_table, _key("R"))


# -- misconfiguration ----------------------------------------------------------------------
def test_a_clean_configuration_has_no_problems(two_environments):
    assert connection_problems([staging_table, prod_table]) == []


def test_bad_connections_are_reported_clearly(settings):
    settings.DYNADMIN_CONNECTIONS = {
        "default": {},
        "prod": {"color": "#ff0000", "regoin": "eu-west-1"},
        "partner": {"external_id": "abc"},
    }
    settings.DYNADMIN_TABLE_CONNECTIONS = {"Orders": "archive"}
    problems = connection_problems([Table("ConnMissing", connection="nowhere")])
    assert problems == [
        "DYNADMIN_CONNECTIONS['prod'] has unknown option(s) regoin; known: color, "
        "endpoint_url, environment, external_id, profile, read_only, region, role_arn, "
        "role_session_name, session_policy, sts_endpoint_url.",
        "DYNADMIN_CONNECTIONS['prod']['color'] is '#ff0000'; use one of red, orange, amber, "
        "green, blue, purple, grey (the Content-Security-Policy allows no inline styles).",
        "DYNADMIN_CONNECTIONS['partner'] has an external_id but no role_arn to assume.",
        "DYNADMIN_TABLE_CONNECTIONS maps table Orders to connection 'archive', which "
        "DYNADMIN_CONNECTIONS does not define (defined: default, partner, prod).",
        "Table ConnMissing uses connection 'nowhere', which DYNADMIN_CONNECTIONS does not "
        "define (defined: default, partner, prod).",
    ]


def test_using_a_bad_connection_is_improperly_configured(settings):
    settings.DYNADMIN_CONNECTIONS = {"default": {}, "prod": {"color": "pink"}}
    with pytest.raises(ImproperlyConfigured, match="'pink'; use one of red"):
        connection_for(Table("ConnPink", connection="prod"))
    with pytest.raises(ImproperlyConfigured, match="No connection 'staging'.*defined: default"):
        data.get_client_for(staging_table)


def test_a_transaction_cannot_span_two_environments(two_environments):
    two_environments.DYNADMIN_TABLE_NAMES = {"ConnStaging": "s-table", "ConnProd": "p-table"}
    with data.recording() as log, pytest.raises(
            ImproperlyConfigured, match=r"several connections \(prod, staging\)"):
        data.transact_write([data.Put(staging_table, _key("T"), AttributeNotExists("PK")),
                             data.Put(prod_table, _key("T"), AttributeNotExists("PK"))])
    assert log.operations == []


def test_one_physical_name_on_two_connections_is_refused(two_environments):
    two_environments.DYNADMIN_TABLE_NAMES = {"ConnStaging": "shared", "ConnProd": "shared"}
    with pytest.raises(ImproperlyConfigured, match=r"One call to shared would need several"):
        data.get_item(prod_table, _key("T"))
