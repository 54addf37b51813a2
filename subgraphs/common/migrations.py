"""Alembic migrations, one script directory per subgraph (``subgraphs/<name>/migrations``).

Each subgraph keeps its own version table (``alembic_version_<name>``) so the three may share one PostgreSQL
database or use three. ``upgrade`` is synchronous; call it with ``asyncio.to_thread`` from async code.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

SUBGRAPHS_DIR = Path(__file__).resolve().parent.parent


def alembic_config(name: str, database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SUBGRAPHS_DIR / name / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.attributes["subgraph"] = name
    return cfg


def upgrade(name: str, database_url: str, revision: str = "head") -> None:
    """Bring ``name``'s schema in ``database_url`` up to ``revision``."""
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(name, database_url), revision)


def run_env(metadata: MetaData, name: str) -> None:
    """Body of every ``migrations/env.py``: online migrations through the async engine."""
    config = context.config
    version_table = f"alembic_version_{name}"

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=version_table,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = async_engine_from_config(
            config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                          version_table=version_table, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run_async())
