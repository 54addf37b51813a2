"""``python -m gateway subjects list|show|resolve|lift``: the data-protection officer's desk from the command line.

The same registry the GraphQL API uses (:class:`gateway.subjects.RequestRegistry`), over the same gateway store
(``GATEWAY_STORE_DATABASE_URL``) and audit chain (``GATEWAY_AUDIT_DATABASE_URL``): every resolution and lifting
is audited exactly as ``resolveDataSubjectRequest`` / ``liftRestriction`` audit it, as the DPO account given
with ``--account``, which ``policies/data/agencies.json`` must list under ``data_protection_officers`` (004
Art. 38.2). An accepted restriction and a lifting are recorded at population (``POPULATION_URL``, default
``http://127.0.0.1:4001/graphql``) with the gateway's internal key, as the running gateway records them. Output
is JSON; the 72-hour clock is computed now (004 Art. 9.6.b, 9.8.b, 15.2, 16.5).

    python -m gateway subjects list --status open
    python -m gateway subjects show DSR-...
    python -m gateway subjects resolve DSR-... --account dpo-1 --outcome accept --note "004 Art. 9.6: granted"
    python -m gateway subjects lift DSR-... --account dpo-1 --note "the data subject asked"

Exit status: 0 done, 1 bad input (named), 2 a store, the audit trail or population unavailable (nothing changed).
"""

from __future__ import annotations

import argparse
from typing import Any

from ..auth.caller import Caller, Role

STATUSES = {"open": "PENDING", "pending": "PENDING", "accepted": "ACCEPTED", "rejected": "REJECTED"}
OUTCOMES = {"accept": "ACCEPT", "reject": "REJECT"}
DEFAULT_POPULATION_URL = "http://127.0.0.1:4001/graphql"


def register(sub: Any) -> None:
    """Add ``subjects`` and its subcommands to the CLI."""
    parser = sub.add_parser("subjects", help="data subjects' requests, for the DPO: list, show, resolve, lift "
                                             "(004 Art. 9, 38.2)")
    commands = parser.add_subparsers(dest="subjects_command", required=True, metavar="SUBCOMMAND")

    p = commands.add_parser("list", help="list requests, newest first")
    p.add_argument("--status", type=str.lower, choices=sorted(STATUSES), help="open (= pending), accepted, rejected")
    p.add_argument("--person", help="only this data subject's (personal id)")
    p.add_argument("--limit", type=int, default=50, help="at most this many (1-500, default 50)")
    p.set_defaults(handler=_list)

    p = commands.add_parser("show", help="show one request")
    p.add_argument("id")
    p.set_defaults(handler=_show)

    p = commands.add_parser("resolve", help="accept or reject a pending request, saying why")
    p.add_argument("id")
    p.add_argument("--account", required=True, help="the DPO's account (agencies.json data_protection_officers)")
    p.add_argument("--outcome", required=True, type=str.lower, choices=sorted(OUTCOMES))
    p.add_argument("--note", required=True, help="why (shown to the data subject)")
    p.set_defaults(handler=_resolve)

    p = commands.add_parser("lift", help="lift an accepted restriction of processing now (004 Art. 9.6)")
    p.add_argument("id")
    p.add_argument("--account", required=True, help="the DPO's account (agencies.json data_protection_officers)")
    p.add_argument("--note", required=True, help="why (the data subject asked, the ground ended)")
    p.set_defaults(handler=_lift)


def restrictor_for(env: dict[str, str], settings: Any) -> Any:
    """Population's restriction calls, as the running gateway makes them (its internal key, loaded on use)."""
    from ..keys import InternalTokenMinter, key_paths, load_or_create_internal_key
    from .restriction import PopulationRestrictor

    url = settings.subgraph_url("population", DEFAULT_POPULATION_URL)
    return PopulationRestrictor(url, lambda: InternalTokenMinter(load_or_create_internal_key(*key_paths(env))))


async def _open(writer: bool) -> tuple[Any, Any, Any, Any]:
    """The gateway store, the audit store (started when ``writer``), the request registry, the agencies."""
    from ..audit import AuditSettings, AuditStore
    from ..auth import AgencyCatalogue
    from ..config import GatewaySettings
    from ..store import GatewayStore
    from .requests import RequestRegistry
    from .tables import metadata

    settings = GatewaySettings.from_env()
    env = dict(settings.raw_env)
    store = GatewayStore(settings.store_database_url, production=settings.production)
    store.register(metadata)
    await store.start()
    audit = None
    if writer:
        audit = AuditStore(AuditSettings.from_env(env))
        try:
            await audit.start()
        except Exception:
            await store.close()
            raise
    registry = RequestRegistry(store, audit, restrictor_for(env, settings))  # type: ignore[arg-type]
    return store, audit, registry, AgencyCatalogue.load(settings.auth.agencies_file)


def _officer(agencies: Any, account: str) -> Caller:
    """The CLI's caller: an account the catalogue appoints DPO, else a named refusal."""
    from .requests import RequestError

    appointment = agencies.data_protection_officer(account)
    if appointment is None:
        raise RequestError("account", f"{account!r} is not a data-protection officer (policies/data/agencies.json "
                                      "data_protection_officers)")
    agency = agencies.get(appointment.agency) if appointment.agency else None
    return Caller(sub=account, agency_id=appointment.agency, agency_kind=agency.kind if agency else None,
                  role=Role.DPO, issuer="cli")


def _run(body: Any, writer: bool) -> int:
    from ..admin_cli import run_command
    from .requests import RequestError
    from .restriction import RestrictionUnavailable

    return run_command("subjects", lambda: _open(writer), body, [
        (RequestError, 1, lambda exc: f"{exc.field}: {exc.problem}"),
        (RestrictionUnavailable, 2, lambda exc: f"not changed, population did not record it: {exc}"),
    ])


def _list(args: argparse.Namespace) -> int:
    from subgraphs.common.identifiers import personal_id_problem

    from .requests import RequestError

    async def body(registry: Any, _agencies: Any) -> Any:
        if args.person is not None and (problem := personal_id_problem(args.person)):
            raise RequestError("person", problem)
        if not 1 <= args.limit <= 500:
            raise RequestError("limit", "1 to 500")
        now = registry.clock()
        found = await registry.list(personal_id=args.person, status=STATUSES.get(args.status or ""),
                                    limit=args.limit)
        return [r.as_dict(now) for r in found]

    return _run(body, writer=False)


def _show(args: argparse.Namespace) -> int:
    from .requests import RequestError

    async def body(registry: Any, _agencies: Any) -> Any:
        found = await registry.get(args.id)
        if found is None:
            raise RequestError("id", f"no request {args.id}")
        return found.as_dict(registry.clock())

    return _run(body, writer=False)


def _resolve(args: argparse.Namespace) -> int:
    async def body(registry: Any, agencies: Any) -> Any:
        caller = _officer(agencies, args.account)
        resolved = await registry.resolve(caller, args.id, OUTCOMES[args.outcome], args.note)
        return resolved.as_dict(registry.clock())

    return _run(body, writer=True)


def _lift(args: argparse.Namespace) -> int:
    async def body(registry: Any, agencies: Any) -> Any:
        caller = _officer(agencies, args.account)
        lifted = await registry.lift(caller, args.id, args.note)
        return lifted.as_dict(registry.clock())

    return _run(body, writer=True)
