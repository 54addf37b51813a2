"""The sentences seed writer: batched statements, share of adults sentenced, every status, consistent courses of enforcement;
and, in the world the end-to-end tests run on, what the protection rules need: juvenile offenders serving their
sentences, foreign offenders, legal entities represented by persons of the world, small and large statistics cells."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text

from subgraphs.common.db import Database, sync_url
from subgraphs.common.migrations import upgrade
from subgraphs.seed import runner
from subgraphs.seed.generator import World
from subgraphs.sentences import seed, statistics
from subgraphs.sentences.enums import EnforcementEventKind, EnforcementStatus, PenaltyKind
from subgraphs.sentences.models import TABLES

N_PEOPLE = 100_000
E2E_PEOPLE, E2E_SEED = 1500, 11  # tests/e2e/support.py PEOPLE, SEED (kept in step by test_e2e_size_in_step)
FINAL_EVENT = {"COMPLETED": {"COMPLETION", "AMNESTY"}, "DECEASED": {"DEATH"}, "EXEMPTED": {"EXEMPTION"},
               "TRANSFERRED": {"TRANSFER"}}
LAW_ARTICLES = {123, 134, 141, 168, 171, 173, 174, 175, 248, 249, 250, 251, 255, 260, 304, 318, 321, 322, 353, 354}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path: Path = tmp_path_factory.mktemp("seed") / "sentences.db"
    upgrade("sentences", f"sqlite+aiosqlite:///{path}")
    engine = create_engine(f"sqlite:///{path}")
    statements: list[int] = []  # SQL statements sent per chunk of 10 000 persons (an executemany is one)

    def count(*_: Any) -> None:
        statements[-1] += 1

    event.listen(engine, "before_cursor_execute", count)
    people = []
    for i, chunk in enumerate(World(1).chunks(N_PEOPLE, 10_000)):
        people.extend(chunk)
        statements.append(0)
        with engine.begin() as conn:
            seed.write_people(conn, chunk, random.Random(f"1:sentences:{i}"))
    event.remove(engine, "before_cursor_execute", count)  # write_extras' statements are not a chunk's
    with engine.begin() as conn:
        seed.write_extras(conn, random.Random("1:sentences:extras"), N_PEOPLE)
    with engine.connect() as conn:
        def q(sql: str) -> list[Any]:
            return list(conn.execute(text(sql)).mappings().all())

        data = {"statements": statements, "people": {p.personal_id: p for p in people},
                "sentences": q("SELECT * FROM sentence"), "events": q("SELECT * FROM enforcement_event"),
                "penalties": q("SELECT * FROM penalty"), "charges": q("SELECT * FROM charge"),
                "entity_sentences": q("SELECT * FROM legal_entity_sentence"),
                "judgments": {r["id"]: r for r in q("SELECT * FROM judgment")}}
    engine.dispose()
    return data


def test_writes_in_batches(seeded: dict[str, Any]) -> None:
    """One statement per table (and the facility check) per chunk, whatever its size: no statement per row.
    Speed itself is measured by the bench's seed timings, not asserted here."""
    assert all(0 < n <= len(TABLES) + 1 for n in seeded["statements"]), (seeded["statements"], len(TABLES))


def test_share_of_adults_and_minors(seeded: dict[str, Any]) -> None:
    people = seeded["people"]
    adults = sum(1 for p in people.values() if p.birth_year <= 2007)
    citizens = {s["offender_personal_id"] for s in seeded["sentences"] if s["offender_personal_id"]}
    adult_citizens = {pid for pid in citizens if people[pid].birth_year <= 2007}
    assert 0.02 <= len(adult_citizens) / adults <= 0.03
    # the others are juvenile offenders (minors in the synthetic world too): minors at the offence, serving it
    juveniles = [s for s in seeded["sentences"] if s["offender_personal_id"] in citizens - adult_citizens]
    assert juveniles and all(s["minor_at_offence"] and s["status"] in seed.SERVING for s in juveniles)
    assert any(s["minor_at_offence"] for s in seeded["sentences"] if s["offender_personal_id"] in adult_citizens)
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


# -- the demo / end-to-end world (tests/e2e/support.py): what the protection rules need to find in it ------------

def _under_18_today(person: Any, today: date) -> bool:
    """Whatever the partial date of birth means (the earliest day it can be), still under 18 on ``today``."""
    parts = [int(x) for x in person.date_of_birth.split("-")]
    born = date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day)) < 18


@pytest.fixture(scope="module")
def e2e_world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sentences database of ``python -m subgraphs.seed`` at the e2e size and seed, and the world's people."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('e2e-seed') / 'sentences.db'}"
    runner.seed(E2E_PEOPLE, seed=E2E_SEED, database_url_override=url, subgraphs=("sentences",))
    people = {p.personal_id: p for chunk in World(E2E_SEED).chunks(E2E_PEOPLE, 10_000) for p in chunk}
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        def q(sql: str) -> list[Any]:
            return list(conn.execute(text(sql)).mappings().all())

        data = {"url": url, "people": people, "sentences": q("SELECT * FROM sentence"),
                "foreigners": q("SELECT * FROM foreign_offender"), "entities": q("SELECT * FROM legal_entity")}
    engine.dispose()
    return data


def test_e2e_world_has_juvenile_offenders_in_enforcement(e2e_world: dict[str, Any]) -> None:
    people, today = e2e_world["people"], date.today()
    juvenile = [s for s in e2e_world["sentences"] if s["offender_personal_id"]
                and _under_18_today(people[s["offender_personal_id"]], today)]
    serving = [s for s in juvenile if s["status"] in seed.SERVING]
    assert len({s["offender_personal_id"] for s in serving}) >= 2, [(s["status"]) for s in juvenile]
    for s in juvenile:
        person = people[s["offender_personal_id"]]
        assert s["minor_at_offence"] and s["name_at_judgment"] == person.full_name
        assert not person.date_of_death and not person.missing_since
        assert date.fromisoformat(str(s["offence_date"])).year - person.birth_year >= 14  # age of criminal responsibility (BLHS Art. 12)


def test_e2e_world_has_foreign_offenders_with_sentences(e2e_world: dict[str, Any]) -> None:
    codes = {f["identification_code"] for f in e2e_world["foreigners"]}
    sentenced = {s["foreign_offender_code"] for s in e2e_world["sentences"] if s["foreign_offender_code"]}
    assert codes and sentenced == codes


def test_e2e_world_legal_entities_are_represented_by_adults_of_the_world(e2e_world: dict[str, Any]) -> None:
    people, today = e2e_world["people"], date.today()
    entities = e2e_world["entities"]
    assert len(entities) >= 3
    for e in entities:
        person = people[e["legal_representative_personal_id"]]
        assert e["legal_representative"] == person.full_name
        assert today.year - person.birth_year >= 25 and not person.date_of_death and not person.missing_since


async def test_e2e_world_statistics_have_cells_under_and_over_the_threshold(e2e_world: dict[str, Any]) -> None:
    db = Database(e2e_world["url"])
    try:
        cells = await statistics.sentence_statistics(db, 2015, 2025, None)
    finally:
        await db.dispose()
    sizes = Counter(c.offenders for c in cells)
    assert any(n < 5 for n in sizes) and any(n > 5 for n in sizes), sizes


def test_e2e_size_in_step() -> None:
    from tests.e2e import support

    assert (support.PEOPLE, support.SEED) == (E2E_PEOPLE, E2E_SEED)
