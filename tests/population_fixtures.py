"""Fixtures of the population tests: a migrated, seeded population database (SQLite or PostgreSQL) behind the
real HTTP app, with internal tokens minted by the gateway's minter. Imported by tests/test_population*.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine

from subgraphs.common.db import Database, sync_url
from subgraphs.common.settings import SubgraphSettings
from subgraphs.population.app import create_app
from subgraphs.population.seed import write_people
from subgraphs.seed.generator import World
from subgraphs.seed.runner import rng_for
from subgraphs.seed.world import SeedPerson
from tests.postgres import scratch_database

N_PEOPLE = 600
SEED = 7


def seed_people(n: int = N_PEOPLE, seed: int = SEED) -> list[SeedPerson]:
    return [p for chunk in World(seed).chunks(n, chunk_size=250) for p in chunk]


def load_population(url: str, people: list[SeedPerson]) -> None:
    """Alembic upgrade, then the seed writer (sync: run it in a thread from async code)."""
    from subgraphs.common.migrations import upgrade

    upgrade("population", url)
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            write_people(conn, people, rng_for(SEED, "population", 0))
    finally:
        engine.dispose()


@dataclass
class PopulationClient:
    """The app under test, its database (statement counter) and the people loaded into it."""

    http: httpx.AsyncClient
    db: Database
    people: list[SeedPerson]
    headers: dict[str, str]
    keys: Any

    async def gql(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=kw.get("headers", self.headers)
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def counted(self, query: str, variables: dict[str, Any] | None = None) -> tuple[dict[str, Any], int]:
        """The response and the number of SQL statements it cost."""
        before = self.db.statements
        body = await self.gql(query, variables)
        return body, self.db.statements - before


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def population_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, list[SeedPerson]]]:
    """A migrated, seeded database shared by a module's tests (they only read it), dropped afterwards."""
    people = seed_people()
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('population') / 'population.db'}"
        load_population(url, people)
        yield url, people
        return
    request.getfixturevalue("pg_available")  # skips, printing why, when the server is unreachable
    with scratch_database() as url:
        load_population(url, people)
        yield url, people


@pytest.fixture(name="population")
async def population_fixture(
    population_database: tuple[str, list[SeedPerson]], internal_keys: Any
) -> AsyncIterator[PopulationClient]:
    """The HTTP app over the module's database, with a fresh Database (statement counter) per test."""
    url, people = population_database
    settings = SubgraphSettings(
        name="population", host="127.0.0.1", port=4001, database_url=url, internal_jwks_file=internal_keys.jwks_path
    )
    db = Database(url)
    app = create_app(settings, db=db, verifier=internal_keys.verifier("population"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://population") as http:
        yield PopulationClient(http, db, people, internal_keys.headers("population"), internal_keys)
    await db.dispose()


def by_id(people: list[SeedPerson]) -> dict[str, SeedPerson]:
    return {p.personal_id: p for p in people}


