"""Async database access for a subgraph: SQLite (aiosqlite) by default, PostgreSQL (asyncpg) in production."""

from __future__ import annotations

from typing import Any

from sqlalchemy import DateTime, event, func
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Field
from sqlmodel.ext.asyncio.session import AsyncSession


def timestamp_field() -> Any:
    """A ``created_at`` / ``updated_at`` column of a table model: UTC, never null, and filled by the database when
    an insert leaves it out (the seeds' COPY writes rows without a Python step per row)."""
    return Field(default=None, sa_type=DateTime(timezone=True),
                 sa_column_kwargs={"server_default": func.now(), "nullable": False})


class Database:
    """An engine, a session factory and a count of SQL statements sent (tests assert batching with it)."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        if url.startswith("sqlite"):
            engine_kwargs.setdefault("connect_args", {"timeout": 30})
        else:
            engine_kwargs.setdefault("pool_size", 10)
            engine_kwargs.setdefault("max_overflow", 20)
        self.engine: AsyncEngine = create_async_engine(url, **engine_kwargs)
        self.statements = 0
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._count)
        if url.startswith("sqlite"):
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.session = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    def _count(self, *_: Any) -> None:
        self.statements += 1

    async def ping(self) -> None:
        from sqlalchemy import text

        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def sync_url(url: str) -> str:
    """The synchronous-driver form of an async URL (for Alembic and bulk loading)."""
    return url.replace("sqlite+aiosqlite", "sqlite").replace("postgresql+asyncpg", "postgresql+psycopg")
