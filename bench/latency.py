"""``python -m bench --latency 1,16,64``: p50 and p99 at each connection count, ours, Apollo and the direct subgraph.

The same stack as the mix (three subgraphs behind their counters, our gateway in production mode with the real
policy and the durable audit, Apollo Gateway); every (query, target, connection count) is measured as the mix
measures a target (preflight, ``--warmup``, then ``--duration`` of wrk), with ``--rounds N`` interleaved and the
median round (by p50) kept. The headline is what a gateway adds to the direct subgraph call at one connection:
``p50(gateway) - p50(direct)`` for (a), goal of issue 13: at most 1.5 ms for ours. ``bench/RESULTS.md`` gets (or
has replaced) its "Latency" section; ``latency.json`` goes to ``<out>/latency/<run>/`` and ``<out>/latency/``
(the latest, which the mix's report shows too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import dataset, sections
from .counters import Probe
from .options import BenchOptions
from .queries import QUERIES, bodies
from .report import Measurement
from .runner import measure
from .stack import Stack
from .tokens import mint_caller_tokens

SECTION = "## Latency"
TARGETS = ("direct", "ours", "apollo")
GOAL_MS = 1.5  # issue 13: the gateway adds at most this much p50 over the direct call for (a) at 1 connection


@dataclass(frozen=True, slots=True)
class Row:
    """One (query, target, connections) latency measurement."""

    query: str
    target: str
    connections: int
    p50_ms: float
    p99_ms: float
    requests_per_s: float
    errors: int


def measure_latency(options: BenchOptions, run_dir: Path, say: Callable[[str], None]) -> list[Row]:
    """Every (query, target, connection count) of ``options``, rounds interleaved."""
    from .cli import endpoint_for  # the mix's endpoints (fresh internal token per direct run)

    base_env = dataset.base_environment()
    ds = dataset.locate(options.out_dir, options.people, options.seed, options.postgres)
    env, ids = dataset.prepare(ds, base_env, run_dir / "logs" / "seed.log")
    rows: list[Row] = []
    with Stack(options, ds, run_dir, base_env) as stack:
        stack.start_subgraphs()
        if not stack.compose():
            say(f"latency: no supergraph: {stack.unavailable}")
            return rows
        tokens = mint_caller_tokens(env)
        if "ours" in options.targets:
            stack.start_ours()
        if "apollo" in options.targets:
            stack.start_apollo()
        for round_index in range(options.rounds):
            for key in options.queries:
                query = QUERIES[key]
                query_bodies = bodies(query, ids)
                for target in (t for t in TARGETS if t in options.targets):
                    for connections in options.latency:
                        endpoint = endpoint_for(target, query, stack, tokens)
                        if isinstance(endpoint, str):
                            if round_index == 0 and connections == options.latency[0]:
                                say(f"latency: ({key}) {target}: skipped: {endpoint}")
                            break
                        probe = Probe(stack.counter_urls(), stack.subgraph_pids(), endpoint.pid, None)
                        outcome = measure(query, endpoint, query_bodies, probe, work_dir=stack.run_dir,
                                          duration_s=options.duration_s, warmup_s=options.warmup_s,
                                          connections=connections, threads=min(options.threads, connections),
                                          tag=f".c{connections}.r{round_index + 1}")
                        if not isinstance(outcome, Measurement):
                            say(f"latency: ({key}) {target} at {connections}: {outcome.reason}")
                            continue
                        w = outcome.wrk
                        if w.p50_ms is None or w.p99_ms is None:
                            continue
                        rows.append(Row(key, target, connections, w.p50_ms, w.p99_ms, w.requests_per_s, w.errors))
                        say(f"latency: ({key}) {target} at {connections} connections: p50 {w.p50_ms} ms, "
                            f"p99 {w.p99_ms} ms, {w.requests_per_s:,.1f} req/s")
    return median_rows(rows)


def median_rows(rows: Sequence[Row]) -> list[Row]:
    """Per (query, target, connections), the round with the median p50 (the lower middle of an even count)."""
    groups: dict[tuple[str, str, int], list[Row]] = {}
    for r in rows:
        groups.setdefault((r.query, r.target, r.connections), []).append(r)
    return [sorted(g, key=lambda r: r.p50_ms)[(len(g) - 1) // 2] for _, g in sorted(groups.items())]


def added_ms(rows: Sequence[Row], target: str, query: str = "a", connections: int = 1) -> float | None:
    """``p50(target) - p50(direct)`` for ``query`` at ``connections`` (None if either is missing)."""
    by = {(r.query, r.target, r.connections): r for r in rows}
    gateway, direct = by.get((query, target, connections)), by.get((query, "direct", connections))
    if gateway is None or direct is None:
        return None
    return gateway.p50_ms - direct.p50_ms


def section(rows: Sequence[Row], command: str, load: str = "") -> str:
    """The "Latency" section of RESULTS.md."""
    if not rows:
        return f"{SECTION}\n\nNot measured yet: `python -m bench --latency 1,16,64 --queries a`.\n"
    names = {"direct": "direct subgraph", "ours": "our gateway", "apollo": "Apollo Gateway"}
    counts = sorted({r.connections for r in rows})
    by = {(r.query, r.target, r.connections): r for r in rows}
    head = " | ".join(f"p50 / p99 ms at {c}" for c in counts)
    lines = [f"| query | target | {head} |", "|---|---|" + "---:|" * len(counts)]
    for key in sorted({r.query for r in rows}):
        for target in TARGETS:
            cells = [by.get((key, target, c)) for c in counts]
            if not any(cells):
                continue
            text = " | ".join(f"{r.p50_ms:.2f} / {r.p99_ms:.2f}" if r else "n/a" for r in cells)
            lines.append(f"| ({key}) | {names[target]} | {text} |")
    ours, apollo = added_ms(rows, "ours"), added_ms(rows, "apollo")
    if ours is None:
        headline = "The figure needs (a) measured on ours and direct at 1 connection."
    else:
        verdict = "met" if ours <= GOAL_MS else "not met"
        headline = (f"**Our gateway adds {ours:.2f} ms p50 over the direct subgraph call for (a) at 1 connection** "
                    f"(goal ≤ {GOAL_MS} ms: {verdict})"
                    + (f"; Apollo Gateway adds {apollo:.2f} ms." if apollo is not None else "."))
    return f"""{SECTION}

`{command}`: p50 and p99 (wrk `--latency`) per connection count; ours with the real policy and the durable audit,
Apollo Gateway with neither, the direct subgraph with an internal token. {load}

{headline}

{chr(10).join(lines)}
"""


# ``python -m bench --latency``; replace_section and latest_section: its section of RESULTS.md
SIDE_RUN = sections.SideRun("latency", SECTION, Row, measure_latency, section)
replace_section = SIDE_RUN.replace_section
latest_section = SIDE_RUN.latest_section
run = SIDE_RUN.run
