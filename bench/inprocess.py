"""``python -m bench.inprocess``: our gateway's own CPU per request, measured inside one process.

The wrk runs of ``python -m bench`` measure the gateway process from outside, under load, on a machine that other
work may share: good for ratios against Apollo, noisy for the effect of one change. Here the subgraphs run as in
the bench (their own processes, the same data set), and the gateway app (production settings, the real policy and
audit, :meth:`bench.stack.Stack.ours_env`) runs in this process, driven through ASGI one request at a time:
``time.process_time`` over the requests is the gateway's CPU alone (what it spends waiting for the subgraphs is not
CPU), without uvicorn's HTTP parsing. ``--profile`` adds a cProfile of the measured requests (top functions by own
time, and the profile file under ``bench/out/profiles/``).

    python -m bench.inprocess --people 100000 --queries a,b,c --requests 40
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import dataset
from .options import QUERIES, REPO_ROOT, BenchOptions
from .queries import QUERIES as MIX
from .queries import bodies
from .stack import Stack
from .tokens import CallerTokens, ensure_internal_key, mint_caller_tokens


async def _post(app: Any, body: bytes, headers: dict[str, str]) -> int:
    """One POST /graphql straight through the ASGI interface (no HTTP client: its CPU would count as ours)."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/graphql", "raw_path": b"/graphql", "query_string": b"", "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"content-length", str(len(body)).encode()), (b"host", b"bench")],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80), "state": {},
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # no disconnect while the answer is produced
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _measure(app: Any, tokens: CallerTokens, keys: tuple[str, ...], ids: dataset.Ids, requests: int,
                   warmup: int, rounds: int, profile: Path | None) -> dict[str, tuple[float, float, int]]:
    """CPU ms per request of each query (the process's, the event loop thread's: the least of ``rounds`` rounds
    of ``requests``, other work on the machine only ever adding to it) and the count of non-200 answers, after
    ``warmup`` requests."""
    out: dict[str, tuple[float, float, int]] = {}
    async with app.router.lifespan_context(app):
        for key in keys:
            query = MIX[key]
            payloads = bodies(query, ids)
            headers = tokens.headers(query.caller)
            for i in range(warmup):
                await _post(app, payloads[i % len(payloads)], headers)
            # CPU time of the loop thread, not wall time: a send that lets a subgraph run is not our cost
            profiler = cProfile.Profile(time.thread_time) if profile is not None else None
            failed = 0
            best_process = best_main = float("inf")
            sent = warmup
            for _ in range(rounds):
                started, started_main = time.process_time(), time.thread_time()
                if profiler:
                    profiler.enable()
                for _ in range(requests):
                    failed += await _post(app, payloads[sent % len(payloads)], headers) != 200
                    sent += 1
                if profiler:
                    profiler.disable()
                best_process = min(best_process, (time.process_time() - started) * 1000 / requests)
                best_main = min(best_main, (time.thread_time() - started_main) * 1000 / requests)
            out[key] = (best_process, best_main, failed)
            if profiler and profile is not None:
                stem = profile.with_name(f"{profile.name}-{key}.prof")
                profiler.dump_stats(stem)
                print(f"\n## ({key}) top functions by own time ({stem})")
                pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--queries", default="a,b,c,d,e", help="comma-separated subset of " + ",".join(QUERIES))
    parser.add_argument("--requests", type=int, default=40, help="measured requests per query")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured requests per query first")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of --requests; the least CPU is reported")
    parser.add_argument("--profile", action="store_true", help="cProfile the measured requests")
    parser.add_argument("--base-port", type=int, default=15400)
    args = parser.parse_args(argv)
    keys = tuple(k.strip() for k in args.queries.split(",") if k.strip())
    unknown = [k for k in keys if k not in MIX]
    if unknown or args.requests < 1 or args.warmup < 0 or args.rounds < 1:
        parser.error(f"bad --queries {unknown} or counts")
    options = replace(BenchOptions(), people=args.people, base_port=args.base_port, targets=("ours",),
                      queries=keys, results=None)
    run_dir = options.out_dir / "runs" / (time.strftime("%Y%m%d-%H%M%S") + "-inprocess")
    run_dir.mkdir(parents=True, exist_ok=True)
    ds = dataset.locate(options.out_dir, options.people, options.seed, options.postgres)
    base_env = dataset.base_environment()
    dataset.ensure_seeded(ds, base_env, run_dir / "logs" / "seed.log")
    env = {**base_env, **ds.env()}
    ensure_internal_key(env)
    ids = dataset.pick_ids(ds)
    with Stack(options, ds, run_dir, base_env) as stack:
        stack.start_subgraphs()
        if stack.compose() is None:
            print(stack.unavailable.get("ours"), file=sys.stderr)
            return 1
        tokens = mint_caller_tokens(env)
        gateway_env = stack.ours_env()
        if gateway_env is None:
            print(stack.unavailable.get("ours"), file=sys.stderr)
            return 1
        os.environ.update(gateway_env)
        sys.path.insert(0, str(REPO_ROOT))
        from gateway.server.run import build_app_from_env

        app = build_app_from_env()
        profile = options.out_dir / "profiles" / run_dir.name if args.profile else None
        if profile is not None:
            profile.parent.mkdir(parents=True, exist_ok=True)
        measure = _measure(app, tokens, keys, ids, args.requests, args.warmup, args.rounds, profile)
        try:  # the event loop uvicorn serves the gateway on (loop "auto": uvloop when installed)
            import uvloop

            results = uvloop.run(measure)
        except ImportError:
            results = asyncio.run(measure)
    # the process's CPU includes the audit store's and the engine's threads (aiosqlite, regopy), the loop
    # thread's is the request path itself
    print("\n| query | gateway CPU ms/req (process) | of it, the event loop thread | non-200 |\n|---|---:|---:|---:|")
    for key, (cpu_ms, main_ms, failed) in results.items():
        print(f"| {key} | {cpu_ms:.2f} | {main_ms:.2f} | {failed} |")
    return 0 if all(failed == 0 for *_, failed in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
