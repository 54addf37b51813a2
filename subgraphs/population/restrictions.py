"""Restrictions of processing (004 Art. 9.6): recorded here, with their time and the request they answer, and
their lifting.

A data subject files a restriction request at the gateway (``fileDataSubjectRequest``); when the
data-protection officer accepts it, the gateway calls ``POST /internal/restrictions`` here. This endpoint is not
part of the GraphQL API (it is not in the schema, hence not composed): it is a plain route behind the subgraph's
internal authentication, and it also demands the internal token's ``scope`` claim
:data:`RESTRICTION_SCOPE`, which the gateway sets only on its own restriction call, never on a client's
request. The person's ``processing_restricted`` flag (``Person.protectionFacts.restricted``, read by the
gateway's row rule ``processing_restricted``, policies/rows.rego) is set in the same transaction as the row
that says since when and why.

Body: ``{"personalId": "001085012345", "since": "<ISO 8601 UTC>", "requestReference": "DSR-..."}``.
Answer 200 ``{"personalId", "since", "requestReference", "restricted": true}`` (the first recorded time when
the same request is sent again: idempotent), 404 for an unknown person, 400 ``BAD_USER_INPUT`` with the field,
403 without the scope.

Lifting (``POST /internal/restrictions/lift``, same token): body ``{"personalId", "liftedAt", "requestReference"}``
names the restriction by the request it answered. The row is never deleted: ``lifted_at`` (and when it was
recorded) is set on it, so the person's history keeps every restriction with its set and lifted times. The
person's ``processing_restricted`` flag is then the truth of "some restriction of theirs is not lifted"
(another accepted restriction still stands). Answer 200 ``{"personalId", "since", "liftedAt",
"requestReference", "restricted"}`` (``restricted``: whether the person is still restricted; the first lifted
time when sent again), 404 when no restriction answers that request for that person.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Column, Index, Integer, MetaData, String, Table, select, update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from subgraphs.common.db import Database
from subgraphs.common.identifiers import personal_id_problem

RESTRICTION_PATH = "/internal/restrictions"
LIFT_PATH = "/internal/restrictions/lift"
RESTRICTION_SCOPE = "restrictions:write"
MAX_REFERENCE = 64


def restriction_table(metadata: MetaData) -> Table:
    """``processing_restriction`` on ``metadata`` (population's ``Base.metadata``, :mod:`.models`): one row per
    restriction of processing a data subject obtained (004 Art. 9.6), with its time and request."""
    return Table(
        "processing_restriction",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("personal_id", String(12), nullable=False),
        # since when processing is restricted (ISO 8601 UTC: the acceptance time, 004 Art. 9.6.b's clock)
        Column("since", String(32), nullable=False),
        # the data subject's request at the gateway (DSR-...): a repeated call records nothing new
        Column("request_reference", String(MAX_REFERENCE), nullable=False, unique=True),
        Column("recorded_at", String(32), nullable=False),
        # when the restriction was lifted (ISO 8601 UTC), and when that was recorded; null while it stands
        Column("lifted_at", String(32)),
        Column("lift_recorded_at", String(32)),
        Index("ix_processing_restriction_person", "personal_id"),
    )


def _error(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    extensions: dict[str, Any] = {"code": code}
    if field is not None:
        extensions["argumentName"] = field
    return JSONResponse({"errors": [{"message": message, "extensions": extensions}]}, status_code=status)


def _utc(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def record_restriction(db: Database, personal_id: str, since: str, reference: str) -> dict[str, Any] | None:
    """Record the restriction and flag the person, in one transaction; None when the person is unknown. A
    reference already recorded returns what was recorded then."""
    from .models import PERSON, RESTRICTION  # models builds RESTRICTION with restriction_table()

    async with db.engine.begin() as conn:
        known = (await conn.execute(select(PERSON.c.personal_id).where(PERSON.c.personal_id == personal_id))).first()
        if known is None:
            return None
        earlier = (await conn.execute(
            select(RESTRICTION.c.personal_id, RESTRICTION.c.since).where(RESTRICTION.c.request_reference == reference)
        )).first()
        if earlier is not None:
            if earlier.personal_id != personal_id:
                raise ValueError(f"request {reference} restricted another person")
            return {"personalId": personal_id, "since": earlier.since, "requestReference": reference,
                    "restricted": True}
        now = datetime.now(UTC)
        await conn.execute(RESTRICTION.insert().values(
            personal_id=personal_id, since=since, request_reference=reference,
            recorded_at=now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        ))
        await conn.execute(update(PERSON).where(PERSON.c.personal_id == personal_id)
                           .values(processing_restricted=True, updated_at=now))
    return {"personalId": personal_id, "since": since, "requestReference": reference, "restricted": True}


async def lift_restriction(db: Database, personal_id: str, lifted_at: str, reference: str) -> dict[str, Any] | None:
    """Mark the restriction answering ``reference`` lifted and recompute the person's flag, in one transaction;
    None when no restriction of ``personal_id`` answers ``reference``. A lift already recorded returns it."""
    from .models import PERSON, RESTRICTION

    async with db.engine.begin() as conn:
        row = (await conn.execute(
            select(RESTRICTION.c.since, RESTRICTION.c.lifted_at)
            .where(RESTRICTION.c.request_reference == reference, RESTRICTION.c.personal_id == personal_id)
        )).first()
        if row is None:
            return None
        if row.lifted_at is None:
            if lifted_at < row.since:  # both fixed-width UTC text: they compare as times
                raise ValueError(f"liftedAt {lifted_at} is before the restriction's since {row.since}")
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            await conn.execute(update(RESTRICTION).where(RESTRICTION.c.request_reference == reference,
                                                         RESTRICTION.c.lifted_at.is_(None))
                               .values(lifted_at=lifted_at, lift_recorded_at=now))
            standing = (await conn.execute(
                select(RESTRICTION.c.id).where(RESTRICTION.c.personal_id == personal_id,
                                               RESTRICTION.c.lifted_at.is_(None)).limit(1)
            )).first()
            # the flag says "some restriction stands": another accepted one keeps the person restricted
            await conn.execute(update(PERSON).where(PERSON.c.personal_id == personal_id)
                               .values(processing_restricted=standing is not None, updated_at=datetime.now(UTC)))
        else:
            lifted_at = row.lifted_at
        restricted = (await conn.execute(select(PERSON.c.processing_restricted)
                                         .where(PERSON.c.personal_id == personal_id))).scalar_one()
    return {"personalId": personal_id, "since": row.since, "liftedAt": lifted_at, "requestReference": reference,
            "restricted": bool(restricted)}


async def _claimed_body(request: Request) -> dict[str, Any] | JSONResponse:
    """The JSON object of a request carrying the restriction scope, or the error answer."""
    claims = request.scope.get("state", {}).get("caller") or {}
    if claims.get("scope") != RESTRICTION_SCOPE:
        return _error(403, "FORBIDDEN", "only the gateway's restriction call may record or lift a restriction")
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return _error(400, "BAD_USER_INPUT", "the body must be a JSON object")
    if not isinstance(body, dict):
        return _error(400, "BAD_USER_INPUT", "the body must be a JSON object")
    personal_id = body.get("personalId")
    if not isinstance(personal_id, str) or (problem := personal_id_problem(personal_id)):
        return _error(400, "BAD_USER_INPUT", f"personalId: {problem if isinstance(personal_id, str) else 'required'}",
                      "personalId")
    reference = body.get("requestReference")
    if not isinstance(reference, str) or not 1 <= len(reference) <= MAX_REFERENCE or not reference.isprintable():
        return _error(400, "BAD_USER_INPUT", f"requestReference: 1 to {MAX_REFERENCE} printable characters",
                      "requestReference")
    return body


def lift_endpoint(db: Database) -> Route:
    """The ``POST /internal/restrictions/lift`` route over ``db`` (see the module docstring)."""

    async def post(request: Request) -> Response:
        body = await _claimed_body(request)
        if isinstance(body, JSONResponse):
            return body
        lifted_at = _utc(body.get("liftedAt"))
        if lifted_at is None:
            return _error(400, "BAD_USER_INPUT", "liftedAt: an ISO 8601 date-time with its offset", "liftedAt")
        try:
            lifted = await lift_restriction(db, body["personalId"], lifted_at, body["requestReference"])
        except ValueError as exc:
            return _error(400, "BAD_USER_INPUT", str(exc), "liftedAt")
        if lifted is None:
            return _error(404, "NOT_FOUND", f"no restriction of {body['personalId']} answers request "
                                            f"{body['requestReference']}", "requestReference")
        return JSONResponse(lifted)

    return Route(LIFT_PATH, post, methods=["POST"])


def restriction_endpoint(db: Database) -> Route:
    """The ``POST /internal/restrictions`` route over ``db`` (see the module docstring)."""

    async def post(request: Request) -> Response:
        body = await _claimed_body(request)
        if isinstance(body, JSONResponse):
            return body
        personal_id, reference = body["personalId"], body["requestReference"]
        since = _utc(body.get("since"))
        if since is None:
            return _error(400, "BAD_USER_INPUT", "since: an ISO 8601 date-time with its offset", "since")
        try:
            recorded = await record_restriction(db, personal_id, since, reference)
        except ValueError as exc:
            return _error(409, "CONFLICT", str(exc), "requestReference")
        if recorded is None:
            return _error(404, "NOT_FOUND", f"no person {personal_id}", "personalId")
        return JSONResponse(recorded)

    return Route(RESTRICTION_PATH, post, methods=["POST"])


def install(app: Starlette, db: Database) -> None:
    """Add the restriction routes to the population app (behind its internal authentication middleware)."""
    app.router.routes.append(restriction_endpoint(db))
    app.router.routes.append(lift_endpoint(db))
