"""Trivial hook implementations for tests and the allow-all engine (``GATEWAY_ENV=test`` only).

Never wired in development or production: ``build_hooks`` refuses them there (fail closed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import GatewayError
from ..pipeline import AuditRecord, DeclaredPurpose, PolicyOutcome
from ..supergraph.documents import ParsedOperation


@dataclass(frozen=True, slots=True)
class TestCaller:
    sub: str
    agency_id: str
    agency_kind: str = "court"
    province: str | None = None
    role: str | None = None


class HeaderAuthenticator:
    """``Authorization: Bearer test:<sub>:<agency>`` (no signature: tests only); anything else → 401."""

    def authenticate(self, headers: Mapping[str, str]) -> TestCaller:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        parts = token.split(":")
        if scheme.lower() != "bearer" or len(parts) != 3 or parts[0] != "test":
            raise GatewayError("UNAUTHENTICATED", "A valid bearer token is required.", 401)
        return TestCaller(sub=parts[1], agency_id=parts[2])

    def read_purpose(self, headers: Mapping[str, str]) -> DeclaredPurpose:
        return DeclaredPurpose(headers.get("x-purpose"), headers.get("x-legal-basis"))


class AllowAllPolicy:
    """Every field to everyone; the result passes unchanged."""

    version = "allow-all"

    def collect(self, operation: ParsedOperation, variables: dict[str, Any]) -> dict[str, str]:
        return {}

    def decide(self, caller: Any, purpose: DeclaredPurpose, coordinates: dict[str, str],
               operation: ParsedOperation) -> str:
        return "allow-all"

    def prepare(self, operation: ParsedOperation, decision: Any) -> ParsedOperation:
        return operation

    def apply(self, result: dict[str, Any], operation: ParsedOperation, decision: Any, caller: Any,
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
