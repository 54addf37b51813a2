"""The sentences subgraph over HTTP, on SQLite and PostgreSQL: auth, batching, validation, statistics, schema."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from graphql import parse
from sqlalchemy import create_engine, text
from test_sentences_support import (
    Subgraph,
    count_statements,
    loaded_database,
    make_people,
    open_subgraph,
)

from subgraphs.common.db import sync_url

N = 200
PEOPLE = make_people(N + 5, random.Random(7))

ENTITIES = """
query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { personalId sentences {
  id status offenceSummary offenceDate enforcementStartedOn expectedEndOn provinceCode
  residenceAfterRelease supervisingAuthority
  background { nameAtJudgment aliases occupation priorConvictions minorAtOffence }
  judgment { courtName number issuedOn effectiveOn trialLevel kind }
  charges { article clause point offenceName citation }
  principalPenalty { kind termMonths amount suspended probationMonths }
  additionalPenalties { kind termMonths amount details }
  judicialMeasures { kind medicalGround }
  civilObligations { description amount amountPaid beneficiary status }
  enforcementEvents { kind date decisionNumber authority note healthGround monthsReduced facility { name } }
  facility { id name kind provinceName }
  offender { __typename ... on Person { personalId } }
  person { personalId }
} } } }
"""


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One loaded database per backend for the module (the tests only read)."""
    yield from loaded_database(request, tmp_path_factory, PEOPLE[:N], "sentences")


@pytest.fixture
async def subgraph(database_url: str, tmp_path: Path) -> AsyncIterator[Subgraph]:
    async with open_subgraph(tmp_path, database_url) as sg:
        yield sg


async def test_entities_batched_constant_statements(subgraph: Subgraph) -> None:
    reps = [{"__typename": "Person", "personalId": p.personal_id} for p in PEOPLE[:N]]
    one, r1 = await count_statements(subgraph, ENTITIES, {"r": reps[:1]})
    many, r200 = await count_statements(subgraph, ENTITIES, {"r": reps})
    assert "errors" not in r1 and "errors" not in r200, r200.get("errors")
    persons = r200["data"]["_entities"]
    assert [p["personalId"] for p in persons] == [p.personal_id for p in PEOPLE[:N]]
    assert all(len(p["sentences"]) == 1 for p in persons)
    # The N=1 case that touches every loader: a person whose sentence has a facility and events.
    richest = next(p for p in persons if p["sentences"][0]["facility"] and p["sentences"][0]["civilObligations"])
    richest_rep = {"__typename": "Person", "personalId": richest["personalId"]}
    one, _ = await count_statements(subgraph, ENTITIES, {"r": [richest_rep]})
    print(f"\nSQL statements for _entities with nested data: N=1 -> {one}, N={N} -> {many}")
    assert many == one, (one, many)
    assert many <= 7  # sentences, judgments, charges, penalties, obligations, events, facilities
    sentence = persons[0]["sentences"][0]
    assert sentence["offender"] == {"__typename": "Person", "personalId": PEOPLE[0].personal_id}
    assert sentence["charges"][0]["citation"].endswith("Bộ luật Hình sự")
    kinds = Counter(e["kind"] for p in persons for s in p["sentences"] for e in s["enforcementEvents"])
    assert kinds["ENFORCEMENT_ORDERED"] > 0


async def test_unknown_person_has_no_sentences_and_bad_representation_errors(subgraph: Subgraph) -> None:
    reps = [{"__typename": "Person", "personalId": "001099999999"}, {"__typename": "Person", "personalId": "12"}]
    result = await subgraph.query("query($r:[_Any!]!){_entities(representations:$r){...on Person{personalId sentences{id}}}}",
                                  {"r": reps})
    assert result["data"]["_entities"][0] == {"personalId": "001099999999", "sentences": []}
    assert result["data"]["_entities"][1] is None
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_root_fields(subgraph: Subgraph) -> None:
    pid = PEOPLE[3].personal_id
    got = await subgraph.query("query($p: ID!){ sentencesOf(personalId: $p) { id status person { personalId } } }", {"p": pid})
    sid = got["data"]["sentencesOf"][0]["id"]
    one = await subgraph.query("query($i: ID!){ sentence(id: $i) { id background { nameAtJudgment } } }", {"i": sid})
    assert one["data"]["sentence"] == {"id": sid, "background": {"nameAtJudgment": PEOPLE[3].full_name}}
    assert (await subgraph.query('{ sentence(id: "TA000") { id } }'))["data"]["sentence"] is None
    rep = await subgraph.query("query($r:[_Any!]!){_entities(representations:$r){...on Sentence{id status}}}",
                               {"r": [{"__typename": "Sentence", "id": sid}]})
    assert rep["data"]["_entities"][0]["id"] == sid

    engine = create_engine(sync_url(str(subgraph.db.url)))
    with engine.connect() as conn:
        code = conn.execute(text("SELECT identification_code FROM foreign_offender ORDER BY 1 LIMIT 1")).scalar_one()
        entity = conn.execute(text("SELECT id FROM legal_entity ORDER BY 1 LIMIT 1")).scalar_one()
    engine.dispose()
    foreign = await subgraph.query(
        "query($c: String!){ foreignOffender(identificationCode: $c) { identificationCode nationality "
        "sentences { id offender { __typename ... on ForeignOffender { identificationCode } } "
        "additionalPenalties { kind } } } }", {"c": code})
    fo = foreign["data"]["foreignOffender"]
    assert fo["identificationCode"] == code and fo["sentences"]
    assert fo["sentences"][0]["offender"] == {"__typename": "ForeignOffender", "identificationCode": code}
    legal = await subgraph.query(
        "query($i: ID!){ legalEntity(id: $i) { name enterpriseCode legalRepresentative sentences { status "
        "judgment { courtName } charges { article } principalPenalty { kind amount termMonths } "
        "civilObligations { amount status } enforcementEvents { kind date successorName } } } }", {"i": entity})
    le = legal["data"]["legalEntity"]
    assert le["name"].startswith("Công ty") and le["sentences"]
    assert le["sentences"][0]["charges"][0]["article"] in (188, 190, 192, 200, 216, 227, 232, 235)
    assert isinstance(le["sentences"][0]["civilObligations"][0]["amount"], int)


BAD_INPUTS = [
    ('{ sentencesOf(personalId: "12345") { id } }', "personalId"),
    ('{ sentencesOf(personalId: "999012345678") { id } }', "personalId"),
    ("{ sentenceStatistics(fromYear: 2020, toYear: 2010) { year } }", "fromYear"),
    ("{ sentenceStatistics(fromYear: 1800, toYear: 2010) { year } }", "fromYear"),
    ("{ sentenceStatistics(fromYear: 2000, toYear: 2200) { year } }", "toYear"),
    ('{ sentenceStatistics(fromYear: 2000, toYear: 2010, provinceCode: "999") { year } }', "provinceCode"),
    ('{ sentenceStatistics(fromYear: 2000, toYear: 2010, provinceCode: "002") { year } }', "provinceCode"),
    ('{ sentence(id: "x y;--") { id } }', "id"),
    ('{ foreignOffender(identificationCode: "a") { fullName } }', "identificationCode"),
]


@pytest.mark.parametrize(("query", "argument"), BAD_INPUTS)
async def test_bad_input_before_any_sql(subgraph: Subgraph, query: str, argument: str) -> None:
    count, result = await count_statements(subgraph, query, {})
    error = result["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argumentName": argument}, error
    assert count == 0


async def test_statistics_group_by(subgraph: Subgraph) -> None:
    query = "query($p: String){ sentenceStatistics(fromYear: 2010, toYear: 2025, provinceCode: $p) " \
            "{ year provinceCode provinceName offenderKind status offenders sentences } }"
    count, result = await count_statements(subgraph, query, {})
    assert count == 1
    stats = result["data"]["sentenceStatistics"]
    engine = create_engine(sync_url(str(subgraph.db.url)))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT start_year, end_year, province_code, status FROM sentence")).all()
        entity_rows = conn.execute(text("SELECT start_year, end_year, province_code, status FROM legal_entity_sentence")).all()
    engine.dispose()
    expected: Counter = Counter()
    for kind, source in (("PERSON", rows), ("LEGAL_ENTITY", entity_rows)):
        for start, end, province, status in source:
            for year in range(max(start, 2010), min(end or 9999, 2025) + 1):
                expected[(year, province, kind, status)] += 1
    assert {(s["year"], s["provinceCode"], s["offenderKind"], s["status"]): s["sentences"] for s in stats} == expected
    assert {s["offenderKind"] for s in stats} == {"PERSON", "LEGAL_ENTITY"}
    one = (await subgraph.query(query, {"p": "001"}))["data"]["sentenceStatistics"]
    assert one and {s["provinceCode"] for s in one} == {"001"}
    assert one[0]["provinceName"] == "Thành phố Hà Nội"


async def test_refused_without_valid_internal_token(subgraph: Subgraph) -> None:
    body = {"query": "{ sentenceStatistics(fromYear: 2020, toYear: 2021) { year } }"}
    response = await subgraph.client.post("/graphql", json=body)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    other = await subgraph.client.post("/graphql", json=body,
                                       headers={"Authorization": f"Bearer {subgraph.token('population')}"})
    assert other.status_code == 401
    assert (await subgraph.client.get("/healthz")).json() == {"status": "ok", "subgraph": "sentences"}


async def test_every_field_classified(subgraph: Subgraph) -> None:
    sdl = (await subgraph.query("{ _service { sdl } }"))["data"]["_service"]["sdl"]
    document = parse(sdl)
    missing = []
    for definition in document.definitions:
        if definition.kind not in ("object_type_definition", "object_type_extension"):
            continue
        if definition.name.value.startswith("_"):  # federation's own _Service
            continue
        for f in definition.fields or ():
            if f.name.value.startswith("_"):
                continue
            if not any(d.name.value == "personalData" for d in f.directives or ()):
                missing.append(f"{definition.name.value}.{f.name.value}")
    assert not missing
    assert 'type Person @key(fields: "personalId")' in sdl
    heads = {line.split()[1]: line for line in sdl.splitlines() if line.startswith("type ")}
    assert '@key(fields: "identificationCode")' in heads["ForeignOffender"]
    assert '@key(fields: "id")' in heads["LegalEntity"]
    assert "sentenceStatistics(fromYear: Int!, toYear: Int!, provinceCode: String): [SentenceStatistic!]!" in sdl
    assert "healthGround: String @personalData(category: HEALTH, kind: FREE_TEXT)" in sdl
