"""The sentences seed writer: speed, share of adults sentenced, every status, consistent courses of enforcement."""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from subgraphs.common.migrations import upgrade
from subgraphs.seed.generator import World
from subgraphs.sentences import seed
from subgraphs.sentences.enums import EnforcementEventKind, EnforcementStatus, PenaltyKind

N_PEOPLE = 100_000
FINAL_EVENT = {"COMPLETED": {"COMPLETION", "AMNESTY"}, "DECEASED": {"DEATH"}, "EXEMPTED": {"EXEMPTION"},
               "TRANSFERRED": {"TRANSFER"}}
LAW_ARTICLES = {123, 134, 141, 168, 171, 173, 174, 175, 248, 249, 250, 251, 255, 260, 304, 318, 321, 322, 353, 354}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path: Path = tmp_path_factory.mktemp("seed") / "sentences.db"
    upgrade("sentences", f"sqlite+aiosqlite:///{path}")
    engine = create_engine(f"sqlite:///{path}")
    people, writing = [], 0.0
    for i, chunk in enumerate(World(1).chunks(N_PEOPLE, 10_000)):
        people.extend(chunk)
        t0 = time.perf_counter()
        with engine.begin() as conn:
            seed.write_people(conn, chunk, random.Random(f"1:sentences:{i}"))
        writing += time.perf_counter() - t0
    t0 = time.perf_counter()
    with engine.begin() as conn:
        seed.write_extras(conn, random.Random("1:sentences:extras"), N_PEOPLE)
    writing += time.perf_counter() - t0
    print(f"\nsentences writer: {writing:.2f} s for {N_PEOPLE} persons (SQLite)")
    with engine.connect() as conn:
        def q(sql: str) -> list[Any]:
            return list(conn.execute(text(sql)).mappings().all())

        data = {"seconds": writing, "people": {p.personal_id: p for p in people},
                "sentences": q("SELECT * FROM sentence"), "events": q("SELECT * FROM enforcement_event"),
                "penalties": q("SELECT * FROM penalty"), "charges": q("SELECT * FROM charge"),
                "entity_sentences": q("SELECT * FROM legal_entity_sentence"),
                "judgments": {r["id"]: r for r in q("SELECT * FROM judgment")}}
    engine.dispose()
    return data


def test_fast_enough(seeded: dict[str, Any]) -> None:
    assert seeded["seconds"] < 10


def test_share_of_adults_and_minors(seeded: dict[str, Any]) -> None:
    people = seeded["people"]
    adults = sum(1 for p in people.values() if p.birth_year <= 2007)
    citizens = {s["offender_personal_id"] for s in seeded["sentences"] if s["offender_personal_id"]}
    assert 0.02 <= len(citizens) / adults <= 0.03
    assert all(people[pid].birth_year <= 2007 for pid in citizens)
    assert any(s["minor_at_offence"] for s in seeded["sentences"])
    assert any(people[pid].date_of_death for pid in citizens)


def test_every_status_and_event_kind(seeded: dict[str, Any]) -> None:
    statuses = Counter(s["status"] for s in seeded["sentences"]) + Counter(s["status"] for s in seeded["entity_sentences"])
    assert set(statuses) == {s.value for s in EnforcementStatus}, statuses
    kinds = {e["kind"] for e in seeded["events"]}
    assert {k.value for k in EnforcementEventKind} <= kinds, {k.value for k in EnforcementEventKind} - kinds
    principal = {p["kind"] for p in seeded["penalties"] if p["role"] == "PRINCIPAL" and p["sentence_id"]}
    assert principal == {k.value for k in PenaltyKind} & {
        "WARNING", "FINE", "NON_CUSTODIAL_REFORM", "FIXED_TERM_IMPRISONMENT", "LIFE_IMPRISONMENT", "DEATH"}


def test_courses_consistent(seeded: dict[str, Any]) -> None:
    events = defaultdict(list)
    for e in sorted(seeded["events"], key=lambda e: (e["position"])):
        if e["sentence_id"]:
            events[e["sentence_id"]].append(e)
    penalties = defaultdict(list)
    for p in seeded["penalties"]:
        if p["sentence_id"]:
            penalties[p["sentence_id"]].append(p)
    people = seeded["people"]
    for s in seeded["sentences"]:
        course = events[s["id"]]
        dates = [e["event_date"] for e in course]
        assert dates == sorted(dates), s["id"]
        judgment = seeded["judgments"][s["judgment_id"]]
        assert s["offence_date"] < judgment["issued_on"] <= judgment["effective_on"]
        assert judgment["court_name"].startswith("Tòa án nhân dân")
        if s["status"] in FINAL_EVENT:
            assert course and course[-1]["kind"] in FINAL_EVENT[s["status"]], (s["status"], [e["kind"] for e in course])
            assert s["end_year"] is not None
        else:
            assert s["end_year"] is None
        if s["status"] == "AWAITING_ENFORCEMENT":
            assert not course
        if s["status"] in ("SERVING_IMPRISONMENT", "AWAITING_EXECUTION", "ESCAPED", "SUSPENDED"):
            assert s["facility_id"]
        if s["status"] == "DECEASED" and s["offender_personal_id"]:
            assert people[s["offender_personal_id"]].date_of_death
        if s["status"] == "ESCAPED":
            assert course[-1]["kind"] == "ESCAPE"
        if s["minor_at_offence"]:
            assert not {p["kind"] for p in penalties[s["id"]]} & {"LIFE_IMPRISONMENT", "DEATH"}
    assert {c["article"] for c in seeded["charges"] if c["sentence_id"]} <= LAW_ARTICLES
