"""The demo grants `make run` registers: idempotent, audited, and named by the demo tokens' X-Legal-Basis."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from gateway.dev import DEMO_TOKENS
from gateway.grants.demo import DEMO_GRANTS, ensure_demo_grants
from gateway.grants.model import Status, grant_reference


async def test_demo_grants_are_registered_once_and_named_by_the_demo_tokens(tmp_path: Path) -> None:
    env = {"LT_DATA_DIR": str(tmp_path), "GATEWAY_ENV": "development"}
    assert await ensure_demo_grants(env) == [g[0] for g in DEMO_GRANTS]
    assert await ensure_demo_grants(env) == []  # a second `make run`: nothing new
    named = {agency: grant_reference(basis) for agency, _account, _purpose, basis in DEMO_TOKENS if basis}
    assert named == {agency: grant_id for grant_id, agency, *_ in DEMO_GRANTS}

    from gateway.audit import AuditSettings, AuditStore, verify
    from gateway.grants.model import metadata
    from gateway.grants.registry import GrantRegistry
    from gateway.store import GatewayStore

    store = GatewayStore(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    store.register(metadata)
    await store.start()
    grant = await GrantRegistry(store, None, agencies={}, purposes={}).get("GR-DEM0TAND01")
    await store.close()
    assert grant is not None and grant.status(datetime.now(UTC)) is Status.VALID and grant.province == "001"
    audit = AuditStore(AuditSettings.from_env(env))
    await audit.start(writer=False)
    verdict = await verify(audit)
    await audit.close()
    assert verdict.ok and verdict.records == len(DEMO_GRANTS)
