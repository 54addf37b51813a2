"""Prometheus metrics of a process's relay and consumer, on a registry of its own (no global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# From tens of milliseconds (a relay poll) to the decree's 24 hours (000 Art. 8.5.c).
LAG_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600, 24 * 3600)


class ExchangeMetrics:
    """``lienthong_exchange_*``: propagation lag at consumption, events by outcome, relay publications."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.lag = Histogram(
            "lienthong_exchange_propagation_lag_seconds",
            "Time from an event's creation in the writer's transaction to its effect committed by a consumer.",
            ["consumer", "topic"], buckets=LAG_BUCKETS, registry=self.registry,
        )
        self.events = Counter(
            "lienthong_exchange_events_total",
            "Events a consumer handled, by outcome (applied, duplicate, ignored, rejected, retried).",
            ["consumer", "topic", "outcome"], registry=self.registry,
        )
        self.published = Counter(
            "lienthong_exchange_published_total", "Outbox events the relay published (acknowledged by JetStream).",
            ["subgraph", "topic"], registry=self.registry,
        )
        self.publish_failures = Counter(
            "lienthong_exchange_publish_failures_total", "Failed publication attempts of the relay.",
            ["subgraph"], registry=self.registry,
        )
        self.pending = Gauge(
            "lienthong_exchange_outbox_pending", "Unpublished outbox events at the relay's last look.",
            ["subgraph"], registry=self.registry,
        )
        self.connected = Gauge(
            "lienthong_exchange_nats_connected", "1 while the process holds a connection to NATS.",
            ["subgraph"], registry=self.registry,
        )
