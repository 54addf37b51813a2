"""What the sentences subgraph takes part in the exchange with (subgraphs.common.exchange): it publishes its
outbox (``sentences.enforcement_recorded``, written by ``Mutation.recordEnforcementEvent`` in the transaction of
the change, 000 Art. 8.5.c–d) and consumes nothing."""

from __future__ import annotations

from subgraphs.common.exchange import ExchangeSpec

from .models import OUTBOX


def exchange_spec() -> ExchangeSpec:
    """The relay publishes the outbox; no handlers (no inbox)."""
    return ExchangeSpec(outbox=OUTBOX)
