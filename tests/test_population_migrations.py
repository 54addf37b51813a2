"""The population migrations: upgrade matches the models, downgrade and upgrade again work, on both databases."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from subgraphs.common.db import sync_url
from subgraphs.common.migrations import alembic_config, upgrade


def _round_trip(url: str) -> set[str]:
    upgrade("population", url)
    cfg = alembic_config("population", url)
    command.check(cfg)  # raises if the models and the migrated schema differ
    command.downgrade(cfg, "base")
    command.upgrade(cfg, "head")
    engine = create_engine(sync_url(url))
    try:
        inspector = inspect(engine)
        assert "alembic_version_population" in inspector.get_table_names()
        return {ix["name"] for ix in inspector.get_indexes("person")}
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_migrations_round_trip(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"
    else:
        url = request.getfixturevalue("pg_database")()
    indexes = await asyncio.to_thread(_round_trip, url)
    assert {"ix_person_birth_year", "ix_person_province_code"} <= indexes
    assert "ix_person_name_trgm" in indexes and "ix_person_name_search" not in indexes
