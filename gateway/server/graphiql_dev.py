"""The GraphiQL caller picker of development: demo callers, purposes, and ``POST /graphiql/dev-token``.

Only when ``GATEWAY_ENV=development``: the page lists the demo callers (those ``make run`` prints tokens for, a
data subject, then every other agency of the catalogue) and the purposes of ``policies/data/purposes.json``; the
endpoint mints a fresh, short-lived dev token for the picked caller with the local development key. In any other
environment the route is not mounted and :func:`mint_headers` refuses, so production can never mint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from ..auth import AgencyCatalogue, Role, mint_dev_token
from ..config import GatewaySettings
from ..dev import DEMO_TOKENS
from ..policy.bundle import DEFAULT_POLICY_DIR

TOKEN_PATH = "/graphiql/dev-token"
TOKEN_TTL = "1h"  # a picked caller is for a browsing session; make run's banner tokens last 8 h
DATA_SUBJECT = "data-subject"
MAX_BODY = 4096
# The demo personalId offered for the data subject; any 12-digit id can be typed in its place.
DATA_SUBJECT_PLACEHOLDER = "001090000001"


@dataclass(frozen=True, slots=True)
class DevCaller:
    """One entry of the picker: who the token is for, and the purpose and legal basis it suggests."""

    id: str
    label: str
    agency: str | None
    kind: str | None
    account: str
    purpose: str | None
    legal_basis: str | None
    role: Role = Role.AGENCY

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "agency": self.agency, "kind": self.kind,
                "account": self.account, "purpose": self.purpose, "legalBasis": self.legal_basis,
                "dataSubject": self.role is Role.DATA_SUBJECT}


def _purposes_file(settings: GatewaySettings) -> Path:
    directory = settings.raw_env.get("GATEWAY_POLICY_DIR")
    return (Path(directory) if directory else DEFAULT_POLICY_DIR) / "data" / "purposes.json"


def load_purposes(settings: GatewaySettings) -> list[dict[str, Any]]:
    """The purpose catalogue as the picker shows it: id, Vietnamese name, who may declare it, legal basis."""
    entries = json.loads(_purposes_file(settings).read_text(encoding="utf-8")).get("purposes", [])
    return [{"id": str(p["id"]), "name": str(p.get("name_vi") or p["id"]),
             "agencyKinds": list(p.get("agency_kinds") or []),
             "requiresLegalBasis": bool(p.get("requires_legal_basis"))} for p in entries]


def load_callers(settings: GatewaySettings) -> list[DevCaller]:
    """The demo callers of ``make run`` first, a data subject, then one caller per other catalogue agency."""
    agencies = AgencyCatalogue.load(settings.auth.agencies_file)
    callers: list[DevCaller] = []
    for agency_id, account, purpose, legal_basis in DEMO_TOKENS:
        agency = agencies.get(agency_id)
        if agency is not None:
            callers.append(DevCaller(agency_id, f"{agency.name} ({agency.kind})", agency_id, agency.kind,
                                     account, purpose, legal_basis))
    callers.append(DevCaller(DATA_SUBJECT, "A data subject (a person asking who read their data)", None, None,
                             DATA_SUBJECT_PLACEHOLDER, None, None, Role.DATA_SUBJECT))
    shown = {c.agency for c in callers}
    callers += [DevCaller(a.id, f"{a.name} ({a.kind})", a.id, a.kind, f"dev-{a.id}", None, None)
                for a in agencies.values() if a.id not in shown]
    return callers


def page_config(settings: GatewaySettings) -> dict[str, Any]:
    """What the page's picker needs (development only; other environments get no callers and no minting)."""
    if not settings.development:
        return {"devTokens": False}
    return {"devTokens": True, "tokenUrl": TOKEN_PATH,
            "callers": [c.as_json() for c in load_callers(settings)], "purposes": load_purposes(settings)}


class DevTokenRefused(Exception):
    """The request cannot be served: ``status`` and a message safe to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _text(body: dict[str, Any], name: str, limit: int) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit or not value.isprintable():
        raise DevTokenRefused(400, f"`{name}` must be a printable string of at most {limit} characters")
    return value


def mint_headers(settings: GatewaySettings, body: dict[str, Any]) -> dict[str, str]:
    """The ``Authorization``, ``X-Purpose`` and ``X-Legal-Basis`` headers for the picked caller and purpose."""
    if not settings.development:  # never mint outside development, even if the route were mounted
        raise DevTokenRefused(404, "not found")
    callers = {c.id: c for c in load_callers(settings)}
    caller = callers.get(str(body.get("caller")))
    if caller is None:
        raise DevTokenRefused(400, "`caller` is not one of the page's demo callers")
    purpose = _text(body, "purpose", 64)
    if purpose is not None and purpose not in {p["id"] for p in load_purposes(settings)}:
        raise DevTokenRefused(400, "`purpose` is not in the purpose catalogue")
    legal_basis = _text(body, "legalBasis", 200)
    account = caller.account
    if caller.role is Role.DATA_SUBJECT:
        from subgraphs.common.identifiers import personal_id_problem

        account = _text(body, "personalId", 12) or caller.account
        problem = personal_id_problem(account)
        if problem:
            raise DevTokenRefused(400, f"`personalId`: {problem}")
    token = mint_dev_token(caller.agency, account, ttl=TOKEN_TTL, role=caller.role, settings=settings.auth)
    return {"Authorization": f"Bearer {token}", "X-Purpose": purpose or "", "X-Legal-Basis": legal_basis or ""}


async def dev_token(request: Request, settings: GatewaySettings) -> Response:
    """``POST /graphiql/dev-token`` with ``{"caller", "purpose", "legalBasis", "personalId"}`` (JSON)."""
    try:
        if not settings.development:
            raise DevTokenRefused(404, "not found")
        # A JSON content type makes a cross-site form post impossible without a CORS preflight, which is refused.
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise DevTokenRefused(415, "send application/json")
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise DevTokenRefused(413, "body too large")
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise DevTokenRefused(400, "the body is not valid JSON") from exc
        if not isinstance(body, dict):
            raise DevTokenRefused(400, "the body must be a JSON object")
        headers = mint_headers(settings, body)
    except DevTokenRefused as exc:
        return Response(orjson.dumps({"error": exc.message}), exc.status, media_type="application/json")
    return Response(orjson.dumps({"headers": headers, "expiresIn": TOKEN_TTL}), media_type="application/json",
                    headers={"cache-control": "no-store"})
