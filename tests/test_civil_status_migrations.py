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


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_rows_before_the_record_metadata_become_legacy_records(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Revision 0002 gives the rows written before it a source (an earlier database, 003 Art. 3.2.d) and
    created/updated times, so that its NOT NULL columns hold on a database that already has data."""
    from sqlalchemy import text

    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'cs.db'}"
    else:
        make_pg: Callable[[], str] = request.getfixturevalue("pg_database")
        url = make_pg()
    await asyncio.to_thread(upgrade, "civil_status", url, "0001")
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO civil_status_event (id, kind, subject_id, registration_number, registration_date, "
            "registering_authority, registration_province_code) VALUES (1, 'BIRTH', '001090000001', '1/1990', "
            "'1990', 'Ủy ban nhân dân Phường Hàng Bạc, Thành phố Hà Nội', '001')"))
    await asyncio.to_thread(upgrade, "civil_status", url)
    async with engine.connect() as conn:
        row = (await conn.execute(text("SELECT source, created_at, updated_at, subject_id FROM civil_status_event"))
               ).one()
    await engine.dispose()
    assert row.source == "LEGACY_DATABASE" and row.created_at is not None and row.updated_at is not None
    assert row.subject_id == "001090000001"
