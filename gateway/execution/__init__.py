"""Execution: run a query plan against the subgraphs and complete the client-shaped response."""

from .completion import complete
from .executor import Executor, Fetched, deep_merge
from .transport import FetchContext, HttpTransport, LocalTransport, SubgraphFailure, Transport

__all__ = [
    "Executor",
    "FetchContext",
    "Fetched",
    "HttpTransport",
    "LocalTransport",
    "SubgraphFailure",
    "Transport",
    "complete",
    "deep_merge",
]
