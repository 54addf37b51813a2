"""The synthetic world (subgraphs.seed): determinism, valid unique ids, whole families, proportions, and the CLI
on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from subgraphs.common.db import sync_url
from subgraphs.common.identifiers import birth_century_and_sex, personal_id_problem
from subgraphs.common.provinces import BY_CODE, BY_NAME, PROVINCES
from subgraphs.seed.__main__ import main
from subgraphs.seed.generator import FATES, REFERENCE_YEAR, ROLES, World
from subgraphs.seed.runner import SUBGRAPHS, SeedError, load_target, seed
from subgraphs.seed.world import SeedPerson
from tests.e2e.support import PEOPLE as E2E_PEOPLE
from tests.e2e.support import SEED as E2E_SEED

N = 20_000


@pytest.fixture(scope="module")
def chunks() -> list[list[SeedPerson]]:
    return list(World(3).chunks(N, chunk_size=3000))


@pytest.fixture(scope="module")
def people(chunks: list[list[SeedPerson]]) -> list[SeedPerson]:
    return [p for c in chunks for p in c]


def test_same_seed_same_world_other_seed_other_world() -> None:
    first = [p for c in World(11).chunks(1500, 400) for p in c]
    again = [p for c in World(11).chunks(1500, 400) for p in c]
    other = [p for c in World(12).chunks(1500, 400) for p in c]
    assert first == again
    assert [p.personal_id for p in first] != [p.personal_id for p in other]


def test_exact_count_and_whole_families_per_chunk(chunks: list[list[SeedPerson]]) -> None:
    assert sum(map(len, chunks)) == N
    assert len(chunks) > 3
    for chunk in chunks:
        ids = {p.personal_id for p in chunk}
        for p in chunk:
            for ref in (p.father_id, p.mother_id, p.spouse_id):
                assert ref is None or ref in ids, "a family straddles two chunks"


def test_personal_ids_are_valid_unique_and_consistent(people: list[SeedPerson]) -> None:
    assert len({p.personal_id for p in people}) == len(people)
    for p in people:
        assert personal_id_problem(p.personal_id) is None, p.personal_id
        century, sex = birth_century_and_sex(p.personal_id)
        assert sex == p.sex and century + int(p.personal_id[4:6]) == p.birth_year
        assert p.personal_id[:3] in BY_CODE[p.birth_province_code].former_codes
        assert p.date_of_birth[:4] == str(p.birth_year)
    assert any(p.personal_id[:3] not in BY_CODE for p in people), "former province codes are used too"


def test_proportions_and_coverage(people: list[SeedPerson]) -> None:
    n = len(people)
    share = lambda pred: sum(1 for p in people if pred(p)) / n  # noqa: E731
    assert 0.15 <= share(lambda p: REFERENCE_YEAR - p.birth_year < 18) <= 0.25
    assert 0.02 <= share(lambda p: p.date_of_death is not None) <= 0.045
    assert 0.001 <= share(lambda p: p.missing_since is not None) <= 0.006
    assert 0 < sum(p.processing_restricted for p in people) < n * 0.01
    assert {p.province_code for p in people} == {pr.code for pr in PROVINCES}
    assert not any(p.date_of_death and p.missing_since for p in people)
    assert Counter(p.sex for p in people)["FEMALE"] > n * 0.4


def test_addresses_end_with_the_province(people: list[SeedPerson]) -> None:
    for p in people[:5000]:
        for address in (p.permanent_address, p.current_address, p.temporary_address, p.place_of_birth,
                        p.birth_registration_place, p.hometown):
            if address is not None:
                assert address.rsplit(", ", 1)[-1] in BY_NAME, address
        assert p.permanent_address.rsplit(", ", 1)[-1] == BY_CODE[p.province_code].name


def test_marital_status_consistent_between_spouses(people: list[SeedPerson]) -> None:
    index = {p.personal_id: p for p in people}
    seen = Counter()
    for p in people:
        if p.spouse_id is None:
            assert p.marital_status == "SINGLE"
            continue
        s = index[p.spouse_id]
        assert s.spouse_id == p.personal_id and s.marriage_date == p.marriage_date
        seen[p.marital_status] += 1
        if p.marital_status == "DIVORCED":
            assert s.marital_status == "DIVORCED" and p.divorce_date == s.divorce_date > p.marriage_date
        elif p.marital_status == "WIDOWED":  # the spouse died, before p if p died too
            assert s.date_of_death is not None and (p.date_of_death is None or p.date_of_death > s.date_of_death)
        else:
            assert p.marital_status == "MARRIED"
            assert s.date_of_death is None or (p.date_of_death is not None and p.date_of_death <= s.date_of_death)
    assert seen["MARRIED"] and seen["DIVORCED"] and seen["WIDOWED"]
    assert all(p.marital_status == "SINGLE" for p in people if REFERENCE_YEAR - p.birth_year < 18)


def test_children_are_younger_than_parents(people: list[SeedPerson]) -> None:
    index = {p.personal_id: p for p in people}
    for p in people:
        for parent_id in (p.father_id, p.mother_id):
            if parent_id:
                parent = index[parent_id]
                assert parent.birth_year + 15 <= p.birth_year
                assert parent.date_of_death is None or parent.date_of_death[:4] >= str(p.birth_year)
        if p.father_id:
            assert p.full_name.split()[0] == index[p.father_id].full_name.split()[0]


def _population_rows(summary: dict) -> dict[str, int]:
    """The population rows a seed wrote: persons; its other tables (the exchange's outbox and inbox, processing
    restrictions) start empty."""
    rows = dict(summary["subgraphs"]["population"]["rows"])
    others = {table: n for table, n in rows.items() if table != "person"}
    assert not any(others.values()), others
    return {"person": rows["person"]}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict | None]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, (json.loads(out) if code == 0 else None)


def test_cli_population_on_sqlite(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'all.db'}"
    code, summary = _run(capsys, "--people", "3000", "--seed", "5", "--database-url", url,
                         "--subgraphs", "population", "--chunk-size", "700")
    assert code == 0 and _population_rows(summary) == {"person": 3000}
    assert summary["chunks"] >= 4 and summary["skipped"] is False

    code, summary = _run(capsys, "--people", "3000", "--database-url", url, "--subgraphs", "population",
                         "--if-absent")
    assert code == 0 and summary["skipped"] is True

    assert main(["--people", "10", "--database-url", url, "--subgraphs", "population"]) == 2
    assert "already holds data" in capsys.readouterr().err

    code, summary = _run(capsys, "--people", "50", "--database-url", url, "--subgraphs", "population", "--reset")
    assert code == 0 and _population_rows(summary) == {"person": 50}


def test_cli_uses_each_subgraphs_own_url(tmp_path, monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("POPULATION_DATABASE_URL", raising=False)
    code, summary = _run(capsys, "--people", "100", "--subgraphs", "population")
    assert code == 0 and (tmp_path / "population.db").exists()
    assert summary["subgraphs"]["population"]["database"].endswith("population.db")


def _writers_missing() -> str | None:
    missing = []
    for name in SUBGRAPHS:
        try:
            load_target(name, "sqlite+aiosqlite://")
        except SeedError as exc:
            missing.append(str(exc))
    return "; ".join(missing) or None


def test_all_three_subgraphs_share_one_database(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    reason = _writers_missing()
    if reason:
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    code, summary = _run(capsys, "--people", "2000", "--database-url", f"sqlite:///{tmp_path / 'one.db'}")
    assert code == 0
    assert set(summary["subgraphs"]) == set(SUBGRAPHS)
    assert summary["subgraphs"]["population"]["rows"]["person"] == 2000
    for name in SUBGRAPHS:
        assert sum(summary["subgraphs"][name]["rows"].values()) > 0, name


async def test_population_on_postgres_via_copy(pg_database) -> None:
    url = pg_database()
    summary = await asyncio.to_thread(
        seed, 2500, seed=9, database_url_override=url, subgraphs=["population"], chunk_size=1000
    )
    assert _population_rows(summary) == {"person": 2500}
    expected = [p for c in World(9).chunks(2500, 1000) for p in c]
    with_alias = next(p for p in expected if p.other_names)
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT other_names, processing_restricted, name_search FROM person WHERE personal_id = :id"),
                {"id": with_alias.personal_id},
            ).one()
            restricted = conn.execute(text("SELECT count(*) FROM person WHERE processing_restricted")).scalar_one()
    finally:
        engine.dispose()
    assert row.other_names == with_alias.other_names
    assert restricted == sum(p.processing_restricted for p in expected)
    assert row.name_search.startswith(" ") and row.name_search.isascii()


def _fate(p: SeedPerson, fate: str) -> bool:
    return {"restricted": p.processing_restricted, "deceased": p.date_of_death is not None,
            "missing": p.missing_since is not None}[fate]


def _roles(people: list[SeedPerson]) -> dict[str, set[str]]:
    """Roles computed from the world as a whole (not from the generator's families)."""
    ids = {p.personal_id for p in people}
    roles: dict[str, set[str]] = {pid: set() for pid in ids}
    for p in people:
        parents = [x for x in (p.father_id, p.mother_id) if x in ids]
        if parents:
            roles[p.personal_id].add("child")
        for parent in parents:
            roles[parent].add("parent")
        if p.spouse_id in ids:
            roles[p.personal_id].add("spouse")
    return roles


def _age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@pytest.mark.parametrize(("n", "seed_value"), [(E2E_PEOPLE, E2E_SEED), (2000, 1)], ids=["e2e", "demo"])
def test_protected_classes_have_families(n: int, seed_value: int) -> None:
    """The e2e world (and the demo one of `make run`) hold restricted, deceased and missing persons in every
    family role (child with parents in the world, parent of children, spouse), so that their civil status events
    name them as subject and as party; the same with another chunk size."""
    people = [p for c in World(seed_value).chunks(n, 10_000) for p in c]
    assert people == [p for c in World(seed_value).chunks(n, 300) for p in c], "fates depend on chunking"
    roles = _roles(people)
    counts = {(fate, role): sum(1 for p in people if _fate(p, fate) and role in roles[p.personal_id])
              for fate in FATES for role in ROLES}
    assert all(count >= 3 for count in counts.values()), counts
    for fate in FATES:
        assert sum(1 for p in people if _fate(p, fate) and roles[p.personal_id]) >= 8, (fate, counts)
    assert not any(p.date_of_death and p.missing_since for p in people)


@pytest.mark.parametrize(("n", "seed_value"), [(E2E_PEOPLE, E2E_SEED), (2000, 1)], ids=["e2e", "demo"])
def test_minors_aged_14_to_17_today_have_exact_birth_dates(n: int, seed_value: int) -> None:
    """A few dozen juveniles of 14-17 on the real date (the gateway's minors rule reads ages on it, 004 Art. 20),
    alive and unrestricted, each with an exact date of birth so that the sentences seed can date their offences."""
    today = date.today()
    people = [p for c in World(seed_value).chunks(n, 10_000) for p in c]
    assert all(len(p.date_of_birth) == 10 for p in people if p.birth_year >= 1975)
    juveniles = [p for p in people if len(p.date_of_birth) == 10
                 and 14 <= _age_on(date.fromisoformat(p.date_of_birth), today) < 18]
    available = [p for p in juveniles if not (p.date_of_death or p.missing_since or p.processing_restricted)]
    assert 30 <= len(available) <= n * 0.1, len(available)
