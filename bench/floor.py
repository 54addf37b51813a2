"""``python -m bench.floor``: the floor of each subgraph fetch, the plainest code that gives the same answer.

For every query of the mix and every subgraph it touches, ``POST /floor/<query>/<subgraph>`` takes the client's
request body (its ``variables``), sends the SQL statements that subgraph sends for that query (the same
SQLAlchemy Core statements as its loaders, one per loader, on the same driver), turns the rows into the JSON the
subgraph answers (``{"data": …}``, the selection Apollo Gateway sends it: the client's fields, no reserved
aliases) with orjson, and returns it. No GraphQL: no parsing, validation, resolvers or type objects. What the
subgraph's CPU per request exceeds this by is the cost of GraphQL execution in strawberry
(``bench/RESULTS.md``, per-subgraph section). ``POST /floor/<query>/all`` answers the whole query the client
asked, the three subgraphs' statements in one process: the floor of the growth plots (``bench.growth``).

Served by uvicorn like a subgraph (raw ASGI: no framework), without internal auth; tests compare its answers with
the real subgraphs' (``tests/test_bench_floor.py``).
"""

from __future__ import annotations

import argparse
import os
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import uvicorn
from sqlalchemy import select

from subgraphs.civil_status.models import EVENT, PARTY
from subgraphs.common.db import Database
from subgraphs.common.provinces import BY_CODE
from subgraphs.common.settings import database_url
from subgraphs.population.models import PERSON
from subgraphs.sentences.models import TABLES
from subgraphs.sentences.statistics import statistics_statement

SUBGRAPHS = ("population", "civil_status", "sentences")
# the subgraphs each query of the mix touches (what the floor has an endpoint for)
QUERY_SUBGRAPHS: dict[str, tuple[str, ...]] = {
    "a": ("population",),
    "b": SUBGRAPHS,
    "c": SUBGRAPHS,
    "d": ("sentences",),
    "e": ("population", "sentences"),
}
PERSON_FIELDS = {  # client field -> column, in the order of bench.queries
    "basic": (("personalId", "personal_id"), ("fullName", "full_name"), ("dateOfBirth", "date_of_birth"),
              ("sex", "sex"), ("permanentAddress", "permanent_address")),
    "e": (("personalId", "personal_id"), ("fullName", "full_name"), ("otherNames", "other_names"),
          ("dateOfBirth", "date_of_birth"), ("permanentAddress", "permanent_address"),
          ("currentAddress", "current_address")),
}
SENTENCE, JUDGMENT, CHARGE, PENALTY = (TABLES[n] for n in ("sentence", "judgment", "charge", "penalty"))
_PERSON_COLUMNS = {c.name: i for i, c in enumerate(PERSON.columns)}
_EVENT_COLUMNS = {c.name: i + 1 for i, c in enumerate(EVENT.columns)}  # after the party id
_SENTENCE_COLUMNS = {c.name: i for i, c in enumerate(SENTENCE.columns)}
_JUDGMENT_COLUMNS = {c.name: i for i, c in enumerate(JUDGMENT.columns)}
_CHARGE_COLUMNS = {c.name: i for i, c in enumerate(CHARGE.columns)}
_PENALTY_COLUMNS = {c.name: i for i, c in enumerate(PENALTY.columns)}


@dataclass(frozen=True, slots=True)
class FloorDatabases:
    """One :class:`Database` per subgraph (the same URLs the subgraphs use)."""

    population: Database
    civil_status: Database
    sentences: Database

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> FloorDatabases:
        env = os.environ if env is None else env
        return cls(*(Database(database_url(name, env)) for name in SUBGRAPHS))

    async def dispose(self) -> None:
        for db in (self.population, self.civil_status, self.sentences):
            await db.dispose()


async def _rows(db: Database, statement: Any) -> Sequence[Any]:
    async with db.engine.connect() as conn:
        return (await conn.execute(statement)).all()


# -- population --------------------------------------------------------------------------------------------------
async def persons(db: Database, ids: Sequence[str], fields: str) -> list[dict[str, Any] | None]:
    """The loader's ``SELECT person … WHERE personal_id IN (…)``; one object per id, in order, None if unknown."""
    rows = await _rows(db, select(PERSON).where(PERSON.c.personal_id.in_(list(dict.fromkeys(ids)))))
    wanted = [(name, _PERSON_COLUMNS[column]) for name, column in PERSON_FIELDS[fields]]
    other_names = _PERSON_COLUMNS["other_names"]
    by_id = {}
    for row in rows:
        obj = {name: row[i] for name, i in wanted}
        if "otherNames" in obj:
            obj["otherNames"] = list(row[other_names] or [])
        by_id[row[0]] = obj
    return [by_id.get(pid) for pid in ids]


# -- civil status -------------------------------------------------------------------------------------------------
async def events_of(db: Database, ids: Sequence[str]) -> list[list[dict[str, Any]]]:
    """The loader's party join; per id, the events with the fields of the mix (oldest first)."""
    statement = (
        select(PARTY.c.personal_id.label("_party_id"), EVENT)
        .join(EVENT, EVENT.c.id == PARTY.c.event_id)
        .where(PARTY.c.personal_id.in_(list(dict.fromkeys(ids))))
        .order_by(EVENT.c.registration_date, EVENT.c.id)
    )
    c = _EVENT_COLUMNS
    kind, number, date, authority, province = (c["kind"], c["registration_number"], c["registration_date"],
                                               c["registering_authority"], c["registration_province_code"])
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in await _rows(db, statement):
        code = row[province]
        known = BY_CODE.get(code)
        grouped[row[0]].append({
            "kind": row[kind], "registrationNumber": row[number], "registrationDate": row[date],
            "registeringAuthority": row[authority], "registrationProvince": known.name if known else code,
        })
    return [grouped.get(pid, []) for pid in ids]


# -- sentences ----------------------------------------------------------------------------------------------------
def _in(table: Any, column: str, keys: Sequence[Any], order: Sequence[str] = ()) -> Any:
    return select(table).where(table.c[column].in_(list(keys))).order_by(*(table.c[name] for name in order))


async def sentences_of(db: Database, ids: Sequence[str], full: bool) -> list[list[dict[str, Any]]]:
    """The loaders' statements: sentences by offender, then their judgments (and, with ``full``, charges and
    penalties), one ``IN (…)`` each; per id, the sentences with the fields of (b)/(c), or of (e) without ``full``."""
    s = _SENTENCE_COLUMNS
    rows = await _rows(db, _in(SENTENCE, "offender_personal_id", list(dict.fromkeys(ids)),
                               ("enforcement_started_on", "id")))
    if not rows:
        return [[] for _ in ids]
    sentence_ids = [row[s["id"]] for row in rows]
    j = _JUDGMENT_COLUMNS
    judgments = {r[j["id"]]: r for r in await _rows(db, _in(JUDGMENT, "id", list(dict.fromkeys(
        row[s["judgment_id"]] for row in rows))))}
    charges: dict[str, list[dict[str, Any]]] = defaultdict(list)
    principal: dict[str, dict[str, Any]] = {}
    if full:
        for r in await _rows(db, _in(CHARGE, "sentence_id", sentence_ids, ("position",))):
            charges[r[_CHARGE_COLUMNS["sentence_id"]]].append(
                {"article": r[_CHARGE_COLUMNS["article"]], "offenceName": r[_CHARGE_COLUMNS["offence_name"]]})
        p = _PENALTY_COLUMNS
        for r in await _rows(db, _in(PENALTY, "sentence_id", sentence_ids, ("position",))):
            if r[p["role"]] == "PRINCIPAL":
                principal.setdefault(r[p["sentence_id"]], {"kind": r[p["kind"]], "termMonths": r[p["term_months"]]})
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        judgment = judgments[row[s["judgment_id"]]]
        sid = row[s["id"]]
        if full:
            obj = {"id": sid, "status": row[s["status"]], "offenceDate": row[s["offence_date"]],
                   "expectedEndOn": row[s["expected_end_on"]],
                   "judgment": {"courtName": judgment[j["court_name"]], "number": judgment[j["number"]],
                                "issuedOn": judgment[j["issued_on"]]},
                   "charges": charges.get(sid, []), "principalPenalty": principal.get(sid)}
        else:
            obj = {"status": row[s["status"]], "offenceSummary": row[s["offence_summary"]],
                   "judgment": {"number": judgment[j["number"]], "issuedOn": judgment[j["issued_on"]]}}
        grouped[row[s["offender_personal_id"]]].append(obj)
    return [grouped.get(pid, []) for pid in ids]


async def statistics(db: Database, variables: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``sentenceStatistics``: the subgraph's one statement, rows to objects."""
    rows = await _rows(db, statistics_statement(variables["from"], variables["to"], variables.get("province")))
    out = []
    for year, code, kind, status, offenders, sentences in rows:
        known = BY_CODE.get(code)
        out.append({"year": year, "provinceCode": code, "provinceName": known.name if known else code,
                    "offenderKind": kind, "status": status, "offenders": offenders, "sentences": sentences})
    return out


# -- what the floor answers: the subgraph operations Apollo Gateway sends for the mix --------------------------------
_EVENTS = "civilStatusEvents { kind registrationNumber registrationDate registeringAuthority registrationProvince }"
_SENTENCES_FULL = ("sentences { id status offenceDate expectedEndOn judgment { courtName number issuedOn } "
                   "charges { article offenceName } principalPenalty { kind termMonths } }")
_SENTENCES_E = "sentences { status offenceSummary judgment { number issuedOn } }"


def _entity_operation(selection: str) -> str:
    return ("query($representations: [_Any!]!) { _entities(representations: $representations) "
            f"{{ ... on Person {{ {selection} }} }} }}")


def subgraph_request(query: str, subgraph: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The GraphQL request (``query``, ``variables``) whose answer the floor of (``query``, ``subgraph``) gives."""
    from .queries import PERSON_BASIC, QUERIES

    if subgraph == "population":
        if query == "e":
            fields = " ".join(name for name, _ in PERSON_FIELDS["e"])
            return {"query": f"query($id: ID!) {{ person(personalId: $id) {{ {fields} }} }}", "variables": variables}
        if "ids" in variables:
            text = f"query($ids: [ID!]!) {{ persons(personalIds: $ids) {{ {PERSON_BASIC} }} }}"
        else:
            text = f"query($id: ID!) {{ person(personalId: $id) {{ {PERSON_BASIC} }} }}"
        return {"query": text, "variables": variables}
    if query == "d":
        return {"query": QUERIES["d"].document, "variables": variables}
    selection = _EVENTS if subgraph == "civil_status" else _SENTENCES_E if query == "e" else _SENTENCES_FULL
    reps = [{"__typename": "Person", "personalId": pid} for pid in _ids(variables)]
    return {"query": _entity_operation(selection), "variables": {"representations": reps}}


# -- one handler per (query, subgraph) ----------------------------------------------------------------------------
Handler = Callable[[FloorDatabases, Mapping[str, Any]], Awaitable[dict[str, Any]]]


def _ids(variables: Mapping[str, Any]) -> list[str]:
    return list(variables["ids"]) if "ids" in variables else [variables["id"]]


def _entities(key: str, values: list[Any]) -> dict[str, Any]:
    return {"_entities": [{key: v} for v in values]}


async def _population(dbs: FloorDatabases, variables: Mapping[str, Any], query: str) -> dict[str, Any]:
    found = await persons(dbs.population, _ids(variables), "e" if query == "e" else "basic")
    return {"persons": found} if "ids" in variables else {"person": found[0]}


def handler(query: str, subgraph: str) -> Handler:
    """The floor of ``subgraph``'s part of ``query`` (``subgraph="all"``: the whole answer)."""
    async def population(dbs: FloorDatabases, v: Mapping[str, Any]) -> dict[str, Any]:
        return await _population(dbs, v, query)

    async def civil_status(dbs: FloorDatabases, v: Mapping[str, Any]) -> dict[str, Any]:
        return _entities("civilStatusEvents", await events_of(dbs.civil_status, _ids(v)))

    async def sentences(dbs: FloorDatabases, v: Mapping[str, Any]) -> dict[str, Any]:
        if query == "d":
            return {"sentenceStatistics": await statistics(dbs.sentences, v)}
        return _entities("sentences", await sentences_of(dbs.sentences, _ids(v), full=query != "e"))

    async def whole(dbs: FloorDatabases, v: Mapping[str, Any]) -> dict[str, Any]:
        if query == "d":
            return await sentences(dbs, v)
        data = await _population(dbs, v, query)
        people = data.get("persons") or [data.get("person")]
        ids = _ids(v)
        parts = [("sentences", await sentences_of(dbs.sentences, ids, full=query != "e"))]
        if query != "e":
            parts.append(("civilStatusEvents", await events_of(dbs.civil_status, ids)))
        for name, values in parts:
            for person, value in zip(people, values, strict=True):
                if person is not None:
                    person[name] = value
        return data

    table = {"population": population, "civil_status": civil_status, "sentences": sentences, "all": whole}
    if subgraph != "all" and subgraph not in QUERY_SUBGRAPHS.get(query, ()):
        raise KeyError(f"({query}) does not touch {subgraph}")
    return table[subgraph]


class FloorApp:
    """Raw ASGI: ``POST /floor/<query>/<subgraph>`` with the client's body, ``GET /healthz``."""

    def __init__(self, dbs: FloorDatabases) -> None:
        self.dbs = dbs
        self.handlers = {f"/floor/{q}/{s}": handler(q, s) for q, names in QUERY_SUBGRAPHS.items()
                         for s in (*names, "all")}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await self.dbs.dispose()
            await send({"type": "lifespan.shutdown.complete"})
            return
        path = scope["path"]
        if path == "/healthz":
            await _respond(send, 200, b'{"status":"ok","subgraph":"floor"}')
            return
        found = self.handlers.get(path)
        if found is None or scope["method"] != "POST":
            await _respond(send, 404, b'{"errors":[{"message":"no such floor"}]}')
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        data = await found(self.dbs, orjson.loads(body).get("variables") or {})
        await _respond(send, 200, orjson.dumps({"data": data}))


async def _respond(send: Any, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=14006)
    args = parser.parse_args(argv)
    uvicorn.run(FloorApp(FloorDatabases.from_env()), host=args.host, port=args.port, log_level="warning",
                access_log=False)


if __name__ == "__main__":
    main()
