"""Seeding PostgreSQL with one writer process per subgraph, fed by one generator of the world.

The world is generated once, here, chunk after chunk (its state keeps personal ids unique and families whole);
each chunk is pickled once and queued to one writer process per subgraph, which turns it into its rows and COPYs
them in its own transaction per chunk, so the three subgraphs' rows are built and loaded at the same time, and
the server works on them while the generator makes the next chunks. A writer gets the chunks in order and the
generator ``rng_for(seed, subgraph, chunk)``, as the sequential path gives them, so the rows are the same.

Before the workers start, each subgraph's secondary indexes and foreign keys are dropped (``postgres.suspend``);
each worker rebuilds its own after its last chunk and its extras, then ANALYZEs its tables. The queues hold at
most ``QUEUE_DEPTH`` chunks, which bounds memory whatever the number of persons; a writer that fails stops the
run with its traceback (and what it dropped is rebuilt by the next seed, see ``subgraphs.seed.postgres``).
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import queue
import time
import traceback
from collections.abc import Sequence
from dataclasses import fields
from multiprocessing.process import BaseProcess
from operator import attrgetter
from typing import Any

from sqlalchemy import text

from .generator import World
from .postgres import SESSION, forget_if_done, restore_pending, suspend
from .targets import SeedError, Target, engine_for, load_target, rng_for
from .world import SeedPerson

_FIELDS = attrgetter(*(f.name for f in fields(SeedPerson)))  # in declaration order: SeedPerson(*values)
QUEUE_DEPTH = 3  # chunks waiting per writer: enough to keep it busy while the generator makes the next


def seed_postgres(targets: Sequence[Target], seed: int, n_people: int, chunk_size: int) -> tuple[float, int]:
    """Seed ``targets`` (all on PostgreSQL) in parallel; fills each target's ``seconds``, ``index_seconds`` and
    ``cpu_seconds`` (its writer process's) and returns (seconds spent generating the world, chunks)."""
    for t in targets:  # one at a time: the first creates the bookkeeping table of what is dropped
        engine = engine_for(t.url)
        try:
            restore_pending(engine, t.name)  # left over by a seed that died
            with engine.begin() as conn:
                suspend(conn, [table.name for table in t.metadata.sorted_tables], t.name)
        finally:
            engine.dispose()
    context = multiprocessing.get_context("spawn")  # no engine or connection inherited by a fork
    results: Any = context.Queue()
    writers: dict[str, tuple[BaseProcess, Any]] = {}
    done: dict[str, tuple[float, float, float]] = {}
    ok, collecting = False, gc.isenabled()
    try:
        for t in targets:
            inbox = context.Queue(maxsize=QUEUE_DEPTH)
            process = context.Process(target=write, args=(t.name, t.url, seed, n_people, inbox, results),
                                      name=f"seed-{t.name}", daemon=True)
            process.start()
            writers[t.name] = (process, inbox)
        generation, chunks = 0.0, 0
        # The generator is the one sequential stage: spare it the cyclic GC, which would walk millions of young
        # objects that reference counting frees anyway (no cycles among persons); ~20 % of its CPU.
        gc.disable()
        world = World(seed).chunks(n_people, chunk_size)
        while True:
            started = time.perf_counter()
            people = next(world, None)
            payload = None if people is None else pack(people)
            generation += time.perf_counter() - started
            for _, inbox in writers.values():
                _put(inbox, payload, writers, results, done)
            if payload is None:
                break
            chunks += 1
        while len(done) < len(writers):
            _collect(results, writers, done, timeout=1.0)
        ok = True
        for url in {t.url for t in targets}:
            forget_if_done(engine := engine_for(url))
            engine.dispose()
    finally:
        if collecting:
            gc.enable()
        for process, _ in writers.values():
            if process.is_alive():
                process.terminate()
            process.join(timeout=10)
        if not ok:
            for t in targets:  # rebuild what can be rebuilt now; the rest waits for the next seed
                try:
                    restore_pending(engine := engine_for(t.url), t.name)
                    engine.dispose()
                except Exception:  # the original failure is the one to report
                    pass
    for t in targets:
        t.seconds, t.index_seconds, t.cpu_seconds = done[t.name]
    return generation, chunks


def pack(people: Sequence[SeedPerson]) -> bytes:
    """A chunk as bytes for the writers: tuples of the fields pickle (and unpickle) several times faster than
    the dataclass instances, which matters at a million persons decoded by three processes."""
    return pickle.dumps([_FIELDS(p) for p in people], protocol=pickle.HIGHEST_PROTOCOL)


def unpack(payload: bytes) -> list[SeedPerson]:
    """The chunk :func:`pack` packed."""
    return [SeedPerson(*values) for values in pickle.loads(payload)]


def _put(inbox: Any, payload: bytes | None, writers: dict[str, tuple[BaseProcess, Any]], results: Any,
         done: dict[str, tuple[float, float, float]]) -> None:
    while True:
        try:
            inbox.put(payload, timeout=0.5)
            return
        except queue.Full:
            _collect(results, writers, done, timeout=0.0)  # a writer that failed would never take it


def _collect(results: Any, writers: dict[str, tuple[BaseProcess, Any]], done: dict[str, tuple[float, float, float]],
             timeout: float) -> None:
    """Take one writer report if there is one (raising on a failure); notice a writer that died silently."""
    try:
        message = results.get(timeout=timeout) if timeout else results.get_nowait()
    except queue.Empty:
        for name, (process, _) in writers.items():
            if name not in done and not process.is_alive():
                raise SeedError(f"the {name} writer exited with status {process.exitcode}") from None
        return
    if message[0] == "error":
        raise SeedError(f"the {message[1]} writer failed:\n{message[2]}")
    _, name, seconds, index_seconds, cpu_seconds = message
    done[name] = (seconds, index_seconds, cpu_seconds)


def write(name: str, url: str, seed: int, n_people: int, inbox: Any, results: Any) -> None:
    """A writer process: the chunks from ``inbox`` (None ends them), the extras, the indexes, ANALYZE."""
    engine = None
    try:
        target = load_target(name, url)
        engine = engine_for(target.url)
        seconds, chunk = 0.0, 0
        gc.disable()  # as the generator: a collection now and then (below) frees the few cycles of a transaction
        while (payload := inbox.get()) is not None:
            people = unpack(payload)
            started = time.perf_counter()
            with engine.begin() as conn:  # one transaction per chunk, as the sequential path
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                target.writer.write_people(conn, people, rng_for(seed, name, chunk))
            seconds += time.perf_counter() - started
            chunk += 1
            if chunk % 20 == 0:
                gc.collect()
        started = time.perf_counter()
        with engine.begin() as conn:
            target.writer.write_extras(conn, rng_for(seed, name, "extras"), n_people)
        seconds += time.perf_counter() - started
        started = time.perf_counter()
        restore_pending(engine, name)
        with engine.begin() as conn:
            for setting in SESSION:
                conn.exec_driver_sql(setting.replace("SET ", "SET LOCAL ", 1))
            for table in target.metadata.sorted_tables:  # fresh statistics for the planner
                conn.execute(text(f"ANALYZE {conn.dialect.identifier_preparer.format_table(table)}"))
        results.put(("done", name, seconds, time.perf_counter() - started, time.process_time()))
    except BaseException:  # reported to the parent, which stops the run
        results.put(("error", name, traceback.format_exc()))
    finally:
        if engine is not None:
            engine.dispose()
