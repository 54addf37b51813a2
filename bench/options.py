"""Command-line options of ``python -m bench`` (``make bench BENCH_ARGS="..."``)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TARGETS = ("direct", "ours", "apollo", "floor")
QUERIES = ("a", "b", "c", "d", "e")
PROFILERS = ("pyinstrument", "py-spy")
GROWTH_SIZES = (1, 10, 100, 500)  # persons per request on the growth plots
GROWTH_PEOPLE = (10_000, 100_000)  # data set sizes on the growth plots


@dataclass(frozen=True, slots=True)
class BenchOptions:
    """One harness run. ``out_dir`` holds data sets, logs and profiles (git-ignored)."""

    people: int = 100_000
    seed: int = 1
    postgres: bool = False
    duration_s: float = 30.0
    warmup_s: float = 5.0
    connections: int = 16
    threads: int = 1
    rounds: int = 1
    targets: tuple[str, ...] = TARGETS
    queries: tuple[str, ...] = QUERIES
    base_port: int = 14000
    out_dir: Path = REPO_ROOT / "bench" / "out"
    results: Path | None = REPO_ROOT / "bench" / "RESULTS.md"
    profile: str | None = None
    note: str = ""
    growth: bool = False  # draw the growth plots (bench.growth) instead of measuring the mix
    growth_sizes: tuple[int, ...] = GROWTH_SIZES
    growth_people: tuple[int, ...] = GROWTH_PEOPLE
    workers: tuple[int, ...] = ()  # GATEWAY_WORKERS counts to compare (bench.scaling) instead of the mix
    latency: tuple[int, ...] = ()  # connection counts of the latency table (bench.latency) instead of the mix

    @property
    def ports(self) -> dict[str, int]:
        """Ports of the bench stack: away from 4000-4003 so that a `make run` on the same machine is unaffected."""
        b = self.base_port
        return {"ours": b, "population": b + 1, "civil_status": b + 2, "sentences": b + 3, "apollo": b + 5,
                "floor": b + 6}


def _csv(allowed: tuple[str, ...]) -> object:
    def parse(value: str) -> tuple[str, ...]:
        items = tuple(v.strip().lower() for v in value.split(",") if v.strip())
        bad = [v for v in items if v not in allowed]
        if bad or not items:
            raise argparse.ArgumentTypeError(f"expected a comma-separated subset of {','.join(allowed)}")
        return items

    return parse


def _duration(value: str) -> float:
    """``30``, ``30s``, ``2m`` -> seconds."""
    text = value.strip().lower()
    factor = 60.0 if text.endswith("m") else 1.0
    number = text.rstrip("sm")
    try:
        seconds = float(number) * factor
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad duration {value!r}: use e.g. 30s or 2m") from exc
    if seconds <= 0:
        raise argparse.ArgumentTypeError("duration must be positive")
    return seconds


def _ints(value: str) -> tuple[int, ...]:
    try:
        items = tuple(int(v) for v in value.split(",") if v.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {value!r}") from exc
    if not items or min(items) < 1:
        raise argparse.ArgumentTypeError("expected positive integers")
    return items


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark our gateway against Apollo Gateway and the direct-subgraph floor (wrk on loopback).",
    )
    p.add_argument("--people", type=int, default=100_000, help="persons in the data set (default 100000)")
    p.add_argument("--seed", type=int, default=1, help="seed of the data set (default 1)")
    p.add_argument("--postgres", action="store_true",
                   help="seed and serve from a PostgreSQL database on 127.0.0.1:5432 (user postgres) "
                        "instead of SQLite files")
    p.add_argument("--duration", type=_duration, default=30.0, help="measured seconds per query and target")
    p.add_argument("--warmup", type=_duration, default=5.0, help="unmeasured seconds before each run (default 5)")
    p.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    p.add_argument("--threads", type=int, default=1, help="wrk threads (default 1: the machine has 2 cores)")
    p.add_argument("--rounds", type=int, default=1,
                   help="measure every (query, target) this many times, interleaved, and report the median run "
                        "(steadier on a shared machine; default 1)")
    p.add_argument("--targets", type=_csv(TARGETS), default=TARGETS, help="subset of direct,ours,apollo,floor")
    p.add_argument("--queries", type=_csv(QUERIES), default=QUERIES, help="subset of a,b,c,d,e")
    p.add_argument("--base-port", type=int, default=14000,
                   help="gateway port; subgraphs on +1..+3, Apollo Gateway on +5 (default 14000)")
    p.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "out", help="work directory (git-ignored)")
    p.add_argument("--results", type=Path, default=REPO_ROOT / "bench" / "RESULTS.md",
                   help="report to write (default bench/RESULTS.md)")
    p.add_argument("--no-results", action="store_true", help="do not write the report (print it only)")
    p.add_argument("--profile", choices=PROFILERS,
                   help="run only our gateway, under this profiler, and save the profile to bench/out/profiles/")
    p.add_argument("--note", default="", help="a sentence added to the report (e.g. 'shared busy machine')")
    p.add_argument("--growth", action="store_true",
                   help="instead of the mix: CPU per request of (c) against persons requested and data set size, for "
                        "ours, Apollo and the floor, drawn as PNG under <out>/growth (bench.growth)")
    p.add_argument("--growth-sizes", type=_ints, default=GROWTH_SIZES,
                   help="persons per request for --growth (default 1,10,100,500)")
    p.add_argument("--growth-people", type=_ints, default=GROWTH_PEOPLE,
                   help="data set sizes for --growth (default 10000,100000)")
    p.add_argument("--workers", type=_ints, default=(),
                   help="instead of the mix: our gateway's throughput with GATEWAY_WORKERS = each of these "
                        "(e.g. 1,2) on --queries, written as the Worker scaling section (bench.scaling)")
    p.add_argument("--latency", type=_ints, default=(),
                   help="instead of the mix: p50/p99 of ours, Apollo and the direct subgraph at each of these "
                        "connection counts (e.g. 1,16,64) on --queries, written as the Latency section "
                        "(bench.latency)")
    return p


def parse_options(argv: list[str] | None = None) -> BenchOptions:
    args = build_parser().parse_args(argv)
    if args.people < 10:
        raise SystemExit("--people must be at least 10")
    if args.connections < 1:
        raise SystemExit("--connections must be positive")
    targets = ("ours",) if args.profile else args.targets
    return BenchOptions(
        people=args.people,
        seed=args.seed,
        postgres=args.postgres,
        duration_s=args.duration,
        warmup_s=args.warmup,
        connections=args.connections,
        threads=max(1, args.threads),
        rounds=max(1, args.rounds),
        targets=targets,
        queries=args.queries,
        base_port=args.base_port,
        out_dir=args.out.resolve(),
        results=None if args.no_results or args.profile else args.results.resolve(),
        profile=args.profile,
        note=args.note,
        growth=args.growth,
        growth_sizes=args.growth_sizes,
        growth_people=args.growth_people,
        workers=args.workers,
        latency=args.latency,
    )
