"""Synthetic commercial legal entities serving sentences (000 Art. 8.3): rulings for offences a legal entity
answers for (BLHS Art. 76), fines and suspensions (Art. 77–79), bans (Art. 80–81), remediation (Art. 82), civil
obligations, and a course with forced enforcement and transfer of obligations (000 Art. 8.3.d).

Each entity's legal representative is a person of the synthetic world (name and personal id), so that the entity
has a natural person as its data subject. The first ``cluster`` entities of a run have their head office in Hà Nội
and a sentence still under enforcement: the statistics then hold a cell above the small-cell threshold (5) at
any world size, next to the many small ones.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from subgraphs.common.provinces import BY_CODE, PROVINCES
from subgraphs.seed.world import SeedPerson

from .seed_catalog import (
    COMPANY_SECTORS,
    COMPANY_WORDS,
    ENTITY_OFFENCES,
    TAX_PREFIX,
    court_of_province,
    police_of_province,
)


def _at(day: date) -> datetime:
    """Recorded at 09:00 UTC on ``day`` (as :func:`.seed.recorded_at`; not imported: seed imports this module)."""
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def _stamp(rows: Sequence[dict[str, Any]], created: datetime, updated: datetime | None = None) -> None:
    for row in rows:
        row["created_at"], row["updated_at"] = created, updated or created


def _id(rng: random.Random, prefix: str) -> str:
    return f"{prefix}{rng.getrandbits(72):018x}"


ENTITY_CLUSTER = 7  # entities of the Hà Nội cluster: more than the suppression threshold of 5
CLUSTER_PROVINCE = "001"  # Thành phố Hà Nội


def write_legal_entities(rows: Any, rng: random.Random, representatives: Sequence[SeedPerson], today: date,
                         *, cluster: int = 0) -> None:
    """Append one legal entity per person of ``representatives`` (its legal representative), with one or two
    sentences each, to ``rows`` (a ``seed.Rows``); the first ``cluster`` ones form the Hà Nội cluster."""
    for i, representative in enumerate(representatives):
        in_cluster = i < cluster
        province = BY_CODE[CLUSTER_PROVINCE] if in_cluster else rng.choice(PROVINCES)
        entity_id = _id(rng, "PN")
        words = rng.choice(COMPANY_WORDS)
        rows["legal_entity"].append({
            "id": entity_id,
            "name": f"Công ty {rng.choice(('TNHH', 'cổ phần'))} {rng.choice(COMPANY_SECTORS)} {words}",
            "enterprise_code": TAX_PREFIX.get(province.code, f"{rng.randint(10, 96)}") + f"{rng.randint(0, 10**8 - 1):08d}",
            "province_code": province.code,
            "head_office_address": f"Số {rng.randint(1, 300)} đường {words}, Phường {rng.randint(1, 12)}, {province.name}",
            "legal_representative": representative.full_name,
            "legal_representative_personal_id": representative.personal_id,
        })
        for j in range(1 if rng.random() < 0.8 else 2):
            _entity_sentence(rows, rng, entity_id, province.code, today, ongoing=in_cluster and j == 0)
        mine = [r for r in rows["legal_entity_sentence"][-2:] if r["legal_entity_id"] == entity_id]
        _stamp(rows["legal_entity"][-1:], min(r["created_at"] for r in mine), max(r["updated_at"] for r in mine))


def _entity_sentence(rows: Any, rng: random.Random, entity_id: str, code: str, today: date, *,
                     ongoing: bool = False) -> None:
    """One sentence of the entity; ``ongoing``: still under enforcement today (obligations not yet paid off)."""
    marks = {table: len(rows[table]) for table in ("judgment", "charge", "penalty", "civil_obligation")}
    sid, jid = _id(rng, "TP"), _id(rng, "BA")
    article, name, summary = rng.choice(ENTITY_OFFENCES)
    court = court_of_province(code)
    effective = today - timedelta(days=rng.randint(40, 365 * 8))
    rows["judgment"].append({"id": jid, "kind": "JUDGMENT", "trial_level": "FIRST_INSTANCE",
                             "number": f"{rng.randint(1, 400)}/{effective.year}/HS-ST",
                             "issued_on": effective - timedelta(days=rng.randint(15, 40)), "effective_on": effective,
                             "court_name": court, "court_province_code": code,
                             "source": "CONNECTED_SYSTEM", "source_agency": court})
    rows["charge"].append({"sentence_id": None, "entity_sentence_id": sid, "position": 0, "article": article,
                           "clause": rng.randint(1, 3), "point": None, "offence_name": name})
    penalties: list[tuple[str, str, int | None, int | None, str | None]] = []
    r = rng.random()
    if r < 0.8:
        penalties.append(("PRINCIPAL", "FINE", None, rng.randint(50, 5000) * 1_000_000, None))
    elif r < 0.96:
        penalties.append(("PRINCIPAL", "TEMPORARY_SUSPENSION_OF_OPERATIONS", rng.randint(6, 36), None, "Đình chỉ hoạt động có thời hạn."))
    else:
        penalties.append(("PRINCIPAL", "PERMANENT_SUSPENSION_OF_OPERATIONS", None, None, "Đình chỉ hoạt động vĩnh viễn."))
    if rng.random() < 0.4:
        penalties.append(("ADDITIONAL", "BAN_FROM_BUSINESS_FIELDS", rng.randint(12, 36), None, f"Cấm kinh doanh lĩnh vực liên quan đến tội {name.lower()}."))
    if rng.random() < 0.3:
        penalties.append(("ADDITIONAL", "BAN_FROM_RAISING_CAPITAL", rng.randint(12, 36), None, None))
    if article in (227, 232, 235):
        penalties.append(("MEASURE", "REMEDIATION", None, None, "Buộc khôi phục lại tình trạng ban đầu, khắc phục ô nhiễm."))
    for i, (role, kind, term, amount, details) in enumerate(penalties):
        rows["penalty"].append({"sentence_id": None, "entity_sentence_id": sid, "position": i, "role": role, "kind": kind,
                                "term_months": term, "amount": amount, "suspended": False, "probation_months": None,
                                "details": details, "medical_ground": None})
    owed = rng.randint(100, 20_000) * 1_000_000
    paid_share = rng.choice((0, 0.5) if ongoing else (0, 0.5, 1))
    rows["civil_obligation"].append({
        "sentence_id": None, "entity_sentence_id": sid, "position": 0,
        "description": "Nộp lại số tiền thuế đã trốn" if article == 200 else "Bồi thường thiệt hại",
        "amount": owed, "amount_paid": int(owed * paid_share), "beneficiary": "Ngân sách nhà nước",
        "beneficiary_kind": "STATE",
        "status": {0: "NOT_PERFORMED", 0.5: "PARTIALLY_PERFORMED", 1: "FULLY_PERFORMED"}[paid_share],
    })
    agency = f"Cơ quan thi hành án hình sự {police_of_province(code)}"
    start = effective + timedelta(days=rng.randint(5, 25))
    events: list[tuple[str, date, str | None, str | None]] = []
    status, ended = "AWAITING_ENFORCEMENT", None
    if start <= today:
        events.append(("ENFORCEMENT_ORDERED", start, f"Quyết định thi hành án của Chánh án {court}", None))
        status = "UNDER_ENFORCEMENT"
        if rng.random() < 0.3 and start + timedelta(days=120) <= today:
            events.append(("FORCED_ENFORCEMENT", start + timedelta(days=120), "Không tự nguyện nộp tiền phạt.", None))
        if rng.random() < 0.15 and start + timedelta(days=200) <= today:
            successor = f"Công ty cổ phần {rng.choice(COMPANY_WORDS)} Holdings"
            events.append(("OBLIGATIONS_TRANSFERRED", start + timedelta(days=200), "Pháp nhân sáp nhập.", successor))
        done = start + timedelta(days=rng.randint(150, 900))
        if paid_share == 1 and done <= today:
            events.append(("COMPLETION", done, "Đã chấp hành xong hình phạt và nghĩa vụ.", None))
            status, ended = "COMPLETED", done
    for i, (kind, on, note, successor) in enumerate(events):
        at = _at(on)
        rows["enforcement_event"].append({"created_at": at, "updated_at": at,
            "sentence_id": None, "entity_sentence_id": sid, "position": i, "kind": kind, "event_date": on,
            "decision_number": f"{rng.randint(1, 900)}/{on.year}/QĐ-THA" if kind != "COMPLETION" else None,
            "authority": agency, "note": note, "health_ground": None, "months_reduced": None, "facility_id": None,
            "successor_name": successor,
        })
    # status history (000 Art. 8.1.b): awaiting from the ruling's entry into force, then the order and completion
    steps = [("AWAITING_ENFORCEMENT", effective, None)] + [
        ("UNDER_ENFORCEMENT" if kind == "ENFORCEMENT_ORDERED" else "COMPLETED", on, kind)
        for kind, on, _, _ in events if kind in ("ENFORCEMENT_ORDERED", "COMPLETION")]
    for i, (state, since, cause) in enumerate(steps):
        rows["status_change"].append({"created_at": _at(since), "updated_at": _at(since), "sentence_id": None, "entity_sentence_id": sid, "position": i, "status": state,
                                      "since": since, "cause": cause, "decision_number": None})
    rows["legal_entity_sentence"].append({
        "id": sid, "legal_entity_id": entity_id, "judgment_id": jid, "offence_summary": summary,
        "enforcing_authority": agency, "status": status, "province_code": code,
        "start_year": min(start, today).year, "end_year": ended.year if ended else None,
        "created_at": _at(effective), "updated_at": _at(events[-1][1]) if events else _at(effective),
    })
    for table, mark in marks.items():  # the ruling and its parts: recorded with the sentence
        _stamp(rows[table][mark:], _at(effective))
