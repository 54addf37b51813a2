"""``Mutation.recordEnforcementEvent`` on SQLite and PostgreSQL: the event, the new status, its history entry, the
outbox event and the audit hashes in one transaction; refused transitions and bad fields write nothing; a failure
half-way rolls everything back; only the gateway's token, naming an account and agency, may write."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import create_engine, text
from test_sentences_support import (
    Subgraph,
    loaded_database,
    make_people,
    open_subgraph,
)

from subgraphs.common.db import sync_url
from subgraphs.common.writes import WRITES_EXTENSION

PEOPLE = make_people(160, random.Random(31))
MUTATION = """mutation($input: EnforcementEventInput!) { recordEnforcementEvent(input: $input) {
  previousStatus status
  event { kind date decisionNumber authority monthsReduced facility { id } source sourceAgency createdAt }
  sentence { id status expectedEndOn provinceCode updatedAt facility { id }
             statusHistory { status since cause decisionNumber } }
  person { personalId }
} }"""
FIXED = ("EXISTS (SELECT 1 FROM penalty p WHERE p.sentence_id = s.id AND p.role = 'PRINCIPAL' "
         "AND p.kind = 'FIXED_TERM_IMPRISONMENT')")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from loaded_database(request, tmp_path_factory, PEOPLE, "mutation")


@pytest.fixture
async def subgraph(database_url: str, tmp_path: Path) -> AsyncIterator[Subgraph]:
    async with open_subgraph(tmp_path, database_url, ping=False) as sg:
        yield sg


def _sql(url: str, statement: str, **params: Any) -> list[Any]:
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        engine.dispose()


_TAKEN: set[str] = set()


def _sentence(url: str, where: str) -> dict[str, Any]:
    """A citizen's sentence matching ``where`` not used by another test yet."""
    rows = _sql(url, "SELECT s.id, s.offender_personal_id, s.province_code, s.status, s.facility_id, s.expected_end_on, "
                     "(SELECT max(event_date) FROM enforcement_event e WHERE e.sentence_id = s.id) AS last "
                     f"FROM sentence s WHERE s.offender_personal_id IS NOT NULL AND {where} ORDER BY s.id")
    for row in rows:
        if (url, row[0]) not in _TAKEN:
            _TAKEN.add((url, row[0]))  # type: ignore[arg-type]
            return dict(zip(("id", "personal_id", "province", "status", "facility", "end", "last"), row, strict=True))
    pytest.fail(f"no sentence where {where}")


def _input(s: dict[str, Any], kind: str, **extra: Any) -> dict[str, Any]:
    last = str(s["last"])[:10] if s["last"] else "2025-07-01"
    return {"sentenceId": s["id"], "provinceCode": s["province"], "personalId": s["personal_id"], "kind": kind,
            "date": max(last, "2025-07-01"), "authority": "Trại giam Thanh Xuân", **extra}


def _counts(url: str, sentence_id: str) -> tuple[Any, ...]:
    (row,) = _sql(url, "SELECT (SELECT count(*) FROM enforcement_event WHERE sentence_id = :s), "
                       "(SELECT count(*) FROM status_change WHERE sentence_id = :s), "
                       "(SELECT count(*) FROM sentences_outbox), "
                       "(SELECT status || '|' || CAST(updated_at AS TEXT) FROM sentence WHERE id = :s)", s=sentence_id)
    return tuple(row)


async def _post(sg: Subgraph, variables: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    response = await sg.client.post("/graphql", json={"query": MUTATION, "variables": variables},
                                    headers={"Authorization": f"Bearer {token or sg.token()}"})
    assert response.status_code == 200, response.text
    return response.json()


async def test_records_the_event_status_history_outbox_and_audit_hashes(subgraph: Subgraph, database_url: str) -> None:
    s = _sentence(database_url, f"s.status = 'SERVING_IMPRISONMENT' AND s.expected_end_on > '2026-06-01' AND {FIXED}")
    before = _counts(database_url, s["id"])
    body = await _post(subgraph, {"input": _input(s, "CONDITIONAL_EARLY_RELEASE", decisionNumber="15/2025/QĐ-TA",
                                                  residenceAfterRelease="Số 1 Lê Lợi, Phường 1, Thành phố Hà Nội")})
    assert "errors" not in body, body["errors"]
    got = body["data"]["recordEnforcementEvent"]
    assert (got["previousStatus"], got["status"]) == ("SERVING_IMPRISONMENT", "CONDITIONALLY_RELEASED")
    assert got["event"]["kind"] == "CONDITIONAL_EARLY_RELEASE" and got["event"]["decisionNumber"] == "15/2025/QĐ-TA"
    assert (got["event"]["source"], got["event"]["sourceAgency"]) == ("CASE_FILE", "court-001")
    assert got["sentence"]["status"] == "CONDITIONALLY_RELEASED" and got["person"] == {"personalId": s["personal_id"]}
    assert got["sentence"]["statusHistory"][-1] == {"status": "CONDITIONALLY_RELEASED", "since": _input(s, "x")["date"],
                                                    "cause": "CONDITIONAL_EARLY_RELEASE",
                                                    "decisionNumber": "15/2025/QĐ-TA"}
    after = _counts(database_url, s["id"])
    assert after[:3] == (before[0] + 1, before[1] + 1, before[2] + 1) and after[3] != before[3]
    (stored,) = _sql(database_url, "SELECT status, residence_after_release FROM sentence WHERE id = :s", s=s["id"])
    assert tuple(stored) == ("CONDITIONALLY_RELEASED", "Số 1 Lê Lợi, Phường 1, Thành phố Hà Nội")
    ((topic, key, payload),) = _sql(database_url, "SELECT topic, key, payload FROM sentences_outbox WHERE key = :s",
                                    s=s["id"])
    event = orjson.loads(payload)
    assert (topic, key) == ("sentences.enforcement_recorded", s["id"])
    assert {k: event[k] for k in ("sentenceId", "personalId", "kind", "previousStatus", "newStatus")} == {
        "sentenceId": s["id"], "personalId": s["personal_id"], "kind": "CONDITIONAL_EARLY_RELEASE",
        "previousStatus": "SERVING_IMPRISONMENT", "newStatus": "CONDITIONALLY_RELEASED"}
    writes = body["extensions"][WRITES_EXTENSION]
    assert [(w["recordType"], w["coordinate"], w["subjects"]) for w in writes] == [
        ("EnforcementEvent", "Mutation.recordEnforcementEvent", [s["personal_id"]]),
        ("Sentence", "Mutation.recordEnforcementEvent", [s["personal_id"]])]
    assert writes[0]["before"] is None and writes[1]["before"] != writes[1]["after"]
    assert all(h is None or (h.startswith("sha256:") and len(h) == 71) for w in writes for h in (w["before"], w["after"]))
    assert "Lê Lợi" not in orjson.dumps(writes).decode()  # hashes, never values


async def test_a_refused_transition_writes_nothing(subgraph: Subgraph, database_url: str) -> None:
    s = _sentence(database_url, "s.status = 'COMPLETED'")
    before = _counts(database_url, s["id"])
    body = await _post(subgraph, {"input": _input(s, "CONDITIONAL_EARLY_RELEASE", decisionNumber="1/2025/QĐ-TA")})
    assert body["data"] == {"recordEnforcementEvent": None}
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["argumentName"] == "input.kind"
    assert "COMPLETED" in error["message"]
    assert WRITES_EXTENSION not in body.get("extensions", {})
    assert _counts(database_url, s["id"]) == before
    escaped = _sentence(database_url, "s.status = 'SERVING_IMPRISONMENT'")
    body = await _post(subgraph, {"input": _input(escaped, "RECAPTURE")})
    assert body["errors"][0]["extensions"]["argumentName"] == "input.kind"  # no recapture without an escape


async def test_every_bad_field_is_named_and_nothing_is_written(subgraph: Subgraph, database_url: str) -> None:
    s = _sentence(database_url, "s.status = 'SERVING_IMPRISONMENT'")
    before = _counts(database_url, s["id"])
    bad = _input(s, "REWARD", date="2999-01-01", decisionNumber="12/2025 <script>", monthsReduced=3,
                 healthGround="ung thư", authority="  ", residenceAfterRelease="Hà Nội")
    body = await _post(subgraph, {"input": bad})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    fields = {f["field"] for f in error["extensions"]["invalidFields"]}
    assert fields == {"input.date", "input.decisionNumber", "input.monthsReduced", "input.healthGround",
                      "input.authority", "input.residenceAfterRelease"}
    # the record checks: another province, another person, a date before the last event
    other = "001" if s["province"] != "001" else "079"
    body = await _post(subgraph, {"input": _input(s, "REWARD", provinceCode=other, personalId=PEOPLE[0].personal_id
                                                  if PEOPLE[0].personal_id != s["personal_id"] else PEOPLE[1].personal_id,
                                                  date="2001-01-01")})
    fields = {f["field"] for f in body["errors"][0]["extensions"]["invalidFields"]}
    assert {"input.provinceCode", "input.personalId", "input.date"} <= fields
    body = await _post(subgraph, {"input": {**_input(s, "REWARD"), "sentenceId": "TA0000nope"}})
    assert body["errors"][0]["extensions"]["argumentName"] == "input.sentenceId"
    body = await _post(subgraph, {"input": {**_input(s, "REWARD"), "personalId": None}})
    assert body["errors"][0]["extensions"]["argumentName"] == "input.personalId"
    assert _counts(database_url, s["id"]) == before


async def test_facility_transfer_and_reduction(subgraph: Subgraph, database_url: str) -> None:
    s = _sentence(database_url, "s.status = 'SERVING_IMPRISONMENT' AND s.facility_id IS NOT NULL "
                                "AND s.expected_end_on > '2027-01-01'")
    (target, province), = _sql(database_url, "SELECT id, province_code FROM facility WHERE kind = 'PRISON' AND id <> :f "
                                             "ORDER BY id LIMIT 1", f=s["facility"])
    (agency,), = _sql(database_url, "SELECT id FROM facility WHERE kind = 'PROVINCIAL_ENFORCEMENT_AGENCY' LIMIT 1")
    for facility, message in ((s["facility"], "already held there"), ("NOPE", "no facility"), (agency, "prison")):
        body = await _post(subgraph, {"input": _input(s, "FACILITY_TRANSFER", decisionNumber="3/2025/QĐ-C10",
                                                      facilityId=facility)})
        assert body["errors"][0]["extensions"]["argumentName"] == "input.facilityId", body
        assert message in body["errors"][0]["message"]
    body = await _post(subgraph, {"input": _input(s, "FACILITY_TRANSFER", decisionNumber="3/2025/QĐ-C10",
                                                  facilityId=target)})
    got = body["data"]["recordEnforcementEvent"]
    assert got["status"] == "SERVING_IMPRISONMENT" and got["sentence"]["facility"] == {"id": target}
    assert got["event"]["facility"] == {"id": target} and got["sentence"]["provinceCode"] == province
    moved = {**s, "province": province}
    body = await _post(subgraph, {"input": _input(moved, "REDUCTION", decisionNumber="4/2025/QĐ-TA",
                                                  monthsReduced=600)})
    assert body["errors"][0]["extensions"]["argumentName"] == "input.monthsReduced"
    body = await _post(subgraph, {"input": _input(moved, "REDUCTION", decisionNumber="4/2025/QĐ-TA", monthsReduced=3)})
    got = body["data"]["recordEnforcementEvent"]
    assert got["event"]["monthsReduced"] == 3 and got["sentence"]["expectedEndOn"] < str(s["end"])


async def test_escape_then_recapture(subgraph: Subgraph, database_url: str) -> None:
    s = _sentence(database_url, "s.status = 'SERVING_IMPRISONMENT'")
    body = await _post(subgraph, {"input": _input(s, "ESCAPE", note="Ra quyết định truy nã.")})
    assert body["data"]["recordEnforcementEvent"]["status"] == "ESCAPED"
    # an escape of mid-2025 entered today: later than the 24 hours of 000 Art. 8.5.c, and said so
    events = await subgraph.query("query($i: ID!) { sentence(id: $i) { enforcementEvents { kind date "
                                  "recordedWithinDeadline } } }", {"i": s["id"]})
    *seeded, escape = events["data"]["sentence"]["enforcementEvents"]
    assert escape["kind"] == "ESCAPE" and escape["recordedWithinDeadline"] is False
    assert seeded and all(e["recordedWithinDeadline"] for e in seeded)  # the seed records on the day
    body = await _post(subgraph, {"input": _input(s, "RECAPTURE")})
    history = body["data"]["recordEnforcementEvent"]["sentence"]["statusHistory"]
    assert [h["status"] for h in history[-2:]] == ["ESCAPED", "SERVING_IMPRISONMENT"]


async def test_a_failure_half_way_rolls_everything_back(subgraph: Subgraph, database_url: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from subgraphs.sentences import mutations

    async def broken(*_: Any, **__: Any) -> str:
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(mutations, "add_event", broken)
    s = _sentence(database_url, "s.status = 'SERVING_IMPRISONMENT'")
    before = _counts(database_url, s["id"])
    body = await _post(subgraph, {"input": _input(s, "DISCIPLINE", note="Cảnh cáo.")})
    assert body["data"] == {"recordEnforcementEvent": None} and body["errors"]
    assert _counts(database_url, s["id"]) == before  # the event and the status were inserted, then rolled back


async def test_only_the_gateway_naming_an_account_may_write(subgraph: Subgraph, database_url: str) -> None:
    s = _sentence(database_url, "s.status = 'SERVING_IMPRISONMENT'")
    before = _counts(database_url, s["id"])
    response = await subgraph.client.post("/graphql", json={"query": MUTATION, "variables": {"input": _input(s, "ESCAPE")}})
    assert response.status_code == 401
    other = subgraph.minter.mint("population", sub="officer-1", agency="court-001", purpose="x", rid="t")
    response = await subgraph.client.post("/graphql", json={"query": MUTATION, "variables": {"input": _input(s, "ESCAPE")}},
                                          headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 401  # a token minted for another subgraph
    anonymous = subgraph.minter.mint("sentences", sub="", agency="", purpose="x", rid="t")
    body = await _post(subgraph, {"input": _input(s, "ESCAPE")}, token=anonymous)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert _counts(database_url, s["id"]) == before


async def test_the_outbox_event_reaches_jetstream(subgraph: Subgraph, database_url: str) -> None:
    """The relay (subgraphs.common.exchange) publishes the mutation's event with the contract's fields."""
    import secrets
    from dataclasses import replace

    import nats

    from subgraphs.common.exchange.consumer import decode
    from subgraphs.common.exchange.link import NatsLink
    from subgraphs.common.exchange.metrics import ExchangeMetrics
    from subgraphs.common.exchange.relay import Relay
    from subgraphs.common.settings import ExchangeSettings
    from subgraphs.sentences.exchange import exchange_spec
    from tests.exchange_fixtures import NATS_URL, delete_stream, nats_unreachable

    reason = nats_unreachable()
    if reason:
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    s = _sentence(database_url, "s.status = 'SERVING_IMPRISONMENT'")
    body = await _post(subgraph, {"input": _input(s, "ESCAPE", note="Ra quyết định truy nã.")})
    assert body["data"]["recordEnforcementEvent"]["status"] == "ESCAPED"
    tag = secrets.token_hex(4)
    settings = replace(ExchangeSettings(name="sentences"), nats_url=NATS_URL, stream=f"LT_TEST_{tag}",
                       subject_prefix=f"lt_test_{tag}")
    link = NatsLink(settings)
    try:
        relay = Relay(subgraph.db, exchange_spec().outbox, settings, ExchangeMetrics())
        while await relay.publish_pending(await link.jetstream()):
            pass
        nc = await nats.connect(NATS_URL)
        try:
            sub = await nc.jetstream().pull_subscribe(f"lt_test_{tag}.sentences.enforcement_recorded",
                                                      durable="check", stream=settings.stream)
            received = [decode(m.data) for m in await sub.fetch(100, timeout=5)]
        finally:
            await nc.close()
    finally:
        await link.close()
        await delete_stream(settings.stream)
    (event,) = [e for e in received if e.key == s["id"]]
    assert event.topic == "sentences.enforcement_recorded"
    assert {k: event.payload[k] for k in ("sentenceId", "personalId", "kind", "newStatus")} == {
        "sentenceId": s["id"], "personalId": s["personal_id"], "kind": "ESCAPE", "newStatus": "ESCAPED"}
    assert event.payload["effectiveDate"] == _input(s, "x")["date"] and event.payload["eventId"]


ENTITY_MUTATION = """mutation($input: LegalEntityEnforcementEventInput!) { recordLegalEntityEnforcementEvent(input: $input) {
  previousStatus status event { kind date successorName } sentence { id status statusHistory { status cause } }
  legalRepresentativePerson { personalId }
} }"""


async def test_legal_entity_events_follow_their_course(subgraph: Subgraph, database_url: str) -> None:
    rows = _sql(database_url, "SELECT s.id, s.province_code, e.legal_representative_personal_id, (SELECT max(event_date) "
                              "FROM enforcement_event v WHERE v.entity_sentence_id = s.id) FROM legal_entity_sentence s "
                              "JOIN legal_entity e ON e.id = s.legal_entity_id WHERE s.status = 'UNDER_ENFORCEMENT' "
                              "AND e.legal_representative_personal_id IS NOT NULL ORDER BY s.id")
    sid, province, representative, last = rows[0]
    base = {"sentenceId": sid, "provinceCode": province, "legalRepresentativePersonalId": representative,
            "date": max(str(last)[:10], "2025-07-01"), "authority": "Cơ quan thi hành án hình sự Công an tỉnh"}

    async def post(**extra: Any) -> dict[str, Any]:
        response = await subgraph.client.post("/graphql", json={"query": ENTITY_MUTATION, "variables": {
            "input": {**base, **extra}}}, headers={"Authorization": f"Bearer {subgraph.token()}"})
        return response.json()

    before = _sql(database_url, "SELECT count(*) FROM enforcement_event WHERE entity_sentence_id = :s", s=sid)
    missing = await post(kind="OBLIGATIONS_TRANSFERRED", decisionNumber="7/2025/QĐ-THA")
    assert missing["errors"][0]["extensions"]["argumentName"] == "input.successorName"
    other = await post(kind="FORCED_ENFORCEMENT", decisionNumber="7/2025/QĐ-THA", legalRepresentativePersonalId=None)
    assert other["errors"][0]["extensions"]["argumentName"] == "input.legalRepresentativePersonalId"
    assert _sql(database_url, "SELECT count(*) FROM enforcement_event WHERE entity_sentence_id = :s", s=sid) == before
    moved = await post(kind="OBLIGATIONS_TRANSFERRED", decisionNumber="7/2025/QĐ-THA",
                       successorName="Công ty cổ phần Kế Thừa")
    got = moved["data"]["recordLegalEntityEnforcementEvent"]
    assert got["status"] == got["previousStatus"] == "UNDER_ENFORCEMENT"
    assert got["event"]["successorName"] == "Công ty cổ phần Kế Thừa"
    assert got["legalRepresentativePerson"] == {"personalId": representative}
    assert [w["subjects"] for w in moved["extensions"][WRITES_EXTENSION]] == [[representative], [representative]]
    done = await post(kind="COMPLETION")
    got = done["data"]["recordLegalEntityEnforcementEvent"]
    assert got["status"] == "COMPLETED" and got["sentence"]["statusHistory"][-1] == {"status": "COMPLETED",
                                                                                     "cause": "COMPLETION"}
    after = await post(kind="FORCED_ENFORCEMENT", decisionNumber="8/2025/QĐ-THA")
    assert after["errors"][0]["extensions"]["argumentName"] == "input.kind"  # nothing follows completion
