"""The capacity model (docs/CAPACITY.md): measured costs per request x an assumed national load -> what to run.

Costs per request come from the bench's own reports, parsed here so that the model follows the next bench run:
``bench/RESULTS.md`` (our gateway's and the subgraphs' CPU per request per query, SQL statements per request) and,
for the subgraphs' cost on PostgreSQL, ``bench/RESULTS-postgres.md`` when it has the query. The audit chain's cost
(``AuditCost``: the time one transaction holds the chain's writer lock, fixed part + per record) is measured by
``python -m bench.simulate`` and written into docs/CAPACITY.md.

The model is deliberately linear: cores = sum over queries of rate x CPU per request, divided by the target
utilisation; the simulation (:mod:`bench.simulate`) checks that the sum of the parts holds when the queries are
mixed and several gateway processes share one audit chain.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .options import REPO_ROOT

RESULTS = REPO_ROOT / "bench" / "RESULTS.md"
RESULTS_POSTGRES = REPO_ROOT / "bench" / "RESULTS-postgres.md"
TARGET_UTILISATION = 0.6  # the HorizontalPodAutoscaler's CPU target: headroom for bursts and a lost node


@dataclass(frozen=True, slots=True)
class QueryCost:
    """What one request of a bench query costs our stack (from a bench report's "our gateway" row)."""

    query: str
    gateway_ms: float  # gateway CPU ms per request
    subgraphs_ms: float  # the three subgraphs' CPU ms per request
    sql: float  # SQL statements the subgraphs sent per request
    fetches: float  # subgraph HTTP requests per request
    measured_rps: float  # what the bench measured on its machine (16 connections, one query at a time)
    per_subgraph_ms: Mapping[str, float] = field(default_factory=dict)

    @property
    def total_ms(self) -> float:
        return self.gateway_ms + self.subgraphs_ms


def _number(cell: str) -> float:
    try:
        return float(cell.replace(",", "").strip())
    except ValueError:
        return math.nan


def parse_results(text: str) -> dict[str, QueryCost]:
    """The "our gateway" rows of a bench report (``| a | our gateway | req/s | ... |``), with the per-subgraph
    CPU of the "Per subgraph" list."""
    per_subgraph: dict[str, dict[str, float]] = {}
    for m in re.finditer(r"^- \((\w)\) our gateway: (.*)$", text, re.M):
        per_subgraph[m.group(1)] = {
            name: float(ms) for name, ms in re.findall(r"(\w+) [\d.]+ \(([\d.]+) ms[^)]*\)", m.group(2))
        }
    costs: dict[str, QueryCost] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 11 or cells[1] != "our gateway" or not re.fullmatch(r"\w", cells[0]):
            continue
        q = cells[0]
        costs[q] = QueryCost(
            query=q, measured_rps=_number(cells[2]), gateway_ms=_number(cells[7]), subgraphs_ms=_number(cells[8]),
            fetches=_number(cells[9]), sql=_number(cells[10]), per_subgraph_ms=per_subgraph.get(q, {}),
        )
    return costs


def load_costs(results: Path = RESULTS, postgres: Path | None = RESULTS_POSTGRES) -> dict[str, QueryCost]:
    """Gateway CPU from ``results`` (the latest code); subgraph CPU the larger of ``results`` and ``postgres``
    (production's subgraphs run on PostgreSQL, whose report may be older but measures that backend)."""
    costs = parse_results(results.read_text())
    if postgres is not None and postgres.exists():
        for q, pg in parse_results(postgres.read_text()).items():
            if q in costs and pg.subgraphs_ms > costs[q].subgraphs_ms:
                c = costs[q]
                costs[q] = QueryCost(q, c.gateway_ms, pg.subgraphs_ms, max(c.sql, pg.sql), c.fetches,
                                     c.measured_rps, pg.per_subgraph_ms or c.per_subgraph_ms)
    return costs


@dataclass(frozen=True, slots=True)
class AgencyClass:
    """Callers of one kind at peak: how many, how often each asks, and what (shares of the bench queries)."""

    kind: str
    count: int
    peak_rps_each: float
    mix: Mapping[str, float]  # bench query -> share, summing to 1

    @property
    def rps(self) -> float:
        return self.count * self.peak_rps_each


# The assumed national peak (docs/CAPACITY.md explains each figure). Counts after the 2025 reorganisation into 34
# provinces: 1 supreme + 3 superior + 34 provincial + 355 regional courts, as many procuracies; enforcement bodies
# (provincial police enforcement units, regional teams, prisons); commune-level civil registries (3,321 communes).
NATIONAL: tuple[AgencyClass, ...] = (
    AgencyClass("court", 393, 0.5, {"a": 0.30, "b": 0.55, "c": 0.05, "d": 0.10}),
    AgencyClass("procuracy", 393, 0.5, {"a": 0.30, "b": 0.55, "c": 0.05, "d": 0.10}),
    AgencyClass("criminal_enforcement", 444, 0.3, {"a": 0.20, "b": 0.60, "c": 0.20}),
    AgencyClass("crime_prevention", 389, 0.5, {"a": 0.50, "b": 0.50}),
    AgencyClass("justice_department", 34, 0.5, {"a": 0.40, "b": 0.60}),
    AgencyClass("civil_registry", 3321, 0.05, {"a": 0.60, "b": 0.40}),
    AgencyClass("statistics", 35, 0.2, {"d": 0.50, "e": 0.50}),
)


def query_rates(load: Sequence[AgencyClass], scale: float = 1.0) -> dict[str, float]:
    """Requests per second of each bench query at peak (``scale`` < 1: the reduced load the simulation replays)."""
    rates: dict[str, float] = {}
    for agency in load:
        for q, share in agency.mix.items():
            rates[q] = rates.get(q, 0.0) + agency.rps * share * scale
    return rates


@dataclass(frozen=True, slots=True)
class AuditCost:
    """The audit chain's writer lock (PostgreSQL advisory lock): held for ``fixed_ms + per_record_ms * n`` by a
    transaction of ``n`` records (lock, head read, inserts, commit with its WAL flush)."""

    fixed_ms: float
    per_record_ms: float
    batch_max: int = 512  # GATEWAY_AUDIT_BATCH_MAX

    def hold_ms(self, records: float) -> float:
        return self.fixed_ms + self.per_record_ms * records

    @property
    def ceiling_rps(self) -> float:
        """Records per second one chain can take at all (every transaction a full batch)."""
        return 1000.0 * self.batch_max / self.hold_ms(self.batch_max)

    def batch_at(self, records_per_s: float, writers: int) -> float:
        """Records per transaction when ``writers`` gateway processes (one writer each) share ``records_per_s``.

        A writer commits whatever queued during its previous transaction. While the lock is mostly free each
        writer's batch is the fixed point n = (rate / writers) x hold(n); once that would keep the lock always
        held, the writers take turns and each batch is what arrives in a full round, n = rate x hold(n)."""
        if records_per_s <= 0:
            return 1.0
        f, p = self.fixed_ms / 1000.0, self.per_record_ms / 1000.0
        per = records_per_s / max(writers, 1)
        if per * p < 1:
            n = max(1.0, per * f / (1 - per * p))
            if n < self.batch_max and records_per_s / n * (f + p * n) < 1:
                return n
        if records_per_s * p >= 1:
            return float(self.batch_max)
        return min(max(1.0, records_per_s * f / (1 - records_per_s * p)), float(self.batch_max))

    def lock_busy(self, records_per_s: float, writers: int) -> float:
        """Share of the time the writer lock is held (1.0: saturated, commit waits grow with every writer)."""
        n = self.batch_at(records_per_s, writers)
        busy = records_per_s / n * self.hold_ms(n) / 1000.0
        return 1.0 if busy > 0.999 else busy  # the turn-taking fixed point is exactly 1, up to rounding

    def commit_wait_ms(self, records_per_s: float, writers: int) -> float:
        """About what a request waits for its record to commit: its own transaction when the lock is mostly
        free, a full round of every writer's transaction when the writers take turns."""
        n = self.batch_at(records_per_s, writers)
        if self.lock_busy(records_per_s, writers) < 1.0:
            return self.hold_ms(n)
        return writers * self.hold_ms(n)

    def transactions_per_s(self, records_per_s: float, writers: int) -> float:
        return records_per_s / self.batch_at(records_per_s, writers)


@dataclass(frozen=True, slots=True)
class Sizing:
    """What a load needs."""

    rps: float
    rates: Mapping[str, float]
    gateway_cores: float  # CPU actually used at that load
    subgraph_cores: Mapping[str, float]
    sql_per_s: float
    gateway_pods: int
    subgraph_pods: Mapping[str, int]
    cpu_ms_per_request: float  # gateway + subgraphs, averaged over the mix


def size(costs: Mapping[str, QueryCost], rates: Mapping[str, float], gateway_pod_cores: float = 2.0,
         subgraph_pod_cores: float = 1.0, utilisation: float = TARGET_UTILISATION, min_pods: int = 2) -> Sizing:
    """Cores and pods for ``rates`` (query -> req/s) at ``utilisation`` of each pod's CPU request."""
    missing = sorted(set(rates) - set(costs))
    if missing:
        raise KeyError(f"no measured cost for queries {missing}")
    gateway = sum(rates[q] * costs[q].gateway_ms for q in rates) / 1000.0
    per_sg: dict[str, float] = {}
    for q, r in rates.items():
        split = costs[q].per_subgraph_ms or {"subgraphs": costs[q].subgraphs_ms}
        scale = costs[q].subgraphs_ms / max(sum(split.values()), 1e-9)  # per-subgraph figures are rounded
        for name, ms in split.items():
            per_sg[name] = per_sg.get(name, 0.0) + r * ms * scale / 1000.0
    rps = sum(rates.values())
    pods = {n: max(min_pods, math.ceil(c / (subgraph_pod_cores * utilisation))) for n, c in per_sg.items()}
    return Sizing(
        rps=rps, rates=dict(rates), gateway_cores=gateway, subgraph_cores=per_sg,
        sql_per_s=sum(rates[q] * costs[q].sql for q in rates),
        gateway_pods=max(min_pods, math.ceil(gateway / (gateway_pod_cores * utilisation))),
        subgraph_pods=pods,
        cpu_ms_per_request=(gateway + sum(per_sg.values())) * 1000.0 / rps if rps else 0.0,
    )


def mix_cpu_ms(costs: Mapping[str, QueryCost], rates: Mapping[str, float]) -> tuple[float, float]:
    """(gateway, subgraphs) CPU ms per request averaged over the mix ``rates``."""
    total = sum(rates.values())
    gw = sum(rates[q] * costs[q].gateway_ms for q in rates) / total
    sg = sum(rates[q] * costs[q].subgraphs_ms for q in rates) / total
    return gw, sg


def shards_needed(audit: AuditCost, records_per_s: float, writers: int, wait_budget_ms: float = 50.0,
                  max_share: float = 0.5) -> int:
    """Audit chains needed so that, with the load and the writers (gateway processes) spread over them, a commit
    waits at most ``wait_budget_ms`` and no chain runs above ``max_share`` of its ceiling (one chain per group
    of gateway replicas, tied together by signed cross-chain checkpoints: docs/CAPACITY.md)."""
    for chains in range(1, max(writers, 1) + 1):
        rate, per_chain = records_per_s / chains, max(writers // chains, 1)
        if (audit.commit_wait_ms(rate, per_chain) <= wait_budget_ms
                and rate <= max_share * audit.ceiling_rps):
            return chains
    return max(writers, 1)
