"""``python -m gateway grants create|list|show|revoke``: the grants registry from the command line.

The CLI writes the same gateway store (``GATEWAY_STORE_DATABASE_URL``) and audit chain
(``GATEWAY_AUDIT_DATABASE_URL``) as the running gateway, as the registrar account given with ``--account``,
which ``policies/data/agencies.json`` must list under ``grant_registrars`` (000 Art. 13.3, 13.7). Output is JSON.
A running gateway sees a change made here within ``GATEWAY_GRANT_CACHE_SECONDS``.

    python -m gateway grants create --account registrar-1 --decision-number 15/2026/QĐ-CA \\
        --issued-by "Thủ trưởng Cơ quan CSĐT" --decision-date 2026-03-01 --agency tand-ha-noi \\
        --purpose criminal_proceedings --scope case --case-reference 12/2026/HSST \\
        --subject 001099000001 --valid-until 2026-12-31
    python -m gateway grants revoke GR-... --account registrar-1 --reason "case closed"
"""

from __future__ import annotations

import argparse
from typing import Any

from ..auth.caller import Caller, Role


def register(sub: Any) -> None:
    """Add ``grants`` and its subcommands to the CLI."""
    parser = sub.add_parser("grants", help="the grants registry: create, list, show, revoke (000 Art. 13.3)")
    commands = parser.add_subparsers(dest="grants_command", required=True, metavar="SUBCOMMAND")

    p = commands.add_parser("create", help="register a competent authority's decision as a grant")
    p.add_argument("--account", required=True, help="the registrar's account (agencies.json grant_registrars)")
    p.add_argument("--decision-number", required=True)
    p.add_argument("--issued-by", required=True, help="the authority that issued the decision")
    p.add_argument("--decision-date", required=True, help="YYYY-MM-DD")
    p.add_argument("--agency", required=True, help="the agency the grant is issued to")
    p.add_argument("--purpose", required=True)
    p.add_argument("--scope", required=True, choices=["subjects", "case", "province"])
    p.add_argument("--subject", action="append", default=[], help="a personal id covered (repeat)")
    p.add_argument("--case-reference", help="the case whose persons are covered (scope case)")
    p.add_argument("--province", help="3-digit province code (scope province)")
    p.add_argument("--valid-from", help="date or date-time (default now)")
    p.add_argument("--valid-until", required=True, help="date (valid through its end) or date-time")
    p.add_argument("--confidential", action="store_true", help="covert reads until --disclosure-date")
    p.add_argument("--disclosure-date", help="when covert reads are shown to the data subjects")
    p.add_argument("--id", help=argparse.SUPPRESS)  # fixed ids for the demo data (gateway.dev)
    p.set_defaults(handler=_create)

    p = commands.add_parser("list", help="list grants, newest first")
    p.add_argument("--agency")
    p.add_argument("--active", action="store_true", help="leave out revoked grants")
    p.set_defaults(handler=_list)

    p = commands.add_parser("show", help="show one grant")
    p.add_argument("id")
    p.set_defaults(handler=_show)

    p = commands.add_parser("revoke", help="revoke a grant now")
    p.add_argument("id")
    p.add_argument("--account", required=True)
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=_revoke)


async def _open(writer: bool) -> tuple[Any, Any, Any]:
    """The gateway store, the audit store (started as a writer when ``writer``) and the registry."""
    from ..audit import AuditSettings, AuditStore
    from ..auth import AgencyCatalogue
    from ..config import GatewaySettings
    from ..policy.bundle import load_bundle
    from ..store import GatewayStore
    from .model import metadata
    from .registry import GrantRegistry

    settings = GatewaySettings.from_env()
    env = dict(settings.raw_env)
    store = GatewayStore(settings.store_database_url, production=settings.production)
    store.register(metadata)
    await store.start()
    audit = None
    if writer:
        audit = AuditStore(AuditSettings.from_env(env))
        await audit.start()
    purposes = {p["id"]: p for p in load_bundle(env.get("GATEWAY_POLICY_DIR") or None).catalogue("purposes") or []}
    registry = GrantRegistry(store, audit, agencies=AgencyCatalogue.load(settings.auth.agencies_file),
                             purposes=purposes)
    return store, audit, registry


def _registrar(registry: Any, account: str) -> Caller:
    from .model import GrantInputError

    appointment = registry.agencies.grant_registrar(account)
    if appointment is None:
        raise GrantInputError("account", f"{account!r} is not a grant registrar (policies/data/agencies.json "
                                         "grant_registrars)")
    agency = registry.agencies.get(appointment.agency)
    return Caller(sub=account, agency_id=appointment.agency, agency_kind=agency.kind if agency else None,
                  role=Role.GRANT_REGISTRAR, issuer="cli")


def _run(body: Any, writer: bool) -> int:
    from ..admin_cli import run_command
    from .model import GrantInputError
    from .registry import GrantNotFound

    return run_command("grants", lambda: _open(writer), body, [
        (GrantInputError, 1, lambda exc: f"{exc.field}: {exc.problem}"),
        (GrantNotFound, 1, lambda exc: f"no grant {exc}"),
    ])


def _create(args: argparse.Namespace) -> int:
    from .model import GrantRequest

    async def body(registry: Any) -> Any:
        request = GrantRequest(
            decision_number=args.decision_number, issued_by=args.issued_by, decision_date=args.decision_date,
            agency=args.agency, purpose=args.purpose, scope=args.scope, valid_until=args.valid_until,
            subjects=tuple(args.subject), case_reference=args.case_reference, province=args.province,
            valid_from=args.valid_from, confidential=args.confidential, disclosure_date=args.disclosure_date,
        )
        grant = await registry.create(request, _registrar(registry, args.account), grant_id=args.id)
        return grant.as_dict()

    return _run(body, writer=True)


def _list(args: argparse.Namespace) -> int:
    async def body(registry: Any) -> Any:
        now = registry.clock()
        return [{**g.as_dict(), "status": str(g.status(now))}
                for g in await registry.list(agency=args.agency, include_revoked=not args.active)]

    return _run(body, writer=False)


def _show(args: argparse.Namespace) -> int:
    from .registry import GrantNotFound

    async def body(registry: Any) -> Any:
        grant = await registry.get(args.id.upper())
        if grant is None:
            raise GrantNotFound(args.id)
        return {**grant.as_dict(), "status": str(grant.status(registry.clock()))}

    return _run(body, writer=False)


def _revoke(args: argparse.Namespace) -> int:
    async def body(registry: Any) -> Any:
        grant = await registry.revoke(args.id.upper(), args.reason, _registrar(registry, args.account))
        return grant.as_dict()

    return _run(body, writer=True)
