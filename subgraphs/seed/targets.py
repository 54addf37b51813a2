"""What ``python -m subgraphs.seed`` seeds: one :class:`Target` per subgraph (its writer, tables and database),
the generator each writer gets per chunk, and the synchronous engine it writes with."""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine

from subgraphs.common.db import sync_url


class SeedError(Exception):
    """A seeding run that cannot proceed (missing writer, non-empty database...)."""


@dataclass
class Target:
    """One subgraph to seed: its writer module, its tables and where they live."""

    name: str
    url: str  # async form, as the subgraph and Alembic use it
    writer: ModuleType
    metadata: MetaData
    seconds: float = 0.0
    index_seconds: float = 0.0  # PostgreSQL: building the secondary indexes and foreign keys after the load
    cpu_seconds: float = 0.0  # PostgreSQL: CPU time of its writer process (the machine may be shared)
    skipped: bool = False
    rows: dict[str, int] = field(default_factory=dict)


def async_url(url: str) -> str:
    """Accept sync or async spellings of SQLite/PostgreSQL URLs; the subgraphs and Alembic use the async one."""
    if url.startswith("sqlite:"):
        return "sqlite+aiosqlite:" + url[len("sqlite:"):]
    for prefix in ("postgresql+psycopg:", "postgresql+psycopg2:", "postgresql:", "postgres:"):
        if url.startswith(prefix):
            return "postgresql+asyncpg:" + url[len(prefix):]
    return url


def rng_for(seed: int, subgraph: str, chunk: int | str) -> random.Random:
    """The writer's generator for (seed, subgraph, chunk): string seeds hash with SHA-512, stable across runs."""
    return random.Random(f"{seed}:{subgraph}:{chunk}")


def load_target(name: str, url: str) -> Target:
    """Import ``subgraphs.<name>.seed`` and ``.models`` lazily: the subgraphs are separate packages."""
    try:
        writer = importlib.import_module(f"subgraphs.{name}.seed")
        models = importlib.import_module(f"subgraphs.{name}.models")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(f"subgraphs.{name}"):
            raise SeedError(f"subgraph {name!r} has no seed writer yet ({exc.name} is missing)") from exc
        raise
    return Target(name=name, url=async_url(url), writer=writer, metadata=models.Base.metadata)


def engine_for(url: str) -> Engine:
    """The synchronous engine the writers use (psycopg on PostgreSQL, for COPY; sqlite3 without fsyncs)."""
    engine = create_engine(sync_url(url))
    if engine.dialect.name == "sqlite":
        # A seed can be redone from scratch, so durability per transaction is not worth its fsyncs.
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.close()

    return engine
