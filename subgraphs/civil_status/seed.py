"""Seed writer of the civil-status subgraph: derives civil status events that AGREE with the population.

Called by ``python -m subgraphs.seed`` once per chunk of people (families and couples never split across
chunks). Every person gets a birth registration in the province of their birth registration; every marriage is
written once per couple at the population's ``marriage_date``; divorces are recorded from the court's decision;
deaths are registered at the population's ``date_of_death``; the rarer events (confirmations, guardianships,
recognitions, adoptions, amendments, events abroad) are drawn at low rates and never contradict the population
record (e.g. an ethnicity re-determination ends at the person's current ethnicity); about 1 % of births and
marriages were registered at a representative mission abroad (``registered_at_mission``: the records the foreign
affairs body exploits, 003 Art. 8.3), drawn from a stream of their own. Nobody is skipped for
their protection status: the world's processing-restricted, deceased and missing persons, who hold every family
role, get their events as subject (birth, marriage, death, declaration of missing) and appear as parties of
others' (parent of a birth, spouse, guardian), which the row rules of the gateway must meet on every path
(``tests/test_civil_status_seed.py`` checks it on the e2e and demo worlds).

Every record says where it came from (003 Art. 3.2, ``seed_values.source``): registered through the shared
software from 2016, otherwise digitised from its book (with the reference of the page's scan, 3.1.d) or converted
from an earlier database; its created time is the registration's working hour, or the day it was digitised or
converted; its updated time moves when a later amendment annotates the person's birth record (003 Art. 7.2).
Parents and declarants carry the identity paper they held on the day of the birth registration (3.1.a): the
citizen identity card (its number is the personal id) from 2016, the former ID card before; a few persons whose
parents the population does not know were born to a foreign father, recorded by his passport alone.

Bulk inserts (``subgraphs.seed.bulk``: the driver's executemany on SQLite, COPY on PostgreSQL), one per
kind of event and one for the index: ~100k persons in a few seconds on SQLite.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from subgraphs.seed.bulk import bulk_insert
from subgraphs.seed.world import SeedPerson

from . import seed_values as v
from .models import EVENT, PARTY

_ID_WIDTH = 8

# Rates per eligible person: low, as in the real registers, yet enough for every kind in a few thousand people.
RATE_CONFIRMATION = 0.08
RATE_GUARDIANSHIP = 0.02
RATE_RECOGNITION = 0.01
RATE_ADOPTION = 0.005
RATE_NAME_CHANGE = 0.3  # of persons with another name
RATE_CORRECTION = 0.006
RATE_SUPPLEMENT = 0.006
RATE_ETHNICITY = 0.003
RATE_MARRIAGE_ABROAD = 0.03
RATE_AT_MISSION = 0.01  # of births and marriages: registered at a representative mission abroad (003 Art. 8.3)


def _own_stream(rng: random.Random) -> random.Random:
    """A generator of its own seeded from ``rng``'s state, without drawing from it: the records a seed gave
    before the mission registrations existed stay exactly as they were (every later draw of ``rng`` would move)."""
    state = rng.getstate()[1]
    return random.Random(int.from_bytes(b"".join(x.to_bytes(4, "little") for x in state[:8]), "little"))


class _Writer:
    """Accumulates the event and party rows of one chunk."""

    def __init__(self, rng: random.Random, first_id: int, people: list[SeedPerson], tz_suffix: str = "") -> None:
        self.rng = rng
        self.mission_rng = _own_stream(rng)  # one draw per birth and marriage: which are at a mission
        self.clock = v.RecordClock(rng, tz_suffix)
        self.births: dict[str, dict[str, Any]] = {}  # personal id -> its birth row (amendments update it)
        self.fourteen: dict[str, date] = {}  # personal id -> 14th birthday (parents have several children)
        self.next_id = first_id
        self.people = people
        self.by_id = {p.personal_id: p for p in people}
        self.events: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        self.signers: dict[str, list[tuple[str, str]]] = {}
        self.authorities: dict[tuple[str | None, str], str] = {}
        self.parties: list[tuple[int, str, str]] = []

    def add(self, kind: str, subject: SeedPerson, when: str, province_code: str, place: str | None,
            parties: dict[str, str | None], **specific: Any) -> None:
        """One event registered on ``when`` by the commune of ``place``; ``parties`` maps role -> personal id
        for the index of events by person (the subject is always indexed)."""
        event_id = self.next_id
        self.next_id += 1
        name, title = self.signer(province_code)
        source, scan, created = self.clock.record(when, province_code, event_id)
        row = {
            "id": event_id,
            "kind": kind,
            "subject_id": subject.personal_id,
            # Unique by construction (the id is); shaped like a book entry: number/year.
            "registration_number": f"{event_id:0{_ID_WIDTH}d}/{when[:4]}",
            "book_number": f"0{int(self.rng.random() * 3) + 1}/{when[:4]}",
            "registration_date": when,
            "registering_authority": self.authority(place, province_code),
            "registration_province_code": province_code,
            "signer_name": name,
            "signer_title": title,
            "source": source,
            "register_page_scan": scan,
            "created_at": created,
            "updated_at": created,
            **specific,
        }
        # executemany needs one key set per statement; only the columns a kind uses are sent, which is what
        # keeps 100k persons' worth of rows fast (a 50-column row is mostly NULLs).
        self.events.setdefault((kind, *specific), []).append(row)
        if kind == "BIRTH":
            self.births[subject.personal_id] = row
        self.parties.append((event_id, subject.personal_id, "SUBJECT"))
        for role, pid in parties.items():
            if pid is not None and pid != subject.personal_id:
                self.parties.append((event_id, pid, role))

    def signer(self, province_code: str) -> tuple[str, str]:
        """One of a few officials per province, as in real books where the same people sign for years."""
        pool = self.signers.get(province_code)
        if pool is None:
            pool = self.signers[province_code] = [v.signer(self.rng) for _ in range(4)]
        return pool[int(self.rng.random() * len(pool))]

    def authority(self, place: str | None, province_code: str) -> str:
        key = (place, province_code)
        name = self.authorities.get(key)
        if name is None:
            name = self.authorities[key] = v.authority(place, province_code)
        return name

    def person(self, pid: str | None) -> SeedPerson | None:
        return None if pid is None else self.by_id.get(pid)

    def alive_on(self, pid: str | None, day: date) -> bool:
        p = self.person(pid)
        death = v.parse(p.date_of_death) if p else None
        return p is not None and (death is None or death > day)

    # -- rules -------------------------------------------------------------------------------------------

    def birth(self, p: SeedPerson) -> None:
        father, mother = self.person(p.father_id), self.person(p.mother_id)
        declarant, relationship = (father, "Cha") if father else (mother, "Mẹ") if mother else (None, None)
        when = v.after(p.date_of_birth, self.rng, 1, 60)
        day = v.parse(when)
        papers: dict[str, Any] = {}
        for role, parent in (("FATHER", father), ("MOTHER", mother)):
            paper = self._paper(parent, day) if parent and day else None
            if paper:
                papers[role] = paper
        if father is None and mother is None and self.rng.random() < v.RATE_FOREIGN_FATHER:
            papers["FATHER"] = v.foreign_passport(self.rng, when)
        representative = self._representative(p, father, mother)
        self.add(
            "BIRTH", p, when, p.birth_province_code,
            p.birth_registration_place, {}, **self._at_mission(),
            full_name=p.full_name, date_of_birth=p.date_of_birth, sex=p.sex, place_of_birth=p.place_of_birth,
            ethnicity=p.ethnicity, nationality=p.nationality, hometown=p.hometown,
            father_id=p.father_id, mother_id=p.mother_id,
            declarant_name=declarant.full_name if declarant else None,
            declarant_id=declarant.personal_id if declarant else None,
            declarant_relationship=relationship,
            identity_papers=papers or None,
            legal_representative_id=representative.personal_id if representative else None,
            legal_representative_name=representative.full_name if representative else None,
        )

    def _paper(self, holder: SeedPerson, day: date) -> dict[str, Any] | None:
        fourteen = self.fourteen.get(holder.personal_id)
        if fourteen is None:
            fourteen = self.fourteen[holder.personal_id] = v.fourteenth_birthday(holder) or v.REFERENCE_DATE
        return v.identity_paper(self.rng, holder, day, fourteen)

    def _representative(self, p: SeedPerson, father: SeedPerson | None,
                        mother: SeedPerson | None) -> SeedPerson | None:
        """The legal representative population shares for a person born before 2016 (003 Art. 10.3.b): a
        living parent of a person still a minor on the reference day (Civil Code Art. 136)."""
        if not v.MINOR_SINCE_YEAR <= p.birth_year < 2016:
            return None
        return next((q for q in (father, mother) if q and self.alive_on(q.personal_id, v.REFERENCE_DATE)), None)

    def _writes_couple_event(self, p: SeedPerson) -> bool:
        """Once per couple: when both records point at each other, the smaller personal id writes it."""
        spouse = self.person(p.spouse_id)
        mutual = spouse is not None and spouse.spouse_id == p.personal_id
        return not mutual or p.personal_id < spouse.personal_id  # type: ignore[union-attr]

    def marriage(self, p: SeedPerson) -> None:
        if p.marital_status == "SINGLE" or not p.marriage_date or not self._writes_couple_event(p):
            return
        husband, wife = (p.personal_id, p.spouse_id) if p.sex == "MALE" else (p.spouse_id, p.personal_id)
        subject = self.person(husband) or p
        if self.rng.random() < RATE_MARRIAGE_ABROAD:
            country, foreign_authority = self.rng.choice(v.FOREIGN_COUNTRIES)
            self.add(
                "FOREIGN_EVENT_RECORDING", p, v.after(p.marriage_date, self.rng, 30, 365), p.province_code,
                p.permanent_address, {"SPOUSE": p.spouse_id},
                recorded_event="MARRIAGE", foreign_country=country, foreign_authority=foreign_authority,
                foreign_document_number=str(self.rng.randint(10000, 999999)),
                foreign_document_date=p.marriage_date, other_party_id=p.spouse_id,
                requester_id=p.personal_id, requester_name=p.full_name,
                identity_papers=self._requester_paper(p, p.marriage_date),
            )
            return
        self.add(
            "MARRIAGE", subject, p.marriage_date, p.province_code, p.permanent_address,
            {"HUSBAND": husband, "WIFE": wife}, husband_id=husband, wife_id=wife, **self._at_mission(),
        )

    def _at_mission(self) -> dict[str, Any]:
        """The columns of a birth or marriage of citizens residing abroad, registered at a representative mission
        (Law on Civil Status Art. 53; 003 Art. 8.3) for a small share of them, else none: the mission is the
        registering authority; the province stays the one whose database holds the record."""
        draw = self.mission_rng.random()
        if draw >= RATE_AT_MISSION:
            return {}
        mission = v.MISSIONS[int(draw / RATE_AT_MISSION * len(v.MISSIONS))]
        return {"registered_at_mission": True, "registering_authority": mission}

    def _requester_paper(self, p: SeedPerson, when: str) -> dict[str, Any] | None:
        day = v.parse(when)
        paper = self._paper(p, day) if day else None
        return {"REQUESTER": paper} if paper else None

    def divorce(self, p: SeedPerson) -> None:
        if p.marital_status != "DIVORCED" or not p.divorce_date or not self._writes_couple_event(p):
            return
        self.add(
            "COURT_DECISION_RECORDING", p, v.after(p.divorce_date, self.rng, 5, 60), p.province_code,
            p.permanent_address, {"OTHER_PARTY": p.spouse_id},
            court=v.court(self.rng, p.province_code),
            decision_number=f"{self.rng.randint(1, 999)}/{p.divorce_date[:4]}/QĐST-HNGĐ",
            decision_date=p.divorce_date, decision_kind="DIVORCE", other_party_id=p.spouse_id,
        )

    def death(self, p: SeedPerson) -> None:
        if not p.date_of_death:
            return
        self.add(
            "DEATH", p, v.after(p.date_of_death, self.rng, 1, 15), p.province_code, p.permanent_address, {},
            date_of_death=p.date_of_death, place_of_death=self.rng.choice(v.PLACES_OF_DEATH),
            cause_of_death=self.rng.choice(v.CAUSES_OF_DEATH),
        )

    def missing(self, p: SeedPerson) -> None:
        """A person missing for two years may be declared missing by a court (Civil Code Art. 68)."""
        since = v.parse(p.missing_since, upper=True)
        if since is None:
            return
        decided = v.between(self.rng, v.add_years(since, 2), v.REFERENCE_DATE - timedelta(days=30))
        if decided is None:
            return
        self.add(
            "COURT_DECISION_RECORDING", p, v.after(decided, self.rng, 5, 30), p.province_code,
            p.permanent_address, {},
            court=v.court(self.rng, p.province_code),
            decision_number=f"{self.rng.randint(1, 999)}/{decided[:4]}/QĐST-DS",
            decision_date=decided, decision_kind="DECLARATION_OF_MISSING",
        )

    def _last_known_day(self, p: SeedPerson) -> date:
        death = v.parse(p.date_of_death) or v.parse(p.missing_since)
        return min(death, v.REFERENCE_DATE) if death else v.REFERENCE_DATE

    def rare(self, p: SeedPerson) -> None:
        """Confirmations, guardianships, recognitions, adoptions, amendments, drawn at low rates."""
        rng = self.rng
        born = v.parse(p.date_of_birth, upper=True)
        if born is None:
            return
        adult = v.add_years(born, 18)
        last = self._last_known_day(p)
        if rng.random() < RATE_CONFIRMATION and not p.date_of_death and not p.missing_since:
            since = max(filter(None, (adult, v.parse(p.marriage_date, upper=True),
                                      v.parse(p.divorce_date, upper=True), date(2024, 1, 1))))
            when = v.between(rng, since, v.REFERENCE_DATE)
            if when:
                self.add(
                    "MARITAL_STATUS_CONFIRMATION", p, when, p.province_code, p.permanent_address, {},
                    confirmed_marital_status=p.marital_status, intended_use=rng.choice(v.CONFIRMATION_USES),
                    valid_until=(date.fromisoformat(when) + timedelta(days=182)).isoformat(),
                )
        if rng.random() < RATE_GUARDIANSHIP and adult > v.REFERENCE_DATE - timedelta(days=365 * 12):
            self.guardianship(p, born, adult, last)
        if p.father_id and rng.random() < RATE_RECOGNITION:
            when = v.between(rng, born + timedelta(days=30), min(last, v.add_years(born, 5)))
            if when:
                self.add("PARENT_CHILD_RECOGNITION", p, when, p.province_code, p.permanent_address,
                         {"PARENT": p.father_id}, parent_id=p.father_id, parent_role="FATHER")
        elif (p.father_id or p.mother_id) and rng.random() < RATE_ADOPTION:
            when = v.between(rng, born + timedelta(days=60), min(last, v.add_years(born, 10)))
            if when:
                self.add("ADOPTION", p, when, p.province_code, p.permanent_address,
                         {"ADOPTIVE_FATHER": p.father_id, "ADOPTIVE_MOTHER": p.mother_id},
                         adoptive_father_id=p.father_id, adoptive_mother_id=p.mother_id)
        self.amendments(p, born, last)

    def guardianship(self, p: SeedPerson, born: date, adult: date, last: date) -> None:
        """A minor under guardianship: a living grandparent by law, else another adult of the chunk appointed.
        If the ward has come of age since, the guardianship ended at 18 (Civil Code Art. 62)."""
        start_day = v.between(self.rng, born + timedelta(days=90), min(last, adult - timedelta(days=1)))
        if start_day is None:
            return
        start = date.fromisoformat(start_day)
        father, mother = self.person(p.father_id), self.person(p.mother_id)
        grandparents = [g for g in (father and father.father_id, mother and mother.mother_id) if g]
        guardian = next((g for g in grandparents if self.alive_on(g, start)), None)
        basis = "BY_LAW"
        if guardian is None:
            basis = "APPOINTED"
            # A few random draws, not a scan of the chunk: the writer must stay linear in the chunk size.
            for q in (self.rng.choice(self.people) for _ in range(8)):
                if q.birth_year + 25 < start.year and self.alive_on(q.personal_id, start):
                    guardian = q.personal_id
                    break
            if guardian is None:
                return
        self.add("GUARDIANSHIP", p, start_day, p.province_code, p.permanent_address, {"GUARDIAN": guardian},
                 guardian_id=guardian, guardianship_basis=basis)
        if adult <= last:
            self.add("GUARDIANSHIP_END", p, v.after(adult.isoformat(), self.rng, 0, 30), p.province_code,
                     p.permanent_address, {"GUARDIAN": guardian}, guardian_id=guardian,
                     reason="Người được giám hộ đã thành niên")

    def amendments(self, p: SeedPerson, born: date, last: date) -> None:
        rng = self.rng
        low = born + timedelta(days=365)
        if p.other_names and rng.random() < RATE_NAME_CHANGE:
            self._amend("CHANGE", p, low, last, "FULL_NAME", p.other_names[0], p.full_name,
                        "Theo nguyện vọng của người yêu cầu")
        if rng.random() < RATE_CORRECTION:
            if len(p.date_of_birth) == 10:
                shift = timedelta(days=rng.choice((-10, -1, 1, 31)))
                wrong = (date.fromisoformat(p.date_of_birth) + shift).isoformat()
                self._amend("CORRECTION", p, low, last, "DATE_OF_BIRTH", wrong, p.date_of_birth,
                            "Sai sót của người đi đăng ký khai sinh")
            elif p.place_of_birth and v.misspelled(p.place_of_birth) != p.place_of_birth:
                self._amend("CORRECTION", p, low, last, "PLACE_OF_BIRTH", v.misspelled(p.place_of_birth),
                            p.place_of_birth, "Sai sót của cán bộ hộ tịch khi ghi sổ")
        if p.hometown and rng.random() < RATE_SUPPLEMENT:
            self._amend("SUPPLEMENT", p, low, last, "HOMETOWN", None, p.hometown, "Bổ sung thông tin còn thiếu")
        if p.ethnicity and rng.random() < RATE_ETHNICITY:
            old = rng.choice([e for e in v.ETHNICITIES if e != p.ethnicity])
            when = v.between(rng, low, last)
            if when:
                self.add("ETHNICITY_REDETERMINATION", p, when, p.province_code, p.permanent_address, {},
                         changed_item=None, old_value=old, new_value=p.ethnicity,
                         reason="Xác định lại theo dân tộc của cha hoặc mẹ")
                self._annotate_birth(p, when)

    def _amend(self, kind: str, p: SeedPerson, low: date, high: date, item: str, old: str | None, new: str,
               reason: str) -> None:
        when = v.between(self.rng, low, high)
        if when:
            self.add(kind, p, when, p.province_code, p.permanent_address, {},
                     changed_item=item, old_value=old, new_value=new, reason=reason)
            self._annotate_birth(p, when)

    def _annotate_birth(self, p: SeedPerson, when: str) -> None:
        """An amendment is noted on the person's birth record the same working day (003 Art. 7.2.b)."""
        birth = self.births.get(p.personal_id)
        if birth is not None:
            birth["updated_at"] = max(birth["updated_at"], self.clock.working_time(when))


def write_people(conn: Connection, people: list[SeedPerson], rng: random.Random) -> None:
    """Write the civil status records of one chunk of people (inside the caller's transaction)."""
    if not people:
        return
    first_id = (conn.execute(select(func.max(EVENT.c.id))).scalar() or 0) + 1
    # Times go in as text: PostgreSQL reads the offset, SQLite keeps UTC text as SQLAlchemy writes it.
    writer = _Writer(rng, first_id, people, "+00" if conn.dialect.name == "postgresql" else "")
    for p in people:
        writer.birth(p)
        writer.marriage(p)
        writer.divorce(p)
        writer.death(p)
        writer.missing(p)
        writer.rare(p)
    for rows in writer.events.values():
        bulk_insert(conn, EVENT, rows)
    bulk_insert(conn, PARTY, [{"event_id": e, "personal_id": p, "role": r} for e, p, r in writer.parties])


def write_extras(conn: Connection, rng: random.Random, n_people: int) -> None:
    """Nothing hangs off no person in the civil status database: every record is some person's."""
    del conn, rng, n_people
