"""Several gateway processes append to one PostgreSQL audit chain under concurrent load: every answered request
has its record, the chain has no gap (seq 1..n), no fork (each record's prev_hash is the hash of the one before,
no two records share a predecessor), and ``audit verify`` passes."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from tests.faults.support import (
    OFFENDER_QUERY,
    DevStack,
    Load,
    audit_verify,
    extra_gateway,
    mint_token,
    report,
)

GATEWAYS = 3
CLIENTS = 24
REQUESTS = 360


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url.replace("postgresql+asyncpg://", "postgresql://")) as conn:
        return list(conn.execute(sql).fetchall())


async def test_gateways_share_one_chain_without_gap_or_fork(dev: DevStack, tmp_path: Path,
                                                            pg_database: Callable[[], str]) -> None:
    url = pg_database()
    settings = {"GATEWAY_AUDIT_DATABASE_URL": url, "GATEWAY_AUDIT_WITNESS": f"file:{tmp_path / 'witness.jsonl'}"}
    offender = dev.adult_offender()
    body = {"query": OFFENDER_QUERY, "variables": {"id": offender}}
    with ExitStack() as services:
        urls = [extra_gateway(dev, services, f"gateway-chain-{k}", **settings) for k in range(GATEWAYS)]
        # The account names the gateway the request went to (Load sends request i to urls[i % GATEWAYS]).
        headers = [{"authorization": f"Bearer {mint_token(dev.env, 'tandtc', f'officer-gw{k}')}",
                    "x-purpose": "criminal_proceedings", "x-legal-basis": "12/2025/QD-VKS"} for k in range(GATEWAYS)]
        load = Load(urls, lambda i: (body, headers[i % GATEWAYS], i % GATEWAYS), concurrency=CLIENTS)
        await load.run(until=lambda: len(load.samples) + len(load.errors) >= REQUESTS, limit_s=20)
        elapsed = max(s.end for s in load.samples) - min(s.start for s in load.samples)
    served = [s for s in load.samples if s.status == 200 and (s.data or {}).get("person")]
    assert not load.errors and not load.five_xx, (load.errors[:3], [s.body for s in load.five_xx[:3]])
    assert len(served) == len(load.samples) >= REQUESTS
    records = _rows(url, "SELECT seq, prev_hash, hash, kind, account FROM audit_log ORDER BY seq")
    seqs = [r[0] for r in records]
    assert seqs == list(range(1, len(records) + 1)), "gap in the chain"
    assert all(records[i][1] == records[i - 1][2] for i in range(1, len(records))), "fork: a broken link"
    assert len({r[1] for r in records}) == len(records), "fork: two records share a predecessor"
    per_gateway = {k: sum(1 for r in records if r[3] == "access" and r[4] == f"officer-gw{k}")
                   for k in range(GATEWAYS)}
    sent = {k: sum(1 for s in served if s.tag == k) for k in range(GATEWAYS)}
    assert per_gateway == sent, (per_gateway, sent)  # every answered request of every gateway, once
    verified = audit_verify({**dev.env, **settings}, url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    report("shared-chain", gateways=GATEWAYS, clients=CLIENTS, requests=len(load.samples),
           five_xx=len(load.five_xx), records=len(records), per_gateway="/".join(map(str, per_gateway.values())),
           requests_per_s=len(load.samples) / elapsed, gaps=0, forks=0)
