"""The PostgreSQL seed (one COPY writer process per subgraph, indexes built after the load) writes exactly the rows
the sequential path writes, and leaves the same indexes and constraints behind (issue 13)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import psycopg
import pytest
from sqlalchemy import create_engine

from subgraphs.seed.postgres import PENDING, restore_pending, suspend
from subgraphs.seed.runner import SeedError, seed

PEOPLE = 2000
CHUNK = 500  # several chunks: each writer's generator per chunk, and civil_status's ids across chunks


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def table_hashes(url: str) -> dict[str, str]:
    """``rows:sha256`` of each table's rows in a total order (every column, as text)."""
    out = {}
    with psycopg.connect(_dsn(url)) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND "
                                             "tablename NOT LIKE 'alembic%' ORDER BY 1")]
        for table in tables:
            columns = [r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns WHERE "
                                                  "table_name = %s ORDER BY ordinal_position", (table,))]
            select = ", ".join(f'"{c}"' for c in columns)
            order = ", ".join(f'"{c}"::text' for c in columns)
            digest, n = hashlib.sha256(), 0
            for row in conn.execute(f'SELECT {select} FROM "{table}" ORDER BY {order}'):
                digest.update(repr(row).encode())
                n += 1
            out[table] = f"{n}:{digest.hexdigest()[:16]}"
    return out


def schema(url: str) -> list[tuple[str, ...]]:
    """Every index and constraint definition of the public schema."""
    with psycopg.connect(_dsn(url)) as conn:
        indexes = conn.execute("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'").fetchall()
        constraints = conn.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM "
                                   "pg_constraint WHERE connamespace = 'public'::regnamespace").fetchall()
    return sorted([*map(tuple, indexes), *map(tuple, constraints)])


def test_parallel_copy_writes_the_rows_of_the_sequential_path(pg_database: Callable[[], str]) -> None:
    sequential, parallel = pg_database(), pg_database()
    before = seed(PEOPLE, seed=3, database_url_override=sequential, chunk_size=CHUNK, parallel=False)
    after = seed(PEOPLE, seed=3, database_url_override=parallel, chunk_size=CHUNK)
    assert "index_seconds" in after["subgraphs"]["civil_status"]  # the parallel path ran
    assert "index_seconds" not in before["subgraphs"]["civil_status"]
    old, new = table_hashes(sequential), table_hashes(parallel)
    assert old["person"].startswith(f"{PEOPLE}:") and int(old["civil_status_event"].split(":")[0]) > PEOPLE
    assert new == old
    assert schema(parallel) == schema(sequential)  # every index and foreign key rebuilt
    assert PENDING not in table_hashes(parallel)  # the bookkeeping table is gone


def test_indexes_dropped_by_a_seed_that_died_are_rebuilt(pg_database: Callable[[], str]) -> None:
    url = pg_database()
    seed(300, seed=1, database_url_override=url, subgraphs=["civil_status"])
    expected = schema(url)
    engine = create_engine(_dsn(url).replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.begin() as conn:  # what a seed does before loading; then it "dies"
            dropped = suspend(conn, ["civil_status_event", "civil_status_party"], "civil_status")
        assert dropped >= 4 and schema(url) != expected
        # the next seed of that database rebuilds them first (even one refused: the database holds data)
        with pytest.raises(SeedError, match="already holds data"):
            seed(300, seed=1, database_url_override=url, subgraphs=["civil_status"])
        assert restore_pending(engine, "civil_status") == 0
    finally:
        engine.dispose()
    assert schema(url) == expected
