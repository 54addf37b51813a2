"""Seed writer of the sentences subgraph (called by ``python -m subgraphs.seed``; see subgraphs.seed.world).

``write_people`` gives ~2.5 % of adults one sentence (a few two), some for offences committed as minors, in every
enforcement status, with charges citing the Criminal Code 2015, courts of the offender's province and a course of
enforcement consistent with the status and with the person's death. It also sentences some juvenile offenders,
persons still under 18 today (the real date: the gateway's minors rule, 004 Art. 20, reads ages on it), whose
sentences are being served, and adds commercial legal entities whose legal representatives are adults of the
chunk (the entity's data subject). ``write_extras`` adds foreign offenders. Rows go in with one executemany (COPY
on PostgreSQL) per table per chunk.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from subgraphs.seed.bulk import bulk_insert
from subgraphs.seed.world import SeedPerson

from .lifecycle import Principal, TransitionError, history, next_status
from .models import TABLES
from .seed_catalog import (
    BY_ARTICLE,
    EDUCATION,
    FACILITY_PROVINCES,
    FOREIGN_PEOPLE,
    FOREIGN_PROVINCES,
    FOREIGNER_ARTICLES,
    HIGH_COURTS,
    NICKNAMES,
    OCCUPATIONS,
    OFFENCE_WEIGHTS,
    OFFENCES,
    PRISONS_BY_PROVINCE,
    VICTIM_NAMES,
    WORKPLACES,
    court_of_province,
    detention_centre_id,
    facility_rows,
    short_name,
)
from .seed_course import Course
from .seed_entities import ENTITY_CLUSTER, write_legal_entities
from .seed_resources import resource_rows

REFERENCE_DATE = date(2025, 6, 30)  # "today" of the synthetic world (subgraphs.seed.generator.REFERENCE_YEAR)
SENTENCED_SHARE = 0.025
JUVENILE_SHARE = 0.15  # of the persons who are under 18 today and were old enough (14) to offend by REFERENCE_DATE
MIN_JUVENILES = 2  # per chunk, when the chunk has candidates
# Statuses of a sentence being served (begun, not ended): what "in enforcement" means for juvenile offenders.
SERVING = frozenset({"SERVING_IMPRISONMENT", "SERVING_IN_COMMUNITY", "CONDITIONALLY_RELEASED", "UNDER_ENFORCEMENT"})
ORDER = ("legal_entity", "foreign_offender", "judgment", "sentence", "legal_entity_sentence", "charge", "penalty",
         "civil_obligation", "enforcement_event", "status_change")  # parents before children


@dataclass(slots=True)
class Offender:
    personal_id: str | None
    foreign_code: str | None
    name: str
    born: date
    died: date | None
    female: bool
    province_code: str
    address: str


class Rows(dict[str, list[dict[str, Any]]]):
    """Rows to insert, by table; flushed in foreign-key order."""

    def __missing__(self, key: str) -> list[dict[str, Any]]:
        self[key] = rows = []
        return rows

    def flush(self, conn: Connection) -> None:
        for name in ORDER:
            bulk_insert(conn, TABLES[name], self.get(name, []))


def ensure_facilities(conn: Connection) -> None:
    """Insert the facility catalogue once (the first chunk), since every custodial sentence refers to it."""
    if conn.execute(select(TABLES["facility"].c.id).limit(1)).first() is None:
        facilities = facility_rows()
        reports, equipment = resource_rows(facilities)
        first, last = min(r["created_at"] for r in reports), max(r["created_at"] for r in reports)
        bulk_insert(conn, TABLES["facility"], [{**f, "source": "REPORT", "created_at": first, "updated_at": last}
                                               for f in facilities])
        bulk_insert(conn, TABLES["facility_resources"], reports)
        bulk_insert(conn, TABLES["facility_equipment"], equipment)


def parse_partial(value: str | None, rng: random.Random) -> date | None:
    if not value:
        return None
    parts = [int(x) for x in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else rng.randint(1, 12), parts[2] if len(parts) > 2 else rng.randint(1, 28))


def write_people(conn: Connection, people: Sequence[SeedPerson], rng: random.Random) -> None:
    """Sentences for ~2.5 % of the adults among ``people`` (see the module docstring)."""
    ensure_facilities(conn)
    rows = Rows()
    adult_born_by = REFERENCE_DATE.year - 18
    for p in people:
        if p.birth_year > adult_born_by or rng.random() >= SENTENCED_SHARE:
            continue
        offender = Offender(p.personal_id, None, p.full_name, parse_partial(p.date_of_birth, rng),  # type: ignore[arg-type]
                            parse_partial(p.date_of_death, rng), p.sex == "FEMALE", p.province_code, p.permanent_address)
        add_sentence(rows, rng, offender, minor=rng.random() < 0.07)
        if rng.random() < 0.12:
            add_sentence(rows, rng, offender, minor=False)
    add_juveniles(rows, rng, people, date.today())
    first_chunk = conn.execute(select(TABLES["legal_entity"].c.id).limit(1)).first() is None
    add_legal_entities(rows, rng, people, first_chunk=first_chunk)
    rows.flush(conn)


def juvenile_candidates(people: Sequence[SeedPerson], today: date) -> list[SeedPerson]:
    """Living persons under 18 on ``today`` whatever their partial date of birth means, who were at least 14
    (the age of criminal responsibility, BLHS Art. 12.2) some months before REFERENCE_DATE."""
    # 14 by September 2024 at the latest: room for an offence before the cut-off of add_sentence and a ruling
    youngest = REFERENCE_DATE - timedelta(days=365 * 14 + 300)
    out = []
    for p in people:
        if p.date_of_death or p.missing_since or p.processing_restricted or not p.date_of_birth:
            continue
        earliest, latest = _birth_bounds(p.date_of_birth)
        if _age_on(earliest, today) < 18 and latest < youngest:
            out.append(p)
    return out


def add_juveniles(rows: Rows, rng: random.Random, people: Sequence[SeedPerson], today: date) -> None:
    """Sentences being served by juvenile offenders (minors today), chosen deterministically from ``rng``."""
    candidates = juvenile_candidates(people, today)
    if not candidates:
        return
    k = min(len(candidates), max(MIN_JUVENILES, round(JUVENILE_SHARE * len(candidates))))
    for p in rng.sample(candidates, k):
        earliest, latest = _birth_bounds(p.date_of_birth)
        born = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
        offender = Offender(p.personal_id, None, p.full_name, born, None, p.sex == "FEMALE", p.province_code,
                            p.permanent_address)
        for _ in range(40):  # redraw until the course is one still being served (a fine may already be paid)
            trial = Rows()
            if add_sentence(trial, rng, offender, minor=True) and trial["sentence"][0]["status"] in SERVING:
                for table, added in trial.items():
                    rows[table].extend(added)
                break


def add_legal_entities(rows: Rows, rng: random.Random, people: Sequence[SeedPerson], *, first_chunk: bool) -> None:
    """Commercial legal entities whose representatives are living adults of ``people`` (one per ~10 000 persons;
    the first chunk also seeds the Hà Nội cluster of :func:`write_legal_entities`)."""
    adults = [p for p in people if p.birth_year <= REFERENCE_DATE.year - 25 and p.birth_year >= REFERENCE_DATE.year - 70
              and not p.date_of_death and not p.missing_since]
    n = len(people) // 10_000 + (ENTITY_CLUSTER + 3 if first_chunk else 0)
    if adults and n:
        write_legal_entities(rows, rng, rng.sample(adults, min(n, len(adults))), REFERENCE_DATE,
                             cluster=ENTITY_CLUSTER if first_chunk else 0)


def _birth_bounds(value: str) -> tuple[date, date]:
    """Earliest and latest day a partial date (YYYY, YYYY-MM, YYYY-MM-DD) can mean."""
    parts = [int(x) for x in value.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day, day
    if len(parts) == 2:
        following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return date(parts[0], parts[1], 1), following - timedelta(days=1)
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def _age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def write_extras(conn: Connection, rng: random.Random, n_people: int) -> None:
    """Foreign offenders (one per ~4 000 people); legal entities come with the people (their representatives)."""
    ensure_facilities(conn)
    rows = Rows()
    for i in range(max(4, n_people // 4000)):
        nationality, prefix, home, names = FOREIGN_PEOPLE[i % len(FOREIGN_PEOPLE)]
        passport = rng.random() < 0.9
        code = f"{prefix}{rng.randint(10**7, 10**8 - 1)}" if passport else f"NN{rng.randint(10**11, 10**12 - 1)}"
        female = rng.random() < 0.25
        born = date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
        name = rng.choice(names)
        rows["foreign_offender"].append({"identification_code": code, "id_kind": "PASSPORT" if passport else "IDENTIFICATION_CODE",
                                         "full_name": name, "nationality": nationality, "date_of_birth": born.isoformat(),
                                         "sex": "FEMALE" if female else "MALE"})
        offender = Offender(None, code, name, born, None, female, rng.choice(FOREIGN_PROVINCES), home)
        added = add_sentence(rows, rng, offender, minor=False, article=rng.choice(FOREIGNER_ARTICLES))
        stamp(rows["foreign_offender"][-1:], rows["sentence"][-1]["created_at"] if added else recorded_at(REFERENCE_DATE))
    rows.flush(conn)


def _id(rng: random.Random, prefix: str) -> str:
    return f"{prefix}{rng.getrandbits(72):018x}"


def recorded_at(day: date) -> datetime:
    """When the synthetic database recorded what happened on ``day``: 16:00 in Vietnam (09:00 UTC) that day,
    within the 24 hours of 000 Art. 8.5.c. Derived from the data, never from the clock: a seed is reproducible."""
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def stamp(rows: Sequence[dict[str, Any]], created: datetime, updated: datetime | None = None) -> None:
    """Set ``created_at`` / ``updated_at`` on ``rows`` (every row of a table must carry the same keys)."""
    for row in rows:
        row["created_at"], row["updated_at"] = created, updated or created


_STAMPED_WITH_SENTENCE = ("judgment", "charge", "penalty", "civil_obligation")


def add_sentence(rows: Rows, rng: random.Random, o: Offender, *, minor: bool, article: int | None = None) -> bool:
    """Append one sentence of ``o`` with its ruling, charges, penalties, obligations and course; False if the
    offender's life leaves no room for it (e.g. died young)."""
    marks = {table: len(rows[table]) for table in _STAMPED_WITH_SENTENCE}
    today = min(REFERENCE_DATE, o.died or REFERENCE_DATE)
    first = o.born + timedelta(days=365 * (14 if minor else 18) + 5)
    last = (o.born + timedelta(days=365 * 18 - 5)) if minor else today - timedelta(days=150)
    last = min(last, today - timedelta(days=150))
    if first > last:
        return False
    offence_on = first + timedelta(days=rng.randint(0, (last - first).days))
    cap = today - timedelta(days=30)
    effective = min(offence_on + timedelta(days=rng.randint(90, 500)), cap)
    if rng.random() < 0.02:  # a few rulings so recent that enforcement has not begun
        effective = max(offence_on + timedelta(days=60), REFERENCE_DATE - timedelta(days=rng.randint(1, 20)))
    offence = BY_ARTICLE[article] if article else rng.choices(OFFENCES, OFFENCE_WEIGHTS)[0]
    clause = rng.choice(offence.clauses)
    kind, low, high, _ = rng.choices(clause.penalties, [c[3] for c in clause.penalties])[0]
    if minor and kind in ("LIFE_IMPRISONMENT", "DEATH"):  # BLHS Art. 39, 40.2, 101: never for minors, at most 18 years
        kind, low, high = "FIXED_TERM_IMPRISONMENT", 120, 216
    if o.female and kind == "DEATH":  # keeps the fixture simple; BLHS Art. 40.3 spares only some women
        kind = "LIFE_IMPRISONMENT"
    term = rng.randint(low, high) if kind in ("FIXED_TERM_IMPRISONMENT", "NON_CUSTODIAL_REFORM") else None
    if minor and term:
        term = min(term, 216)
    amount = rng.randint(low // 1_000_000, high // 1_000_000) * 1_000_000 if kind == "FINE" else None
    suspended = kind == "FIXED_TERM_IMPRISONMENT" and term is not None and term <= 36 and rng.random() < 0.3
    probation = min(60, max(12, 2 * term)) if suspended and term else None

    sentence_id, judgment_id = _id(rng, "TA"), _id(rng, "BA")
    serious = kind in ("LIFE_IMPRISONMENT", "DEATH") or (term or 0) > 180
    court_code = o.province_code
    court = court_of_province(court_code) if serious or rng.random() < 0.4 else (
        f"Tòa án nhân dân khu vực {rng.randint(1, 9)} - {short_name(court_code)}")
    appeal = rng.random() < 0.15
    deciding = (rng.choice(HIGH_COURTS) if court.startswith("Tòa án nhân dân t") else court_of_province(court_code)) if appeal else court
    issued = max(offence_on + timedelta(days=20), effective - timedelta(days=rng.randint(0, 45)))
    rows["judgment"].append({"id": judgment_id, "kind": "JUDGMENT", "trial_level": "APPEAL" if appeal else "FIRST_INSTANCE",
                             "number": f"{rng.randint(1, 600)}/{issued.year}/HS-{'PT' if appeal else 'ST'}",
                             "issued_on": issued, "effective_on": effective, "court_name": deciding,
                             "court_province_code": court_code,
                             # shared by the court's system (000 Art. 6.2), which answers for it (Art. 9.3)
                             "source": "CONNECTED_SYSTEM", "source_agency": deciding})
    start = effective + timedelta(days=rng.randint(5, 30))
    course = Course(rng, REFERENCE_DATE, court, court_code, o.female)
    ward = o.address.split(", ")[-2] if o.address.count(", ") >= 1 else o.address
    supervisor = f"Công an {ward}" if o.personal_id else None
    if start > REFERENCE_DATE:
        pass  # AWAITING_ENFORCEMENT: no event yet
    elif kind == "WARNING":
        course.finish("COMPLETED", effective, "COMPLETION")
    elif kind == "FINE":
        course.fine(start)
    elif kind == "NON_CUSTODIAL_REFORM" or suspended:
        course.community(start, probation or term or 12, suspended, supervisor or "Công an cấp xã nơi cư trú", term or 12)
    else:
        prisons = PRISONS_BY_PROVINCE.get(court_code)
        course.custodial(start, term or 0, life=kind == "LIFE_IMPRISONMENT", death=kind == "DEATH",
                         prison=rng.choice(prisons) if prisons and rng.random() < 0.7 else None,
                         centre=detention_centre_id(court_code), foreigner=o.foreign_code is not None)
    course.die(o.died)
    course.tidy()
    released = course.status == "CONDITIONALLY_RELEASED" or (course.status == "COMPLETED" and course.facility_id)
    rows["sentence"].append({
        "id": sentence_id, "judgment_id": judgment_id, "offender_personal_id": o.personal_id,
        "foreign_offender_code": o.foreign_code, "offence_summary": offence.summary.format(place=o.address),
        "offence_date": offence_on, "minor_at_offence": minor, "name_at_judgment": o.name,
        "aliases": rng.choice(NICKNAMES) if rng.random() < 0.06 else None,
        "occupation": "Học sinh" if minor else ("Cán bộ, công chức" if offence.victim == "STATE" else rng.choice(OCCUPATIONS)),
        "education_level": rng.choice(EDUCATION[:4] if minor else EDUCATION),
        "prior_convictions": 0 if minor or rng.random() < 0.8 else rng.randint(1, 3),
        "residence_at_judgment": o.address, "facility_id": course.facility_id,
        "supervising_authority": supervisor if course.facility_id is None and kind != "WARNING" else None,
        "enforcement_started_on": start if start <= REFERENCE_DATE else None, "expected_end_on": course.end,
        "status": course.status,
        "province_code": _province_of(course.facility_id, court_code),
        "start_year": min(start, REFERENCE_DATE).year, "end_year": course.ended_on.year if course.ended_on else None,
        "residence_after_release": o.address if released else None,
        # an ADDRESS-kind value: its last segment is the province (province_only keeps it)
        "workplace_after_release": (f"{rng.choice(WORKPLACES)}, {o.address.rsplit(', ', 1)[-1]}"
                                    if released and o.personal_id else None),
    })
    rows["charge"].append({"sentence_id": sentence_id, "entity_sentence_id": None, "position": 0, "article": offence.article,
                           "clause": clause.number, "point": rng.choice("abcdđe") if clause.number > 1 else None,
                           "offence_name": offence.name})
    measures = _penalties(rows, rng, sentence_id, kind, term, amount, suspended, probation, offence.article, o)
    _obligations(rows, rng, sentence_id, offence.victim, course.status)
    cured = effective + timedelta(days=rng.randint(180, 720))
    if "COMPULSORY_MEDICAL_TREATMENT" in measures and cured < min(today, course.ended_on or today) and course.events:
        course.add("JUDICIAL_MEASURE_TERMINATED", cured, court, health_ground="Đã khỏi bệnh theo kết luận giám định.",
                   note="Đình chỉ thi hành biện pháp bắt buộc chữa bệnh (BLHS Art. 49).")
    principal = Principal(kind, suspended)
    events = _while_held(sorted(course.events, key=lambda e: e["event_date"]), principal)  # type: ignore[arg-type, return-value]
    for i, event in enumerate(events):
        at = recorded_at(event["event_date"])  # type: ignore[arg-type]
        rows["enforcement_event"].append({"sentence_id": sentence_id, "entity_sentence_id": None, "position": i,
                                          **event, "created_at": at, "updated_at": at})
    for i, entry in enumerate(history(effective, events, principal, course.status)):
        at = recorded_at(entry.since)
        rows["status_change"].append({"sentence_id": sentence_id, "entity_sentence_id": None, "position": i,
                                      "status": entry.status, "since": entry.since, "cause": entry.cause,
                                      "decision_number": entry.decision_number, "created_at": at, "updated_at": at})
    created = recorded_at(effective)
    for table in _STAMPED_WITH_SENTENCE:
        stamp(rows[table][marks[table]:], created)
    stamp(rows["sentence"][-1:], created, recorded_at(events[-1]["event_date"]) if events else created)  # type: ignore[arg-type]
    return True


def _while_held(events: list[dict[str, Any]], principal: Principal) -> list[dict[str, Any]]:
    """The course without the rewards and discipline drawn for years the person was not held (released early,
    suspended, on the run): the lifecycle (``lifecycle.TRANSITIONS``) allows them only while serving."""
    kept, status = [], "AWAITING_ENFORCEMENT"
    for event in events:
        try:
            status = next_status(str(event["kind"]), status, principal)
        except TransitionError:
            if event["kind"] in ("REWARD", "DISCIPLINE"):
                continue
        kept.append(event)
    return kept


def _province_of(facility_id: str | None, fallback: str) -> str:
    return FACILITY_PROVINCES.get(facility_id, fallback) if facility_id else fallback


def _penalties(rows: Rows, rng: random.Random, sid: str, kind: str, term: int | None, amount: int | None,
               suspended: bool, probation: int | None, article: int, o: Offender) -> list[str]:
    def add(role: str, k: str, **kw: Any) -> None:
        rows["penalty"].append({"sentence_id": sid, "entity_sentence_id": None, "position": len(out), "role": role,
                                "kind": k, "term_months": kw.get("term"), "amount": kw.get("amount"),
                                "suspended": kw.get("suspended", False), "probation_months": kw.get("probation"),
                                "details": kw.get("details"), "medical_ground": kw.get("medical")})
        out.append(k)

    out: list[str] = []
    add("PRINCIPAL", kind, term=term, amount=amount, suspended=suspended, probation=probation)
    if article in (353, 354):
        add("ADDITIONAL", "BAN_FROM_OFFICE_OR_OCCUPATION", term=rng.randint(12, 60), details="Cấm đảm nhiệm chức vụ.")
    if article == 260 and rng.random() < 0.4:
        add("ADDITIONAL", "BAN_FROM_OFFICE_OR_OCCUPATION", term=rng.randint(12, 60), details="Cấm điều khiển phương tiện giao thông.")
    if article in (174, 251, 321, 322) and kind != "FINE" and rng.random() < 0.3:
        add("ADDITIONAL", "FINE", amount=rng.randint(5, 50) * 1_000_000)
    if article in (250, 251) and kind != "DEATH" and rng.random() < 0.2:
        add("ADDITIONAL", rng.choice(("PROBATION", "BAN_FROM_RESIDENCE")), term=rng.randint(12, 60))
    if kind in ("LIFE_IMPRISONMENT", "DEATH") and rng.random() < 0.5:
        add("ADDITIONAL", "CONFISCATION_OF_PROPERTY", details="Tịch thu một phần tài sản.")
    if o.foreign_code and kind != "EXPULSION" and rng.random() < 0.6:
        add("ADDITIONAL", "EXPULSION", details="Trục xuất sau khi chấp hành xong hình phạt tù.")
    if article in (249, 250, 251, 321, 322):
        add("MEASURE", "CONFISCATION", details="Tịch thu tiêu hủy vật chứng, sung công quỹ tiền thu lợi bất chính.")
    if article == 134 and rng.random() < 0.03:
        add("MEASURE", "COMPULSORY_MEDICAL_TREATMENT", medical="Rối loạn tâm thần do sử dụng chất kích thích.")
    return out


def _obligations(rows: Rows, rng: random.Random, sid: str, victim: str, status: str) -> None:
    done = status in ("COMPLETED", "CONDITIONALLY_RELEASED")
    items = [("Án phí hình sự sơ thẩm", 200_000, "Ngân sách nhà nước", "STATE")]
    if victim == "PERSON" and rng.random() < 0.7:
        items.append(("Bồi thường thiệt hại cho bị hại", rng.randint(5, 300) * 1_000_000, rng.choice(VICTIM_NAMES), "PERSON"))
    elif victim == "STATE":
        items.append(("Nộp lại số tiền chiếm đoạt", rng.randint(100, 5000) * 1_000_000, "Ngân sách nhà nước", "STATE"))
    for i, (what, amount, beneficiary, who) in enumerate(items):
        state = "FULLY_PERFORMED" if done or rng.random() < 0.4 else rng.choice(("NOT_PERFORMED", "PARTIALLY_PERFORMED"))
        paid = amount if state == "FULLY_PERFORMED" else (amount // 2 if state == "PARTIALLY_PERFORMED" else 0)
        rows["civil_obligation"].append({"sentence_id": sid, "entity_sentence_id": None, "position": i, "description": what,
                                         "amount": amount, "amount_paid": paid, "beneficiary": beneficiary,
                                         "beneficiary_kind": who, "status": state})

