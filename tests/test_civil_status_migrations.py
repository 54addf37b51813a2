"""The civil-status Alembic history: matches the models, upgrades and downgrades on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from subgraphs.common.migrations import alembic_config, upgrade


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_migrations_round_trip_and_match_the_models(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'cs.db'}"
    else:
        make_pg: Callable[[], str] = request.getfixturevalue("pg_database")
        url = make_pg()
    await asyncio.to_thread(upgrade, "civil_status", url)
    assert {"civil_status_event", "civil_status_party", "alembic_version_civil_status"} <= await _tables(url)
    # Autogenerate finds nothing to do: the reviewed revision is exactly the models.
    await asyncio.to_thread(command.check, alembic_config("civil_status", url))
    await asyncio.to_thread(command.downgrade, alembic_config("civil_status", url), "base")
    assert not {"civil_status_event", "civil_status_party"} & await _tables(url)
    await asyncio.to_thread(upgrade, "civil_status", url)
    assert "civil_status_event" in await _tables(url)
