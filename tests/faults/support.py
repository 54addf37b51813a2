"""Fault tests: a real ``python -m gateway dev`` stack, a bounded HTTP load generator and its figures.

Everything listens on free loopback ports and lives under one temporary directory. Processes are stopped by the
id of the process the test started (the ``dev`` supervisor stops its own children on SIGTERM).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.conformance.stack import ROOT, SUBGRAPHS, Stack, free_port, start_gateway

LEGAL_BASIS = "QD khoi to vu an 12/2025/QD-VKS"  # ASCII: httpx sends str header values as ASCII
PEOPLE = 300
VISIBLE = "p.date_of_death IS NULL AND p.missing_since IS NULL AND p.processing_restricted = 0"
OFFENDER_QUERY = "query($id: ID!) { person(personalId: $id) { personalId fullName sentences { id status } } }"
_STARTED = re.compile(r"dev: started (\w+) \(pid (\d+)\)")


# ---------------------------------------------------------------------------------------------- the dev stack
@dataclass
class DevStack:
    """A running ``python -m gateway dev`` (three supervised subgraphs and the gateway) and its environment."""

    workdir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path
    url: str
    subgraph_urls: dict[str, str]
    grants: dict[tuple[str, str], str] = field(default_factory=dict)  # (agency, purpose) -> registered grant id

    @property
    def data_db(self) -> Path:
        return self.workdir / "lt.db"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def pid_of(self, name: str) -> int:
        """The pid of the latest process the supervisor started for ``name`` (from its log lines)."""
        pids = [int(pid) for child, pid in _STARTED.findall(self.log_text()) if child == name]
        assert pids, f"no 'started {name}' line in the dev log:\n{self.log_text()[-2000:]}"
        return pids[-1]

    def starts_of(self, name: str) -> int:
        return sum(1 for child, _ in _STARTED.findall(self.log_text()) if child == name)

    def token(self, agency: str = "tandtc", sub: str = "officer-faults") -> str:
        return mint_token(self.env, agency, sub)

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with sqlite3.connect(f"file:{self.data_db}?mode=ro", uri=True) as conn:
            return list(conn.execute(sql, params).fetchall())

    def adult_offender(self) -> str:
        """A visible adult with at least one sentence (the same choice as tests/e2e/ids.py)."""
        born_before = f"{dt.date.today().year - 19}"
        rows = self.rows(f"SELECT p.personal_id FROM person p JOIN sentence s ON s.offender_personal_id = "
                         f"p.personal_id WHERE {VISIBLE} AND p.date_of_birth < ? ORDER BY p.personal_id",
                         (born_before,))
        assert rows, "the seeded data has no visible adult offender"
        return str(rows[0][0])

    def as_stack(self) -> Stack:
        """The dev stack's subgraphs as a conformance ``Stack``, to start more gateways over them."""
        return Stack(workdir=self.workdir, env=dict(self.env), subgraph_urls=dict(self.subgraph_urls))

    def headers(self, agency: str = "tandtc", purpose: str = "criminal_proceedings") -> dict[str, str]:
        return {"authorization": f"Bearer {self.token(agency)}", "x-purpose": purpose,
                "x-legal-basis": f"{self.grant(agency, purpose)} {LEGAL_BASIS}"}

    def grant(self, agency: str, purpose: str) -> str:
        """A grant of the registry for (agency, purpose) covering every seeded person, registered once with the
        CLI (a court reads CRIMINAL data only under one: policies/grants.rego)."""
        if (agency, purpose) not in self.grants:
            everyone = [row[0] for row in self.rows("SELECT personal_id FROM person ORDER BY personal_id")]
            command = [sys.executable, "-m", "gateway", "grants", "create", "--account", "registrar-1",
                       "--decision-number", f"FAULTS/{agency}", "--issued-by", "faults", "--decision-date",
                       "2026-01-01", "--agency", agency, "--purpose", purpose, "--scope", "subjects",
                       "--valid-until", "2099-12-31", *(arg for pid in everyone for arg in ("--subject", pid))]
            made = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=60,
                                  check=False)
            assert made.returncode == 0, made.stderr
            import json

            self.grants[(agency, purpose)] = json.loads(made.stdout)["id"]
        return self.grants[(agency, purpose)]


def mint_token(env: dict[str, str], agency: str, sub: str) -> str:
    """A development JWT signed with the stack's dev key."""
    from gateway.auth import AuthSettings
    from gateway.auth.dev import mint_dev_token

    return mint_dev_token(agency, sub, settings=AuthSettings.from_env(env))


def dev_env(workdir: Path) -> dict[str, str]:
    """The environment of a ``gateway dev`` on free ports with everything under ``workdir``."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_URL") and not k.startswith("GATEWAY_")}
    env.update(LT_DATA_DIR=str(workdir / "data"), DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'lt.db'}",
               PYTHONUNBUFFERED="1", GATEWAY_ENV="development", GATEWAY_HOST="127.0.0.1",
               GATEWAY_PORT=str(free_port()), GATEWAY_SUPERGRAPH=str(ROOT / "schema.graphql"),
               GATEWAY_AUDIT_DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'audit.db'}",
               GATEWAY_RATE_LIMIT="off")  # the load is ours on purpose: measure the faults, not the budgets
    for name in SUBGRAPHS:
        env[f"{name.upper()}_HOST"] = "127.0.0.1"
        env[f"{name.upper()}_PORT"] = str(free_port())
    return env


@contextmanager
def dev_stack(workdir: Path, people: int = PEOPLE, timeout: float = 120.0) -> Iterator[DevStack]:
    """Run ``python -m gateway dev --people N`` until the gateway answers; SIGTERM it (by pid) afterwards."""
    env = dev_env(workdir)
    log = workdir / "dev.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "gateway", "dev", "--people", str(people)], cwd=ROOT,
                                   env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{env['GATEWAY_PORT']}/graphql"
    urls = {name: f"http://127.0.0.1:{env[f'{name.upper()}_PORT']}/graphql" for name in SUBGRAPHS}
    stack = DevStack(workdir, env, process, log, url, urls)
    try:
        deadline = time.monotonic() + timeout
        while "Liên thông is running" not in stack.log_text() or "Ctrl-C stops everything" not in stack.log_text():
            if process.poll() is not None:
                raise RuntimeError(f"gateway dev exited with {process.returncode}:\n{stack.log_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"gateway dev not up within {timeout:.0f}s:\n{stack.log_text()[-3000:]}")
            time.sleep(0.2)
        yield stack
    finally:
        children = [int(pid) for _, pid in _STARTED.findall(stack.log_text())]
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the session we started for it: its own children
                process.wait()
        left = [pid for pid in children if _alive(pid)]
        if left:  # SIGTERM to dev must stop every child it started
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            raise AssertionError(f"gateway dev left children running after SIGTERM: {left}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def extra_gateway(stack: DevStack, services: ExitStack, name: str, **settings: str) -> str:
    """One more ``gateway serve`` process over the dev stack's subgraphs (stopped when ``services`` closes)."""
    base = {"GATEWAY_ENV": "development", "GATEWAY_POLICY_ENGINE": "embedded", "GATEWAY_RATE_LIMIT": "off"}
    return start_gateway(stack.as_stack(), services, name, {**base, **settings})


def audit_verify(env: dict[str, str], database_url: str) -> subprocess.CompletedProcess[str]:
    """``python -m gateway audit verify`` against ``database_url`` with the stack's environment."""
    return subprocess.run([sys.executable, "-m", "gateway", "audit", "verify"], cwd=ROOT,
                          env={**env, "GATEWAY_AUDIT_DATABASE_URL": database_url},
                          capture_output=True, text=True, timeout=60, check=False)


# ---------------------------------------------------------------------------------------------- load
@dataclass(frozen=True, slots=True)
class Sample:
    """One request of the load: when it started and ended (monotonic seconds), what came back."""

    start: float
    end: float
    status: int
    body: dict[str, Any]
    tag: Any = None

    @property
    def codes(self) -> list[str]:
        return [str((e.get("extensions") or {}).get("code")) for e in self.body.get("errors") or []
                if isinstance(e, dict)]

    @property
    def data(self) -> Any:
        return self.body.get("data")


Request = Callable[[int], tuple[dict[str, Any], dict[str, str], Any]]


@dataclass
class Load:
    """``concurrency`` clients sending ``make(i)`` (body, headers, tag) to ``url`` back to back until stopped."""

    url: str | list[str]
    make: Request
    concurrency: int = 8
    timeout: float = 15.0
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # transport failures (refused, reset, timeout: hangs)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _count: int = 0

    async def run(self, until: Callable[[], bool] | None = None, limit_s: float = 20.0) -> None:
        """Send until :meth:`stop`, ``until()`` is true or ``limit_s`` passed."""
        deadline = time.monotonic() + limit_s
        urls = self.url if isinstance(self.url, list) else [self.url]
        async with httpx.AsyncClient(timeout=self.timeout,
                                     limits=httpx.Limits(max_connections=self.concurrency * 2)) as client:
            async def worker(w: int) -> None:
                while not self._stop.is_set() and time.monotonic() < deadline and not (until and until()):
                    i = self._count
                    self._count += 1
                    body, headers, tag = self.make(i)
                    started = time.monotonic()
                    try:
                        response = await client.post(urls[i % len(urls)], json=body, headers=headers)
                    except httpx.HTTPError as exc:
                        self.errors.append(f"{type(exc).__name__}: {exc}")
                        await asyncio.sleep(0.05)
                        continue
                    try:
                        decoded = response.json()
                    except ValueError:
                        decoded = {"raw": response.text[:200]}
                    self.samples.append(Sample(started, time.monotonic(), response.status_code,
                                               decoded if isinstance(decoded, dict) else {"raw": decoded}, tag))

            await asyncio.gather(*(worker(w) for w in range(self.concurrency)))

    def stop(self) -> None:
        self._stop.set()

    @property
    def five_xx(self) -> list[Sample]:
        return [s for s in self.samples if s.status >= 500]


def between(samples: list[Sample], start: float, end: float) -> list[Sample]:
    """The requests that started at or after ``start`` and ended before ``end`` (wholly inside a window)."""
    return [s for s in samples if s.start >= start and s.end <= end]


def first_after(samples: list[Sample], t: float, ok: Callable[[Sample], bool]) -> Sample | None:
    """The earliest-ending sample that started after ``t`` and satisfies ``ok``."""
    found = [s for s in samples if s.start >= t and ok(s)]
    return min(found, key=lambda s: s.end) if found else None


async def poll(done: Callable[[], bool], limit_s: float, every_s: float = 0.05) -> bool:
    """Wait until ``done()`` (checked every ``every_s``) or ``limit_s`` passed; returns ``done()``."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if done():
            return True
        await asyncio.sleep(every_s)
    return done()


def report(name: str, **figures: Any) -> str:
    """Print one line of figures (visible with ``pytest -s``) and return it."""
    parts = " ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items())
    line = f"FAULT {name}: {parts}"
    print(f"\n{line}", flush=True)
    return line


# ---------------------------------------------------------------------------------------------- outages
@dataclass
class Outage:
    """What a load saw around one outage window [down_at, up_at]."""

    load: Load
    down_at: float  # down() returned: the dependency is gone
    up_at: float  # up() is about to be called
    failing_at: float = 0.0  # down() was called: from here on answers may fail

    @property
    def before(self) -> list[Sample]:
        """Requests answered before the outage began."""
        return [s for s in self.load.samples if s.end < self.failing_at]

    @property
    def inside(self) -> list[Sample]:
        """Requests wholly inside the outage (started after it began, answered before it ended)."""
        return between(self.load.samples, self.down_at, self.up_at)

    def recovered(self, ok: Callable[[Sample], bool]) -> Sample | None:
        """The first good answer to a request sent after the dependency came back."""
        return first_after(self.load.samples, self.up_at, ok)


async def outage_under_load(load: Load, down: Callable[[], None], up: Callable[[], None],
                            ok: Callable[[Sample], bool], *, warm_s: float = 1.0, hold_s: float = 3.0,
                            after_s: float = 1.0, limit_s: float = 20.0) -> Outage:
    """Run ``load``; after ``warm_s`` call ``down()``, ``hold_s`` later ``up()``; stop ``after_s`` after the
    first ``ok`` answer to a request sent after ``up()`` (or at ``limit_s``)."""
    marks: dict[str, float] = {}

    async def fault() -> None:
        await asyncio.sleep(warm_s)
        marks["failing"] = time.monotonic()
        await asyncio.to_thread(down)
        marks["down"] = time.monotonic()
        await asyncio.sleep(hold_s)
        marks["up"] = time.monotonic()  # before up(): a request sent now may already see the dependency back
        await asyncio.to_thread(up)
        await poll(lambda: first_after(load.samples, marks["up"], ok) is not None, limit_s)
        await asyncio.sleep(after_s)
        load.stop()

    await asyncio.gather(load.run(limit_s=limit_s + warm_s + hold_s), fault())
    return Outage(load, marks["down"], marks["up"], marks["failing"])
