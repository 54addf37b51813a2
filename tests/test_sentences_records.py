"""The sentences subgraph's record items (issue 14): source and created/updated times on every record (000 Art.
8.5.c, 9.1, 10.1), the status history of a sentence (000 Art. 8.1.b), facility resources (000 Art. 8.1.c); batched
(a constant number of statements whatever the number of persons), on SQLite and PostgreSQL; and the seed's
courses of enforcement obey the lifecycle the mutation enforces."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from test_sentences_support import (
    Subgraph,
    count_statements,
    loaded_database,
    make_people,
    open_subgraph,
)

from subgraphs.common.db import sync_url
from subgraphs.sentences.lifecycle import Principal, next_status

N = 60
PEOPLE = make_people(N, random.Random(23))
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
RECORD = "source sourceAgency createdAt updatedAt"

ENTITIES = f"""
query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on Person {{ sentences {{
  id status {RECORD}
  judgment {{ courtName effectiveOn {RECORD} }}
  charges {{ article {RECORD} }}
  principalPenalty {{ kind {RECORD} }}
  civilObligations {{ amount {RECORD} }}
  enforcementEvents {{ kind date {RECORD} }}
  statusHistory {{ status since cause decisionNumber {RECORD} }}
  facility {{ id {RECORD} resources {{ reportedOn staff capacity personsHeld floorAreaSquareMetres {RECORD}
    equipment {{ kind quantity inWorkingOrder {RECORD} }} }} }}
}} }} }} }}
"""


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from loaded_database(request, tmp_path_factory, PEOPLE, "records")


@pytest.fixture
async def subgraph(database_url: str, tmp_path: Path) -> AsyncIterator[Subgraph]:
    async with open_subgraph(tmp_path, database_url) as sg:
        yield sg


def _records(value: object) -> list[dict]:
    """Every object of a response that carries the record fields."""
    if isinstance(value, list):
        return [r for item in value for r in _records(item)]
    if isinstance(value, dict):
        own = [value] if "createdAt" in value else []
        return own + [r for item in value.values() for r in _records(item)]
    return []


async def test_record_fields_and_history_are_batched(subgraph: Subgraph) -> None:
    reps = [{"__typename": "Person", "personalId": p.personal_id} for p in PEOPLE]
    many, result = await count_statements(subgraph, ENTITIES, {"r": reps})
    assert "errors" not in result, result.get("errors")
    sentences = [s for p in result["data"]["_entities"] for s in p["sentences"]]
    richest = next(i for i, s in enumerate(sentences) if s["facility"] and s["civilObligations"])
    one, _ = await count_statements(subgraph, ENTITIES, {"r": [reps[richest]]})
    print(f"\nSQL statements with record fields, history and resources: N=1 -> {one}, N={N} -> {many}")
    assert many == one, (one, many)
    # sentences, judgments, charges, penalties, obligations, events, history, facilities, resources, equipment
    assert many <= 10
    records = _records(sentences)
    assert records and all(ISO_UTC.match(r["createdAt"]) and ISO_UTC.match(r["updatedAt"]) for r in records)
    assert all(r["createdAt"] <= r["updatedAt"] and r["source"] for r in records)


async def test_status_history_runs_from_the_ruling_to_the_current_status(subgraph: Subgraph) -> None:
    reps = [{"__typename": "Person", "personalId": p.personal_id} for p in PEOPLE]
    result = await subgraph.query(ENTITIES, {"r": reps})
    causes = set()
    for sentence in (s for p in result["data"]["_entities"] for s in p["sentences"]):
        history = sentence["statusHistory"]
        assert history[0]["status"] == "AWAITING_ENFORCEMENT" and history[0]["cause"] is None
        assert history[0]["since"] == sentence["judgment"]["effectiveOn"]
        assert history[-1]["status"] == sentence["status"]
        assert [h["since"] for h in history] == sorted(h["since"] for h in history)
        event_kinds = {e["kind"] for e in sentence["enforcementEvents"]}
        assert {h["cause"] for h in history[1:]} <= event_kinds  # every change is caused by a recorded event
        causes |= {h["cause"] for h in history[1:]}
        judgment = sentence["judgment"]
        assert (judgment["source"], judgment["sourceAgency"]) == ("CONNECTED_SYSTEM", judgment["courtName"])
    assert {"ENFORCEMENT_ORDERED", "COMPLETION"} <= causes


async def test_facilities_and_their_resources(subgraph: Subgraph) -> None:
    query = """query($p: String, $k: FacilityKind) { facilities(provinceCode: $p, kind: $k) { id kind provinceCode
      resources { reportedOn staff capacity personsHeld source sourceAgency equipment { kind quantity inWorkingOrder } }
    } }"""
    result = await subgraph.query(query, {"p": "001"})
    facilities = result["data"]["facilities"]
    assert facilities and {f["provinceCode"] for f in facilities} == {"001"}
    centre = next(f for f in facilities if f["kind"] == "DETENTION_CENTRE")
    reports = centre["resources"]
    assert [r["reportedOn"] for r in reports] == ["2024-12-31", "2023-12-31"]  # newest first
    assert all(r["source"] == "REPORT" and r["staff"] > 0 and r["capacity"] > 0 for r in reports)
    assert {"SURVEILLANCE_CAMERA", "VEHICLE"} <= {e["kind"] for e in reports[0]["equipment"]}
    assert all(0 <= e["inWorkingOrder"] <= e["quantity"] for e in reports[0]["equipment"])
    prisons = (await subgraph.query(query, {"k": "PRISON"}))["data"]["facilities"]
    assert prisons and {f["kind"] for f in prisons} == {"PRISON"}
    bad = await subgraph.query(query, {"p": "999"})
    assert bad["data"] is None or bad["data"]["facilities"] is None
    assert bad["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argumentName": "provinceCode"}


async def test_legal_entity_status_history(subgraph: Subgraph) -> None:
    engine = create_engine(sync_url(str(subgraph.db.url)))
    with engine.connect() as conn:
        entity = conn.execute(text("SELECT id FROM legal_entity ORDER BY 1 LIMIT 1")).scalar_one()
    engine.dispose()
    result = await subgraph.query(
        "query($i: ID!) { legalEntity(id: $i) { createdAt source sentences { status createdAt "
        "statusHistory { status since cause createdAt } enforcementEvents { kind createdAt } } } }", {"i": entity})
    le = result["data"]["legalEntity"]
    assert ISO_UTC.match(le["createdAt"])
    for sentence in le["sentences"]:
        assert sentence["statusHistory"][0]["status"] == "AWAITING_ENFORCEMENT"
        assert sentence["statusHistory"][-1]["status"] == sentence["status"]


def test_seeded_courses_follow_the_lifecycle(database_url: str) -> None:
    """Every seeded course of enforcement is a path the mutation would accept, ending in the stored status."""
    engine = create_engine(sync_url(database_url))
    with engine.connect() as conn:
        sentences = conn.execute(text("SELECT id, status FROM sentence")).all()
        principal = {sid: Principal(kind, bool(suspended)) for sid, kind, suspended in conn.execute(text(
            "SELECT sentence_id, kind, suspended FROM penalty WHERE role = 'PRINCIPAL' AND sentence_id IS NOT NULL"))}
        events: dict[str, list[str]] = defaultdict(list)
        for sid, kind in conn.execute(text("SELECT sentence_id, kind FROM enforcement_event "
                                           "WHERE sentence_id IS NOT NULL ORDER BY sentence_id, position")):
            events[sid].append(kind)
    engine.dispose()
    assert len(sentences) > N
    for sid, stored in sentences:
        status = "AWAITING_ENFORCEMENT"
        for kind in events[sid]:
            status = next_status(kind, status, principal[sid])  # raises on a transition the mutation refuses
        assert status == stored, (sid, events[sid])
