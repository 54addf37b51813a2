"""Traces (issue 12): the gateway's span tree across its stages, the subgraph's spans joined to it through the
W3C traceparent it sends, and no personal data in any span (arguments, variables, values).

The population subgraph runs over HTTP (uvicorn in a thread) on a seeded SQLite database, with the real policy
(embedded Rego), JWT authentication and audit store in the gateway; the sentences subgraph is not running, so
its fetch fails and its span says so. Each side has its own tracer and in-memory exporter (a gateway's is
shut down with it): the subgraph's spans can join the gateway's trace only through the header.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway.config import GatewaySettings
from gateway.keys import key_paths, load_or_create_internal_key
from gateway.server import Gateway
from gateway.server.wiring import build_hooks
from gateway.supergraph import load_supergraph
from subgraphs.common.app import create_subgraph_app
from subgraphs.common.db import Database
from subgraphs.common.internal_auth import InternalTokenVerifier
from subgraphs.common.settings import INTERNAL_ISSUER, ConfigError, SubgraphSettings
from subgraphs.common.telemetry import Telemetry, sql_summary
from subgraphs.population.loaders import make_loaders
from subgraphs.population.schema import schema as population_schema
from tests.fixtures.serve import free_port, serve
from tests.population_fixtures import load_population, seed_people

ROOT = Path(__file__).resolve().parent.parent
LEGAL_BASIS = "Quyết định khởi tố vụ án 7/2026/QĐ-VKS"
STAGES = ["authenticate", "rate_limit", "parse_validate", "policy.decide", "policy.prepare", "plan", "execute",
          "policy.apply", "audit"]


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A traced population subgraph over HTTP; ``exporter`` holds its spans."""
    work = tmp_path_factory.mktemp("telemetry")
    people = seed_people(40)
    url = f"sqlite+aiosqlite:///{work / 'population.db'}"
    load_population(url, people)
    env = {"GATEWAY_ENV": "development", "LT_DATA_DIR": str(work / "data"), "GATEWAY_POLICY_ENGINE": "embedded",
           "GATEWAY_AUDIT_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'audit.db'}",
           "GATEWAY_SUPERGRAPH": str(ROOT / "schema.graphql"), "GATEWAY_RATE_LIMIT": "on",
           "CIVIL_STATUS_URL": f"http://127.0.0.1:{free_port()}/graphql",
           "SENTENCES_URL": f"http://127.0.0.1:{free_port()}/graphql"}
    _private, jwks = key_paths(env)
    load_or_create_internal_key(*key_paths(env))
    exporter = InMemorySpanExporter()
    settings = SubgraphSettings(name="population", host="127.0.0.1", port=0, database_url=url,
                                internal_jwks_file=jwks)
    db = Database(url)
    app = create_subgraph_app(
        population_schema, settings, make_loaders, db=db,
        verifier=InternalTokenVerifier.from_file(jwks, INTERNAL_ISSUER, "lienthong-subgraph:population"),
        telemetry=Telemetry.with_exporter(exporter, "lienthong-population"))
    with serve(app) as base:
        env["POPULATION_URL"] = f"{base}/graphql"
        yield {"env": env, "people": people, "exporter": exporter}


async def _gateway(env: dict[str, str]) -> tuple[Gateway, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    settings = GatewaySettings.from_env(env)
    supergraph = load_supergraph(settings.supergraph_path, settings)
    hooks = build_hooks(settings, supergraph)
    gateway = Gateway(settings, supergraph, authenticator=hooks.authenticator, policy=hooks.policy,
                      audit=hooks.audit, transports=hooks.transports, resources=hooks.resources,
                      telemetry=Telemetry.with_exporter(exporter, "lienthong-gateway"))
    await gateway.start()
    return gateway, exporter


async def _grant(gateway: Gateway, personal_id: str) -> str:
    """A grant of the registry for vksndtc / criminal proceedings about ``personal_id`` (its id)."""
    from gateway.auth import Caller, Role
    from gateway.grants.model import GrantRequest

    registrar = Caller("registrar-1", "c10-bca", "criminal_enforcement", role=Role.GRANT_REGISTRAR, issuer="t")
    request = GrantRequest(decision_number="7/2026/QĐ-VKS", issued_by="test", decision_date="2026-01-01",
                           agency="vksndtc", purpose="criminal_proceedings", scope="subjects",
                           subjects=(personal_id,), valid_until="2099-12-31")
    return (await gateway.hooks[1].service.grants.registry.create(request, registrar)).id


def _headers(env: dict[str, str]) -> dict[str, str]:
    from gateway.auth import AuthSettings
    from gateway.auth.dev import mint_dev_token

    token = mint_dev_token("vksndtc", "officer-traced", settings=AuthSettings.from_env(env))
    return {"authorization": f"Bearer {token}", "x-purpose": "criminal_proceedings",
            "x-legal-basis": LEGAL_BASIS}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)


def _everything_said(span: Any) -> list[str]:
    """Every string a span carries: name, attributes, events and their attributes, status, resource."""
    said = [span.name, span.status.description or ""]
    for key, value in (span.attributes or {}).items():
        said += [key, *_strings(value)]
    for event in span.events:
        said.append(event.name)
        for key, value in (event.attributes or {}).items():
            said += [key, *_strings(value)]
    for link in span.links:
        said += list(_strings(list((link.attributes or {}).values())))
    return said


async def test_span_tree_across_gateway_and_subgraph_without_values(traced: dict[str, Any]) -> None:
    subgraph: InMemorySpanExporter = traced["exporter"]
    person = traced["people"][3]
    other = traced["people"][5]
    gateway, exporter = await _gateway(traced["env"])
    subgraph.clear()
    query = f"""query Traced($name: String!) {{
      person(personalId: "{person.personal_id}") {{ personalId fullName dateOfBirth religion sentences {{ id }} }}
      searchPersons(name: $name, first: 3) {{ edges {{ node {{ personalId fullName }} }} }}
    }}"""
    headers = _headers(traced["env"])
    # the procuracy reads CRIMINAL data under a grant of the registry (policies/grants.rego) covering the person
    headers["x-legal-basis"] = f"{await _grant(gateway, person.personal_id)} {LEGAL_BASIS}"
    try:
        response = await gateway.execute(query, {"name": other.full_name}, "Traced", headers)
    finally:
        await gateway.close()
    assert response.status == 200, response.body
    assert response.body["data"]["person"]["fullName"] == person.full_name  # the values did flow
    assert "SUBGRAPH_UNAVAILABLE" in json.dumps(response.body.get("errors"))  # sentences is not running

    spans = [*exporter.get_finished_spans(), *subgraph.get_finished_spans()]
    by_id = {s.context.span_id: s for s in spans}
    roots = [s for s in spans if s.name == "graphql.request" and s.resource.attributes["service.name"]
             == "lienthong-gateway"]
    assert len(roots) == 1
    root = roots[0]
    trace_id = root.context.trace_id
    assert root.parent is None
    assert root.attributes["graphql.operation.name"] == "Traced"
    assert root.attributes["graphql.operation.type"] == "query"
    assert root.attributes["http.response.status_code"] == 200
    assert root.attributes["lienthong.purpose"] == "criminal_proceedings"

    children = sorted((s for s in spans if s.parent is not None and s.parent.span_id == root.context.span_id),
                      key=lambda s: s.start_time)
    assert [s.name for s in children] == STAGES  # one span per stage, in order, each a child of the request
    stage = {s.name: s for s in children}
    decide = stage["policy.decide"]
    assert "Person.fullName" in decide.attributes["lienthong.coordinates"]  # coordinates yes
    masked = stage["policy.apply"].attributes["lienthong.masked.coordinates"]
    assert "Person.religion" in masked  # withheld for this purpose (RELIGION): reported by its coordinate

    fetches = [s for s in spans if s.name.startswith("fetch ")]
    assert {s.name for s in fetches} >= {"fetch population", "fetch sentences"}
    for fetch in fetches:
        assert by_id[fetch.parent.span_id] is stage["execute"]
        assert fetch.context.trace_id == trace_id
    failed = next(s for s in fetches if s.name == "fetch sentences")
    assert failed.status.description == "SUBGRAPH_UNAVAILABLE"

    # The subgraph's spans: its request span continues a population fetch span (via traceparent only) and
    # each SQL statement is a child of that request span.
    served = [s for s in spans if s.resource.attributes["service.name"] == "lienthong-population"]
    requests = [s for s in served if s.name == "graphql.request"]
    population_fetches = {s.context.span_id for s in fetches if s.name == "fetch population"}
    assert requests and all(s.parent is not None and s.parent.span_id in population_fetches
                            and s.parent.is_remote and s.context.trace_id == trace_id for s in requests)
    sql = [s for s in served if s.attributes.get("db.system.name") == "sqlite"]
    assert sql, [s.name for s in served]
    request_ids = {s.context.span_id for s in requests}
    assert all(s.parent.span_id in request_ids and s.context.trace_id == trace_id for s in sql)
    assert any(s.attributes["db.operation.name"] == "SELECT" for s in sql)

    # No values: the personalId argument, the name variable, any returned value, the legal basis, the account.
    secrets = [person.personal_id, other.full_name, person.full_name, LEGAL_BASIS, "officer-traced",
               str(person.date_of_birth)]
    for span in spans:
        said = "\n".join(_everything_said(span))
        for secret in secrets:
            assert secret not in said, (span.name, secret)


async def test_incoming_traceparent_is_continued(traced: dict[str, Any]) -> None:
    gateway, exporter = await _gateway(traced["env"])
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    try:
        response = await gateway.execute("{ __typename }", headers={**_headers(traced["env"]), "traceparent": parent})
    finally:
        await gateway.close()
    assert response.status == 200
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans if s.name == "graphql.request"], [s.name for s in spans]
    root = next(s for s in spans if s.name == "graphql.request")
    assert format(root.context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    assert format(root.parent.span_id, "016x") == "b7ad6b7169203331"


async def test_refusal_marks_the_stage_and_the_request(traced: dict[str, Any]) -> None:
    gateway, exporter = await _gateway(traced["env"])
    try:
        response = await gateway.execute("{ __typename }", headers={"authorization": "Bearer nope"})
    finally:
        await gateway.close()
    assert response.status == 401
    spans = {s.name: s for s in exporter.get_finished_spans()}
    assert spans["authenticate"].status.description == "UNAUTHENTICATED"
    assert spans["graphql.request"].attributes["lienthong.error.code"] == "UNAUTHENTICATED"
    assert spans["graphql.request"].attributes["http.response.status_code"] == 401
    assert "audit" in spans and "plan" not in spans


def test_off_by_default_and_settings() -> None:
    assert Telemetry.from_env({}, "x").tracer is None
    assert Telemetry.from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_SDK_DISABLED": "true"},
                              "x").tracer is None
    assert Telemetry.from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1",
                               "OTEL_TRACES_EXPORTER": "none"}, "x").tracer is None
    on = Telemetry.from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_SERVICE_NAME": "gw-a",
                             "OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25"}, "x")
    try:
        assert on.tracer is not None
        assert on.provider.resource.attributes["service.name"] == "gw-a"
        assert "0.25" in on.provider.sampler.get_description()
    finally:
        on.shutdown()
    off = Telemetry.off()
    assert off.span("anything").__enter__() is None  # the shared no-op: no span object
    for bad in ({"OTEL_TRACES_SAMPLER": "sometimes"}, {"OTEL_TRACES_SAMPLER": "traceidratio",
                                                       "OTEL_TRACES_SAMPLER_ARG": "2"},
                {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}):
        with pytest.raises(ConfigError):
            Telemetry.from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", **bad}, "x")


def test_sql_summary_names_tables_never_literals() -> None:
    verb, summary = sql_summary("SELECT person.full_name FROM person JOIN address ON x WHERE id = '001099012345'")
    assert verb == "SELECT" and summary == "SELECT person address"
