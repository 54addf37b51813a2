"""``python -m bench --growth``: how CPU per request grows with the persons requested and with the data set.

Query (c) (persons by id with their events and sentences) is sent with 1, 10, 100 and 500 ids per request
(``--growth-sizes``) on data sets of 10 000 and 100 000 persons (``--growth-people``), to our gateway, Apollo
Gateway and the floor (``bench.floor``, ``/floor/c/all``: the three subgraphs' statements in one process, no
GraphQL). For ours and Apollo the CPU per request is the whole system's (gateway + the three subgraphs); for the
floor, its one process. Two PNG plots (matplotlib) and ``growth.json`` go to ``<out>/growth/<run>/``, copied to
``<out>/growth/`` as the latest; ``bench/RESULTS.md`` gets (or has replaced) its "Growth" section with the table,
the per-person slopes and links to the plots.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import orjson

from . import dataset, sections
from .counters import Probe
from .options import BenchOptions
from .queries import QUERIES, Ids
from .report import Measurement
from .runner import Endpoint, measure
from .stack import Stack
from .tokens import mint_caller_tokens

TARGETS = ("ours", "apollo", "floor")
LABELS = {"ours": "our gateway + subgraphs", "apollo": "Apollo Gateway + subgraphs", "floor": "floor (no GraphQL)"}
COLORS = {"ours": "tab:blue", "apollo": "tab:orange", "floor": "tab:green"}
BODIES = 50  # different request bodies per size (the Lua script rotates through them)
SECTION = "## Growth"
GROWTH_MAX_COST = 1_000_000


@dataclass(frozen=True, slots=True)
class Point:
    """CPU per request of one (data set size, persons per request, target)."""

    people: int
    persons: int
    target: str
    cpu_ms: float  # whole system for ours/Apollo (gateway + subgraphs), the floor process for the floor
    gateway_ms: float | None
    subgraphs_ms: float
    requests_per_s: float


def persons_bodies(ids: Ids, persons: int, count: int = BODIES, seed: int = 7) -> list[bytes]:
    """``count`` bodies of query (c), each with ``persons`` different living persons."""
    rng = random.Random(f"{seed}:growth:{persons}")
    pool = list(ids.persons)
    size = min(persons, len(pool))
    return [orjson.dumps({"query": QUERIES["c"].document, "variables": {"ids": rng.sample(pool, size)}})
            for _ in range(count)]


def _endpoint(target: str, stack: Stack, headers: dict[str, str]) -> Endpoint | None:
    if target == "floor":
        service = stack.services.get("floor")
        return Endpoint("floor", stack.floor_url("c", "all"), {"Content-Type": "application/json"},
                        service.pid) if service else None
    service = stack.services.get(target)
    if service is None:
        return None
    metrics = f"http://127.0.0.1:{stack.options.ports[target]}/metrics" if target == "ours" else None
    return Endpoint(target, f"http://127.0.0.1:{stack.options.ports[target]}/graphql", headers, service.pid, metrics)


def measure_growth(options: BenchOptions, run_dir: Path, say: Callable[[str], None]) -> list[Point]:
    """Every (data set, persons per request, target) point, one stack per data set."""
    points: list[Point] = []
    base_env = dataset.base_environment()
    for people in options.growth_people:
        ds = dataset.locate(options.out_dir, people, options.seed, options.postgres)
        say(f"growth: data set of {people} persons ({'complete' if ds.complete else 'seeding'})")
        env, ids = dataset.prepare(ds, base_env, run_dir / f"p{people}" / "logs" / "seed.log")
        with Stack(replace(options, people=people), ds, run_dir / f"p{people}", base_env) as stack:
            stack.start_subgraphs()
            tokens = mint_caller_tokens(env)
            if stack.compose():
                # 500 persons with their events and sentences are estimated above the default cost limit
                # (QUERY_TOO_COMPLEX): the plot measures what a request costs, not where the limit is
                stack.start_ours({"GATEWAY_MAX_COST": str(GROWTH_MAX_COST)})
                stack.start_apollo()
            stack.start_floor()
            for target, reason in stack.unavailable.items():
                say(f"growth: {target} unavailable: {reason}")
            for persons in options.growth_sizes:
                bodies = persons_bodies(ids, persons)
                for target in TARGETS:
                    endpoint = _endpoint(target, stack, tokens.headers("enforcement"))
                    if endpoint is None:
                        continue
                    probe = Probe(stack.counter_urls(), stack.subgraph_pids(), endpoint.pid, endpoint.metrics_url)
                    outcome = measure(QUERIES["c"], endpoint, bodies, probe, work_dir=stack.run_dir,
                                      duration_s=options.duration_s, warmup_s=options.warmup_s,
                                      connections=options.connections, threads=options.threads,
                                      tag=f".n{persons}")
                    if not isinstance(outcome, Measurement):
                        say(f"growth: {people} persons, {persons} per request, {target}: {outcome.reason}")
                        continue
                    points.append(_point(people, persons, target, outcome))
                    say(f"growth: {people} persons, {persons} per request, {target}: "
                        f"{points[-1].cpu_ms:.2f} ms CPU/req")
    return points


def _point(people: int, persons: int, target: str, m: Measurement) -> Point:
    gateway = m.cost.target_cpu_ms
    subgraphs = 0.0 if target == "floor" else m.cost.subgraphs_cpu_ms
    return Point(people, persons, target, (gateway or 0.0) + subgraphs, gateway, subgraphs, m.wrk.requests_per_s)


def plot(points: Sequence[Point], out_dir: Path) -> list[Path]:
    """``cpu_vs_persons.png`` and ``cpu_vs_dataset.png`` in ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = sorted({p.people for p in points})
    files = []
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for target in TARGETS:
        for people in sizes:
            series = sorted((p.persons, p.cpu_ms) for p in points if p.target == target and p.people == people)
            if series:
                style = "-" if people == sizes[-1] else "--"
                ax.plot(*zip(*series, strict=True), style, marker="o", color=COLORS[target],
                        label=f"{LABELS[target]}, {people:,} persons")
    ax.set(xscale="log", yscale="log", xlabel="persons per request (query c)", ylabel="CPU ms per request",
           title="CPU per request against persons requested")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    files.append(out_dir / "cpu_vs_persons.png")
    fig.tight_layout()
    fig.savefig(files[-1], dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for target in TARGETS:
        for persons in sorted({p.persons for p in points}):
            series = sorted((p.people, p.cpu_ms) for p in points if p.target == target and p.persons == persons)
            if len(series) > 1:
                ax.plot(*zip(*series, strict=True), marker="o", color=COLORS[target],
                        alpha=0.35 + 0.65 * (persons == max(p.persons for p in points)),
                        label=f"{LABELS[target]}, {persons} per request")
    ax.set(xscale="log", yscale="log", xlabel="persons in the data set", ylabel="CPU ms per request",
           title="CPU per request against data set size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    files.append(out_dir / "cpu_vs_dataset.png")
    fig.tight_layout()
    fig.savefig(files[-1], dpi=110)
    plt.close(fig)
    return files


def section(points: Sequence[Point], command: str, link_prefix: str) -> str:
    """The "Growth" section of RESULTS.md: table, per-person slopes, flatness in data size, links."""
    if not points:
        return f"{SECTION}\n\nNot measured yet: `python -m bench --growth`.\n"
    by = {(p.people, p.persons, p.target): p for p in points}
    sizes = sorted({p.persons for p in points})
    people = sorted({p.people for p in points})
    head = "| data set | persons/request | " + " | ".join(f"{LABELS[t]} CPU ms/req" for t in TARGETS) + " |\n"
    head += "|---:|---:|" + "---:|" * len(TARGETS) + "\n"
    rows = []
    for n_people in people:
        for n in sizes:
            cells = [f"{by[(n_people, n, t)].cpu_ms:.2f}" if (n_people, n, t) in by else "n/a" for t in TARGETS]
            rows.append(f"| {n_people:,} | {n} | " + " | ".join(cells) + " |")
    notes = []
    for t in TARGETS:
        for n_people in people:
            low, high = by.get((n_people, sizes[0], t)), by.get((n_people, sizes[-1], t))
            if low and high and sizes[-1] > sizes[0]:
                slope = (high.cpu_ms - low.cpu_ms) / (sizes[-1] - sizes[0])
                notes.append(f"- {LABELS[t]}, {n_people:,} persons: {slope:.3f} ms per person requested")
        if len(people) > 1:
            small, large = by.get((people[0], sizes[-1], t)), by.get((people[-1], sizes[-1], t))
            if small and large:
                notes.append(f"- {LABELS[t]}, {sizes[-1]} per request: {large.cpu_ms / small.cpu_ms:.2f}× the CPU "
                             f"on {people[-1]:,} persons as on {people[0]:,}")
    return f"""{SECTION}

`{command}`: query (c) with N persons per request, CPU per request of the whole system (ours and Apollo: gateway +
the three subgraphs; the floor: its one process answering the whole query with the same SQL and no GraphQL).
Plots: [CPU against persons requested]({link_prefix}cpu_vs_persons.png),
[CPU against data set size]({link_prefix}cpu_vs_dataset.png) (every run's plots are under `bench/out/growth/`).

{head}{chr(10).join(rows)}

Slope (CPU per person requested, from {sizes[0]} to {sizes[-1]} per request) and flatness in data set size:

{chr(10).join(notes)}
"""


def replace_section(report: str, text: str) -> str:
    """``report`` with its Growth section (up to the next ``## `` heading) replaced by ``text``, or appended."""
    return sections.replace_section(report, SECTION, text)


def latest_section(out_dir: Path, results: Path | None) -> str:
    """The Growth section from the latest growth run under ``out_dir`` (for the mix's report)."""
    data = sections.latest(out_dir, "growth")
    if data is None:
        return section([], "", "")
    prefix = _prefix(out_dir, results)
    return section([Point(**p) for p in data["points"]], data["command"], prefix)


def _prefix(out_dir: Path, results: Path | None) -> str:
    """Where the report links the plots: ``plots/`` beside the results file (committed copies), else the run's."""
    return "plots/" if results is not None else str(out_dir / "growth") + "/"


def run(options: BenchOptions, command: str, say: Callable[[str], None]) -> int:
    """The whole ``--growth`` run."""
    run_dir = sections.run_dir(options, "growth")
    points = measure_growth(options, run_dir, say)
    saved = {"command": command, "points": [asdict(p) for p in points]}
    (run_dir / "growth.json").write_text(json.dumps(saved, indent=1))
    files = plot(points, run_dir) if points else []
    latest = options.out_dir / "growth"
    for path in [*files, run_dir / "growth.json"]:
        shutil.copy(path, latest / path.name)
    if options.results is not None:  # the report's plots, kept beside it (bench/out is git-ignored)
        committed = options.results.parent / "plots"
        committed.mkdir(parents=True, exist_ok=True)
        for path in files:
            shutil.copy(path, committed / path.name)
    say("growth: " + ", ".join(str(latest / f.name) for f in files))
    text = section(points, command, _prefix(options.out_dir, options.results))
    (run_dir / "GROWTH.md").write_text(text)
    if options.results is not None and options.results.exists():
        options.results.write_text(replace_section(options.results.read_text(), text))
        say(f"growth: section written into {options.results}")
    print(text)
    return 0 if points else 1
