"""How much of the machine other work used while the bench ran (the machine may be shared).

Busy CPU time of the whole machine comes from the first line of ``/proc/stat``; the bench's own share is its
process (with the children it has waited for: wrk, the seeder, token minting) plus the servers it runs, read
from ``/proc/<pid>/stat`` while they are alive. The rest was used by something else.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass

from .proc import CLOCK_TICKS, cpu_seconds


def parse_proc_stat_busy(first_line: str) -> float:
    """Busy CPU seconds (all but idle and iowait) from the ``cpu`` line of ``/proc/stat``."""
    fields = first_line.split()
    if not fields or fields[0] != "cpu":
        raise ValueError(f"not the aggregate cpu line of /proc/stat: {first_line!r}")
    values = [int(v) for v in fields[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    # guest time is already counted in user/nice: only the first 8 fields add up to the total
    return (sum(values[:8]) - idle) / CLOCK_TICKS


def machine_busy_seconds() -> float:
    with open("/proc/stat") as fh:
        return parse_proc_stat_busy(fh.readline())


def own_seconds() -> float:
    """CPU seconds of this process and of its children already waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def postgres_backend_pids(admin_dsn: str, database: str) -> list[int]:
    """Pids of the PostgreSQL backends connected to ``database`` (empty if the server cannot be asked)."""
    try:
        import psycopg

        with psycopg.connect(admin_dsn, connect_timeout=3) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (database,)
            ).fetchall()
    except Exception:  # without them the figure only over-states other work
        return []
    return [int(r[0]) for r in rows]


@dataclass(frozen=True, slots=True)
class LoadSample:
    wall_s: float
    machine_busy_s: float
    bench_s: float


def sample(server_pids: Iterable[int]) -> LoadSample:
    """Now: wall clock, busy CPU of the machine, CPU of the bench and its live servers."""
    return LoadSample(
        wall_s=time.monotonic(),
        machine_busy_s=machine_busy_seconds(),
        bench_s=own_seconds() + sum(cpu_seconds(pid) for pid in server_pids),
    )


def foreign_share(before: LoadSample, after: LoadSample, cores: int) -> tuple[float, float]:
    """(CPU seconds used by other work, that as a fraction of the machine's capacity over the interval)."""
    foreign = max(0.0, (after.machine_busy_s - before.machine_busy_s) - (after.bench_s - before.bench_s))
    capacity = max(after.wall_s - before.wall_s, 1e-9) * max(cores, 1)
    return foreign, foreign / capacity
