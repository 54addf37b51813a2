"""The synthetic population: families of ``SeedPerson`` generated in chunks, deterministically for a seed.

A family is a couple, their children and, for married adult children, their spouses and grandchildren (three
generations), or a single adult. Families never straddle chunks, so every father/mother/spouse id a chunk
refers to is in that chunk or an earlier one. Proportions (tuned on 100 000 people, seed 1): ~20 % minors,
~3 % deceased, ~0.4 % missing, ~0.4 % under a processing restriction (004 Art. 9.6).

Deceased, missing and restricted persons are what the gateway's row rules are about (004 Art. 9.6, 19), so every
world, however small, holds enough of them with families for those rules to be exercised on every path: at least
one per ``FATE_FLOOR`` persons, from the first family on, of each fate in each family role (a child whose parents
are in the world, a parent of children in the world, a spouse), so that the civil status seed records events with
them as subject and as party. These floors draw from their own generator (``<seed>:fates``), so the rest of the
world is what it would be without them. Dates of birth from 1975 on are exact days: minors (under 18 at the real
date) all have one.
"""

from __future__ import annotations

import bisect
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from subgraphs.common.provinces import Province

from .pools import FEMALE_MIDDLE, MALE_MIDDLE, Pools, build_pools
from .world import SeedPerson

REFERENCE_YEAR = 2025  # "now" of the synthetic world; fixed so that a seed always yields the same data
NATIONALITY = "Việt Nam"
FATES = ("restricted", "deceased", "missing")
ROLES = ("child", "parent", "spouse")
FATE_FLOOR = 400  # persons per (fate, role) pair at least: ~4 each at 1 500 persons, ~5 at the demo's 2 000


class PersonalIdAllocator:
    """Unique personal ids: 3-digit province code, century+sex digit, 2-digit year, 6 digits.

    The 6 digits are ``n * 7919 + salt (mod 10**6)`` for the n-th person of a prefix: a bijection (7919 is prime
    to 10**6), hence unique without remembering every id, yet not sequential-looking.
    """

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def allocate(self, id_code: str, birth_year: int, sex: str) -> str:
        century = birth_year // 100 - 19  # 1900s -> 0, 2000s -> 1 (Circular 59/2021/TT-BCA Art. 7)
        prefix = f"{id_code}{century * 2 + (sex == 'FEMALE')}{birth_year % 100:02d}"
        n = self.counts.get(prefix, 0)
        if n >= 1_000_000:
            raise OverflowError(f"more than a million persons with id prefix {prefix}")
        self.counts[prefix] = n + 1
        salt = int(prefix) * 104_729 % 1_000_000
        return f"{prefix}{(n * 7919 + salt) % 1_000_000:06d}"


@dataclass(slots=True)
class Home:
    province: Province
    address: str


def _age(person: SeedPerson) -> int:
    return REFERENCE_YEAR - person.birth_year


def _has_fate(person: SeedPerson, fate: str) -> bool:
    if fate == "restricted":
        return person.processing_restricted
    return (person.date_of_death if fate == "deceased" else person.missing_since) is not None


def _family_roles(people: list[SeedPerson]) -> dict[str, set[str]]:
    """The roles each person of a family plays in its records (a family holds all of its members' relatives)."""
    roles: dict[str, set[str]] = {p.personal_id: set() for p in people}
    for p in people:
        if p.father_id or p.mother_id:
            roles[p.personal_id].add("child")
        for parent in (p.father_id, p.mother_id):
            if parent in roles:
                roles[parent].add("parent")
        if p.spouse_id:
            roles[p.personal_id].add("spouse")
    return roles


class World:
    """Generator of the synthetic population (one per run; its state keeps ids unique across chunks)."""

    def __init__(self, seed: int, pools: Pools | None = None) -> None:
        self.rng = random.Random(f"{seed}:world")
        self.pools = pools or build_pools(seed)
        self.ids = PersonalIdAllocator()
        self.old_ids = 0
        self.fate_rng = random.Random(f"{seed}:fates")  # the floors' own draws (see the module docstring)
        self.fated: Counter[tuple[str, str]] = Counter()  # (fate, role) -> persons so far
        self.placed = 0  # persons so far, for the floors

    # -- public ---------------------------------------------------------------------------------------------
    def chunks(self, n_people: int, chunk_size: int = 10_000) -> Iterator[list[SeedPerson]]:
        """Exactly ``n_people`` persons in chunks of about ``chunk_size`` (whole families)."""
        produced = 0
        chunk: list[SeedPerson] = []
        while produced < n_people:
            tally = self.placed, self.fated.copy()
            family = self.family()
            if len(family) > n_people - produced:  # the last few: singles, so the total is exact
                self.placed, self.fated = tally  # the dropped family's fates are not in the world
                family = [self.single() for _ in range(n_people - produced)]
            chunk.extend(family)
            produced += len(family)
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def family(self) -> list[SeedPerson]:
        """One family: a single adult (20 %) or a couple with children and grandchildren."""
        rng = self.rng
        if rng.random() < 0.2:
            return [self.single()]
        home = self._home()
        h_year = rng.randint(1928, 1982)
        w_year = min(h_year + rng.randint(-2, 6), REFERENCE_YEAR - 18)
        husband = self._person("MALE", h_year, home)
        wife = self._person("FEMALE", w_year, home)
        people = [husband, wife]
        self._couple(husband, wife, people)
        self._fates(people)
        return people

    def single(self) -> SeedPerson:
        """An unmarried adult living alone."""
        person = self._person(self._sex(), self.rng.randint(REFERENCE_YEAR - 75, REFERENCE_YEAR - 18), self._home())
        self._fates([person])
        return person

    # -- families -------------------------------------------------------------------------------------------
    def _couple(self, husband: SeedPerson, wife: SeedPerson, people: list[SeedPerson], depth: int = 0) -> None:
        """Marry the two, then add their children (and, one generation down, the children's families)."""
        rng = self.rng
        wedding = min(max(husband.birth_year, wife.birth_year) + rng.randint(19, 30), REFERENCE_YEAR)
        wedding_date = self._date(wedding)
        for a, b in ((husband, wife), (wife, husband)):
            a.marital_status, a.spouse_id, a.marriage_date = "MARRIED", b.personal_id, wedding_date
        last_birth = min(wife.birth_year + 42, REFERENCE_YEAR)
        n_children = rng.choices((0, 1, 2, 3, 4), ((8, 20, 40, 22, 10), (12, 38, 38, 10, 2))[depth])[0] if wedding < last_birth else 0
        youngest = wedding
        home = Home(self.pools.provinces[0], "")
        home.province, home.address = self._home_of(husband)
        for year in sorted(rng.randint(wedding + 1, last_birth) for _ in range(n_children)):
            youngest = year
            marries = depth == 0 and REFERENCE_YEAR - year >= 20 and rng.random() < 0.75
            child_home = self._home(near=home.province) if marries else home
            child = self._person(self._sex(), year, child_home, father=husband, mother=wife)
            people.append(child)
            if marries:
                spouse_sex = "FEMALE" if child.sex == "MALE" else "MALE"
                spouse = self._person(spouse_sex, min(year + rng.randint(-4, 4), REFERENCE_YEAR - 18), child_home)
                people.append(spouse)
                pair = (child, spouse) if child.sex == "MALE" else (spouse, child)
                self._couple(*pair, people, depth + 1)
        if rng.random() < 0.07 and youngest < REFERENCE_YEAR:
            divorce = self._date(rng.randint(youngest + 1, REFERENCE_YEAR))
            for p in (husband, wife):
                p.marital_status, p.divorce_date = "DIVORCED", divorce

    def _fates(self, people: list[SeedPerson]) -> None:
        """Deaths (widowing the spouse), missing persons and processing restrictions."""
        rng = self.rng
        by_id = {p.personal_id: p for p in people}
        children_born: dict[str, int] = {}
        for p in people:
            for parent in (p.father_id, p.mother_id):
                if parent:
                    children_born[parent] = max(children_born.get(parent, 0), p.birth_year)
        for p in people:
            age = _age(p)
            p_death = 0.3 if age >= 85 else 0.1 if age >= 75 else 0.04 if age >= 65 else 0.012 if age >= 50 else 0.002
            if rng.random() < p_death:
                self._die(p, children_born, rng)
            elif age >= 18 and rng.random() < 0.004:
                self._go_missing(p, rng)
            if rng.random() < 0.002:
                p.processing_restricted = True
        self._floors(people, children_born)
        for p in people:  # a surviving (or later deceased) spouse of a married couple is widowed
            spouse = by_id.get(p.spouse_id or "")
            if p.marital_status == "MARRIED" and spouse is not None and spouse.date_of_death is not None:
                if p.date_of_death is None or p.date_of_death > spouse.date_of_death:
                    p.marital_status = "WIDOWED"

    def _die(self, p: SeedPerson, children_born: dict[str, int], rng: random.Random) -> None:
        low = max(p.birth_year, children_born.get(p.personal_id, 0), int((p.marriage_date or "0")[:4]),
                  int((p.divorce_date or "0")[:4]), REFERENCE_YEAR - 25)
        p.date_of_death = self._date(rng.randint(low, REFERENCE_YEAR), rng)

    def _go_missing(self, p: SeedPerson, rng: random.Random) -> None:
        p.missing_since = self._date(rng.randint(max(p.birth_year + 18, REFERENCE_YEAR - 10), REFERENCE_YEAR), rng)

    def _floors(self, people: list[SeedPerson], children_born: dict[str, int]) -> None:
        """Give fates to members of this family while a (fate, role) pair is below its floor."""
        self.placed += len(people)
        roles = _family_roles(people)
        rng = self.fate_rng

        def count(fate: str, role: str) -> int:
            return sum(1 for p in people if role in roles[p.personal_id] and _has_fate(p, fate))

        for fate in FATES:
            for role in ROLES:
                if self.fated[fate, role] + count(fate, role) >= self.placed / FATE_FLOOR:
                    continue
                free = [p for p in people if role in roles[p.personal_id] and not _has_fate(p, fate)]
                if fate != "restricted":  # one fate of the two at most; only adults go missing
                    free = [p for p in free if p.date_of_death is None and p.missing_since is None
                            and (fate == "deceased" or _age(p) >= 18)]
                if not free:
                    continue
                chosen = rng.choice(free)
                if fate == "restricted":
                    chosen.processing_restricted = True
                elif fate == "deceased":
                    self._die(chosen, children_born, rng)
                else:
                    self._go_missing(chosen, rng)
        for fate in FATES:
            for role in ROLES:
                self.fated[fate, role] += count(fate, role)

    # -- persons --------------------------------------------------------------------------------------------
    def _person(
        self, sex: str, birth_year: int, home: Home, *, father: SeedPerson | None = None,
        mother: SeedPerson | None = None,
    ) -> SeedPerson:
        rng, pools = self.rng, self.pools
        birth_province = home.province if rng.random() < 0.9 else self._province()
        personal_id = self.ids.allocate(rng.choice(birth_province.former_codes), birth_year, sex)
        last = father.full_name.split(" ", 1)[0] if father else rng.choice(pools.last_names)
        male = sex == "MALE"
        first = rng.choice(pools.male_first if male else pools.female_first)
        full_name = f"{last} {rng.choice(MALE_MIDDLE if male else FEMALE_MIDDLE)} {first}"
        birth_commune = rng.choice(pools.communes)
        parent = father or mother
        if parent is not None:  # quê quán, ethnicity and (usually) religion follow the parents
            hometown, ethnicity = parent.hometown, parent.ethnicity
            religion = parent.religion if rng.random() < 0.9 else self._religion()
        else:
            hometown = f"{rng.choice(pools.communes)}, {self._province().name}"
            ethnicity = rng.choices(pools.ethnicities, cum_weights=pools.ethnicity_cum_weights)[0]
            religion = self._religion()
        temporary = None
        if birth_year <= REFERENCE_YEAR - 18 and rng.random() < 0.08:  # living elsewhere (tạm trú)
            temporary = self._home().address
        old_id = None
        if birth_year < 2000 and rng.random() < 0.8:  # 9-digit CMND, issued before the 12-digit ids
            self.old_ids += 1
            old_id = f"{(self.old_ids * 7919 + 100_000_000) % 1_000_000_000:09d}"
        return SeedPerson(
            personal_id=personal_id,
            full_name=full_name,
            sex=sex,
            date_of_birth=self._birth_date(birth_year),
            birth_year=birth_year,
            province_code=home.province.code,
            birth_province_code=birth_province.code,
            place_of_birth=f"{birth_commune}, {birth_province.name}",
            birth_registration_place=f"Ủy ban nhân dân {birth_commune}, {birth_province.name}",
            hometown=hometown,
            ethnicity=ethnicity,
            religion=religion,
            nationality=NATIONALITY,
            marital_status="SINGLE",
            permanent_address=home.address,
            temporary_address=temporary,
            current_address=temporary or home.address,
            old_id_card_number=old_id,
            father_id=father.personal_id if father else None,
            mother_id=mother.personal_id if mother else None,
            other_names=[rng.choice(pools.male_first if male else pools.female_first)] if rng.random() < 0.03 else [],
        )

    def _birth_date(self, year: int) -> str:
        r = self.rng.random()
        if year < 1960 and r < 0.25:  # older records often hold only the year
            return str(year)
        if year < 1975 and r < 0.32:
            return f"{year}-{self.rng.randint(1, 12):02d}"
        return self._date(year)

    def _date(self, year: int, rng: random.Random | None = None) -> str:
        # Day 1..28 is valid in every month; the distribution does not matter for the demo.
        rng = rng or self.rng
        return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    def _sex(self) -> str:
        return "MALE" if self.rng.random() < 0.51 else "FEMALE"

    def _religion(self) -> str | None:
        return self.rng.choices(self.pools.religions, cum_weights=self.pools.religion_cum_weights)[0]

    def _province(self) -> Province:
        pools = self.pools
        x = self.rng.random() * pools.province_cum_weights[-1]
        return pools.provinces[bisect.bisect_right(pools.province_cum_weights, x)]

    def _home(self, near: Province | None = None) -> Home:
        rng = self.rng
        province = near if near is not None and rng.random() < 0.7 else self._province()
        street = rng.choice(self.pools.streets)
        address = f"Số {rng.randint(1, 300)} đường {street}, {rng.choice(self.pools.communes)}, {province.name}"
        return Home(province, address)

    def _home_of(self, person: SeedPerson) -> tuple[Province, str]:
        from subgraphs.common.provinces import BY_CODE

        return BY_CODE[person.province_code], person.permanent_address


def generate(n_people: int, seed: int, chunk_size: int = 10_000) -> Iterator[list[SeedPerson]]:
    """Shorthand: the chunks of a new :class:`World`."""
    return World(seed).chunks(n_people, chunk_size)
