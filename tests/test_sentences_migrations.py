"""The sentences migrations: upgrade matches the models (0002 adds the representative's personal id), downgrade
and upgrade again work, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from subgraphs.common.db import sync_url
from subgraphs.common.migrations import alembic_config, upgrade


def _round_trip(url: str) -> tuple[set[str], set[str]]:
    upgrade("sentences", url)
    cfg = alembic_config("sentences", url)
    command.check(cfg)  # raises if the models and the migrated schema differ
    command.downgrade(cfg, "0001_initial")
    engine = create_engine(sync_url(url))
    try:
        before = {c["name"] for c in inspect(engine).get_columns("legal_entity")}
        command.downgrade(cfg, "base")
        command.upgrade(cfg, "head")
        inspector = inspect(engine)
        assert "alembic_version_sentences" in inspector.get_table_names()
        return before, {c["name"] for c in inspector.get_columns("legal_entity")}
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_migrations_round_trip(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 's.db'}"
    else:
        url = request.getfixturevalue("pg_database")()
    before, after = await asyncio.to_thread(_round_trip, url)
    assert "legal_representative_personal_id" not in before
    assert {"legal_representative", "legal_representative_personal_id"} <= after
