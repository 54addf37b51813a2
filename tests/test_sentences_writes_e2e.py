"""``recordEnforcementEvent`` through the in-process gateway and the real subgraphs over HTTP (the stack of
tests/test_writes_e2e.py): an enforcement body records an event (written, audited with hashes, outbox event in the
sentences database); a provincial body declaring its own province as the area of another province's sentence writes
nothing; a bad field comes back as ``BAD_USER_INPUT`` naming it, nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from gateway.server import Gateway
from subgraphs.common.db import sync_url
from tests.test_writes_e2e import HASH, Stack, audit_rows, count, headers, writes_of
from tests.test_writes_e2e import gateway as gateway  # the fixtures, re-exported (module-scoped here)
from tests.test_writes_e2e import stack as stack

pytestmark = pytest.mark.asyncio(loop_scope="module")  # the gateway fixture lives on the module's loop
EVENT = """mutation Event($input: EnforcementEventInput!) { recordEnforcementEvent(input: $input) {
  previousStatus status event { kind date decisionNumber } sentence { id status statusHistory { status cause } }
} }"""
NATIONAL, HANOI = "c10-bca", "ca-ha-noi-thahs"  # criminal enforcement bodies: national (C10) and Hà Nội's


_DRAWN: list[bool] = []


def _serving(stack: Stack, *, other_province: bool = False) -> dict[str, Any]:
    """A new citizen's sentence being served, added to the stack's database with the seed's own writer (the
    small seeded world may hold none), enforced in Hà Nội or, with ``other_province``, elsewhere."""
    import random
    from datetime import date

    from subgraphs.sentences import seed

    _DRAWN.append(other_province)
    rng = random.Random(f"writes-e2e-{len(_DRAWN)}")  # a fresh draw per call: new ids
    engine = create_engine(sync_url(stack.data_url))
    try:
        with engine.connect() as conn:  # a living adult of the population database: their facts are known
            (personal_id, name), = conn.execute(text(
                "SELECT personal_id, full_name FROM person WHERE date_of_death IS NULL AND missing_since IS NULL "
                "AND date_of_birth < '1995' ORDER BY personal_id LIMIT 1 OFFSET :n"), {"n": len(_DRAWN)}).all()
        for _ in range(400):
            rows = seed.Rows()
            province = "079" if other_province else "001"
            offender = seed.Offender(personal_id, None, name, date(1980, 5, 5), None, False, province,
                                     "Số 2 Lê Lợi, Phường 1, Thành phố Hà Nội")
            if not seed.add_sentence(rows, rng, offender, minor=False):
                continue
            sentence = rows["sentence"][0]
            if sentence["status"] in ("SERVING_IMPRISONMENT", "SERVING_IN_COMMUNITY") and (
                    (sentence["province_code"] != "001") == other_province):
                with engine.begin() as conn:
                    rows.flush(conn)
                last = max((e["event_date"] for e in rows["enforcement_event"]), default=date(2025, 7, 1))
                break
        else:
            raise AssertionError("no ongoing sentence drawn")
    finally:
        engine.dispose()
    # a step every ongoing sentence may take without changing its status (000 Art. 8.2.e)
    return {"sentenceId": sentence["id"], "personalId": offender.personal_id, "provinceCode": sentence["province_code"],
            "kind": "JUDICIAL_MEASURE_TERMINATED", "date": max(str(last), "2025-07-01"),
            "authority": "Tòa án nhân dân Thành phố Hà Nội", "decisionNumber": "21/2025/QĐ-TA",
            "note": "Đình chỉ thi hành biện pháp tư pháp."}


def _events(stack: Stack, sentence_id: str) -> tuple[int, int]:
    return (count(stack, "SELECT count(*) FROM enforcement_event WHERE sentence_id = :s", s=sentence_id),
            count(stack, "SELECT count(*) FROM sentences_outbox WHERE key = :s", s=sentence_id))


async def test_an_enforcement_body_records_an_event_audited_with_hashes(stack: Stack, gateway: Gateway) -> None:
    event = _serving(stack)
    before = _events(stack, event["sentenceId"])
    response = await gateway.execute(EVENT, {"input": event}, "Event", headers(
        stack, NATIONAL, "sentence_enforcement", legal_basis="21/2025/QĐ-TA"))
    assert response.status == 200, response.body
    got = response.body["data"]["recordEnforcementEvent"]
    assert got["status"] == got["previousStatus"] and got["sentence"]["id"] == event["sentenceId"], response.body
    assert got["event"] == {"kind": "JUDICIAL_MEASURE_TERMINATED", "date": event["date"],
                            "decisionNumber": "21/2025/QĐ-TA"}
    assert _events(stack, event["sentenceId"]) == (before[0] + 1, before[1] + 1)
    body = json.dumps(response.body)
    assert "lienthongWrites" not in body and not HASH.search(body)  # nothing internal leaves
    [write] = writes_of((await audit_rows(stack))[-1])
    assert write["outcome"] == "written"
    records = {r["recordType"]: r for r in write["records"]}
    assert records["EnforcementEvent"]["before"] is None and HASH.fullmatch(records["EnforcementEvent"]["after"])
    assert HASH.fullmatch(records["Sentence"]["before"]) and records["Sentence"]["before"] != records["Sentence"]["after"]


async def test_a_body_naming_its_own_province_for_another_provinces_sentence_writes_nothing(
        stack: Stack, gateway: Gateway) -> None:
    """The declared area must be the sentence's: Hà Nội's body passing the write policy with its own province
    for a sentence enforced elsewhere is refused by the subgraph, which knows the sentence's province."""
    event = {**_serving(stack, other_province=True), "provinceCode": "001"}
    before = _events(stack, event["sentenceId"])
    response = await gateway.execute(EVENT, {"input": event}, "Event", headers(
        stack, HANOI, "sentence_enforcement", legal_basis="21/2025/QĐ-TA"))
    assert response.body["data"] == {"recordEnforcementEvent": None}, response.body
    [error] = response.body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argumentName"] == "input.provinceCode", error
    assert _events(stack, event["sentenceId"]) == before


async def test_a_provincial_body_may_not_update_another_provinces_sentence(stack: Stack, gateway: Gateway) -> None:
    """000 Art. 11.3, 13.1: Hà Nội's enforcement body declaring the true area of a sentence enforced in another
    province is refused by the write policy (the subgraph is never called), audited as refused; the national
    body (C10, no province) records the same event."""
    event = _serving(stack, other_province=True)
    assert event["provinceCode"] != "001"
    before = _events(stack, event["sentenceId"])
    refused = await gateway.execute(EVENT, {"input": event}, "Event", headers(
        stack, HANOI, "sentence_enforcement", legal_basis="21/2025/QĐ-TA"))
    assert refused.body["data"] == {"recordEnforcementEvent": None}, refused.body
    [error] = refused.body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN_FIELD", error
    assert f"may not update a sentence of province {event['provinceCode']}" in error["message"], error
    assert _events(stack, event["sentenceId"]) == before
    [write] = writes_of((await audit_rows(stack))[-1])
    assert write["outcome"] == "refused" and "000 Art. 11.3, 13.1" in write["reason"], write
    national = await gateway.execute(EVENT, {"input": event}, "Event", headers(
        stack, NATIONAL, "sentence_enforcement", legal_basis="21/2025/QĐ-TA"))
    assert national.body["data"]["recordEnforcementEvent"]["sentence"]["id"] == event["sentenceId"], national.body
    assert _events(stack, event["sentenceId"]) == (before[0] + 1, before[1] + 1)


ENTITY_EVENT = """mutation Entity($input: LegalEntityEnforcementEventInput!) {
  recordLegalEntityEnforcementEvent(input: $input) { previousStatus status event { kind } sentence { id } } }"""


async def test_a_legal_entity_enforcement_event_goes_through_the_write_policy(stack: Stack, gateway: Gateway) -> None:
    """000 Art. 8.3.d, 11.3: recordLegalEntityEnforcementEvent has its write rule (it was refused to everyone by
    default): the national enforcement body records it, written and audited; a court may not."""
    engine = create_engine(sync_url(stack.data_url))
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT s.id, s.province_code, e.legal_representative_personal_id, (SELECT max(event_date) FROM "
            "enforcement_event v WHERE v.entity_sentence_id = s.id) FROM legal_entity_sentence s JOIN legal_entity e "
            "ON e.id = s.legal_entity_id WHERE s.status = 'UNDER_ENFORCEMENT' ORDER BY s.id LIMIT 1")).all()
    engine.dispose()
    assert rows, "the seeded world has no legal entity sentence under enforcement"
    sid, province, representative, last = rows[0]
    event = {"sentenceId": str(sid), "provinceCode": province, "legalRepresentativePersonalId": representative,
             "kind": "FORCED_ENFORCEMENT", "date": max(str(last)[:10], "2025-07-01"),
             "authority": "Cục C10, Bộ Công an", "decisionNumber": "7/2025/QĐ-THA"}
    entity_events = "SELECT count(*) FROM enforcement_event WHERE entity_sentence_id = :s"
    before = count(stack, entity_events, s=sid)
    court = await gateway.execute(ENTITY_EVENT, {"input": event}, "Entity", headers(
        stack, "tand-ha-noi", "sentence_enforcement", legal_basis="7/2025/QĐ-THA"))
    assert court.body["data"] == {"recordLegalEntityEnforcementEvent": None}, court.body
    assert any(e["extensions"]["code"] == "FORBIDDEN_FIELD" and "may not call Mutation.recordLegalEntity"
               "EnforcementEvent" in e["message"] for e in court.body["errors"]), court.body
    assert count(stack, entity_events, s=sid) == before
    national = await gateway.execute(ENTITY_EVENT, {"input": event}, "Entity", headers(
        stack, NATIONAL, "sentence_enforcement", legal_basis="7/2025/QĐ-THA"))
    assert national.status == 200, national.body
    got = national.body["data"]["recordLegalEntityEnforcementEvent"]
    assert got["event"] == {"kind": "FORCED_ENFORCEMENT"} and got["sentence"]["id"] == str(sid), national.body
    assert count(stack, entity_events, s=sid) == before + 1
    [write] = writes_of((await audit_rows(stack))[-1])
    assert write["outcome"] == "written"


async def test_a_bad_field_is_named_through_the_gateway_and_nothing_is_written(stack: Stack,
                                                                               gateway: Gateway) -> None:
    event = {**_serving(stack), "kind": "RECAPTURE", "decisionNumber": None}  # not escaped
    before = _events(stack, event["sentenceId"])
    response = await gateway.execute(EVENT, {"input": event}, "Event", headers(
        stack, NATIONAL, "sentence_enforcement", legal_basis="21/2025/QĐ-TA"))
    assert response.body["data"] == {"recordEnforcementEvent": None}
    [error] = response.body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["argumentName"] == "input.kind"
    assert _events(stack, event["sentenceId"]) == before
