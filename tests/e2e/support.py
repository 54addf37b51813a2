"""The running end-to-end stack as tests see it: HTTP calls with real JWTs and headers, tokens, the databases."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.conformance.stack import ROOT, Stack

PEOPLE = 1500
SEED = 11
LEGAL_BASIS = "Quyết định khởi tố vụ án 12/2025/QĐ-VKS"
E2E_GATEWAY_SETTINGS = {
    "GATEWAY_ENV": "development", "GATEWAY_POLICY_ENGINE": "embedded",
    # test_path_invariance asks every path to a row in one operation, one root alias per path (up to ~1500
    # fields); the pre-validation operation limits (tests/test_edges_limits.py) are lifted so it can.
    "GATEWAY_MAX_ALIASES": "100000", "GATEWAY_MAX_ROOT_FIELDS": "100000", "GATEWAY_MAX_TOKENS": "1000000",
    # ... and that one operation reaches every coordinate of the schema (~640): one policy evaluation of all of
    # them takes ~2 s on a busy 2-core machine, the default GATEWAY_POLICY_TIMEOUT
    "GATEWAY_POLICY_TIMEOUT": "15",
}

Headers = Sequence[tuple[str, str]]


def e2e_grant_pairs() -> list[tuple[str, str]]:
    """(agency, purpose) of every catalogue agency whose kind needs a grant for CRIMINAL data
    (policies/data/agency_kinds.json) and purpose of that kind releasing CRIMINAL data."""
    import json

    policies = ROOT / "policies" / "data"
    agencies = json.loads((policies / "agencies.json").read_text())["agencies"]
    kinds = json.loads((policies / "agency_kinds.json").read_text())["agency_kinds"]
    purposes = json.loads((policies / "purposes.json").read_text())["purposes"]
    return [(a["id"], p["id"]) for a in agencies
            if kinds.get(a["kind"], {}).get("criminal_data_grant", "required") != "free_text"
            for p in purposes if a["kind"] in p["agency_kinds"] and "CRIMINAL" in p.get("categories", [])]


def e2e_grant_id(agency: str, purpose: str) -> str:
    """The fixed registry id of the e2e stack's grant for (agency, purpose)."""
    return f"GR-E2E{e2e_grant_pairs().index((agency, purpose)):07d}"


def register_e2e_grants(env: dict[str, str], data_db: Path) -> None:
    """Register, before the gateway starts, one grant per :func:`e2e_grant_pairs` covering every seeded person:
    the tests' courts, procuracies and crime prevention bodies read CRIMINAL data under a grant of the registry
    (000 Art. 13.3, policies/grants.rego), as a deployment's would; :meth:`E2EStack.headers` names it."""
    import asyncio

    from gateway.audit import AuditSettings, AuditStore
    from gateway.auth import AgencyCatalogue, AuthSettings, Caller, Role
    from gateway.config import GatewaySettings
    from gateway.grants.model import GrantRequest, metadata
    from gateway.grants.registry import GrantRegistry
    from gateway.policy.bundle import load_bundle
    from gateway.store import GatewayStore

    with sqlite3.connect(data_db) as db:
        everyone = tuple(row[0] for row in db.execute("SELECT personal_id FROM person ORDER BY personal_id"))

    async def register() -> None:
        settings = GatewaySettings.from_env(env)
        store = GatewayStore(settings.store_database_url)
        store.register(metadata)
        audit = AuditStore(AuditSettings.from_env(env))
        await store.start()
        await audit.start()
        try:
            purposes = {p["id"]: p for p in load_bundle(None).catalogue("purposes")}
            registry = GrantRegistry(store, audit, agencies=AgencyCatalogue.load(AuthSettings().agencies_file),
                                     purposes=purposes)
            registrar = Caller("registrar-1", "c10-bca", "criminal_enforcement", role=Role.GRANT_REGISTRAR,
                               issuer="e2e")
            for agency, purpose in e2e_grant_pairs():
                await registry.create(GrantRequest(
                    decision_number=f"E2E/{agency}/{purpose}", issued_by="e2e", decision_date="2026-01-01",
                    agency=agency, purpose=purpose, scope="subjects", subjects=everyone, valid_until="2099-12-31",
                ), registrar, grant_id=e2e_grant_id(agency, purpose))
        finally:
            await audit.close()
            await store.close()

    asyncio.run(register())


def _token_agency(token: str) -> str | None:
    """The ``agency`` claim of a token (read, not verified: only to pick the e2e grant to name)."""
    import base64
    import json

    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get("agency")
    except (IndexError, ValueError):
        return None


def grant_basis(token: str | None, purpose: str | None, legal_basis: str | None) -> str | None:
    """``LEGAL_BASIS`` as the tests send it: prefixed with the id of the e2e grant of the token's agency for
    ``purpose`` when there is one (any other legal basis is sent as given)."""
    if legal_basis != LEGAL_BASIS or token is None or purpose is None:
        return legal_basis
    pair = (_token_agency(token), purpose)
    return f"{e2e_grant_id(*pair)} {LEGAL_BASIS}" if pair in e2e_grant_pairs() else legal_basis


@dataclass
class Reply:
    """One HTTP answer of the gateway: status and decoded JSON body."""

    status: int
    body: dict[str, Any]

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    @property
    def codes(self) -> list[str]:
        return [str((e.get("extensions") or {}).get("code")) for e in self.errors]

    @property
    def policy(self) -> dict[str, Any]:
        return dict((self.body.get("extensions") or {}).get("policy") or {})


@dataclass
class E2EStack:
    """The subgraphs and the gateway of one session, and what tests need to call them."""

    stack: Stack
    url: str
    settings: dict[str, str]
    audit_db: Path
    data_db: Path
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0))

    @property
    def env(self) -> dict[str, str]:
        """The environment of the gateway process (same keys, audit store and catalogues)."""
        return {**self.stack.env, **self.settings}

    @property
    def base(self) -> str:
        return self.url.removesuffix("/graphql")

    def close(self) -> None:
        self.client.close()

    # ---------------------------------------------------------------------------------------------- tokens
    def token(self, agency: str | None, sub: str = "officer-e2e", role: str = "agency", **kwargs: Any) -> str:
        """A development JWT signed with the stack's dev key (``gateway.auth.mint_dev_token``)."""
        from gateway.auth import AuthSettings
        from gateway.auth.dev import mint_dev_token

        return mint_dev_token(agency, sub, role=role, settings=AuthSettings.from_env(self.env), **kwargs)

    def cli(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """``python -m gateway ARGS`` with the gateway's environment."""
        return subprocess.run([sys.executable, "-m", "gateway", *args], cwd=ROOT, env=env or self.env,
                              capture_output=True, text=True, timeout=60, check=False)

    # ---------------------------------------------------------------------------------------------- HTTP
    def post(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None,
             purpose: str | None = None, legal_basis: str | None = None, headers: Headers = (),
             url: str | None = None, operation_name: str | None = None) -> Reply:
        """POST one operation with ``Authorization``, ``X-Purpose`` and ``X-Legal-Basis`` as given."""
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        if operation_name is not None:
            body["operationName"] = operation_name
        return self.send("POST", body, self.headers(token, purpose, legal_basis, headers), url=url)

    @staticmethod
    def headers(token: str | None, purpose: str | None, legal_basis: str | None,
                extra: Headers = ()) -> list[tuple[str, str]]:
        pairs = [("content-type", "application/json")]
        if token is not None:
            pairs.append(("authorization", f"Bearer {token}"))
        if purpose is not None:
            pairs.append(("x-purpose", purpose))
        legal_basis = grant_basis(token, purpose, legal_basis)
        if legal_basis is not None:
            pairs.append(("x-legal-basis", legal_basis))
        return pairs + list(extra)

    def send(self, method: str, payload: Any, headers: Headers, *, url: str | None = None,
             params: dict[str, str] | None = None) -> Reply:
        """A raw request (``payload`` is JSON for POST, ignored for GET)."""
        target = url or self.url
        headers = [(name, value.encode()) for name, value in headers]  # X-Legal-Basis may be UTF-8 (Vietnamese)
        if method == "GET":
            response = self.client.get(target, params=params, headers=list(headers))
        else:
            response = self.client.post(target, json=payload, headers=list(headers))
        try:
            body = response.json()
        except ValueError:
            body = {"raw": response.text}
        return Reply(response.status_code, body if isinstance(body, dict) else {"raw": body})

    def metrics(self, url: str | None = None) -> dict[str, float]:
        """``/metrics`` samples as ``{'name{label="v",...}': value}``."""
        text = self.client.get((url or self.url).removesuffix("/graphql") + "/metrics").text
        samples: dict[str, float] = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                samples[name] = float(value)
        return samples

    # ---------------------------------------------------------------------------------------------- databases
    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Read the seeded data database (read-only)."""
        return _read(self.data_db, sql, params)

    def audit_rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Read the audit store (read-only)."""
        return _read(self.audit_db, sql, params)

    def audit_count(self) -> int:
        return int(self.audit_rows("SELECT count(*) FROM audit_log WHERE kind = 'access'")[0][0])


def _read(path: Path, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return list(conn.execute(sql, tuple(params)).fetchall())
