"""Supergraph loading, API schema, categories, documents cache and settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import print_schema

from gateway.config import ConfigError, GatewaySettings
from gateway.errors import GatewayError
from gateway.supergraph import SupergraphError, load_supergraph, load_supergraph_sdl
from gateway.supergraph.documents import DocumentCache

FIXTURE = Path(__file__).parent / "fixtures" / "supergraph.graphql"
REPO_SUPERGRAPH = Path(__file__).parent.parent / "schema.graphql"


@pytest.fixture(scope="module")
def sg():
    return load_supergraph(FIXTURE)


def test_api_schema_hides_federation_internals(sg):
    sdl = print_schema(sg.api_schema)
    for hidden in ("_entities", "_service", "_Any", "_Entity", "join__", "link__", "@link"):
        assert hidden not in sdl
    assert sg.api_schema.query_type.fields.keys() >= {"person", "people", "search", "record"}
    assert "_entities" not in sg.api_schema.query_type.fields
    assert sg.api_schema.get_type("join__Graph") is None
    # the full supergraph still knows them
    assert sg.schema.get_type("join__Graph") is not None


def test_join_metadata(sg):
    person = sg.types["Person"]
    assert person.graphs == ["people", "records", "slow"]
    assert [k.fields for k in person.resolvable_keys("records")] == ["id"]
    assert person.resolvers("name") == ["people"]  # external in records
    assert person.resolvers("nickname") == ["people", "records"]  # shareable
    assert person.resolvers("id") == ["people", "records", "slow"]
    assert person.field_in("ageGroup", "records").requires is not None
    assert sg.types["Record"].field_in("witness", "records").provides is not None
    assert sg.possible_types_in("SearchResult", "people") == ["Person", "Org"]
    assert sorted(sg.possible_types_in("Named", "people")) == ["Org", "Person"]
    assert sg.graphs["records"].url.endswith(":4102/graphql")


def test_categories(sg):
    assert sg.categories["Person.id"] == "IDENTIFIER"
    assert sg.categories["Person.records"] == "CRIMINAL"
    assert sg.categories["Person.mood"] == "HEALTH"
    assert sg.categories["Query.slowPing"] == "PUBLIC"


def test_url_overrides_from_env():
    settings = GatewaySettings.from_env({"RECORDS_URL": "http://elsewhere:9/graphql"})
    sg = load_supergraph(FIXTURE, settings)
    assert sg.graphs["records"].url == "http://elsewhere:9/graphql"
    assert sg.graphs["people"].url.endswith(":4101/graphql")


def test_not_a_supergraph():
    with pytest.raises(SupergraphError):
        load_supergraph_sdl("type Query { a: Int }")
    with pytest.raises(SupergraphError, match="compose"):
        load_supergraph(Path("/nonexistent/schema.graphql"))


@pytest.mark.skipif(not REPO_SUPERGRAPH.exists(), reason="no composed schema.graphql yet")
def test_repository_supergraph_loads():
    sg = load_supergraph(REPO_SUPERGRAPH)
    assert {"population", "civil_status", "sentences"} <= set(sg.graphs)
    assert sg.categories.get("Person.personalId") == "IDENTIFIER"
    assert "_entities" not in sg.api_schema.query_type.fields


def test_settings_defaults_and_refusals():
    s = GatewaySettings.from_env({})
    assert (s.env, s.host, s.port, s.policy_engine, s.introspection) == (
        "development", "127.0.0.1", 4000, "embedded", True)
    assert s.audit_database_url == "sqlite+aiosqlite:///data/audit.db"
    assert GatewaySettings.from_env({"GATEWAY_ENV": "production"}).introspection is False
    assert GatewaySettings.from_env({"GATEWAY_ENV": "production", "GATEWAY_INTROSPECTION": "true"}).introspection
    with pytest.raises(ConfigError, match="allow-all"):
        GatewaySettings.from_env({"GATEWAY_POLICY_ENGINE": "allow-all"})
    with pytest.raises(ConfigError, match="allow-all"):
        GatewaySettings.from_env({"GATEWAY_POLICY_ENGINE": "allow-all", "GATEWAY_ENV": "production"})
    assert GatewaySettings.from_env({"GATEWAY_POLICY_ENGINE": "allow-all", "GATEWAY_ENV": "test"}).policy_engine
    with pytest.raises(ConfigError, match="GATEWAY_PORT"):
        GatewaySettings.from_env({"GATEWAY_PORT": "x"})
    with pytest.raises(ConfigError, match="GATEWAY_ENV"):
        GatewaySettings.from_env({"GATEWAY_ENV": "staging"})


def test_document_cache(sg):
    docs = DocumentCache(sg.api_schema, size=2)
    q = '{ person(id: "1") { name } }'
    a = docs.get(q, None)
    assert docs.get(q, None) is a
    assert (docs.stats.hits, docs.stats.misses) == (1, 1)
    with pytest.raises(GatewayError) as exc:
        docs.get("{ _entities(representations: []) { __typename } }", None)
    assert exc.value.code == "GRAPHQL_VALIDATION_FAILED"
    with pytest.raises(GatewayError) as exc:
        docs.get("{ person(id: ", None)
    assert exc.value.code == "GRAPHQL_VALIDATION_FAILED"
    with pytest.raises(GatewayError) as exc:
        docs.get("query A { slowPing } query B { slowPing }", None)
    assert exc.value.code == "BAD_USER_INPUT"
    assert docs.get("query A { slowPing } query B { slowPing }", "B").operation_name == "B"


def test_limits(sg):
    docs = DocumentCache(sg.api_schema, max_depth=3, max_fields=5)
    docs.get('{ person(id: "1") { friend { name } } }', None)
    with pytest.raises(GatewayError) as exc:
        docs.get('{ person(id: "1") { friend { friend { name } } } }', None)
    assert exc.value.code == "QUERY_TOO_COMPLEX"
    with pytest.raises(GatewayError) as exc:
        docs.get('query { person(id: "1") { ...F } } fragment F on Person { id name birthYear nickname mood }', None)
    assert exc.value.code == "QUERY_TOO_COMPLEX"


def test_introspection_switch(sg):
    on = DocumentCache(sg.api_schema, introspection=True)
    assert on.get("{ __schema { queryType { name } } }", None).introspection
    off = DocumentCache(sg.api_schema, introspection=False)
    with pytest.raises(GatewayError) as exc:
        off.get("{ __schema { queryType { name } } }", None)
    assert exc.value.code == "GRAPHQL_VALIDATION_FAILED"
    off.get("{ __typename }", None)
