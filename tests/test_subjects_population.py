"""Population's record of restrictions (004 Art. 9.6): POST /internal/restrictions, only with the gateway's
restriction token, never part of the GraphQL API; the protection fact ``restricted`` follows it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from subgraphs.common.db import Database
from subgraphs.common.settings import SubgraphSettings
from subgraphs.population.app import create_app
from subgraphs.population.models import RESTRICTION
from subgraphs.population.restrictions import RESTRICTION_PATH, RESTRICTION_SCOPE
from subgraphs.population.schema import schema
from tests.population_fixtures import load_population, seed_people

SINCE = "2026-12-01T08:00:00Z"


@pytest.fixture
async def population(tmp_path: Path, internal_keys: Any) -> AsyncIterator[tuple[httpx.AsyncClient, Any, str]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"
    people = seed_people(30)
    await asyncio.to_thread(load_population, url, people)
    unrestricted = next(p.personal_id for p in people if not p.processing_restricted)
    settings = SubgraphSettings(name="population", host="127.0.0.1", port=4001, database_url=url,
                                internal_jwks_file=internal_keys.jwks_path)
    db = Database(url)
    app = create_app(settings, db=db, verifier=internal_keys.verifier("population"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://population") as http:
        yield http, (internal_keys, db), unrestricted
    await db.dispose()


def _gateway(keys: Any) -> dict[str, str]:
    return keys.headers("population", sub="gateway", scope=RESTRICTION_SCOPE)


async def _facts(http: httpx.AsyncClient, keys: Any, personal_id: str) -> Any:
    reply = await http.post("/graphql", headers=keys.headers("population"), json={
        "query": "query($id: ID!) { person(personalId: $id) { protectionFacts { restricted } processingRestricted } }",
        "variables": {"id": personal_id}})
    return reply.json()["data"]["person"]


async def test_a_restriction_is_recorded_with_its_time_and_request(population: Any) -> None:
    http, (keys, db), pid = population
    assert (await _facts(http, keys, pid))["protectionFacts"]["restricted"] is False
    body = {"personalId": pid, "since": SINCE, "requestReference": "DSR-1"}
    reply = await http.post(RESTRICTION_PATH, json=body, headers=_gateway(keys))
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"personalId": pid, "since": "2026-12-01T08:00:00.000000Z", "requestReference": "DSR-1",
                            "restricted": True}
    person = await _facts(http, keys, pid)
    assert person == {"protectionFacts": {"restricted": True}, "processingRestricted": True}
    # the same request again records nothing new and answers the first time
    again = await http.post(RESTRICTION_PATH, json={**body, "since": "2026-12-02T00:00:00Z"}, headers=_gateway(keys))
    assert again.json()["since"] == "2026-12-01T08:00:00.000000Z"
    async with db.engine.connect() as conn:
        rows = (await conn.execute(select(RESTRICTION.c.personal_id, RESTRICTION.c.since,
                                          RESTRICTION.c.request_reference))).all()
    assert [tuple(r) for r in rows] == [(pid, "2026-12-01T08:00:00.000000Z", "DSR-1")]


async def test_only_the_gateways_restriction_token_may_record(population: Any) -> None:
    http, (keys, _db), pid = population
    body = {"personalId": pid, "since": SINCE, "requestReference": "DSR-2"}
    # an internal token as the gateway mints it for a client's request (no scope): refused
    ordinary = await http.post(RESTRICTION_PATH, json=body, headers=keys.headers("population", sub="001085012345"))
    assert ordinary.status_code == 403
    # a token for another subgraph, or none: the internal authentication refuses it
    other = await http.post(RESTRICTION_PATH, json=body,
                            headers=keys.headers("sentences", sub="gateway", scope=RESTRICTION_SCOPE))
    assert other.status_code == 401
    assert (await http.post(RESTRICTION_PATH, json=body)).status_code == 401
    assert (await _facts(http, keys, pid))["protectionFacts"]["restricted"] is False


async def test_bad_input_names_the_field(population: Any) -> None:
    http, (keys, _db), pid = population
    cases = [
        ({"personalId": "12", "since": SINCE, "requestReference": "R"}, "personalId"),
        ({"personalId": pid, "since": "yesterday", "requestReference": "R"}, "since"),
        ({"personalId": pid, "since": "2026-12-01T08:00:00", "requestReference": "R"}, "since"),  # no offset
        ({"personalId": pid, "since": SINCE, "requestReference": ""}, "requestReference"),
    ]
    for body, field in cases:
        reply = await http.post(RESTRICTION_PATH, json=body, headers=_gateway(keys))
        assert reply.status_code == 400, body
        assert reply.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argumentName": field}
    unknown = await http.post(RESTRICTION_PATH, json={"personalId": "001099999999", "since": SINCE,
                                                      "requestReference": "R"}, headers=_gateway(keys))
    assert unknown.status_code == 404
    bad_json = await http.post(RESTRICTION_PATH, content=b"{", headers=_gateway(keys))
    assert bad_json.status_code == 400


def test_the_restriction_endpoint_is_not_in_the_api_schema() -> None:
    sdl = schema.as_str()
    assert "type Mutation" not in sdl  # population's API writes nothing: the restriction is a plain route
    assert "processing_restriction" not in sdl and "requestReference" not in sdl
