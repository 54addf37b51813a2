"""Fixtures' helpers for the sentences subgraph tests: databases (SQLite, PostgreSQL), seed data, HTTP client."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from gateway.keys import InternalTokenMinter, load_or_create_internal_key
from subgraphs.common.db import Database, sync_url
from subgraphs.common.migrations import upgrade
from subgraphs.common.provinces import PROVINCES
from subgraphs.common.settings import SubgraphSettings
from subgraphs.seed.world import SeedPerson
from subgraphs.sentences import seed
from subgraphs.sentences.app import create_app
from tests.postgres import scratch_database, unreachable_reason


def make_people(n: int, rng: random.Random) -> list[SeedPerson]:
    """``n`` adult citizens with valid personal ids (a stand-in for the population generator)."""
    people = []
    for i in range(n):
        province = PROVINCES[i % len(PROVINCES)]
        year = rng.randint(1950, 2004)
        sex = "FEMALE" if i % 3 == 0 else "MALE"
        digit = (year // 100 - 19) * 2 + (sex == "FEMALE")
        pid = f"{province.code}{digit}{year % 100:02d}{i:06d}"
        address = f"Số {i} đường Lê Lợi, Phường {i % 9 + 1}, {province.name}"
        people.append(SeedPerson(
            personal_id=pid, full_name=f"Nguyễn Văn {i}", sex=sex, date_of_birth=f"{year}-0{i % 9 + 1}-1{i % 9}",
            birth_year=year, province_code=province.code, birth_province_code=province.code,
            place_of_birth=province.name, birth_registration_place=province.name, hometown=province.name,
            ethnicity="Kinh", religion=None, nationality="Việt Nam", marital_status="SINGLE",
            permanent_address=address, temporary_address=None, current_address=address, old_id_card_number=None,
            date_of_death="2024-03-05" if i % 50 == 7 else None,
        ))
    return people


def load_fixture(url: str, people: list[SeedPerson]) -> None:
    """Schema by Alembic, then one sentence for every person given, legal entities represented by some of them,
    plus the extras (foreigners)."""
    upgrade("sentences", url)
    rng = random.Random("sentences-test")
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        seed.ensure_facilities(conn)
        rows = seed.Rows()
        for p in people:
            born = date.fromisoformat(p.date_of_birth)
            died = date.fromisoformat(p.date_of_death) if p.date_of_death else None
            offender = seed.Offender(p.personal_id, None, p.full_name, born, died, p.sex == "FEMALE", p.province_code,
                                     p.permanent_address)
            assert seed.add_sentence(rows, rng, offender, minor=False)
        seed.add_legal_entities(rows, rng, people, first_chunk=True)
        rows.flush(conn)
        seed.write_extras(conn, rng, 40_000)
    engine.dispose()


def postgres_url() -> Iterator[str]:
    """A scratch ``lt_test_<random>`` database; skip (saying why) if the server is unreachable."""
    reason = unreachable_reason()
    if reason:
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    with scratch_database() as url:
        yield url


def loaded_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                    people: list[SeedPerson], name: str) -> Iterator[str]:
    """For a fixture parametrised ``sqlite`` / ``postgresql``: a database of that backend loaded with ``people``
    (:func:`load_fixture`), SQLite in a fresh ``name`` folder, PostgreSQL a scratch database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp(name) / 'sentences.db'}"
        load_fixture(url, people)
        yield url
        return
    for url in postgres_url():
        load_fixture(url, people)
        yield url


class Subgraph:
    """The sentences app over HTTP (ASGI transport) with a valid internal token, and its Database."""

    def __init__(self, tmp: Path, url: str) -> None:
        private, public = tmp / "keys" / "signing.json", tmp / "keys" / "jwks.json"
        self.minter = InternalTokenMinter(load_or_create_internal_key(private, public))
        settings = SubgraphSettings(name="sentences", host="127.0.0.1", port=4003, database_url=url,
                                    internal_jwks_file=public)
        self.db = Database(url)
        self.app = create_app(settings, db=self.db)
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://sentences")

    def token(self, audience: str = "sentences") -> str:
        return self.minter.mint(audience, sub="officer-1", agency="court-001", purpose="criminal_proceedings", rid="t")

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables or {}},
                                          headers={"Authorization": f"Bearer {self.token()}"})
        assert response.status_code == 200, response.text
        return response.json()

    async def close(self) -> None:
        await self.client.aclose()
        await self.db.dispose()


@asynccontextmanager
async def open_subgraph(tmp: Path, url: str, *, ping: bool = True) -> AsyncIterator[Subgraph]:
    """A :class:`Subgraph` over ``url``, closed after; ``ping``: connected first, so that the dialect's
    initialisation is not among the statements a test counts."""
    sg = Subgraph(tmp, url)
    try:
        if ping:
            await sg.db.ping()
        yield sg
    finally:
        await sg.close()


async def count_statements(sg: Subgraph, query: str, variables: dict) -> tuple[int, dict]:
    """How many SQL statements ``query`` made, and its response."""
    before = sg.db.statements
    result = await sg.query(query, variables)
    return sg.db.statements - before, result


def sql_rows(url: str, statement: str, **params: Any) -> list[Any]:
    """The rows of one SQL ``statement`` on the database at ``url`` (its own short-lived engine)."""
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(statement), params).all())
    finally:
        engine.dispose()
