"""``python -m bench``: seed, start the stack, measure every (query, target), write the report."""

from __future__ import annotations

import json
import os
import shlex
import sqlite3
import sys
import time
from contextlib import closing
from dataclasses import asdict
from pathlib import Path

from . import dataset, growth, host_load, latency, machine, profile, scaling
from .counters import Probe
from .floor import QUERY_SUBGRAPHS
from .options import BenchOptions, parse_options
from .queries import QUERIES, BenchQuery, Ids, bodies
from .report import Measurement, Report, Skipped, combine_rounds, render
from .runner import Endpoint, measure
from .stack import Stack, subgraph_url
from .tokens import INTERNAL_TTL_S, CallerTokens, ensure_internal_key, internal_headers, mint_caller_tokens
from .wrk import WRK

BUSY_SHARE = 0.05  # other work using more than this share of the machine makes the numbers "busy"
DIRECT_TOKEN_MARGIN_S = 60  # preflight, sequential counts and wrk start-up, within the token's lifetime


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def endpoint_for(
    target: str, query: BenchQuery, stack: Stack, tokens: CallerTokens | None
) -> Endpoint | str:
    """The endpoint of ``target`` for ``query``, or why there is none."""
    ports = stack.options.ports
    if target.startswith("floor:"):
        if "floor" in stack.unavailable or "floor" not in stack.services:
            return stack.unavailable.get("floor", "the floor is not running")
        return Endpoint(target, stack.floor_url(query.key, target.split(":", 1)[1]),
                        {"Content-Type": "application/json"}, stack.services["floor"].pid)
    if target == "direct":
        if query.direct_subgraph is None:
            return "no single subgraph answers this query (the floor is defined for one-subgraph queries)"
        options = stack.options
        if options.warmup_s + options.duration_s + DIRECT_TOKEN_MARGIN_S > INTERNAL_TTL_S:
            return (f"internal tokens live at most {INTERNAL_TTL_S}s and one is minted per run: use --warmup + "
                    f"--duration under {INTERNAL_TTL_S - DIRECT_TOKEN_MARGIN_S}s for the direct target")
        name = query.direct_subgraph
        return Endpoint("direct", subgraph_url(ports[name]), internal_headers(stack.env(), name),
                        stack.services[name].pid)
    if target in stack.unavailable:
        return stack.unavailable[target]
    if target not in stack.services or tokens is None:
        return f"{target} is not running"
    url = f"http://127.0.0.1:{ports[target]}/graphql"
    metrics = f"http://127.0.0.1:{ports[target]}/metrics" if target == "ours" else None
    return Endpoint(target, url, tokens.headers(query.caller), stack.services[target].pid, metrics)


def expand_targets(targets: tuple[str, ...], query: str) -> list[str]:
    """``floor`` stands for one target per subgraph the query touches (``floor:population``...)."""
    out: list[str] = []
    for target in targets:
        out += [f"floor:{name}" for name in QUERY_SUBGRAPHS[query]] if target == "floor" else [target]
    return out


def run_all(options: BenchOptions, stack: Stack, ids: Ids, tokens: CallerTokens | None) -> list[Measurement | Skipped]:
    """Every (query, target) pair, ``options.rounds`` times, interleaved (round 1 of all pairs, then round 2...)."""
    outcomes: list[Measurement | Skipped] = []
    query_bodies = {key: bodies(QUERIES[key], ids) for key in options.queries}
    for round_index in range(options.rounds):
        tag = f".r{round_index + 1}" if options.rounds > 1 else ""
        for key in options.queries:
            query = QUERIES[key]
            for target in expand_targets(options.targets, key):
                label = f"({key}) {target}{f' round {round_index + 1}' if tag else ''}"
                endpoint = endpoint_for(target, query, stack, tokens)
                if isinstance(endpoint, str):
                    if round_index == 0:
                        say(f"{label}: skipped: {endpoint}")
                        outcomes.append(Skipped(key, target, endpoint))
                    continue
                say(f"{label}: preflight, warm-up {options.warmup_s:g}s, counts, then {options.duration_s:g}s "
                    f"at {options.connections} connections")
                probe = Probe(stack.counter_urls(), stack.subgraph_pids(), endpoint.pid, endpoint.metrics_url)
                outcome = measure(
                    query, endpoint, query_bodies[key], probe, work_dir=stack.run_dir,
                    duration_s=options.duration_s, warmup_s=options.warmup_s, connections=options.connections,
                    threads=options.threads, tag=tag,
                )
                if isinstance(outcome, Skipped):
                    say(f"{label}: {outcome.reason}")
                else:
                    w = outcome.wrk
                    say(f"{label}: {w.requests_per_s:,.1f} req/s, p50 {w.p50_ms} ms, p99 {w.p99_ms} ms, "
                        f"{w.errors} failed")
                outcomes.append(outcome)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    if not os.access(WRK, os.X_OK):  # every mode loads with wrk: say so before seeding or starting anything
        print(f"python -m bench: wrk is not installed ({WRK}); `make bench` installs it, or: apt-get install -y wrk",
              file=sys.stderr)
        return 2
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    if options.growth:
        return growth.run(options, command, say)
    if options.workers:
        return scaling.run(options, command, say)
    if options.latency:
        return latency.run(options, command, say)
    run_dir = options.out_dir / "runs" / time.strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    machine_facts = machine.describe()
    ds = dataset.locate(options.out_dir, options.people, options.seed, options.postgres)
    base_env = dataset.base_environment()
    say(f"data set {ds.directory} ({'complete' if ds.complete else 'seeding'}; {options.people} persons)")
    started = time.monotonic()
    summary = dataset.ensure_seeded(ds, base_env, run_dir / "logs" / "seed.log")
    say(f"data set ready in {time.monotonic() - started:.0f}s")
    env = {**base_env, **ds.env()}
    ensure_internal_key(env)
    ids = dataset.pick_ids(ds)
    say(f"ids: {len(ids.persons)} persons, {len(ids.offenders)} offenders, {len(ids.provinces)} provinces")

    with Stack(options, ds, run_dir, base_env) as stack:
        load_before = host_load.sample([])
        stack.start_subgraphs()
        say("subgraphs up")
        if {"ours", "apollo"} & set(options.targets) and stack.compose():
            say(f"supergraph composed: {stack.supergraph}")
        tokens = mint_caller_tokens(env) if {"ours", "apollo"} & set(options.targets) else None
        if "ours" in options.targets and stack.supergraph:
            if stack.start_ours():
                say("our gateway up")
        if "apollo" in options.targets and stack.supergraph:
            if stack.start_apollo():
                say("Apollo Gateway up")
        if "floor" in options.targets and stack.start_floor():
            say("floor up")
        for target, reason in stack.unavailable.items():
            say(f"{target} unavailable: {reason}")
        outcomes = run_all(options, stack, ids, tokens)
        runner = stack.apollo_runner()
        server_pids = [s.pid for s in stack.services.values() if s.process and s.process.poll() is None]
        if ds.postgres_url:
            server_pids += host_load.postgres_backend_pids(dataset.PG_ADMIN_DSN, ds.postgres_url.rsplit("/", 1)[1])
        load_after = host_load.sample(server_pids)
    cores = os.cpu_count() or 1
    foreign_s, foreign_share = host_load.foreign_share(load_before, load_after, cores)
    if options.profile:
        files = profile.render(options.profile, stack.profile_stem())
        say("profile: " + (", ".join(map(str, files)) or "none written (see the gateway log)"))

    measurements = combine_rounds([o for o in outcomes if isinstance(o, Measurement)])
    skipped = list(dict.fromkeys(o for o in outcomes if isinstance(o, Skipped)))
    machine_facts["Apollo packages"] = machine.apollo_versions(runner)
    load = os.getloadavg()
    machine_facts["load average at end (1/5/15 min)"] = f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"
    rows = summary.get("subgraphs", {}) if isinstance(summary, dict) else {}
    report = Report(
        measurements=measurements,
        skipped=skipped,
        machine=machine_facts,
        command=command,
        settings={
            "data set": f"{options.people} persons, seed {options.seed}, "
                        f"{'PostgreSQL' if options.postgres else 'SQLite'} ({_row_summary(rows)})",
            "load": f"wrk, {options.connections} connections, {options.threads} thread(s), "
                    f"{options.warmup_s:g}s warm-up + {options.duration_s:g}s measured per query and target, "
                    f"{options.rounds} round(s)",
            "our gateway": "GATEWAY_ENV=production, GATEWAY_POLICY_ENGINE=embedded (real Rego policy), audit store "
                           "on SQLite in the run directory (every request recorded before its answer)",
            "other work on the machine": f"{foreign_s:,.0f} CPU seconds used by processes outside the bench "
                                         f"while it ran, {foreign_share:.0%} of the machine's {cores} cores",
            "audit": audit_rows(run_dir / "audit.db"),
            "run directory": str(run_dir),
        },
        notes=[n for n in (options.note, busy_note(foreign_share, cores)) if n],
        growth=growth.latest_section(options.out_dir, options.results)
        + "\n" + scaling.latest_section(options.out_dir) + "\n" + latency.latest_section(options.out_dir),
    )
    text = render(report)
    (run_dir / "RESULTS.md").write_text(text)
    (run_dir / "results.json").write_text(json.dumps(asdict(report), indent=1, ensure_ascii=False, default=str))
    if options.results is not None:
        options.results.write_text(text)
        say(f"wrote {options.results}")
    print(text)
    return 0 if measurements else 1


def _row_summary(rows: object) -> str:
    if not isinstance(rows, dict):
        return ""
    parts = []
    for name, info in rows.items():
        counts = info.get("rows", {}) if isinstance(info, dict) else {}
        parts.append(f"{name}: {sum(counts.values()):,} rows")
    return "; ".join(parts)


def busy_note(foreign_share: float, cores: int) -> str:
    """A warning for the report when other work used the machine while the bench ran."""
    if foreign_share < BUSY_SHARE:
        return ""
    return (f"Measured on a shared, busy machine: other work used {foreign_share:.0%} of its {cores} cores while "
            "the bench ran. Absolute numbers are noisy and pessimistic; the ratios, measured in interleaved "
            "rounds, are the more reliable part.")


def audit_rows(path: Path) -> str:
    """How many audit records our gateway wrote during the run (evidence that audit was on)."""
    if not path.exists():
        return "no audit store (our gateway did not run)"
    try:
        with closing(sqlite3.connect(path)) as conn:
            rows = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    except sqlite3.Error as exc:
        return f"audit store present, not readable by the bench: {exc}"
    return f"{rows:,} audit records written by our gateway during the run (preflights, probes, warm-ups and runs)"
