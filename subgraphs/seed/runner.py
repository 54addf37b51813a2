"""Orchestration of ``python -m subgraphs.seed``: migrate, generate the world in chunks, hand each chunk to the
three subgraphs' writers (one transaction per chunk per database), then their extras; return a summary.
"""

from __future__ import annotations

import importlib
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from sqlalchemy import MetaData, create_engine, event, func, inspect, select, text
from sqlalchemy.engine import Engine, make_url

from subgraphs.common.db import sync_url
from subgraphs.common.migrations import upgrade
from subgraphs.common.settings import database_url

from .generator import World

SUBGRAPHS: tuple[str, ...] = ("population", "civil_status", "sentences")


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


def _engine(url: str) -> Engine:
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


def _row_counts(engine: Engine, metadata: MetaData) -> dict[str, int]:
    existing = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
            if t.name in existing
        }


def _has_data(engine: Engine, metadata: MetaData) -> bool:
    existing = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return any(
            conn.execute(select(text("1")).select_from(t).limit(1)).first() is not None
            for t in metadata.sorted_tables
            if t.name in existing
        )


def _redact(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def seed(
    n_people: int,
    *,
    seed: int = 1,
    database_url_override: str | None = None,
    subgraphs: Sequence[str] = SUBGRAPHS,
    if_absent: bool = False,
    reset: bool = False,
    chunk_size: int = 10_000,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Seed ``n_people`` persons into ``subgraphs``; returns the JSON-able summary."""
    started = time.perf_counter()
    targets = [load_target(n, database_url_override or database_url(n, env)) for n in subgraphs]
    for t in targets:
        upgrade(t.name, t.url)
    engines: dict[str, Engine] = {}
    try:
        for t in targets:
            engine = engines.setdefault(sync_url(t.url), _engine(t.url))
            if reset:
                with engine.begin() as conn:
                    for table in reversed(t.metadata.sorted_tables):
                        conn.execute(table.delete())
            elif _has_data(engine, t.metadata):
                if not if_absent:
                    raise SeedError(f"{t.name} already holds data ({_redact(t.url)}): use --if-absent or --reset")
                t.skipped = True
        active = [t for t in targets if not t.skipped]
        generation = 0.0
        chunks = 0
        if active:
            by_db: dict[str, list[Target]] = {}
            for t in active:
                by_db.setdefault(sync_url(t.url), []).append(t)
            world = World(seed).chunks(n_people, chunk_size)
            while True:
                t0 = time.perf_counter()
                people = next(world, None)
                generation += time.perf_counter() - t0
                if people is None:
                    break
                for db_url, group in by_db.items():
                    with engines[db_url].begin() as conn:  # one transaction per chunk per database
                        for t in group:
                            t0 = time.perf_counter()
                            t.writer.write_people(conn, people, rng_for(seed, t.name, chunks))
                            t.seconds += time.perf_counter() - t0
                chunks += 1
            for db_url, group in by_db.items():
                with engines[db_url].begin() as conn:
                    for t in group:
                        t0 = time.perf_counter()
                        t.writer.write_extras(conn, rng_for(seed, t.name, "extras"), n_people)
                        if conn.dialect.name == "postgresql":
                            for table in t.metadata.sorted_tables:  # fresh statistics for the planner
                                conn.execute(text(f"ANALYZE {conn.dialect.identifier_preparer.format_table(table)}"))
                        t.seconds += time.perf_counter() - t0
        for t in targets:
            t.rows = _row_counts(engines[sync_url(t.url)], t.metadata)
    finally:
        for engine in engines.values():
            engine.dispose()
    return {
        "people": n_people,
        "seed": seed,
        "chunks": chunks,
        "skipped": all(t.skipped for t in targets),
        "generation_seconds": round(generation, 2),
        "subgraphs": {
            t.name: {
                "database": _redact(t.url),
                "skipped": t.skipped,
                "write_seconds": round(t.seconds, 2),
                "rows": t.rows,
            }
            for t in targets
        },
        "seconds": round(time.perf_counter() - started, 2),
    }
