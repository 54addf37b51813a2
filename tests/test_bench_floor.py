"""The bench's floor (``bench.floor``) gives the same data as the real subgraphs, with the same SQL statements.

A small world is seeded by the bench's own seeding (``bench.dataset``) into a temporary directory; each subgraph's
real app answers the operation Apollo Gateway sends it for a query of the mix, and the floor answers the client's
request body over its own ASGI app: the data must be equal, and so must the number of statements.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from bench import dataset, floor
from bench.queries import QUERIES, Ids, bodies
from subgraphs.common.db import Database
from subgraphs.common.settings import SubgraphSettings

SAMPLES = 3  # request bodies compared per (query, subgraph)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dataset.Dataset, Ids]]:
    ds = dataset.Dataset(400, 3, tmp_path_factory.mktemp("floor-world"))
    dataset.ensure_seeded(ds, dataset.base_environment(), ds.directory / "seed.log")
    yield ds, dataset.pick_ids(ds)


@pytest.fixture
async def apps(world: tuple[dataset.Dataset, Ids], internal_keys: Any) -> AsyncIterator[dict[str, Any]]:
    """The three subgraph apps and the floor app on the seeded world, with their databases."""
    import importlib

    ds, _ids = world
    env = ds.env()
    out: dict[str, Any] = {}
    for name in floor.SUBGRAPHS:
        db = Database(ds.database_url(name))
        module = importlib.import_module(f"subgraphs.{name}.app")
        app = module.create_app(SubgraphSettings.from_env(name, env), db=db, verifier=internal_keys.verifier(name))
        out[name] = (app, db, internal_keys.headers(name, agency="tandtc", purpose="criminal_proceedings"))
    dbs = floor.FloorDatabases.from_env(env)
    out["floor"] = (floor.FloorApp(dbs), dbs)
    yield out
    for name in floor.SUBGRAPHS:
        await out[name][1].dispose()
    await dbs.dispose()


async def _post(app: Any, path: str, payload: bytes, headers: dict[str, str] | None = None) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(path, content=payload, headers={"content-type": "application/json",
                                                                     **(headers or {})})
    assert response.status_code == 200, response.text
    return response.json()


def _statements(dbs: floor.FloorDatabases, name: str) -> int:
    return getattr(dbs, name).statements


@pytest.mark.parametrize(("query", "subgraph"), [(q, s) for q, names in floor.QUERY_SUBGRAPHS.items()
                                                  for s in names])
async def test_floor_answers_like_the_subgraph(
    apps: dict[str, Any], world: tuple[dataset.Dataset, Ids], query: str, subgraph: str
) -> None:
    _ds, ids = world
    floor_app, dbs = apps["floor"]
    app, db, headers = apps[subgraph]
    checked_rows = 0
    for body in bodies(QUERIES[query], ids, count=SAMPLES):
        variables = orjson.loads(body)["variables"]
        before_sub, before_floor = db.statements, _statements(dbs, subgraph)
        expected = await _post(app, "/graphql", orjson.dumps(floor.subgraph_request(query, subgraph, variables)),
                               headers)
        got = await _post(floor_app, f"/floor/{query}/{subgraph}", body)
        assert "errors" not in expected, expected
        assert got["data"] == expected["data"]
        assert _statements(dbs, subgraph) - before_floor == db.statements - before_sub
        checked_rows += len(orjson.dumps(got["data"]))
    assert checked_rows > SAMPLES * 20  # real data was compared, not empty answers


async def test_whole_answer_merges_the_subgraph_floors(
    apps: dict[str, Any], world: tuple[dataset.Dataset, Ids]
) -> None:
    _ds, ids = world
    floor_app, _dbs = apps["floor"]
    body = bodies(QUERIES["c"], ids, count=1)[0]
    whole = (await _post(floor_app, "/floor/c/all", body))["data"]["persons"]
    parts = {name: (await _post(floor_app, f"/floor/c/{name}", body))["data"] for name in floor.SUBGRAPHS}
    assert [p and p["personalId"] for p in whole] == [p and p["personalId"] for p in parts["population"]["persons"]]
    for i, person in enumerate(whole):
        if person is not None:
            assert person["civilStatusEvents"] == parts["civil_status"]["_entities"][i]["civilStatusEvents"]
            assert person["sentences"] == parts["sentences"]["_entities"][i]["sentences"]
    assert any(p and p["sentences"] for p in whole) and any(p and p["civilStatusEvents"] for p in whole)


def test_floor_routes_cover_the_mix() -> None:
    assert set(floor.QUERY_SUBGRAPHS) == set(QUERIES)
    with pytest.raises(KeyError):
        floor.handler("a", "sentences")


def test_unknown_path_is_404(tmp_path: Path) -> None:
    import asyncio

    dbs = floor.FloorDatabases(*(Database(f"sqlite+aiosqlite:///{tmp_path / n}.db") for n in floor.SUBGRAPHS))

    async def run() -> int:
        transport = httpx.ASGITransport(app=floor.FloorApp(dbs))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            status = (await client.post("/floor/z/population", content=b"{}")).status_code
        await dbs.dispose()
        return status

    assert asyncio.run(run()) == 404
