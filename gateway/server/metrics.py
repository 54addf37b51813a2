"""Prometheus metrics of one gateway app, in its own registry (no process-global state)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from ..supergraph.documents import CacheStats

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _CacheCollector(Collector):
    """Reads cache hit/miss counts at scrape time, so lookups cost a plain integer increment."""

    def __init__(self, caches: dict[str, CacheStats]) -> None:
        self.caches = caches

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily("lienthong_gateway_cache_lookups", "Cache lookups by cache and result",
                                     labels=["cache", "result"])
        for name, stats in self.caches.items():
            family.add_metric([name, "hit"], stats.hits)
            family.add_metric([name, "miss"], stats.misses)
        yield family


class _PolicyCollector(Collector):
    """``lienthong_policy_evaluations_total{cache}``: policy decisions asked by the pipeline (one per request
    that reaches the policy stage), ``miss`` when the engine evaluated the policy, ``hit`` when the decision
    cache answered. Read at scrape time from the policy hook's ``decisions`` and ``evaluations`` counts."""

    def __init__(self, policy: Any) -> None:
        self.policy = policy

    def collect(self) -> Iterator[CounterMetricFamily]:
        decisions, evaluations = getattr(self.policy, "decisions", None), getattr(self.policy, "evaluations", None)
        if decisions is None or evaluations is None:
            return
        family = CounterMetricFamily("lienthong_policy_evaluations", "Policy decisions by decision cache result",
                                     labels=["cache"])
        family.add_metric(["miss"], evaluations)
        family.add_metric(["hit"], max(decisions - evaluations, 0))
        yield family


class GatewayMetrics:
    def __init__(self, caches: dict[str, CacheStats], policy: Any = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("lienthong_gateway_requests", "GraphQL requests by outcome", ["outcome"],
                                registry=self.registry)
        self.latency = Histogram("lienthong_gateway_request_duration_seconds", "GraphQL request latency",
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.fetches = Counter("lienthong_gateway_subgraph_fetches", "Subgraph fetches by subgraph and outcome",
                               ["subgraph", "outcome"], registry=self.registry)
        self.fetch_latency = Histogram("lienthong_gateway_subgraph_fetch_duration_seconds",
                                       "Subgraph fetch latency", ["subgraph"], buckets=LATENCY_BUCKETS,
                                       registry=self.registry)
        self.registry.register(_CacheCollector(caches))
        if policy is not None:
            self.registry.register(_PolicyCollector(policy))

    def observe_request(self, outcome: str, seconds: float) -> None:
        self.requests.labels(outcome).inc()
        self.latency.observe(seconds)

    def fetch_observer(self) -> Callable[[str, str, float], None]:
        def observe(subgraph: str, outcome: str, seconds: float) -> None:
            self.fetches.labels(subgraph, outcome).inc()
            self.fetch_latency.labels(subgraph).observe(seconds)

        return observe

    def render(self) -> bytes:
        return generate_latest(self.registry)
