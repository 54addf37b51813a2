"""``python -m bench.simulate``: the national load shape at reduced scale, against several gateway processes sharing
one PostgreSQL audit chain, and whether the capacity model (:mod:`bench.capacity`) predicted it.

1. **Audit chain cost**: in a fresh database ``lt_sim_<random>`` on 127.0.0.1:5432 (dropped at the end), the
   time a transaction of 1 and of 64 records holds the chain's writer lock (advisory lock, head read, inserts,
   commit), timed on the audit store's own writer path; fitted as fixed + per-record milliseconds.
2. **Stack**: the bench's three counting subgraphs on the bench data set (SQLite, ``--people``; with
   ``--postgres`` seeded into a scratch ``lt_sim_data_<random>`` database, as production runs them), the composed
   supergraph, and ``--gateways`` processes of ``python -m gateway serve`` in production mode (embedded Rego
   policy), provisioned as deploy/kubernetes does (audit checkpoint key, a witness each, trusted documents), every
   one writing to the same audit chain in that database. No wrk: :mod:`bench.loadgen`.
3. **Open loop**: the national mix (:data:`bench.capacity.NATIONAL`) at ``--rate`` requests/s (default: the rate
   the model says uses ``--target-cores`` of CPU), Poisson arrivals, round robin over the gateways.
   Predicted: every request answered, gateway and subgraph CPU = rate x the mix's CPU per request, the audit
   chain's transactions and batch size from the fitted lock cost.
4. **Saturation**: ``--connections`` closed-loop clients on the same mix. Predicted throughput = the CPU the
   stack got / the mix's CPU per request (does the sum of the parts hold when mixed?), and what two free cores
   would give.

Then the chain is checked end to end (one sequence, no gap, every answered request recorded) and the results go
to ``<out>/runs/sim-<time>/simulation.json``; ``--write docs/CAPACITY.md`` replaces the generated sections (the
national sizing and this run's tables, :mod:`bench.sim_render`; ``python -m bench.sim_render RUN.json`` renders a
run again).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import capacity, dataset
from .host_load import machine_busy_seconds, own_seconds
from .loadgen import LoadResult, Workload, closed_loop, open_loop
from .options import REPO_ROOT, BenchOptions
from .proc import Service, cpu_seconds
from .queries import QUERIES, bodies
from .sim_audit import BackendSampler, chain_facts, chain_stress, measure_audit_cost, pg_counters
from .sim_render import render, write_all
from .stack import PSEUDONYM_KEY, Stack
from .tokens import mint_caller_tokens

PG_ADMIN = dataset.PG_ADMIN_DSN
# Queries measured alone first, as bench/RESULTS.md measured them: how much slower (or faster) this machine is
# right now than when the bench ran, so that a busy shared machine is not mistaken for a wrong model.
CALIBRATION = ("a", "b")


def say(message: str) -> None:
    print(f"[simulate {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


# -- the stack -------------------------------------------------------------------------------------------------
def production_files(run_dir: Path) -> dict[str, str]:
    """What production mode wants provisioned, made for this run as an operator would (deploy/kubernetes):
    the audit checkpoint key every replica shares, and the trusted documents (the bench queries, registered for
    the bench callers' agencies). Each only when the code has the feature; harmless variables otherwise."""
    from .tokens import CALLERS

    env: dict[str, str] = {}
    try:
        from gateway.audit.signing import generate_key
    except ImportError:
        pass
    else:
        keys = run_dir / "audit-keys"
        keys.mkdir(parents=True, exist_ok=True)
        generate_key(keys / "audit-signing.jwk.json", keys / "audit-verify.jwks.json")
        env["GATEWAY_AUDIT_SIGNING_KEY_FILE"] = str(keys / "audit-signing.jwk.json")
        env["GATEWAY_AUDIT_VERIFY_KEYS_FILE"] = str(keys / "audit-verify.jwks.json")
    try:
        from gateway.trusted import TrustedDocumentStore
    except ImportError:
        pass
    else:
        path = run_dir / "trusted-documents.json"
        store = TrustedDocumentStore(path)
        for query in QUERIES.values():
            store.register(query.document, [CALLERS[query.caller][0]], name=f"bench-{query.key}")
        env.update(GATEWAY_TRUSTED_DOCUMENTS="require", GATEWAY_TRUSTED_DOCUMENTS_FILE=str(path))
    # one account stands for a whole agency kind's traffic here: per-account budgets would refuse it
    env["GATEWAY_RATE_LIMIT"] = "off"
    return env


def start_gateways(stack: Stack, count: int, audit_url: str, first_port: int) -> list[Service]:
    """``count`` gateway processes in production mode (as the bench's own), sharing the PostgreSQL audit chain."""
    assert stack.supergraph is not None
    services = []
    provisioned = production_files(stack.run_dir)
    # production keeps the gateway store (grants registry, idempotency keys) on PostgreSQL, shared by the replicas
    store = stack.store_database()
    for i in range(count):
        port = first_port + i
        env = {
            **stack.env(),
            "GATEWAY_ENV": "production",
            "GATEWAY_JWKS_FILE": str(stack.dataset.directory / "keys" / "dev-jwks.json"),
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(port),
            "GATEWAY_SUPERGRAPH": str(stack.supergraph),
            "GATEWAY_POLICY_ENGINE": "embedded",
            "GATEWAY_AUDIT_DATABASE_URL": audit_url,
            "GATEWAY_STORE_DATABASE_URL": store,
            "GATEWAY_PSEUDONYM_KEY": PSEUDONYM_KEY,
            **{f"{n.upper()}_URL": u for n, u in stack.subgraph_urls().items()},
            **provisioned,
            # each replica its own witness of the checkpoints (production: a directory per pod)
            "GATEWAY_AUDIT_WITNESS": f"dir:{stack.run_dir / 'witness' / f'gateway-{i}'}",
        }
        service = Service(f"gateway-{i}", [sys.executable, "-m", "gateway", "serve"], env,
                          stack.run_dir / "logs" / f"gateway-{i}.log", f"http://127.0.0.1:{port}/healthz",
                          cwd=REPO_ROOT)
        stack.services[service.name] = service
        service.start()
        services.append(service)
    for service in services:
        service.wait_ready(120.0)
    return services


@dataclass
class Phase:
    """One measured phase: what the load generator saw and the CPU every part used."""

    name: str
    load: dict[str, Any]
    seconds: float  # wall clock of the whole phase (open loop: arrivals, then the drain)
    cpu_s: dict[str, float]  # gateways, subgraphs (each), postgres (audit backends), loadgen, machine
    pg: dict[str, float]  # deltas of pg_counters
    audit_records: int


def load_summary(result: LoadResult) -> dict[str, Any]:
    return {
        "seconds": result.seconds, "window": result.window or result.seconds,
        "offered": sum(s.sent + s.dropped for s in result.per_query.values()), "ok": result.ok, "failed": result.failed, "dropped": result.dropped,
        "statuses": {str(k): v for k, v in sorted(result.statuses.items())},
        "per_query": {q: {"ok": s.ok, "failed": s.failed, "dropped": s.dropped, "p50_ms": s.percentile(0.5),
                          "p99_ms": s.percentile(0.99)} for q, s in result.per_query.items()},
    }


def measure_phase(name: str, stack: Stack, gateways: list[Service], audit_url: str, run: Any) -> Phase:
    """Run the coroutine factory ``run`` between two snapshots of CPU, PostgreSQL and the chain."""
    db = audit_url.rsplit("/", 1)[1]
    sg = stack.subgraph_pids()
    data_db = stack.dataset.postgres_url.rsplit("/", 1)[1] if stack.dataset.postgres_url else None

    def snapshot() -> dict[str, float]:
        snap = {"gateways": sum(cpu_seconds(g.pid) for g in gateways), "loadgen": own_seconds(),
                "machine": machine_busy_seconds()}
        snap.update({f"subgraph:{n}": cpu_seconds(p) for n, p in sg.items()})
        return snap

    before, pg_before, chain_before = snapshot(), pg_counters(db), chain_facts(audit_url)["rows"]
    with BackendSampler([db, *([data_db] if data_db else [])]) as backends:
        began = time.monotonic()
        result: LoadResult = asyncio.run(run())
        seconds = time.monotonic() - began
    after, pg_after, chain_after = snapshot(), pg_counters(db), chain_facts(audit_url)["rows"]
    cpu = {k: after[k] - before[k] for k in after}
    cpu["subgraphs"] = sum(v for k, v in cpu.items() if k.startswith("subgraph:"))
    cpu["postgres"] = backends.used(db)  # the audit chain's backends
    if data_db:
        cpu["postgres_data"] = backends.used(data_db)  # the subgraphs' database (--postgres)
    return Phase(name, load_summary(result), seconds, cpu, {k: pg_after[k] - pg_before.get(k, 0.0) for k in pg_after},
                 chain_after - chain_before)


# -- the run ---------------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.simulate", description=__doc__.splitlines()[0])
    p.add_argument("--gateways", type=int, default=3, help="gateway processes sharing the audit chain (3)")
    p.add_argument("--people", type=int, default=100_000, help="persons in the bench data set (100000)")
    p.add_argument("--postgres", action="store_true",
                   help="the subgraphs on PostgreSQL, as in production: a data set seeded for the run into "
                        "lt_sim_data_<random> and dropped after it (instead of the bench's SQLite files)")
    p.add_argument("--rate", type=float, default=0.0,
                   help="open-loop req/s (default: the rate the model says uses --target-cores)")
    p.add_argument("--target-cores", type=float, default=0.6,
                   help="CPU (gateways + subgraphs) the default open-loop rate should use (0.6 of 2 cores)")
    p.add_argument("--duration", type=float, default=40.0, help="seconds of the open-loop phase (40)")
    p.add_argument("--saturate", type=float, default=30.0, help="seconds of the closed-loop phase (30; 0: skip)")
    p.add_argument("--connections", type=int, default=24, help="closed-loop clients (24)")
    p.add_argument("--warmup", type=float, default=8.0, help="unmeasured seconds before the phases (8)")
    p.add_argument("--calibrate", type=float, default=10.0,
                   help="seconds of each calibration query (a, b) run alone, as the bench did (10)")
    p.add_argument("--chain-seconds", type=float, default=10.0,
                   help="seconds of each audit-chain stress run (records straight to the store, no HTTP) (10)")
    p.add_argument("--base-port", type=int, default=15100, help="subgraphs on +1..+3, gateways from +10")
    p.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "out", help="work directory (git-ignored)")
    p.add_argument("--write", type=Path, default=None, help="replace the simulation section of this file")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = "python -m bench.simulate " + shlex.join(sys.argv[1:] if argv is None else argv)
    run_dir = args.out.resolve() / "runs" / time.strftime("sim-%Y%m%d-%H%M%S")
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    options = BenchOptions(people=args.people, base_port=args.base_port, out_dir=args.out.resolve(), results=None)
    if args.postgres:
        # a data set of its own, seeded for this run and dropped after it (never the bench's lt_bench_* ones)
        ds = dataset.Dataset(args.people, 1, run_dir / "data",
                             f"postgresql+asyncpg://postgres@127.0.0.1:5432/lt_sim_data_{uuid.uuid4().hex[:10]}")
    else:
        ds = dataset.locate(options.out_dir, args.people, 1, False)
    base_env = dataset.base_environment()
    try:
        env, ids = dataset.prepare(ds, base_env, run_dir / "logs" / "seed.log")
    except BaseException:
        if args.postgres:
            dataset.remove(ds)
        raise

    # the figures of the backend the subgraphs run on here: SQLite as in bench/RESULTS.md, or PostgreSQL as in
    # bench/RESULTS-postgres.md (subgraph CPU where higher, as the national sizing uses)
    costs = capacity.load_costs() if args.postgres else capacity.load_costs(postgres=None)
    shares = capacity.query_rates(capacity.NATIONAL)
    total = sum(shares.values())
    mix = {q: r / total for q, r in shares.items()}
    gw_ms, sg_ms = capacity.mix_cpu_ms(costs, mix)
    rate = args.rate or args.target_cores * 1000.0 / (gw_ms + sg_ms)
    say(f"mix {', '.join(f'{q} {s:.1%}' for q, s in mix.items())}: model {gw_ms:.2f} + {sg_ms:.2f} ms CPU per "
        f"request; open loop at {rate:.1f} req/s over {args.gateways} gateways")

    db = f"lt_sim_{uuid.uuid4().hex[:10]}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    audit_url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{db}"
    results: dict[str, Any] = {"command": command, "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                               "gateways": args.gateways, "people": args.people, "cores": os.cpu_count(),
                               "backend": "PostgreSQL" if args.postgres else "SQLite",
                               "mix": mix, "model_ms": {"gateway": gw_ms, "subgraphs": sg_ms},
                               "costs": {q: asdict(c) for q, c in costs.items()}, "rate": rate}
    stack_gateways: list[Service] = []
    try:
        say(f"audit chain cost in {db}")
        results["audit_cost"] = measure_audit_cost(audit_url)
        say(f"audit: {results['audit_cost']}")
        results["chain_stress"] = [chain_stress(audit_url, args.gateways, c, args.chain_seconds)
                                   for c in (4, 32)]
        say(f"chain stress: {results['chain_stress']}")
        with Stack(options, ds, run_dir, base_env) as stack:
            stack.start_subgraphs()
            if stack.compose() is None:
                raise SystemExit(f"compose failed: {stack.unavailable}")
            tokens = mint_caller_tokens(env)
            gateways = start_gateways(stack, args.gateways, audit_url, args.base_port + 10)
            stack_gateways.extend(gateways)
            say(f"{len(gateways)} gateways up")
            work = Workload(
                urls=[f"http://127.0.0.1:{args.base_port + 10 + i}/graphql" for i in range(args.gateways)],
                bodies={q: bodies(QUERIES[q], ids) for q in mix},
                headers={q: tokens.headers(QUERIES[q].caller) for q in mix},
            )
            say(f"warm-up {args.warmup:g}s")
            asyncio.run(closed_loop(work, mix, args.warmup, connections=8))
            say(f"calibration: queries {', '.join(CALIBRATION)} one at a time through one gateway, 16 connections")
            calibration = {}
            for q in CALIBRATION:
                one = Workload(work.urls[:1], {q: work.bodies[q]}, {q: work.headers[q]})
                calibration[q] = asdict(measure_phase(
                    f"calibrate-{q}", stack, gateways[:1], audit_url,
                    lambda one=one, q=q: closed_loop(one, {q: 1.0}, args.calibrate, connections=16)))
            results["calibration"] = calibration
            say(f"open loop {args.duration:g}s at {rate:.1f} req/s")
            rates = {q: rate * s for q, s in mix.items()}
            phases = [measure_phase("open", stack, gateways, audit_url,
                                    lambda: open_loop(work, rates, args.duration))]
            if args.saturate > 0:
                say(f"closed loop {args.saturate:g}s at {args.connections} connections")
                phases.append(measure_phase("closed", stack, gateways, audit_url,
                                            lambda: closed_loop(work, mix, args.saturate,
                                                                connections=args.connections)))
                phases[-1].load["connections"] = args.connections
            results["rss_mib"] = {s.name: rss_mib(s.pid) for s in stack.services.values()}
            for gateway in gateways:  # Stack.stop knows only its own services
                gateway.stop()
        results["phases"] = [asdict(p) for p in phases]
        results["chain"] = chain_facts(audit_url)
    finally:
        for gateway in stack_gateways:
            gateway.stop()
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        say(f"dropped {db}")
        if args.postgres:
            dataset.remove(ds)
            say(f"dropped {ds.postgres_url.rsplit('/', 1)[1]}")
    (run_dir / "simulation.json").write_text(json.dumps(results, indent=1, default=str))
    text = render(results)
    print(text)
    if args.write:
        write_all(results, args.write)
        say(f"wrote the model and simulation sections of {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
