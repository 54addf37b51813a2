"""A small synthetic population for the civil-status tests (the shared generator may not exist yet), and the
helpers that put a civil-status database behind the HTTP app. The tests here check the helper itself."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine

from subgraphs.civil_status.app import create_app
from subgraphs.civil_status.seed import write_extras, write_people
from subgraphs.common.db import Database, sync_url
from subgraphs.common.identifiers import personal_id_problem
from subgraphs.common.migrations import upgrade
from subgraphs.common.provinces import PROVINCES
from subgraphs.common.settings import SubgraphSettings
from subgraphs.seed.world import SeedPerson
from tests.postgres import scratch_database

_GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khoa", "Linh", "Minh", "Nga", "Phúc", "Quân", "Trang")
_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng")


class _World:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.serial = 0
        self.people: list[SeedPerson] = []

    def person(self, sex: str, born: date, *, precise: bool = True, **kw: Any) -> SeedPerson:
        rng = self.rng
        self.serial += 1
        province = rng.choice(PROVINCES)
        birth_province = rng.choice(PROVINCES)
        century_sex = (0 if born.year < 2000 else 2) + (sex == "FEMALE")
        pid = f"{birth_province.code}{century_sex}{born.year % 100:02d}{self.serial:06d}"
        middle = "Văn" if sex == "MALE" else "Thị"
        p = SeedPerson(
            personal_id=pid,
            full_name=f"{rng.choice(_SURNAMES)} {middle} {rng.choice(_GIVEN)}",
            sex=sex,
            date_of_birth=born.isoformat() if precise else str(born.year),
            birth_year=born.year,
            province_code=province.code,
            birth_province_code=birth_province.code,
            place_of_birth=f"Trạm y tế, Phường {rng.randint(1, 20)}, {birth_province.name}",
            birth_registration_place=f"Phường {rng.randint(1, 20)}, {birth_province.name}",
            hometown=f"Xã Đông Sơn, {rng.choice(PROVINCES).name}",
            ethnicity=rng.choice(("Kinh", "Kinh", "Kinh", "Tày", "Thái", "Mường")),
            religion=None,
            nationality="Việt Nam",
            marital_status="SINGLE",
            permanent_address=f"Số {rng.randint(1, 200)} đường Lê Lợi, Phường {rng.randint(1, 20)}, {province.name}",
            temporary_address=None,
            current_address=f"Phường {rng.randint(1, 20)}, {province.name}",
            old_id_card_number=None,
            **kw,
        )
        self.people.append(p)
        return p

    def family(self) -> None:
        """A couple (married, divorced or widowed, sometimes deceased or missing) and 0-3 children."""
        rng = self.rng
        husband_born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 60))
        h = self.person(
            "MALE", husband_born, precise=rng.random() > 0.1, other_names=["Tí"] if rng.random() < 0.2 else []
        )
        w = self.person("FEMALE", husband_born + timedelta(days=rng.randint(-1500, 3000)))
        married = date(
            max(h.birth_year, w.birth_year) + rng.randint(20, 30), rng.randint(1, 12), rng.randint(1, 28)
        )
        if married > date(2026, 6, 1):
            married = date(2026, 6, 1)
        for a, b in ((h, w), (w, h)):
            a.spouse_id, a.marriage_date, a.marital_status = b.personal_id, married.isoformat(), "MARRIED"
        roll = rng.random()
        if roll < 0.15:
            divorced = min(married + timedelta(days=rng.randint(400, 4000)), date(2026, 6, 1)).isoformat()
            for a in (h, w):
                a.marital_status, a.divorce_date = "DIVORCED", divorced
        elif roll < 0.35:
            died = min(married + timedelta(days=rng.randint(400, 12000)), date(2026, 6, 1))
            h.date_of_death, w.marital_status = died.isoformat(), "WIDOWED"
        elif roll < 0.37:
            h.missing_since = str(min(married.year + rng.randint(1, 15), 2023))
        for _ in range(rng.randint(0, 3)):
            born = married + timedelta(days=rng.randint(300, 6000))
            if born < date(2026, 1, 1):
                child = self.person(
                    rng.choice(("MALE", "FEMALE")), born, father_id=h.personal_id, mother_id=w.personal_id
                )
                if rng.random() < 0.3:  # a grandchild: grandparents become possible guardians
                    self.person("MALE", born + timedelta(days=365 * 22), father_id=child.personal_id)


def make_people(n_families: int, seed: int = 7) -> list[SeedPerson]:
    """Persons of ``n_families`` families, couples and their children together (as the chunks promise)."""
    world = _World(random.Random(seed))
    for _ in range(n_families):
        world.family()
    return world.people


def seed_database(url: str, people: list[SeedPerson], seed: int = 11, chunk: int = 5000) -> None:
    """Migrate ``url`` with alembic, then write the civil status records of ``people`` in chunks."""
    upgrade("civil_status", url)
    engine = create_engine(sync_url(url))
    rng = random.Random(seed)
    with engine.begin() as conn:
        for start in range(0, len(people), chunk):
            write_people(conn, people[start : start + chunk], rng)
        write_extras(conn, rng, len(people))
    engine.dispose()


def seeded_database(request: pytest.FixtureRequest, sqlite_path: Path, people: list[SeedPerson]) -> Iterator[str]:
    """For a fixture parametrised ``sqlite`` / ``postgres``: a database of that backend with the records of
    ``people`` (:func:`seed_database`), SQLite at ``sqlite_path``, PostgreSQL a scratch database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{sqlite_path}"
        seed_database(url, people)
        yield url
        return
    request.getfixturevalue("pg_available")  # skips, printing why, when the server is unreachable
    with scratch_database() as url:
        seed_database(url, people)
        yield url


@dataclass
class Subgraph:
    """The civil-status app over one database, with a client and the database whose statements it counts."""

    db: Database
    client: httpx.AsyncClient
    headers: dict[str, str]

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def counted(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], int]:
        """The response and the number of SQL statements it cost."""
        before = self.db.statements
        body = await self.query(query, variables)
        return body, self.db.statements - before

    async def close(self) -> None:
        """Close the client and the database's connections."""
        await self.client.aclose()
        await self.db.dispose()


async def open_subgraph(url: str, keys: Any) -> Subgraph:
    """A client of the app on the (migrated, seeded) database ``url``, calling with an internal token."""
    settings = SubgraphSettings(
        name="civil_status", host="127.0.0.1", port=4002, database_url=url, internal_jwks_file=keys.jwks_path
    )
    db = Database(url)
    await db.ping()  # the first connection's dialect set-up must not count against a request
    app = create_app(settings, db=db, verifier=keys.verifier("civil_status"))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://civil-status")
    return Subgraph(
        db=db, client=client, headers=keys.headers("civil_status", agency="court-hn", purpose="x")
    )



@asynccontextmanager
async def serving(url: str, keys: Any) -> AsyncIterator[Subgraph]:
    """:func:`open_subgraph`, closed after."""
    sg = await open_subgraph(url, keys)
    try:
        yield sg
    finally:
        await sg.close()

def test_people_are_valid_and_families_stay_together() -> None:
    people = make_people(300)
    ids = {p.personal_id for p in people}
    assert len(ids) == len(people)
    assert all(personal_id_problem(p.personal_id) is None for p in people)
    for p in people:
        assert p.spouse_id is None or p.spouse_id in ids
        assert p.father_id is None or p.father_id in ids
    assert {p.marital_status for p in people} >= {"SINGLE", "MARRIED", "DIVORCED", "WIDOWED"}
