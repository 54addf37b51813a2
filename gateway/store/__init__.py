"""The gateway's own store: tables the gateway itself owns (grants, data-subject requests, ...), apart from the
audit trail (which has its own database and writer, :mod:`gateway.audit`).

PostgreSQL in production, SQLite by default (``GATEWAY_STORE_DATABASE_URL``, parsed once into
:class:`gateway.config.GatewaySettings`; ``GATEWAY_ENV=production`` refuses anything but PostgreSQL at start).

Use::

    store = GatewayStore(settings.store_database_url)
    store.register(my_metadata)        # before start(): each module brings its own sqlalchemy MetaData
    await store.start()                # connects, creates every registered table if absent (idempotent)
    async with store.engine.begin() as conn: ...
    await store.close()

The app's lifespan starts and stops it (:mod:`gateway.server.wiring` hands it to the gateway as a hook).
Tables are created with ``create_all(checkfirst=True)``: a new table appears on the next start; a changed one
needs a migration (none yet: every table so far is new).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

__all__ = ["GatewayStore", "StoreUnavailable", "store_url_problem"]


class StoreUnavailable(Exception):
    """The gateway store cannot be reached or is not started: the request fails closed (no data)."""


def store_url_problem(url: str, *, production: bool) -> str | None:
    """Why ``url`` cannot be the gateway store (None when it can): SQLite or PostgreSQL only, PostgreSQL in
    production, and a SQLite file (an in-memory store would lose the grants on restart)."""
    try:
        parsed = make_url(url)
    except Exception:  # sqlalchemy raises ArgumentError with the URL; say it plainly
        return f"GATEWAY_STORE_DATABASE_URL={url!r} is not a database URL"
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        return f"GATEWAY_STORE_DATABASE_URL: unsupported database {backend!r} (use SQLite or PostgreSQL)"
    if production and backend != "postgresql":
        return ("GATEWAY_STORE_DATABASE_URL must name PostgreSQL (postgresql+asyncpg://...) with GATEWAY_ENV="
                "production: the grants registry is not kept in a local SQLite file there")
    if backend == "sqlite" and (not parsed.database or parsed.database == ":memory:"):
        return "GATEWAY_STORE_DATABASE_URL: the SQLite store needs a file (an in-memory one would not survive)"
    return None


_DDL_LOCK = 0x4C54_5354  # "LTST": serialises table creation across gateway processes


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=10000", "foreign_keys=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


class GatewayStore:
    """One async engine over the gateway's database; modules register their tables before :meth:`start`."""

    def __init__(self, url: str, *, production: bool = False) -> None:
        self.url = url
        self.production = production
        self._metadata: list[MetaData] = []
        self._engine: AsyncEngine | None = None

    @property
    def dialect(self) -> str:
        return make_url(self.url).get_backend_name()

    def register(self, metadata: MetaData) -> None:
        """Have :meth:`start` create ``metadata``'s tables. Registering the same object twice is harmless."""
        if self._engine is not None:
            raise RuntimeError("GatewayStore.register() after start(): register every table before starting")
        if all(m is not metadata for m in self._metadata):
            self._metadata.append(metadata)

    async def start(self) -> None:
        """Connect and create the registered tables if absent. Raises :class:`StoreUnavailable`."""
        if self._engine is not None:
            return
        if problem := store_url_problem(self.url, production=self.production):
            raise StoreUnavailable(problem)
        try:
            if self.dialect == "sqlite":
                Path(make_url(self.url).database or "").parent.mkdir(parents=True, exist_ok=True)
                engine = create_async_engine(self.url, connect_args={"timeout": 30})
                event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
            else:
                engine = create_async_engine(self.url, pool_pre_ping=True, pool_size=5, max_overflow=10)
            async with engine.begin() as conn:
                if self.dialect == "postgresql":  # GATEWAY_WORKERS processes start at once: one creates
                    await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_DDL_LOCK})")
                for metadata in self._metadata:
                    await conn.run_sync(metadata.create_all, checkfirst=True)
        except Exception as exc:
            raise StoreUnavailable(f"gateway store unavailable: {type(exc).__name__}: {exc}") from exc
        self._engine = engine

    @property
    def engine(self) -> AsyncEngine:
        """The engine (after :meth:`start`); :class:`StoreUnavailable` before."""
        if self._engine is None:
            raise StoreUnavailable("the gateway store is not started")
        return self._engine

    @property
    def started(self) -> bool:
        return self._engine is not None

    async def close(self) -> None:
        """Release the connections (start() may be called again afterwards)."""
        if self._engine is not None:
            engine, self._engine = self._engine, None
            await engine.dispose()
