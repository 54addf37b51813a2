"""Trivial hook implementations for tests and the allow-all engine (``GATEWAY_ENV=test`` only).

Never wired in development or production: ``build_hooks`` refuses them there (fail closed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..auth.caller import Caller
from ..errors import GatewayError
from ..pipeline import AuditRecord, DeclaredPurpose, ExecutionOperation, PolicyOutcome
from ..supergraph.documents import ParsedOperation


@dataclass(frozen=True, slots=True)
class NothingCollected:
    """The allow-all policy looks at no field."""

    coordinates: Mapping[str, str] = field(default_factory=dict)


class HeaderAuthenticator:
    """``Authorization: Bearer test:<sub>:<agency>`` (no signature: tests only); anything else → 401."""

    def authenticate(self, headers: Mapping[str, str]) -> Caller:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        parts = token.split(":")
        if scheme.lower() != "bearer" or len(parts) != 3 or parts[0] != "test":
            raise GatewayError("UNAUTHENTICATED", "A valid bearer token is required.", 401)
        return Caller(sub=parts[1], agency_id=parts[2], agency_kind="court", issuer="test")

    def read_purpose(self, headers: Mapping[str, str]) -> DeclaredPurpose:
        return DeclaredPurpose(headers.get("x-purpose"), headers.get("x-legal-basis"))


class AllowAllPolicy:
    """Every field to everyone; the result passes unchanged."""

    version = "allow-all"

    def collect(self, operation: ParsedOperation, variables: dict[str, Any]) -> NothingCollected:
        return NothingCollected()

    def decide(self, caller: Any, purpose: DeclaredPurpose, collected: Any, operation: ParsedOperation) -> str:
        return "allow-all"

    def prepare(self, operation: ParsedOperation, decision: Any) -> ExecutionOperation:
        return ExecutionOperation(operation, None)

    def apply(self, result: dict[str, Any], operation: ExecutionOperation, decision: Any, caller: Any,
              purpose: DeclaredPurpose, variables: dict[str, Any]) -> PolicyOutcome:
        extension = {"decisionId": "allow-all", "version": self.version, "purpose": purpose.purpose, "masked": []}
        return PolicyOutcome(result.get("data"), list(result.get("errors") or ()), extension)


class NullAudit:
    """Keeps the records in memory (tests read ``records``); ``fail=True`` simulates an unreachable store."""

    def __init__(self, fail: bool = False) -> None:
        self.records: list[AuditRecord] = []
        self.fail = fail

    async def record(self, record: AuditRecord) -> None:
        if self.fail:
            raise ConnectionError("audit store unreachable")
        self.records.append(record)
