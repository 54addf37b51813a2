"""Orchestration of ``python -m subgraphs.seed``: migrate, generate the world in chunks, hand each chunk to the
three subgraphs' writers (one transaction per chunk per database), then their extras; return a summary.

On PostgreSQL the writers are one process per subgraph, loading with COPY while the world is generated, and the
secondary indexes and foreign keys are built after the load (``subgraphs.seed.parallel``); elsewhere (SQLite)
they run in turn in this process. Both give the same rows for the same seed and chunk size.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import MetaData, func, inspect, select, text
from sqlalchemy.engine import Engine, make_url

from subgraphs.common.db import sync_url
from subgraphs.common.migrations import upgrade
from subgraphs.common.settings import database_url

from .generator import World
from .postgres import forget_if_done, restore_pending
from .targets import SeedError, Target, async_url, engine_for, load_target, rng_for

SUBGRAPHS: tuple[str, ...] = ("population", "civil_status", "sentences")
__all__ = ["SUBGRAPHS", "SeedError", "Target", "async_url", "load_target", "rng_for", "seed"]


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
    parallel: bool | None = None,
) -> dict[str, Any]:
    """Seed ``n_people`` persons into ``subgraphs``; returns the JSON-able summary. ``parallel``: writer
    processes with indexes built after the load (default: when every seeded database is PostgreSQL)."""
    started = time.perf_counter()
    targets = [load_target(n, database_url_override or database_url(n, env)) for n in subgraphs]
    for t in targets:
        upgrade(t.name, t.url)
    engines: dict[str, Engine] = {}
    try:
        for t in targets:
            engine = engines.setdefault(sync_url(t.url), engine_for(t.url))
            if engine.dialect.name == "postgresql":
                restore_pending(engine, t.name)  # indexes a seed that died had dropped (subgraphs.seed.postgres)
                forget_if_done(engine)
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
        on_postgres = all(engines[sync_url(t.url)].dialect.name == "postgresql" for t in active)
        if parallel and not on_postgres:
            raise SeedError("parallel writers need PostgreSQL (COPY and concurrent transactions)")
        if active and (on_postgres if parallel is None else parallel):
            from .parallel import seed_postgres  # COPY from one writer process per subgraph

            generation, chunks = seed_postgres(active, seed, n_people, chunk_size)
        elif active:
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
                **({"index_seconds": round(t.index_seconds, 2), "cpu_seconds": round(t.cpu_seconds, 2)}
                   if t.cpu_seconds else {}),
                "rows": t.rows,
            }
            for t in targets
        },
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(time.process_time(), 2),  # this process's (the generator's, with parallel writers)
    }
