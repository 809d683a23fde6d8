"""The hot DynamoDB calls, sent through botocore's own pieces without its request pipeline.

A boto3 call builds every request through the service model: parameter validation, the
serializer's walk of every attribute value, endpoint rules and a dozen events: 0.2 to 0.3 ms
of CPU per call (``bench/fast_calls.py``). dynadmin already holds its requests in DynamoDB's
wire form (``{"S": "..."}``, numbers as strings, binary as bytes), so for the operations
pages and writes make, its own clients build the JSON body directly (binary values
base64-encoded, as botocore's serializer does) and keep the rest botocore's:

- the client's credentials object, frozen for every attempt (so refreshing credentials and an
  assumed role renew exactly as they do for boto3), and botocore's SigV4 signer;
- the client's pooled HTTP session, endpoint, region and timeouts;
- the client's retries: every attempt emits the client's ``before-send`` event (the request's
  budget, the adaptive rate limiter) and ``needs-retry`` event (botocore's retry decision,
  dynadmin's attempt notes), exactly as botocore's endpoint does;
- a successful answer parsed by ``json.loads`` (binary values decoded, as ``responses.py``
  does for boto3's reads); an error answer parsed by botocore's own parser with the
  operation's model and raised as the client's own ``ClientError`` class, so that
  ``translate`` sees what it sees today (a failed condition's item, a cancelled
  transaction's reasons) and nothing is ever sent twice to find out.

Every other operation (and Scan, which stays refused) goes through boto3; so does a client
dynadmin did not build (a host's, DynamoDB Streams'), or one that signs nothing.
``DYNADMIN_FAST_CALLS = False`` sends everything through boto3.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
import weakref
from typing import Any, NamedTuple

from botocore import xform_name
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSPreparedRequest
from botocore.endpoint import convert_to_response_dict
from botocore.hooks import first_non_none_response
from botocore.parsers import create_parser

from .. import conf
from .responses import decode_binary

__all__ = ["FAST_OPERATIONS", "adopt", "route_for"]

#: the operations the fast path sends; everything else goes through boto3
FAST_OPERATIONS = frozenset({"Query", "GetItem", "BatchGetItem", "PutItem", "UpdateItem",
                             "DeleteItem", "TransactWriteItems", "BatchWriteItem"})

_routes: weakref.WeakKeyDictionary[Any, _Route] = weakref.WeakKeyDictionary()


def adopt(client: Any) -> None:
    """Let the fast path send the hot operations of one of dynadmin's own DynamoDB clients."""
    _routes[client] = _Route(client)


def route_for(client: Any, operation: str) -> _Route | None:
    """How to send ``operation`` through ``client`` without boto3, or None: through boto3."""
    if operation not in FAST_OPERATIONS:
        return None
    route = _routes.get(client)
    if route is None or route.credentials is None or not conf.get("FAST_CALLS"):
        return None
    return route


def _blob(value: Any) -> str:
    """Binary attribute values, as botocore's JSON serializer writes them."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not a DynamoDB wire value")


class _Headers(dict[str, str]):
    """A request's headers: a plain dict, its names spelled as they are sent, that still
    answers any spelling of a name, as botocore's own header map does (a host's
    ``before-send`` handler reading ``headers["x-amz-target"]``). The signer and the HTTP
    session ask for names spelled as set, which a dict finds at its own speed; only another
    spelling pays for a case-blind look."""

    def _spelled(self, name: object) -> str | None:
        if not isinstance(name, str):
            return None
        lowered = name.lower()
        return next((key for key in self if key.lower() == lowered), None)

    def __missing__(self, name: str) -> str:
        spelled = self._spelled(name)
        if spelled is None:
            raise KeyError(name)
        return dict.__getitem__(self, spelled)

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or self._spelled(name) is not None

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def __setitem__(self, name: str, value: str) -> None:
        # one header per name, whichever spelling set it last (botocore's map would add a
        # second; its signer deletes a header before setting it again)
        if not dict.__contains__(self, name):
            spelled = self._spelled(name)
            if spelled is not None:
                dict.__delitem__(self, spelled)
        dict.__setitem__(self, name, value)

    def __delitem__(self, name: str) -> None:
        if not dict.__contains__(self, name):
            name = self._spelled(name) or name
        dict.__delitem__(self, name)

    def pop(self, name: str, *default: Any) -> Any:
        if not dict.__contains__(self, name):
            name = self._spelled(name) or name
        return dict.pop(self, name, *default)


class _Where(NamedTuple):
    """Where an operation's requests go and how they are signed, as the client's endpoint
    rules say (an explicit endpoint; on AWS, the regional or the account's endpoint)."""

    url: str
    headers: dict[str, str]
    region: str
    signing_name: str


class _Route:
    """What one client's requests need, read once (holds only a weak reference to the
    client, so a forgotten client is collected as before)."""

    def __init__(self, client: Any) -> None:
        meta = client.meta
        self._client = weakref.ref(client)
        self.region = meta.region_name
        self.signing_name = meta.service_model.signing_name
        self.credentials = client._request_signer._credentials  # None: the client signs nothing
        self.http = client._endpoint.http_session
        self.events = meta.events
        self.service_model = meta.service_model
        self.service = meta.service_model.service_id.hyphenize()
        self.exceptions = client.exceptions
        self.config = meta.config
        total = (meta.config.retries or {}).get("total_max_attempts")
        self.max_attempts = f"; max={total}" if total else ""
        self.user_agent = client._user_agent_creator.to_string()
        self.target = meta.service_model.metadata["targetPrefix"] + "."
        self.content_type = "application/x-amz-json-" + meta.service_model.metadata[
            "jsonVersion"]
        self._models: dict[str, tuple[Any, tuple[str, ...]]] = {}
        self._endpoints: dict[str, _Where] = {}

    def model(self, operation: str) -> tuple[Any, tuple[str, ...]]:
        """The operation's model, and its members botocore fills with a fresh token when the
        caller gives none (TransactWriteItems' ``ClientRequestToken``: retries of one call
        share it, so DynamoDB applies the transaction once)."""
        known = self._models.get(operation)
        if known is None:
            model = self.service_model.operation_model(operation)
            tokens = tuple(name for name, shape in model.input_shape.members.items()
                           if shape.metadata.get("idempotencyToken"))
            known = self._models[operation] = (model, tokens)
        return known

    def where(self, operation: str, model: Any, params: dict[str, Any]) -> _Where:
        """The client's endpoint rules, run once per operation (they depend on the region,
        the configuration and the credentials' account, not on the request), except for a
        table named by its ARN, which the rules may route elsewhere."""
        known = self._endpoints.get(operation)
        if known is not None:
            return known
        context: dict[str, Any] = {"client_region": self.region, "client_config": self.config}
        client = self._client()
        if client is None:
            raise RuntimeError("the client of this route was collected")
        url, headers, _ = client._resolve_endpoint_ruleset(model, params, context)
        signing = context.get("signing") or {}
        where = _Where(url=url.rstrip("/") + "/", headers=dict(headers or {}),
                       region=signing.get("region") or self.region,
                       signing_name=signing.get("signing_name") or self.signing_name)
        if not _names_an_arn(params):
            self._endpoints[operation] = where
        return where

    # -- one call --------------------------------------------------------------------------
    def send(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Make the call as the client would: same attempts, same answer, same errors."""
        model, tokens = self.model(operation)
        for name in tokens:
            if name not in params:
                params = {**params, name: str(uuid.uuid4())}
        try:
            body = json.dumps(params, default=_blob).encode()
        except (TypeError, ValueError):
            # Not DynamoDB's wire form (a set, a float, a Decimal...): boto3's validation
            # says what is wrong, as it always did, and nothing is sent.
            return getattr(self._client(), xform_name(operation))(**params)
        where = self.where(operation, model, params)
        context: dict[str, Any] = {"client_region": self.region, "client_config": self.config}
        request_dict = {"context": context, "url_path": "/", "method": "POST", "body": body}
        invocation = str(uuid.uuid4())
        attempts = 1
        while True:
            context["retries"] = {"attempt": attempts, "invocation-id": invocation}
            response, exception = self._attempt(operation, model, where, body, attempts,
                                                invocation)
            if not self._needs_retry(operation, model, attempts, request_dict, response,
                                     exception):
                break
            attempts += 1
        if exception is not None:
            self.events.emit(f"after-call-error.{self.service}.{operation}",
                             exception=exception, context=context)
            raise exception
        http, parsed = response
        parsed["ResponseMetadata"]["RetryAttempts"] = attempts - 1
        self.events.emit(f"after-call.{self.service}.{operation}", http_response=http,
                         parsed=parsed, model=model, context=context)
        if http.status_code >= 300:
            code = parsed.get("Error", {}).get("Code")
            raise self.exceptions.from_code(code)(parsed, operation)
        return parsed

    def _request(self, operation: str, where: _Where, body: bytes, attempt: int,
                 invocation: str) -> AWSPreparedRequest:
        # Signed and sent as it is prepared: botocore's signer and HTTP session read a
        # request's method, URL, body, headers and context, nothing else. Its headers are a
        # dict (``_Headers``): botocore's case-blind header map cost more than the rest of
        # the request.
        request = AWSPreparedRequest("POST", where.url, _Headers({
            **where.headers,
            "X-Amz-Target": self.target + operation,
            "Content-Type": self.content_type,
            "User-Agent": self.user_agent,
        }), body, False, {})
        request.params = {}  # type: ignore[attr-defined] - the signer's query parameters
        # Frozen per attempt: refreshable credentials (an assumed role) renew here, under
        # botocore's own lock, exactly as for a boto3 call.
        SigV4Auth(self.credentials.get_frozen_credentials(), where.signing_name,
                  where.region).add_auth(request)
        # botocore adds these after signing (they differ between a call's attempts), and
        # the length when it prepares the request.
        request.headers["amz-sdk-invocation-id"] = invocation
        request.headers["amz-sdk-request"] = f"attempt={attempt}{self.max_attempts}"
        request.headers["Content-Length"] = str(len(body))
        return request

    def _attempt(self, operation: str, model: Any, where: _Where, body: bytes, attempt: int,
                 invocation: str) -> tuple[tuple[Any, dict[str, Any]] | None,
                                           Exception | None]:
        """One request, as botocore's endpoint makes it: ``before-send`` first (it may stop
        the call: the budget), any failure to send kept for the retry decision. Signing is
        not part of the attempt: credentials that cannot be had (an STS refusal) end the
        call at once, as in botocore, and nothing was sent."""
        request = self._request(operation, where, body, attempt, invocation)
        try:
            self.events.emit(f"before-send.{self.service}.{operation}", request=request)
            http = self.http.send(request)
        except Exception as exc:  # noqa: BLE001 - handed to the retry decision, as botocore does
            return None, exc
        return (http, self._parse(operation, model, http)), None

    def _needs_retry(self, operation: str, model: Any, attempts: int,
                     request_dict: dict[str, Any], response: Any,
                     exception: Exception | None) -> bool:
        responses = self.events.emit(
            f"needs-retry.{self.service}.{operation}", response=response, endpoint=None,
            operation=model, attempts=attempts, caught_exception=exception,
            request_dict=request_dict)
        delay = first_non_none_response(responses)
        if delay is None or delay is False:
            return False
        time.sleep(delay)
        return True

    def _parse(self, operation: str, model: Any, http: Any) -> dict[str, Any]:
        content = http.content
        try:
            answer = json.loads(content) if content else {}
        except ValueError:
            answer = None
        if http.status_code >= 300 or not isinstance(answer, dict):
            # An error, or an answer that is not DynamoDB's (a proxy's page): botocore's
            # parser, which reports the latter as it always did.
            answer = self._parse_botocore(model, http)
        elif b'"B":' in content or b'"BS":' in content:
            decode_binary(answer)
        headers = http.headers
        answer["ResponseMetadata"] = {
            "RequestId": headers.get("x-amzn-requestid", ""),
            "HTTPStatusCode": http.status_code,
            "HTTPHeaders": {name.lower(): value for name, value in headers.items()},
            "RetryAttempts": 0,
        }
        return answer

    def _parse_botocore(self, model: Any, http: Any) -> dict[str, Any]:
        """An answer as botocore's client parses it; an error's modeled fields included (a
        failed condition's item, a cancelled transaction's reasons, typed like boto3's)."""
        response_dict = convert_to_response_dict(http, model)
        parser = create_parser(self.service_model.resolved_protocol)
        parsed = parser.parse(response_dict, model.output_shape)
        code = parsed.get("Error", {}).get("Code") if http.status_code >= 300 else None
        shape = self.service_model.shape_for_error_code(code) if code else None
        if shape is not None:
            parsed.update(parser.parse(response_dict, shape))
        parsed.pop("ResponseMetadata", None)
        return parsed


def _names_an_arn(params: dict[str, Any]) -> bool:
    """Whether a request names a table by its ARN (which may hold another account)."""
    names = [params.get("TableName") or "", *(params.get("RequestItems") or ())]
    for action in params.get("TransactItems") or ():
        names.extend(part.get("TableName") or "" for part in action.values())
    return any(name.startswith("arn:") for name in names)
