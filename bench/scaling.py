"""``python -m bench --workers 1,2``: our gateway's throughput with 1, 2... processes on its port (issue 13, Cores).

The same stack as the mix (three subgraphs, one process each, behind their counters), and our gateway started
once per worker count with ``GATEWAY_WORKERS=N`` (production mode, embedded policy, the SQLite audit store shared
by the workers), each measured on the chosen queries (``--queries``) exactly as the mix measures a target:
preflight, warm-up, then ``--duration`` of wrk at ``--connections``; with ``--rounds N`` the counts are
measured N times, interleaved, and the median round kept. The CPU of "ours" is its whole process tree
(uvicorn's supervisor and its workers). ``bench/RESULTS.md`` gets (or has replaced) its "Worker scaling" section;
``scaling.json`` goes to ``<out>/scaling/<run>/`` and ``<out>/scaling/`` (the latest, for the mix's report).

On the 2-core bench machine the subgraphs and wrk share the cores with the gateway, so the ratio says how much
a second gateway process gains when the gateway is not alone on the machine, not the ceiling of 2 cores.
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
from .runner import Endpoint, measure
from .stack import Stack
from .tokens import mint_caller_tokens

SECTION = "## Worker scaling"


@dataclass(frozen=True, slots=True)
class Row:
    """One (worker count, query) measurement of our gateway."""

    workers: int
    query: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    gateway_cpu_ms: float | None
    subgraphs_cpu_ms: float
    errors: int


def measure_scaling(options: BenchOptions, run_dir: Path, say: Callable[[str], None]) -> list[Row]:
    """Every (worker count, query) of ``options``; one stack, our gateway restarted per worker count."""
    base_env = dataset.base_environment()
    ds = dataset.locate(options.out_dir, options.people, options.seed, options.postgres)
    say(f"scaling: data set of {options.people} persons ({'complete' if ds.complete else 'seeding'})")
    env, ids = dataset.prepare(ds, base_env, run_dir / "logs" / "seed.log")
    rows: list[Row] = []
    with Stack(options, ds, run_dir, base_env) as stack:
        stack.start_subgraphs()
        if not stack.compose():
            say(f"scaling: no supergraph: {stack.unavailable}")
            return rows
        tokens = mint_caller_tokens(env)
        # rounds interleaved (1, 2, 1, 2...): on a shared machine a busy minute then hits every count alike
        for round_index, workers in enumerate(list(options.workers) * options.rounds):
            tag = f".w{workers}.r{round_index // len(options.workers) + 1}"
            previous = stack.services.pop("ours", None)
            if previous is not None:
                previous.stop()
            if stack.start_ours({"GATEWAY_WORKERS": str(workers)}) is None:
                say(f"scaling: our gateway with {workers} workers did not start: {stack.unavailable.get('ours')}")
                continue
            for key in options.queries:
                query = QUERIES[key]
                port = options.ports["ours"]
                endpoint = Endpoint("ours", f"http://127.0.0.1:{port}/graphql", tokens.headers(query.caller),
                                    stack.services["ours"].pid, None)  # /metrics would be one worker's only
                probe = Probe(stack.counter_urls(), stack.subgraph_pids(), endpoint.pid, None)
                outcome = measure(query, endpoint, bodies(query, ids), probe, work_dir=stack.run_dir,
                                  duration_s=options.duration_s, warmup_s=options.warmup_s,
                                  connections=options.connections, threads=options.threads, tag=tag)
                if not isinstance(outcome, Measurement):
                    say(f"scaling: ({key}) {workers} workers: {outcome.reason}")
                    continue
                w = outcome.wrk
                rows.append(Row(workers, key, w.requests_per_s, w.p50_ms, w.p99_ms, outcome.cost.target_cpu_ms,
                                outcome.cost.subgraphs_cpu_ms, w.errors))
                say(f"scaling: ({key}) {workers} workers: {w.requests_per_s:,.1f} req/s, p50 {w.p50_ms} ms, "
                    f"p99 {w.p99_ms} ms")
    return median_rows(rows)


def median_rows(rows: Sequence[Row]) -> list[Row]:
    """Per (workers, query), the round with the median throughput (the lower middle of an even count)."""
    groups: dict[tuple[int, str], list[Row]] = {}
    for r in rows:
        groups.setdefault((r.workers, r.query), []).append(r)
    out = []
    for key in sorted(groups):
        ranked = sorted(groups[key], key=lambda r: r.requests_per_s)
        out.append(ranked[(len(ranked) - 1) // 2])
    return out


def section(rows: Sequence[Row], command: str, load: str = "") -> str:
    """The "Worker scaling" section of RESULTS.md."""
    if not rows:
        return f"{SECTION}\n\nNot measured yet: `python -m bench --workers 1,2`.\n"
    by = {(r.workers, r.query): r for r in rows}
    counts = sorted({r.workers for r in rows})
    queries = sorted({r.query for r in rows})
    lines = ["| query | workers | req/s | × 1 worker | p50 ms | p99 ms | gateway CPU ms/req | subgraphs CPU ms/req "
             "| failed |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key in queries:
        base = by.get((counts[0], key))
        for n in counts:
            r = by.get((n, key))
            if r is None:
                continue
            ratio = f"{r.requests_per_s / base.requests_per_s:.2f}" if base and base.requests_per_s else "n/a"
            cpu = f"{r.gateway_cpu_ms:.2f}" if r.gateway_cpu_ms is not None else "n/a"
            lines.append(f"| ({key}) | {n} | {r.requests_per_s:,.1f} | {ratio} | {r.p50_ms:g} | {r.p99_ms:g} | {cpu} "
                         f"| {r.subgraphs_cpu_ms:.2f} | {r.errors} |")
    return f"""{SECTION}

`{command}`: our gateway (production mode, embedded policy, SQLite audit shared by the workers) with
`GATEWAY_WORKERS` = {", ".join(map(str, counts))}, the subgraphs at one process each; the gateway's CPU is its
whole process tree. {load}

{chr(10).join(lines)}
"""


# ``python -m bench --workers``; replace_section and latest_section: its section of RESULTS.md
SIDE_RUN = sections.SideRun("scaling", SECTION, Row, measure_scaling, section)
replace_section = SIDE_RUN.replace_section
latest_section = SIDE_RUN.latest_section
run = SIDE_RUN.run
