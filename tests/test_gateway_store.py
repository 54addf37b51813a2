"""The gateway store (gateway/store): tables registered by modules, created idempotently, SQLite and PostgreSQL;
production refuses anything but PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from gateway.config import ConfigError, GatewaySettings
from gateway.store import GatewayStore, StoreUnavailable, store_url_problem
from tests.postgres import scratch_database, unreachable_reason


def _metadata() -> tuple[MetaData, Table]:
    metadata = MetaData()
    table = Table("store_probe", metadata, Column("id", Integer, primary_key=True), Column("name", String(40)))
    return metadata, table


async def _round_trip(url: str) -> None:
    metadata, table = _metadata()
    store = GatewayStore(url)
    store.register(metadata)
    store.register(metadata)  # twice: harmless
    await store.start()
    async with store.engine.begin() as conn:
        await conn.execute(insert(table).values(id=1, name="kept"))
    await store.close()
    again = GatewayStore(url)  # a restart: create_all finds the table, keeps the row
    again.register(metadata)
    await again.start()
    async with again.engine.connect() as conn:
        assert (await conn.execute(select(table.c.name))).scalars().all() == ["kept"]
    await again.close()
    with pytest.raises(StoreUnavailable):
        _ = again.engine  # closed: no engine, fail closed


async def test_sqlite_store_creates_tables_once_and_keeps_rows(tmp_path: Path) -> None:
    await _round_trip(f"sqlite+aiosqlite:///{tmp_path / 'sub' / 'gateway.db'}")


async def test_postgres_store_creates_tables_once_and_keeps_rows() -> None:
    if reason := unreachable_reason():
        pytest.skip(reason)
    with scratch_database() as url:
        await _round_trip(url)


async def test_register_after_start_is_refused(tmp_path: Path) -> None:
    store = GatewayStore(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}")
    await store.start()
    with pytest.raises(RuntimeError, match="before starting"):
        store.register(_metadata()[0])
    await store.close()


async def test_unreachable_database_is_store_unavailable() -> None:
    store = GatewayStore("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    with pytest.raises(StoreUnavailable, match="unavailable"):
        await store.start()


def test_url_rules() -> None:
    assert store_url_problem("sqlite+aiosqlite:///data/gateway.db", production=False) is None
    assert "PostgreSQL" in store_url_problem("sqlite+aiosqlite:///data/gateway.db", production=True)
    assert store_url_problem("postgresql+asyncpg://u@h/db", production=True) is None
    assert "file" in store_url_problem("sqlite+aiosqlite:///:memory:", production=False)
    assert "unsupported" in store_url_problem("mysql+aiomysql://u@h/db", production=False)
    assert "not a database URL" in store_url_problem("::", production=False)


def test_setting_is_parsed_once_with_the_data_dir_default(tmp_path: Path) -> None:
    assert GatewaySettings.from_env({"LT_DATA_DIR": str(tmp_path)}).store_database_url == (
        f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    url = "postgresql+asyncpg://u@h/db"
    assert GatewaySettings.from_env({"GATEWAY_STORE_DATABASE_URL": url}).store_database_url == url


def test_production_with_a_sqlite_store_refuses_to_start(tmp_path: Path) -> None:
    from gateway.server.wiring import build_hooks
    from gateway.supergraph import load_supergraph

    env = {"GATEWAY_ENV": "production", "LT_DATA_DIR": str(tmp_path), "GATEWAY_PSEUDONYM_KEY": "k" * 32}
    settings = GatewaySettings.from_env(env)
    with pytest.raises(ConfigError, match="GATEWAY_STORE_DATABASE_URL must name PostgreSQL"):
        build_hooks(settings, load_supergraph(settings.supergraph_path, settings))
