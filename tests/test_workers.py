"""Several processes on one port (issue 13, Cores): ``GATEWAY_WORKERS=2`` and ``POPULATION_WORKERS=2``.

A real stack (seeded SQLite, the three subgraphs, population with two workers) and ``python -m gateway serve`` with
two workers, the embedded policy and the durable SQLite audit: concurrent requests are served by two distinct
gateway processes (``X-Gateway-Worker``, outside production), every answered request has exactly one audit
record in the one shared chain, ``audit verify`` passes, and SIGTERM stops the workers gracefully.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.conformance.stack import ROOT, free_port, start_gateway, start_subgraphs
from tests.faults.support import OFFENDER_QUERY, audit_verify, mint_token

REQUESTS = 120
CLIENTS = 12


def _offender(db: Path) -> str:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT p.personal_id FROM person p JOIN sentence s ON s.offender_personal_id = "
                           "p.personal_id WHERE p.date_of_death IS NULL AND p.missing_since IS NULL AND "
                           "p.processing_restricted = 0 AND p.birth_year < 2000 ORDER BY p.personal_id").fetchone()
    assert row, "the seeded data has no visible adult offender"
    return str(row[0])


async def _load(url: str, body: dict[str, object], headers: dict[str, str]) -> list[httpx.Response]:
    # No keep-alive: every request is a new connection, so the kernel spreads them over the workers' accepts.
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        semaphore = asyncio.Semaphore(CLIENTS)

        async def one() -> httpx.Response:
            async with semaphore:
                return await client.post(url, json=body, headers=headers)

        return await asyncio.gather(*(one() for _ in range(REQUESTS)))


def test_two_gateway_workers_share_the_port_and_the_audit_chain(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POPULATION_WORKERS", "2")  # one subgraph with two workers too (the others: one each)
    audit_db = tmp_path / "audit.db"
    settings = {"GATEWAY_ENV": "development", "GATEWAY_POLICY_ENGINE": "embedded", "GATEWAY_RATE_LIMIT": "off",
                "GATEWAY_WORKERS": "2", "GATEWAY_AUDIT_DATABASE_URL": f"sqlite+aiosqlite:///{audit_db}"}
    with ExitStack() as services:
        stack = start_subgraphs(tmp_path, services, people=300)
        url = start_gateway(stack, services, "gateway-workers", settings)
        gateway_log = stack.logs["gateway-workers"]
        headers = {"authorization": f"Bearer {mint_token(stack.env, 'tandtc', 'officer-workers')}",
                   "x-purpose": "criminal_proceedings", "x-legal-basis": "QD 12/2025/QD-VKS"}
        body = {"query": OFFENDER_QUERY, "variables": {"id": _offender(tmp_path / "lt.db")}}
        responses = asyncio.run(_load(url, body, headers))
        assert all(r.status_code == 200 and r.json()["data"]["person"] for r in responses), \
            [r.text[:300] for r in responses if r.status_code != 200][:3]
        pids = Counter(r.headers["x-gateway-worker"] for r in responses)
        print(f"\nworkers: requests per gateway pid {dict(pids)}")
        assert len(pids) == 2, f"expected two gateway processes serving, got {dict(pids)}"
        # the population subgraph's supervisor started two workers of its own
        population_log = stack.logs["population"].read_text(errors="replace")
        assert len(set(re.findall(r"Started server process \[(\d+)\]", population_log))) == 2, population_log

        # graceful stop: SIGTERM to the supervising process (the one the test started) stops both workers
        process = _gateway_process(url)
        os.kill(process, signal.SIGTERM)
        for _ in range(150):
            if not _alive(process):
                break
            asyncio.run(asyncio.sleep(0.1))
        assert not _alive(process), "the gateway did not stop within 15 s of SIGTERM"
        log = gateway_log.read_text(errors="replace")
        assert "Traceback" not in log, log[-3000:]
        for pid in pids:
            assert not _alive(int(pid)), f"worker {pid} survived its supervisor"

    with sqlite3.connect(audit_db) as conn:
        accounts = Counter(row[0] for row in conn.execute("SELECT account FROM audit_log WHERE kind = 'access'"))
    assert accounts["officer-workers"] == REQUESTS  # one record per answered request, from both workers
    verified = audit_verify({**stack.env, **settings}, f"sqlite+aiosqlite:///{audit_db}")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_bad_worker_count_is_refused_with_its_name(tmp_path: Path) -> None:
    env = {**os.environ, "GATEWAY_WORKERS": "zero", "LT_DATA_DIR": str(tmp_path), "GATEWAY_PORT": str(free_port())}
    result = subprocess.run([sys.executable, "-m", "gateway", "serve"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 2 and "GATEWAY_WORKERS" in result.stderr, result.stderr
    env = {**os.environ, "SUBGRAPH_WORKERS": "0", "LT_DATA_DIR": str(tmp_path),
           "POPULATION_PORT": str(free_port())}
    result = subprocess.run([sys.executable, "-m", "subgraphs.population"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 2 and "SUBGRAPH_WORKERS" in result.stderr, result.stderr


def _gateway_process(url: str) -> int:
    """The pid of the process listening on ``url``'s port that the test started (uvicorn's supervisor)."""
    port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in cmdline and f"GATEWAY_PORT={port}".encode() in environ and b"gateway" in cmdline:
            return int(entry.name)
    raise AssertionError(f"no gateway serve process for port {port}")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_bench_worker_scaling_section_and_option() -> None:
    from bench.options import parse_options
    from bench.scaling import SECTION, Row, median_rows, replace_section, section

    assert parse_options(["--workers", "1,2", "--queries", "a"]).workers == (1, 2)
    assert parse_options([]).workers == ()
    rows = [Row(1, "a", 100.0, 10.0, 30.0, 4.0, 6.0, 0), Row(2, "a", 150.0, 7.0, 25.0, 4.2, 6.1, 0)]
    text = section(rows, "python -m bench --workers 1,2", "load 1.0")
    assert text.startswith(SECTION) and "| (a) | 2 | 150.0 | 1.50 |" in text
    report = "# Results\n\n## Growth\n\nold\n"
    once = replace_section(report, text)
    assert once.count(SECTION) == 1 and "## Growth" in once
    assert replace_section(once, section(rows[:1], "again")).count(SECTION) == 1  # replaced, not appended
    slow, fast = Row(1, "a", 90.0, 0, 0, None, 0, 0), Row(1, "a", 120.0, 0, 0, None, 0, 0)
    assert median_rows([rows[0], slow, fast]) == [rows[0]]  # the median of three rounds
