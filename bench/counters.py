"""Counters read before and after a measured run: subgraph fetches and SQL statements, gateway metrics, CPU.

* subgraph fetches and SQL statements: ``GET /_bench/counters`` of each :mod:`bench.subgraph_host` (the same
  source for every target, so ours and Apollo are counted identically);
* policy evaluations (and anything else the gateway exports): our gateway's Prometheus ``/metrics``;
* CPU: ``/proc/<pid>/stat`` of the gateway process tree (or of the subgraph, for the direct target) and of the
  subgraph processes.
"""

from __future__ import annotations

import json
import math
import re
import time
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .proc import cpu_seconds

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")

# Our gateway's policy metric: decisions asked by the pipeline, labelled by decision-cache result; a ``miss`` is
# an evaluation by the engine. Unknown names leave the columns "n/a" rather than guessing.
POLICY_METRIC = "lienthong_policy_evaluations_total"
POLICY_ENGINE_SERIES = 'lienthong_policy_evaluations_total{cache="miss"}'
# The gateway's own count of subgraph fetches: a cross-check of the subgraph-side count.
GATEWAY_FETCH_METRICS = ("lienthong_gateway_subgraph_fetches_total",)


def parse_prometheus(text: str) -> dict[str, float]:
    """Samples of a Prometheus text exposition: each series by ``name{labels}`` as written, and each metric
    name summed over its labels."""
    values: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if not m:
            continue
        try:
            value = float(m.group(3))
        except ValueError:
            continue
        if not math.isfinite(value):
            continue
        name, labels = m.group(1), m.group(2)
        values[name] = values.get(name, 0.0) + value if labels else value
        if labels:
            values[f"{name}{labels}"] = value
    return values


def fetch_text(url: str, timeout: float = 5.0) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.read().decode()
    except OSError:
        return None


def pick_metric(metrics: Mapping[str, float], candidates: Iterable[str]) -> str | None:
    """The first of ``candidates`` present in ``metrics``."""
    return next((name for name in candidates if name in metrics), None)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Cumulative counters at one instant."""

    fetches: dict[str, int]  # subgraph -> GraphQL requests received
    statements: dict[str, int]  # subgraph -> SQL statements sent
    target_cpu_s: float | None  # the process under test (gateway, or the subgraph called directly)
    subgraphs_cpu_s: dict[str, float]  # subgraph -> CPU seconds
    metrics: dict[str, float] = field(default_factory=dict)  # our gateway's /metrics, summed by name


@dataclass(frozen=True, slots=True)
class Probe:
    """Where to read counters: subgraph counter URLs and pids, the target's pid and metrics URL (if any)."""

    subgraph_counters: dict[str, str]
    subgraph_pids: dict[str, int]
    target_pid: int | None
    metrics_url: str | None = None

    def fetch_total(self) -> int:
        """Sum of the subgraphs' request counters (cheap: no /metrics, no /proc)."""
        total = 0
        for url in self.subgraph_counters.values():
            text = fetch_text(url)
            total += int(json.loads(text).get("requests", 0)) if text else 0
        return total

    def wait_quiet(self, quiet_s: float = 0.5, timeout_s: float = 30.0) -> bool:
        """Wait until no subgraph receives a request for ``quiet_s`` (leftovers of a previous run finished)."""
        deadline = time.monotonic() + timeout_s
        last = self.fetch_total()
        while time.monotonic() < deadline:
            time.sleep(quiet_s)
            current = self.fetch_total()
            if current == last:
                return True
            last = current
        return False

    def snapshot(self) -> Snapshot:
        fetches: dict[str, int] = {}
        statements: dict[str, int] = {}
        for name, url in self.subgraph_counters.items():
            text = fetch_text(url)
            data = json.loads(text) if text else {}
            fetches[name] = int(data.get("requests", -1))
            statements[name] = int(data.get("statements", -1))
        metrics_text = fetch_text(self.metrics_url) if self.metrics_url else None
        return Snapshot(
            fetches=fetches,
            statements=statements,
            target_cpu_s=cpu_seconds(self.target_pid) if self.target_pid else None,
            subgraphs_cpu_s={name: cpu_seconds(pid) for name, pid in self.subgraph_pids.items()},
            metrics=parse_prometheus(metrics_text) if metrics_text else {},
        )


@dataclass(frozen=True, slots=True)
class PerRequest:
    """Counter deltas of a measured run divided by the requests it completed (``None`` = not available)."""

    target_cpu_ms: float | None
    subgraphs_cpu_ms: float
    subgraphs_cpu_ms_by: dict[str, float]
    fetches: float | None
    fetches_by_subgraph: dict[str, float]
    statements: float | None
    policy_decisions: float | None  # decisions asked of the policy stage (decision cache hits + misses)
    policy_evaluations: float | None  # decisions the engine evaluated (cache misses)
    gateway_reported_fetches: float | None = None  # from the gateway's /metrics, when it exports them


def per_request(before: Snapshot, after: Snapshot, requests: int) -> PerRequest:
    """What each request cost, from two snapshots around a run that completed ``requests`` requests."""
    n = max(requests, 1)
    by_subgraph = {
        name: (after.fetches[name] - before.fetches[name]) / n
        for name in after.fetches
        if after.fetches[name] >= 0 and before.fetches.get(name, -1) >= 0
    }
    statements = [
        after.statements[name] - before.statements[name]
        for name in after.statements
        if after.statements[name] >= 0 and before.statements.get(name, -1) >= 0
    ]
    cpu_by = {
        name: (after.subgraphs_cpu_s[name] - before.subgraphs_cpu_s.get(name, 0.0)) * 1e3 / n
        for name in after.subgraphs_cpu_s
    }

    def delta(metric: str) -> float | None:
        if metric not in after.metrics:
            return None
        return (after.metrics[metric] - before.metrics.get(metric, 0.0)) / n

    fetch_metric = pick_metric(after.metrics, GATEWAY_FETCH_METRICS)
    target_cpu = None
    if before.target_cpu_s is not None and after.target_cpu_s is not None:
        target_cpu = (after.target_cpu_s - before.target_cpu_s) * 1e3 / n
    return PerRequest(
        target_cpu_ms=target_cpu,
        subgraphs_cpu_ms=sum(cpu_by.values()),
        subgraphs_cpu_ms_by=cpu_by,
        fetches=sum(by_subgraph.values()) if by_subgraph else None,
        fetches_by_subgraph=by_subgraph,
        statements=sum(statements) / n if statements else None,
        policy_decisions=delta(POLICY_METRIC),
        policy_evaluations=delta(POLICY_ENGINE_SERIES) if POLICY_METRIC in after.metrics else None,
        gateway_reported_fetches=delta(fetch_metric) if fetch_metric else None,
    )
