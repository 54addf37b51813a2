"""Results of a harness run and their Markdown rendering (``bench/RESULTS.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from .counters import PerRequest
from .queries import QUERIES
from .wrk import WrkResult

TARGET_LABELS = {"direct": "direct subgraph", "ours": "our gateway", "apollo": "Apollo Gateway"}
FLOOR_LIMIT = 3.0  # issue 13: subgraph CPU per request at most this multiple of its floor


def label(target: str) -> str:
    """``floor:population`` -> ``floor (population)``; the others from :data:`TARGET_LABELS`."""
    if target.startswith("floor:"):
        return f"floor ({target.split(':', 1)[1]})"
    return TARGET_LABELS.get(target, target)


def floors(measurements: Sequence[Measurement]) -> dict[tuple[str, str], float]:
    """(query, subgraph) -> the floor's CPU ms per request."""
    return {(m.query, m.target.split(":", 1)[1]): m.cost.target_cpu_ms for m in measurements
            if m.target.startswith("floor:") and m.cost.target_cpu_ms}


@dataclass(frozen=True, slots=True)
class Measurement:
    """One (query, target) run: what wrk saw and what each request cost."""

    query: str
    target: str
    wrk: WrkResult
    cost: PerRequest
    preflight: str = ""  # e.g. "200, data, errors: FORBIDDEN_FIELD x3"
    rps_all: tuple[float, ...] = ()  # req/s of every round, when the pair was measured several times


@dataclass(frozen=True, slots=True)
class Skipped:
    """A (query, target) pair not measured, and why."""

    query: str
    target: str
    reason: str


@dataclass(frozen=True, slots=True)
class Report:
    """Everything RESULTS.md shows."""

    measurements: Sequence[Measurement]
    skipped: Sequence[Skipped]
    machine: Mapping[str, str]
    command: str
    settings: Mapping[str, str]
    notes: Sequence[str] = field(default_factory=tuple)
    growth: str = ""  # the Growth section (bench.growth), from the latest --growth run


def combine_rounds(measurements: Sequence[Measurement]) -> list[Measurement]:
    """One measurement per (query, target): the median run by throughput (the lower one of the two middle runs),
    carrying the req/s of every round. Order of first appearance is kept."""
    groups: dict[tuple[str, str], list[Measurement]] = {}
    for m in measurements:
        groups.setdefault((m.query, m.target), []).append(m)
    combined = []
    for runs in groups.values():
        ordered = sorted(runs, key=lambda m: m.wrk.requests_per_s)
        median = ordered[(len(ordered) - 1) // 2]
        combined.append(replace(median, rps_all=tuple(m.wrk.requests_per_s for m in runs)))
    return combined


def _spread(m: Measurement) -> str:
    if len(m.rps_all) < 2:
        return "1 run"
    return f"{min(m.rps_all):,.1f}–{max(m.rps_all):,.1f} ({len(m.rps_all)} runs)"


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}×"


def _policy(cost: PerRequest) -> str:
    if cost.policy_decisions is None:
        return "n/a"
    return f"{_num(cost.policy_decisions, 2)} / {_num(cost.policy_evaluations, 2)}"


def results_table(measurements: Sequence[Measurement]) -> str:
    """One row per (query, target)."""
    head = (
        "| query | target | req/s | req/s over rounds | p50 ms | p99 ms | failed | target CPU ms/req | subgraphs CPU ms/req "
        "| fetches/req | SQL/req | policy decisions / engine evals per req |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    rows = []
    for m in measurements:
        c = m.cost
        rows.append(
            f"| {m.query} | {label(m.target)} | {_num(m.wrk.requests_per_s)} "
            f"| {_spread(m)} | {_num(m.wrk.p50_ms, 2)} | {_num(m.wrk.p99_ms, 2)} | {m.wrk.errors} "
            f"| {_num(c.target_cpu_ms, 2)} | {_num(c.subgraphs_cpu_ms, 2)} | {_num(c.fetches, 2)} "
            f"| {_num(c.statements, 2)} | {_policy(c)} |"
        )
    return head + "\n".join(rows) + "\n"


def ratios_table(measurements: Sequence[Measurement]) -> str:
    """Per query: ours/Apollo and ours/direct for throughput, median latency and gateway CPU per request."""
    by = {(m.query, m.target): m for m in measurements}
    head = (
        "| query | ours/Apollo req/s | ours/Apollo p50 | ours/Apollo p99 | ours/Apollo CPU/req "
        "| ours/direct req/s | ours/direct p50 |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n"
    )
    rows = []
    for q in sorted({m.query for m in measurements}):
        ours, apollo, direct = by.get((q, "ours")), by.get((q, "apollo")), by.get((q, "direct"))
        if ours is None:
            continue

        def r(other: Measurement | None, attr: str, ours: Measurement = ours) -> str:
            if other is None:
                return "n/a"
            if attr == "cpu":
                return _ratio(ours.cost.target_cpu_ms, other.cost.target_cpu_ms)
            return _ratio(getattr(ours.wrk, attr), getattr(other.wrk, attr))

        rows.append(
            f"| {q} | {r(apollo, 'requests_per_s')} | {r(apollo, 'p50_ms')} | {r(apollo, 'p99_ms')} "
            f"| {r(apollo, 'cpu')} | {r(direct, 'requests_per_s')} | {r(direct, 'p50_ms')} |"
        )
    return head + "\n".join(rows) + "\n"


def fetch_breakdown(measurements: Sequence[Measurement]) -> str:
    """Per subgraph: fetches per request (how each gateway planned the query) and CPU ms per request under load."""
    lines = []
    floor = floors(measurements)
    for m in measurements:
        if m.target.startswith("floor:"):
            continue
        names = sorted(set(m.cost.fetches_by_subgraph) | set(m.cost.subgraphs_cpu_ms_by))

        def times(name: str, m: Measurement = m) -> str:
            cpu = m.cost.subgraphs_cpu_ms_by.get(name, 0.0)
            base = floor.get((m.query, name))
            return f"{cpu:.1f} ms" + (f", {cpu / base:.2f}× floor" if base else "")

        parts = ", ".join(
            f"{name} {m.cost.fetches_by_subgraph.get(name, 0.0):.2f} ({times(name)})"
            for name in names
            if m.cost.fetches_by_subgraph.get(name)
        )
        own = m.cost.gateway_reported_fetches
        lines.append(f"- ({m.query}) {label(m.target)}: {parts or 'none'}"
                     + (f"; gateway's own count: {own:.2f}" if own is not None else "")
                     + (f"; preflight answer: {m.preflight}" if m.preflight else ""))
    return "\n".join(lines) + "\n"


def floor_table(measurements: Sequence[Measurement]) -> str:
    """Per (query, subgraph): the floor's CPU per request and each target's subgraph CPU as a multiple of it."""
    floor = floors(measurements)
    if not floor:
        return "No floor measured (`--targets` without `floor`).\n"
    by = {(m.query, m.target): m for m in measurements}
    head = ("| query | subgraph | floor CPU ms/req | direct: subgraph ms/req (× floor) | under ours: ms/req (× floor) "
            "| under Apollo: ms/req (× floor) |\n|---|---|---:|---:|---:|---:|\n")
    rows = []
    for (query, name), base in sorted(floor.items()):
        cells = []
        for target in ("direct", "ours", "apollo"):
            m = by.get((query, target))
            cpu = m.cost.subgraphs_cpu_ms_by.get(name) if m else None
            fetched = m is not None and (m.cost.fetches_by_subgraph.get(name) or 0) > 0
            if m is None or cpu is None or not fetched:
                cells.append("n/a")
                continue
            flag = " **over**" if cpu / base > FLOOR_LIMIT else ""
            cells.append(f"{cpu:.2f} ({cpu / base:.2f}×{flag})")
        rows.append(f"| {query} | {name} | {base:.2f} | " + " | ".join(cells) + " |")
    return head + "\n".join(rows) + "\n"


def render(report: Report) -> str:
    """The whole RESULTS.md."""
    queries = "\n".join(f"- **({q.key})** {q.title}" for q in QUERIES.values())
    machine = "\n".join(f"- {k}: {v}" for k, v in report.machine.items())
    settings = "\n".join(f"- {k}: {v}" for k, v in report.settings.items())
    notes = "\n".join(f"> {n}\n" for n in report.notes)
    skipped = "\n".join(
        f"- ({s.query}) {label(s.target)}: {s.reason}" for s in report.skipped
    ) or "- none"
    return f"""# Benchmarks: our gateway vs Apollo Gateway vs the direct-subgraph floor

Generated by `python -m bench` (see `bench/README.md` for the method). Do not edit by hand: rerun.

{notes}
## Command

```
{report.command}
```

## Machine and code

{machine}

## Settings

{settings}

## Queries

{queries}

## Results

{results_table(report.measurements)}
*req/s*, *p50*, *p99* (wrk `--latency`) and *failed* (non-2xx answers + socket errors; a failing run is
reported, not hidden) come from the measured run (with `--rounds N`, the median run by req/s; *req/s over rounds*
shows the range of all N). *target CPU* is the CPU time (user + system, from
`/proc/<pid>/stat`, process and its descendants) of the process under test over the measured run, per completed
request: our gateway, the Node process of Apollo Gateway, or the subgraph itself for *direct*; *subgraphs CPU*
adds up the three subgraph processes. *fetches* (subgraph HTTP requests), *SQL* (statements the subgraphs sent)
and *policy decisions / engine evals* (decisions the pipeline asked for / those the Rego engine evaluated, i.e.
decision-cache misses; from our gateway's `/metrics`, `lienthong_policy_evaluations_total{{cache}}`) are counted
exactly over 20 requests sent one at a time after the warm-up, so that requests straddling a snapshot under
load do not blur them.

## Ratios

{ratios_table(report.measurements)}
A ratio above 1 means ours is higher: better for req/s, worse for latency and CPU.

## Per subgraph: fetches per request (subgraph CPU ms per request under load)

{fetch_breakdown(report.measurements)}
## Subgraphs against their floor

{floor_table(report.measurements)}
The *floor* (`bench/floor.py`) answers each subgraph's part of a query with the plainest code: the same SQL
statements as the subgraph's loaders (SQLAlchemy Core, same driver), rows to JSON with orjson, a raw ASGI app under
uvicorn; no GraphQL. It is loaded like the other targets (wrk, same connections, the client's request bodies) and
its process CPU per request is the floor. Each subgraph's CPU per request under load is shown as a multiple of it;
the goal (issue 13) is at most {FLOOR_LIMIT:g}× (**over** marks a miss). Ours and Apollo send slightly different
operations (ours adds the policy's reserved fields), the floor answers Apollo's selection.

## Not measured

{skipped}
{chr(10) + report.growth if report.growth else ""}"""
