"""The civil-status seed writer: records that agree with the population, unique numbers, speed."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, select
from test_civil_status_support import make_people, seed_database

from subgraphs.civil_status.enums import CivilStatusEventKind
from subgraphs.civil_status.models import EVENT, PARTY
from subgraphs.civil_status.seed import RATE_AT_MISSION, write_people
from subgraphs.civil_status.seed_values import MISSIONS
from subgraphs.common.migrations import upgrade
from subgraphs.common.provinces import BY_CODE
from subgraphs.common.scalars import parse_partial_date
from subgraphs.seed.world import SeedPerson

SOURCES = ("helper", "generator")


@cache
def world(source: str = "helper") -> tuple[SeedPerson, ...]:
    """The test helper's families, or the shared generator's population (what `python -m subgraphs.seed` uses)."""
    if source == "helper":
        return tuple(make_people(3000, seed=3))
    from subgraphs.seed.generator import World

    return tuple(p for chunk in World(4).chunks(8000, 4000) for p in chunk)


def read(url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    engine = create_engine(url.replace("+aiosqlite", ""))
    with engine.connect() as conn:
        events = [dict(r) for r in conn.execute(select(EVENT).order_by(EVENT.c.id)).mappings()]
        parties = [dict(r) for r in conn.execute(select(PARTY)).mappings()]
    engine.dispose()
    return events, parties


@cache
def seeded(source: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="lt_civil_status_seed_"))
    url = f"sqlite+aiosqlite:///{directory / 'cs.db'}"
    seed_database(url, list(world(source)), chunk=4000)  # several chunks: ids must stay unique across them
    return read(url)


def by_kind(source: str, kind: str) -> list[dict[str, Any]]:
    return [e for e in seeded(source)[0] if e["kind"] == kind]


@pytest.mark.parametrize("source", SOURCES)
def test_every_kind_is_seeded_and_numbers_are_unique(source: str) -> None:
    events, parties = seeded(source)
    counts = Counter(e["kind"] for e in events)
    print("seeded events by kind:", dict(counts))
    assert set(counts) == {k.value for k in CivilStatusEventKind}
    numbers = [e["registration_number"] for e in events]
    assert len(set(numbers)) == len(numbers)
    assert len({(p["event_id"], p["personal_id"]) for p in parties}) == len(parties)
    ids = {e["id"] for e in events}
    assert {p["event_id"] for p in parties} <= ids
    for e in events:
        assert e["registration_province_code"] in BY_CODE
        parse_partial_date(e["registration_date"])
        if e["registered_at_mission"]:  # a representative mission abroad registered it (003 Art. 8.3)
            assert e["registering_authority"] in MISSIONS and e["kind"] in ("BIRTH", "MARRIAGE")
        else:
            assert e["registering_authority"].endswith(BY_CODE[e["registration_province_code"]].name)


@pytest.mark.parametrize("source", SOURCES)
def test_one_birth_registration_per_person_agreeing_with_population(source: str) -> None:
    births = {e["subject_id"]: e for e in by_kind(source, "BIRTH")}
    assert len(births) == len(by_kind(source, "BIRTH")) == len(world(source))
    for p in world(source):
        b = births[p.personal_id]
        assert (b["full_name"], b["date_of_birth"], b["sex"], b["ethnicity"], b["hometown"]) == (
            p.full_name,
            p.date_of_birth,
            p.sex,
            p.ethnicity,
            p.hometown,
        )
        assert (b["father_id"], b["mother_id"]) == (p.father_id, p.mother_id)
        assert b["registration_province_code"] == p.birth_province_code
        assert b["registration_date"] >= p.date_of_birth


@pytest.mark.parametrize("source", SOURCES)
def test_marriages_once_per_couple_divorces_and_deaths_agree(source: str) -> None:
    events, parties = seeded(source)
    people = {p.personal_id: p for p in world(source)}
    indexed: dict[int, set[str]] = defaultdict(set)
    for party in parties:
        indexed[party["event_id"]].add(party["personal_id"])
    weddings: Counter[frozenset[str]] = Counter()
    for e in events:
        if e["kind"] == "MARRIAGE" or e["recorded_event"] == "MARRIAGE":
            couple = frozenset(
                filter(None, (e["husband_id"], e["wife_id"], e["subject_id"], e["other_party_id"]))
            )
            weddings[couple] += 1
            assert indexed[e["id"]] == couple
    couples = {
        frozenset((p.personal_id, p.spouse_id)) for p in world(source) if p.spouse_id and p.marriage_date
    }
    assert set(weddings) == couples and set(weddings.values()) == {1}
    for e in by_kind(source, "MARRIAGE"):
        husband, wife = people[e["husband_id"]], people[e["wife_id"]]
        assert (
            husband.sex == "MALE" and wife.sex == "FEMALE" and e["registration_date"] == husband.marriage_date
        )
    divorces = [e for e in by_kind(source, "COURT_DECISION_RECORDING") if e["decision_kind"] == "DIVORCE"]
    divorced = {
        frozenset((p.personal_id, p.spouse_id)) for p in world(source) if p.marital_status == "DIVORCED"
    }
    assert {frozenset((e["subject_id"], e["other_party_id"])) for e in divorces} == divorced
    for e in divorces:
        assert e["decision_date"] == people[e["subject_id"]].divorce_date <= e["registration_date"]
    deaths = {e["subject_id"]: e for e in by_kind(source, "DEATH")}
    assert set(deaths) == {p.personal_id for p in world(source) if p.date_of_death}
    assert all(deaths[pid]["date_of_death"] == people[pid].date_of_death for pid in deaths)
    missing = [
        e
        for e in by_kind(source, "COURT_DECISION_RECORDING")
        if e["decision_kind"] == "DECLARATION_OF_MISSING"
    ]
    assert all(people[e["subject_id"]].missing_since for e in missing)


@pytest.mark.parametrize("source", SOURCES)
def test_rare_events_never_contradict_the_population(source: str) -> None:
    people = {p.personal_id: p for p in world(source)}
    for e in by_kind(source, "MARITAL_STATUS_CONFIRMATION"):
        p = people[e["subject_id"]]
        assert e["confirmed_marital_status"] == p.marital_status and not p.date_of_death
        assert e["registration_date"] >= (p.divorce_date or p.marriage_date or "")
    for kind in ("CHANGE", "CORRECTION", "SUPPLEMENT"):
        for e in by_kind(source, kind):
            p = people[e["subject_id"]]
            current = {
                "FULL_NAME": p.full_name,
                "DATE_OF_BIRTH": p.date_of_birth,
                "PLACE_OF_BIRTH": p.place_of_birth,
                "HOMETOWN": p.hometown,
            }[e["changed_item"]]
            assert e["new_value"] == current != e["old_value"]
    for e in by_kind(source, "ETHNICITY_REDETERMINATION"):
        assert e["new_value"] == people[e["subject_id"]].ethnicity != e["old_value"]
    for e in by_kind(source, "ADOPTION"):
        p = people[e["subject_id"]]
        assert (e["adoptive_father_id"], e["adoptive_mother_id"]) == (p.father_id, p.mother_id)
    for e in by_kind(source, "PARENT_CHILD_RECOGNITION"):
        assert e["parent_id"] == people[e["subject_id"]].father_id
    for kind in ("GUARDIANSHIP", "GUARDIANSHIP_END"):
        for e in by_kind(source, kind):
            ward, guardian = people[e["subject_id"]], people[e["guardian_id"]]
            assert guardian.birth_year < ward.birth_year and e["registration_date"] > ward.date_of_birth


def test_writes_are_deterministic(tmp_path: Path) -> None:
    people = list(world()[:600])
    urls = [f"sqlite+aiosqlite:///{tmp_path / f'{i}.db'}" for i in range(2)]
    for url in urls:
        seed_database(url, people, seed=5)
    assert read(urls[0]) == read(urls[1])


def test_writer_batches_its_statements(tmp_path: Path) -> None:
    """A fixed number of statements per call, whatever the number of persons (executemany/COPY per table), so
    seeding stays linear in rows, not in round trips. Speed itself is measured by the bench's seed timings."""
    url = f"sqlite:///{tmp_path / 'batches.db'}"
    upgrade("civil_status", url.replace("sqlite:", "sqlite+aiosqlite:"))
    engine = create_engine(url)
    sent = [0]
    event.listen(engine, "before_cursor_execute", lambda *_: sent.__setitem__(0, sent[0] + 1))
    counts = []
    for n, seed in ((1500, 9), (6000, 10)):
        sent[0] = 0
        with engine.begin() as conn:
            write_people(conn, make_people(n, seed=seed), random.Random(seed))
        counts.append(sent[0])
    engine.dispose()
    assert counts[0] == counts[1] and counts[0] < 40, counts  # one per key set of a kind, parties, the max id


# -- the protected persons of the e2e world have civil status events, as subject and as party ----------------

PARTY_COLUMNS = tuple(c for c in EVENT.columns.keys() if c.endswith("_id") and c != "subject_id")
FATES = {
    "restricted": lambda p: p.processing_restricted,
    "deceased": lambda p: p.date_of_death is not None,
    "missing": lambda p: p.missing_since is not None,
}


WORLDS = {"e2e": (1500, 11), "demo": (2000, 1)}  # tests/e2e/support.py PEOPLE, SEED; `make run`'s defaults


def test_the_e2e_world_is_the_one_the_stack_seeds() -> None:
    from tests.e2e.support import PEOPLE, SEED

    assert WORLDS["e2e"] == (PEOPLE, SEED)


@cache
def world_seeded(name: str) -> tuple[dict[str, SeedPerson], list[dict[str, Any]], list[dict[str, Any]]]:
    """What `python -m subgraphs.seed` writes for that world (same people, seed and chunking; the writer's
    generator depends only on seed, subgraph and chunk), civil status only."""
    import tempfile

    from subgraphs.seed.generator import World
    from subgraphs.seed.runner import seed

    n, seed_value = WORLDS[name]
    directory = Path(tempfile.mkdtemp(prefix=f"lt_civil_status_{name}_"))
    url = f"sqlite+aiosqlite:///{directory / 'cs.db'}"
    seed(n, seed=seed_value, database_url_override=url, subgraphs=("civil_status",))
    people = {p.personal_id: p for chunk in World(seed_value).chunks(n) for p in chunk}
    return (people, *read(url))


def test_party_columns_are_the_person_fields_of_the_events() -> None:
    assert set(PARTY_COLUMNS) == {
        "father_id", "mother_id", "declarant_id", "husband_id", "wife_id", "guardian_id", "parent_id",
        "requester_id", "legal_representative_id",
        "adoptive_father_id", "adoptive_mother_id", "other_party_id",
    }


@pytest.mark.parametrize("name", sorted(WORLDS))
def test_protected_persons_have_events_as_subject_and_as_party(name: str) -> None:
    """Restricted, deceased and missing persons of the e2e (and demo) world are the subject of civil status
    events and a party (parent of a birth, spouse, guardian...) of others, so every row rule meets them."""
    people, events, parties = world_seeded(name)
    found: Counter[tuple[str, str]] = Counter()
    for e in events:
        subject = people[e["subject_id"]]
        for fate, test in FATES.items():
            if test(subject):
                found[(fate, "SUBJECT")] += 1
        for column in PARTY_COLUMNS:
            party = people.get(e[column]) if e[column] and e[column] != e["subject_id"] else None
            for fate, test in FATES.items():
                if party is not None and test(party):
                    found[(fate, "PARTY")] += 1
    print("events of protected persons:", dict(found))
    assert all(found[(fate, role)] >= 1 for fate in FATES for role in ("SUBJECT", "PARTY")), found
    # every deceased person's death is registered, with the population's date
    deaths = {e["subject_id"]: e for e in events if e["kind"] == "DEATH"}
    deceased = {pid for pid, p in people.items() if p.date_of_death}
    assert deceased and set(deaths) == deceased
    assert all(deaths[pid]["date_of_death"] == people[pid].date_of_death for pid in deceased)
    # `Person.civilStatusEvents` reads the party index: each kind of protected person is listed there as a
    # party other than the subject of some event (a wife, guardian, other party...)
    indexed = Counter(fate for row in parties if row["role"] != "SUBJECT"
                      for fate, test in FATES.items() if test(people[row["personal_id"]]))
    assert all(indexed[fate] >= 1 for fate in FATES), indexed


@pytest.mark.parametrize("name", sorted(WORLDS))
def test_a_small_share_of_births_and_marriages_is_registered_at_missions(name: str) -> None:
    """003 Art. 8.3: the foreign affairs body reads the records registered at representative missions abroad;
    the seed has some in every world `make run` and the e2e stack start (about RATE_AT_MISSION of the births and
    marriages), registered by a mission, and nothing else is."""
    _, events, _ = world_seeded(name)
    at_mission = [e for e in events if e["registered_at_mission"]]
    kinds = Counter(e["kind"] for e in at_mission)
    assert kinds["BIRTH"] > 0 and kinds["MARRIAGE"] > 0, kinds
    assert set(kinds) == {"BIRTH", "MARRIAGE"}
    assert {e["registering_authority"] for e in at_mission} <= set(MISSIONS)
    eligible = sum(e["kind"] in ("BIRTH", "MARRIAGE") for e in events)
    assert RATE_AT_MISSION / 4 < len(at_mission) / eligible < RATE_AT_MISSION * 4, (len(at_mission), eligible)
    assert all(e["registering_authority"] not in MISSIONS for e in events if not e["registered_at_mission"])
