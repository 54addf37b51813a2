"""The demo grants ``make run`` registers (if absent), so that the demo court and procuracy read CRIMINAL data
under a grant of the registry as a real one would (README: "A court requesting CRIMINAL data under a grant").

They cover the persons residing in Hà Nội (province 001), the province of both demo agencies, and are valid for
a year from when they are first registered. Never in production (``gateway.dev`` is the development launcher).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

DEMO_REGISTRAR = "registrar-1"
DEMO_GRANTS = (  # (id, agency, purpose, decision number, issued by)
    ("GR-DEM0TAND01", "tand-ha-noi", "criminal_proceedings", "15/2026/QĐ-CSĐT",
     "Thủ trưởng Cơ quan Cảnh sát điều tra Công an Thành phố Hà Nội"),
    ("GR-DEM0VKSND1", "vksnd-ha-noi", "enforcement_supervision", "45/2026/QĐ-VKS",
     "Viện trưởng Viện kiểm sát nhân dân Thành phố Hà Nội"),
)
DEMO_PROVINCE = "001"


def demo_legal_basis(agency: str) -> str | None:
    """The X-Legal-Basis the demo caller of ``agency`` sends: its grant's id, then the decision for people."""
    for grant_id, grant_agency, _purpose, number, _issuer in DEMO_GRANTS:
        if grant_agency == agency:
            return f"{grant_id} (Quyết định {number})"
    return None


async def ensure_demo_grants(env: Mapping[str, str]) -> list[str]:
    """Register the demo grants that are absent; returns the ids registered now."""
    from ..audit import AuditSettings, AuditStore
    from ..auth import AgencyCatalogue, Caller, Role
    from ..config import GatewaySettings
    from ..policy.bundle import load_bundle
    from ..store import GatewayStore
    from .model import GrantRequest, metadata
    from .registry import GrantRegistry

    settings = GatewaySettings.from_env(env)
    if settings.production:
        raise RuntimeError("demo grants are never registered in production")
    store = GatewayStore(settings.store_database_url)
    store.register(metadata)
    audit = AuditStore(AuditSettings.from_env(dict(settings.raw_env)))
    await store.start()
    await audit.start()
    created: list[str] = []
    try:
        agencies = AgencyCatalogue.load(settings.auth.agencies_file)
        purposes = {p["id"]: p for p in load_bundle(settings.raw_env.get("GATEWAY_POLICY_DIR") or None)
                    .catalogue("purposes") or []}
        registry = GrantRegistry(store, audit, agencies=agencies, purposes=purposes)
        appointment = agencies.grant_registrar(DEMO_REGISTRAR)
        if appointment is None:
            return created
        registrar = Caller(DEMO_REGISTRAR, appointment.agency, None, role=Role.GRANT_REGISTRAR, issuer="dev")
        until = (datetime.now(UTC) + timedelta(days=365)).date().isoformat()
        for grant_id, agency, purpose, number, issuer in DEMO_GRANTS:
            if await registry.get(grant_id) is not None:
                continue
            request = GrantRequest(decision_number=number, issued_by=issuer, decision_date="2026-01-05",
                                   agency=agency, purpose=purpose, scope="province", province=DEMO_PROVINCE,
                                   valid_until=until)
            await registry.create(request, registrar, grant_id=grant_id)
            created.append(grant_id)
    finally:
        await audit.close()
        await store.close()
    return created


def seed_demo_grants(env: Mapping[str, Any]) -> list[str]:
    """:func:`ensure_demo_grants` from synchronous code (``gateway.dev``)."""
    return asyncio.run(ensure_demo_grants({k: str(v) for k, v in env.items()}))
