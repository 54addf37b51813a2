"""Concurrent writes on SQLite (the default database): serialised per database (subgraphs/common/write_tx.py: a
per-database lock and ``BEGIN IMMEDIATE``), so concurrent mutations all succeed without a retry and check against
what the others wrote, also from two engines on one file (two processes: a subgraph and its exchange consumer,
two workers)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_civil_status_mutations import BIRTH, birth_input
from test_civil_status_support import make_people, open_subgraph, seeded_database
from test_sentences_support import loaded_database
from test_sentences_support import make_people as sentences_people
from test_sentences_support import open_subgraph as open_sentences
from test_sentences_support import sql_rows as _sql

from subgraphs.common import write_keys

PEOPLE = make_people(20, seed=53)


@pytest.fixture(scope="module", params=["sqlite"])
def civil_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from seeded_database(request, tmp_path_factory.mktemp("sqlite_writes") / "cs.db", PEOPLE)


@pytest.fixture(scope="module", params=["sqlite"])
def sentences_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from loaded_database(request, tmp_path_factory, sentences_people(60, random.Random(5)), "sqlite_writes")


async def test_concurrent_registrations_from_two_engines_all_succeed_first_time(
        civil_url: str, internal_keys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write_keys, "MAX_ATTEMPTS", 1)  # no retry hides a race: each must pass first time
    father = next(p for p in PEOPLE if p.sex == "MALE" and p.spouse_id and p.date_of_death is None)
    mother = next(p for p in PEOPLE if p.personal_id == father.spouse_id)
    subgraphs = [await open_subgraph(civil_url, internal_keys) for _ in range(2)]  # two engines on one file
    try:
        bodies = await asyncio.gather(*(subgraphs[i % 2].query(BIRTH, {"input": birth_input(father, mother)})
                                        for i in range(12)))
    finally:
        for sg in subgraphs:
            await sg.close()
    assert all("errors" not in b for b in bodies), [b["errors"] for b in bodies if "errors" in b]
    assert len({b["data"]["registerBirth"]["id"] for b in bodies}) == 12


ENFORCEMENT = """mutation($input: EnforcementEventInput!) { recordEnforcementEvent(input: $input) {
  event { kind } sentence { id } } }"""


async def test_concurrent_events_on_one_sentence_are_recorded_in_turn(sentences_url: str, tmp_path: Path) -> None:
    [(sid, pid, province, last)] = _sql(
        sentences_url, "SELECT s.id, s.offender_personal_id, s.province_code, "
        "(SELECT max(event_date) FROM enforcement_event e WHERE e.sentence_id = s.id) FROM sentence s "
        "WHERE s.offender_personal_id IS NOT NULL AND s.status = 'SERVING_IMPRISONMENT' ORDER BY s.id LIMIT 1")
    day = max(str(last)[:10] if last else "2025-07-01", "2025-07-01")
    variables = {"input": {"sentenceId": sid, "provinceCode": province, "personalId": pid, "kind": "REWARD",
                           "date": day, "authority": "Trại giam Thanh Xuân"}}
    before = [p for (p,) in _sql(sentences_url, "SELECT position FROM enforcement_event WHERE sentence_id = :s",
                                 s=sid)]
    async with open_sentences(tmp_path / "a", sentences_url) as one, open_sentences(tmp_path / "b",
                                                                                   sentences_url) as two:
        bodies = await asyncio.gather(*((one, two)[i % 2].query(ENFORCEMENT, variables) for i in range(6)))
    assert all("errors" not in b for b in bodies), [b["errors"] for b in bodies if "errors" in b]
    positions = [p for (p,) in _sql(sentences_url, "SELECT position FROM enforcement_event WHERE sentence_id = :s "
                                                   "ORDER BY position", s=sid)]
    # each event read the course as the one before it left it: no two take the same place (a lost update)
    top = max(before) if before else -1
    assert positions == sorted(before) + list(range(top + 1, top + 7))
