"""Subgraph errors never leak: no representation, variable value, internal alias, host, port or stack reaches a
client; only ``message`` (BAD_USER_INPUT's own, else generic), the client ``path`` and ``code``/``serviceName``
(/``argumentName``) do."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from gateway.execution import FetchContext
from gateway.execution.errors import DOWNSTREAM, client_error, generic_message
from gateway.server import Gateway
from gateway.server.trivial import AllowAllPolicy, HeaderAuthenticator, NullAudit
from gateway.supergraph import load_supergraph
from tests.fixtures.harness import AUTH, SUPERGRAPH, Cluster, start_cluster
from tests.fixtures.serve import free_port

SECRET_HOST = "db-7.internal.example"
LEAKY = (f"cannot resolve representation {{'__typename': 'Person', 'id': '1', 'birthYear': 1951}} "
         f"(_lt_a__id) at http://{SECRET_HOST}:5432/graphql")
FORBIDDEN_TEXT = ("birthYear", "1951", SECRET_HOST, "5432", "Traceback", "stacktrace", "representation", "_lt_",
                  "locations", "/srv/")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
    c = start_cluster(tmp_path_factory.mktemp("keys"))
    yield c
    c.close()


class ScriptedTransport:
    """A subgraph double answering every operation with ``answer`` (a dict, or a callable of the variables)."""

    def __init__(self, name: str, answer: Any) -> None:
        self.name = name
        self.answer = answer
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def send(self, query: str, variables: dict[str, Any], ctx: FetchContext) -> dict[str, Any]:
        self.calls.append((query, variables))
        return self.answer(variables) if callable(self.answer) else self.answer


def gateway_with(cluster: Cluster, **transports: ScriptedTransport) -> Gateway:
    cluster.reset()
    settings = cluster.settings()
    return Gateway(settings, load_supergraph(SUPERGRAPH, settings), authenticator=HeaderAuthenticator(),
                   policy=AllowAllPolicy(), audit=NullAudit(), minter=cluster.minter, transports=transports)


def leaky_error(path: list[Any], code: str | None = "INTERNAL") -> dict[str, Any]:
    extensions: dict[str, Any] = {
        "exception": {"stacktrace": ["Traceback (most recent call last):", '  File "/srv/app.py", line 3']},
        "representation": {"__typename": "Person", "id": "1", "birthYear": 1951},
        "host": SECRET_HOST,
    }
    if code:
        extensions["code"] = code
    return {"message": LEAKY, "path": path, "locations": [{"line": 1, "column": 9}], "extensions": extensions}


async def run(gw: Gateway, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    async with gw:
        response = await gw.execute(query, variables, None, AUTH)
    assert response.status == 200, response.body
    text = json.dumps(response.body)
    for forbidden in FORBIDDEN_TEXT:
        assert forbidden not in text, (forbidden, response.body)
    return response.body


# ------------------------------------------------------------------------------------------ unit
def test_client_error_keeps_only_what_the_contract_allows():
    error = client_error(leaky_error(["a"]), "people", ["a"])
    assert error == {"message": generic_message("people"), "path": ["a"],
                     "extensions": {"code": "INTERNAL", "serviceName": "people"}}
    bad = client_error({"message": "Invalid value for argument 'name': too long", "locations": [],
                        "extensions": {"code": "BAD_USER_INPUT", "argumentName": "name", "x": 1}}, "people", None)
    assert bad == {"message": "Invalid value for argument 'name': too long",
                   "extensions": {"code": "BAD_USER_INPUT", "serviceName": "people", "argumentName": "name"}}


def test_bad_user_input_about_representations_is_generic():
    error = client_error({"message": "Invalid value for argument 'representations': personalId '0010' bad",
                          "extensions": {"code": "BAD_USER_INPUT", "argumentName": "representations"}}, "p", None)
    assert error == {"message": generic_message("p"), "extensions": {"code": "BAD_USER_INPUT", "serviceName": "p"}}


def test_malformed_codes_and_errors():
    assert client_error({"message": "x", "extensions": {"code": f"see http://{SECRET_HOST}"}}, "p", None)[
        "extensions"] == {"code": DOWNSTREAM, "serviceName": "p"}
    assert client_error("not an object", "p", None) == {
        "message": generic_message("p"), "extensions": {"code": DOWNSTREAM, "serviceName": "p"}}


# ------------------------------------------------------------------------------------------ through the gateway
async def test_entity_error_with_representation_and_host_leaks_neither(cluster):
    records = ScriptedTransport("records", lambda v: {
        "data": {"_entities": [None] * len(v["representations"])},
        "errors": [leaky_error(["_entities", 0, "records"])],
    })
    body = await run(gateway_with(cluster, records=records), '{ person(id: "1") { name records { id } } }')
    assert records.calls and "representations" in records.calls[0][1]
    assert body["data"] == {"person": None}
    assert body["errors"] == [{"message": "Subgraph 'records' could not resolve this field.",
                               "path": ["person", "records"],
                               "extensions": {"code": "INTERNAL", "serviceName": "records"}}]


async def test_root_error_at_an_internal_alias_gets_the_client_path(cluster):
    people = ScriptedTransport("people", {"data": {"person": None},
                                          "errors": [leaky_error(["person", "_lt_a__id"], code=None)]})
    body = await run(gateway_with(cluster, people=people), '{ person(id: "1") { id: name records { id } } }')
    assert "_lt_a__id: name" in people.calls[0][0]
    assert body["errors"] == [{"message": "Subgraph 'people' could not resolve this field.",
                               "path": ["person", "id"],
                               "extensions": {"code": DOWNSTREAM, "serviceName": "people"}}]


async def test_bad_user_input_message_and_argument_reach_the_client(cluster):
    people = ScriptedTransport("people", {"data": {"person": None}, "errors": [{
        "message": "Invalid value for argument 'id': '12x' is not an id", "path": ["person"],
        "locations": [{"line": 1, "column": 3}],
        "extensions": {"code": "BAD_USER_INPUT", "argumentName": "id", "exception": {"stacktrace": ["..."]}},
    }]})
    body = await run(gateway_with(cluster, people=people), '{ person(id: "12x") { name } }')
    assert body["errors"] == [{"message": "Invalid value for argument 'id': '12x' is not an id", "path": ["person"],
                               "extensions": {"code": "BAD_USER_INPUT", "serviceName": "people",
                                              "argumentName": "id"}}]


async def test_malformed_subgraph_answers_are_no_5xx(cluster):
    people = ScriptedTransport("people", {"data": {"person": {"name": "x", "id": "1", "__typename": "Person"}},
                                          "errors": "boom at " + SECRET_HOST})
    records = ScriptedTransport("records", {"data": ["not", "an", "object"], "errors": [42, None]})
    body = await run(gateway_with(cluster, people=people, records=records),
                     '{ person(id: "1") { name records { id } } }')
    assert {e["extensions"]["code"] for e in body["errors"]} == {DOWNSTREAM}


async def test_real_subgraph_errors_are_generic(cluster):
    cluster.reset()
    body = await run(cluster.gateway(), '{ person(id: "2") { name brokenName } }')
    assert body["errors"] == [{"message": "Subgraph 'people' could not resolve this field.",
                               "path": ["person", "brokenName"],
                               "extensions": {"code": DOWNSTREAM, "serviceName": "people"}}]


async def test_unreachable_subgraph_names_no_host_or_port(cluster, caplog):
    port = free_port()
    urls = {**cluster.urls, "records": f"http://127.0.0.1:{port}/graphql"}
    cluster.reset()
    with caplog.at_level(logging.WARNING, logger="lienthong.gateway.execution"):
        body = await run(cluster.gateway(subgraph_urls=urls), '{ person(id: "1") { name records { id } } }')
    text = json.dumps(body)
    assert str(port) not in text and "127.0.0.1" not in text and "Errno" not in text and "connect" in text
    assert body["errors"][0]["extensions"] == {"code": "SUBGRAPH_UNAVAILABLE", "serviceName": "records"}
    assert body["errors"][0]["path"] == ["person", "records"]
    assert any(str(port) in r.getMessage() for r in caplog.records)  # the detail is in the server log
