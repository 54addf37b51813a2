"""Write keys in the subgraphs (subgraphs/common/write_keys.py): a mutation sent again with the gateway's
``X-Lienthong-Write-Key`` returns its first result and writes nothing (one row, one outbox event), on SQLite and
PostgreSQL; the same key for other arguments is refused and writes nothing; concurrent copies write once; without
a key every request writes (the header is the gateway's, not a default)."""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from test_civil_status_mutations import BIRTH, birth_input
from test_civil_status_support import Subgraph, make_people, seeded_database, serving
from test_sentences_support import Subgraph as SentencesSubgraph
from test_sentences_support import loaded_database
from test_sentences_support import make_people as sentences_people
from test_sentences_support import open_subgraph as open_sentences
from test_sentences_support import sql_rows as _sql

from subgraphs.civil_status.models import EVENT, OUTBOX, WRITE_KEYS
from subgraphs.common.db import sync_url
from subgraphs.common.write_keys import WRITE_KEY_HEADER, dump_result, load_result
from subgraphs.common.writes import WRITES_EXTENSION
from subgraphs.seed.world import SeedPerson

PEOPLE = make_people(40, seed=43)


def key(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def civil_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from seeded_database(request, tmp_path_factory.mktemp("dedupe") / "cs.db", PEOPLE)


@pytest.fixture
async def civil(civil_url: str, internal_keys: Any) -> AsyncIterator[Subgraph]:
    async with serving(civil_url, internal_keys) as sg:
        yield sg


def _couple() -> tuple[SeedPerson, SeedPerson]:
    husband = next(p for p in PEOPLE if p.sex == "MALE" and p.spouse_id and p.date_of_death is None)
    return husband, next(p for p in PEOPLE if p.personal_id == husband.spouse_id)


def _counts(url: str) -> tuple[int, int, int]:
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        out = tuple(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in (EVENT, OUTBOX, WRITE_KEYS))
    engine.dispose()
    return out  # type: ignore[return-value]


async def _post(sg: Subgraph, variables: dict[str, Any], write_key: str | None) -> dict[str, Any]:
    headers = dict(sg.headers, **({WRITE_KEY_HEADER: write_key} if write_key else {}))
    response = await sg.client.post("/graphql", json={"query": BIRTH, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_same_registration_twice_under_one_key_writes_one_row_and_one_event(civil: Subgraph,
                                                                                      civil_url: str) -> None:
    father, mother = _couple()
    variables = {"input": birth_input(father, mother, fullName="Nguyễn Minh Khôi")}
    before = _counts(civil_url)
    first = await _post(civil, variables, key("birth-1"))
    assert "errors" not in first, first
    assert _counts(civil_url) == (before[0] + 1, before[1] + 1, before[2] + 1)
    again = await _post(civil, variables, key("birth-1"))
    assert again["data"] == first["data"]  # the first result, times and registration number included
    assert _counts(civil_url) == (before[0] + 1, before[1] + 1, before[2] + 1)  # nothing written again
    [record] = first["extensions"][WRITES_EXTENSION]
    [replayed] = again["extensions"][WRITES_EXTENSION]
    assert "replayed" not in record and replayed == {**record, "replayed": True}  # audited as a replay


async def test_a_key_kept_for_other_arguments_is_refused_and_writes_nothing(civil: Subgraph, civil_url: str) -> None:
    father, mother = _couple()
    assert "errors" not in await _post(civil, {"input": birth_input(father, mother)}, key("birth-2"))
    before = _counts(civil_url)
    other = await _post(civil, {"input": birth_input(father, mother, fullName="Nguyễn Minh Tâm")}, key("birth-2"))
    assert other["data"]["registerBirth"] is None
    assert other["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert WRITES_EXTENSION not in (other.get("extensions") or {}) and _counts(civil_url) == before


async def test_without_a_key_or_with_another_key_each_request_writes(civil: Subgraph, civil_url: str) -> None:
    father, mother = _couple()
    variables = {"input": birth_input(father, mother)}
    before = _counts(civil_url)
    ids = {(await _post(civil, variables, k))["data"]["registerBirth"]["id"]
           for k in (None, None, key("birth-3"), key("birth-4"))}
    assert len(ids) == 4 and _counts(civil_url) == (before[0] + 4, before[1] + 4, before[2] + 2)


async def test_concurrent_copies_under_one_key_write_once(civil: Subgraph, civil_url: str) -> None:
    father, mother = _couple()
    variables = {"input": birth_input(father, mother)}
    before = _counts(civil_url)
    bodies = await asyncio.gather(*(_post(civil, variables, key("birth-5")) for _ in range(4)))
    assert all("errors" not in b for b in bodies), bodies
    assert len({b["data"]["registerBirth"]["id"] for b in bodies}) == 1
    assert _counts(civil_url) == (before[0] + 1, before[1] + 1, before[2] + 1)


async def test_a_malformed_key_writes_nothing(civil: Subgraph, civil_url: str) -> None:
    father, mother = _couple()
    before = _counts(civil_url)
    body = await _post(civil, {"input": birth_input(father, mother)}, "not-a-key")
    assert body["data"]["registerBirth"] is None and _counts(civil_url) == before


def test_a_kept_result_comes_back_with_its_types() -> None:
    import datetime as dt
    import decimal

    value = {"at": dt.datetime(2026, 12, 6, 22, 0, tzinfo=dt.UTC), "on": dt.date(2025, 7, 1), "n": 3, "ok": True,
             "amount": decimal.Decimal("12.50"), "list": [dt.date(2024, 1, 2), None], "nested": {"s": "Hà Nội"}}
    assert load_result(dump_result(value)) == value


# -- sentences: an enforcement event ----------------------------------------------------------------------------

ENFORCEMENT = """mutation($input: EnforcementEventInput!) { recordEnforcementEvent(input: $input) {
  previousStatus status event { kind date createdAt } sentence { id status updatedAt } } }"""


@pytest.fixture(scope="module", params=["sqlite"])
def sentences_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from loaded_database(request, tmp_path_factory, sentences_people(60, random.Random(5)), "dedupe")


async def test_an_enforcement_event_twice_under_one_key_is_recorded_once(sentences_url: str, tmp_path: Path) -> None:
    [(sid, pid, province, last)] = _sql(
        sentences_url, "SELECT s.id, s.offender_personal_id, s.province_code, "
        "(SELECT max(event_date) FROM enforcement_event e WHERE e.sentence_id = s.id) FROM sentence s "
        "WHERE s.offender_personal_id IS NOT NULL AND s.status = 'SERVING_IMPRISONMENT' ORDER BY s.id LIMIT 1")
    day = max(str(last)[:10] if last else "2025-07-01", "2025-07-01")
    variables = {"input": {"sentenceId": sid, "provinceCode": province, "personalId": pid, "kind": "REWARD",
                           "date": day, "authority": "Trại giam Thanh Xuân"}}
    counts = ("SELECT (SELECT count(*) FROM enforcement_event WHERE sentence_id = :s), "
              "(SELECT count(*) FROM sentences_outbox), (SELECT count(*) FROM sentences_write_keys)")
    async with open_sentences(tmp_path, sentences_url) as sg:
        sg: SentencesSubgraph
        headers = {"Authorization": f"Bearer {sg.token()}", WRITE_KEY_HEADER: key("event-1")}
        before = _sql(sentences_url, counts, s=sid)[0]
        bodies = [(await sg.client.post("/graphql", json={"query": ENFORCEMENT, "variables": variables},
                                        headers=headers)).json() for _ in range(2)]
    assert all("errors" not in b for b in bodies), bodies
    assert bodies[0]["data"] == bodies[1]["data"]
    assert tuple(_sql(sentences_url, counts, s=sid)[0]) == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert all(r.get("replayed") for r in bodies[1]["extensions"][WRITES_EXTENSION])
    assert len(bodies[1]["extensions"][WRITES_EXTENSION]) == 2  # the event and the sentence, as first reported


async def test_the_relay_prunes_write_keys_past_their_retention(civil: Subgraph, civil_url: str) -> None:
    import datetime as dt

    from sqlalchemy import insert

    from subgraphs.common.exchange.metrics import ExchangeMetrics
    from subgraphs.common.exchange.relay import WRITE_KEYS_KEPT, Relay
    from subgraphs.common.settings import ExchangeSettings

    old = dt.datetime.now(dt.UTC) - WRITE_KEYS_KEPT - dt.timedelta(hours=1)
    async with civil.db.engine.begin() as conn:
        await conn.execute(insert(WRITE_KEYS).values(
            key=key("ancient"), response_key="registerBirth", coordinate="Mutation.registerBirth", agency="a",
            account="b", arguments=key("args"), result="{}", records="[]", created_at=old))
    kept_before = _counts(civil_url)[2]
    await Relay(civil.db, OUTBOX, ExchangeSettings(name="civil_status"), ExchangeMetrics()).prune()
    engine = create_engine(sync_url(civil_url))
    with engine.connect() as conn:
        left = conn.execute(select(WRITE_KEYS.c.key).where(WRITE_KEYS.c.key == key("ancient"))).all()
    engine.dispose()
    assert left == [] and _counts(civil_url)[2] == kept_before - 1  # the recent keys stay
