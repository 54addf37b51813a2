"""The audit trail through the gateway (issue 5): one record per request, the subjects it names, the hash chain
verified by the CLI, and ``accessLog`` for the data subject and the data-protection officer."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from gateway.audit.subject_index import TERMS_TABLE, decode
from tests.e2e import ids
from tests.e2e.checks import assert_decided, assert_refused, forbidden, text_of
from tests.e2e.support import LEGAL_BASIS, E2EStack, Reply, e2e_grant_id

ACCESS_LOG = """query L($id: ID!) { accessLog(personalId: $id) { entries { reference at agency { id name }
  purpose legalBasis categories outcome } } }"""
PERSONS = "query P($ids: [ID!]!) { persons(personalIds: $ids) { personalId fullName sentences { id } } }"


def _tracked(e2e: E2EStack, query: str, variables: dict | None, **kwargs: object) -> tuple[Reply, list[tuple]]:
    """Send with a fresh X-Request-Id; return the reply and the audit rows written for that request id."""
    request_id = uuid.uuid4().hex
    before = e2e.audit_count()
    reply = e2e.post(query, variables, headers=[("x-request-id", request_id)], **kwargs)  # type: ignore[arg-type]
    rows = e2e.audit_rows("SELECT seq, outcome, account, agency, purpose, legal_basis, subjects, http_status "
                          "FROM audit_log WHERE request_id = ?", (request_id,))
    assert e2e.audit_count() == before + 1, "not exactly one audit record for one request"
    return reply, rows


def test_every_request_adds_exactly_one_record(e2e: E2EStack) -> None:
    offender = ids.adult_offender(e2e)
    court = e2e.token("tandtc", sub="officer-audit")
    cases = {
        "allowed": dict(token=court, purpose="criminal_proceedings", legal_basis=LEGAL_BASIS),
        "masked": dict(token=court, purpose="criminal_proceedings"),
        "refused": dict(token=e2e.token("cuc-thong-ke"), purpose="criminal_proceedings"),
        "unauthenticated": dict(token="not.a.jwt", purpose="criminal_proceedings"),
    }
    expected = {"allowed": (200, "allowed"), "masked": (200, "masked"), "refused": (403, "refused"),
                "unauthenticated": (401, "refused")}
    for name, kwargs in cases.items():
        reply, rows = _tracked(e2e, PERSONS, {"ids": [offender]}, **kwargs)
        assert len(rows) == 1, (name, rows)
        status, outcome = expected[name]
        assert reply.status == status and rows[0][7] == status, (name, reply.body)
        assert rows[0][1] == outcome, (name, rows[0])
    assert rows[0][2] is None  # the unauthenticated caller has no account


def _indexed(e2e: E2EStack, seq: int) -> set[str]:
    """The subjects the audit's subject index (SQLite: FTS5, gateway.audit.subject_index) lists for record ``seq``."""
    return {decode(r[0]) for r in e2e.audit_rows(f"SELECT term FROM {TERMS_TABLE} WHERE doc = ?", (seq,))}


def test_record_names_the_persons_in_the_response(e2e: E2EStack) -> None:
    first, second = ids.adult_offender(e2e), ids.visible_adult(e2e)
    reply, rows = _tracked(e2e, PERSONS, {"ids": [first, second]}, token=e2e.token("tandtc", sub="officer-rec"),
                           purpose="criminal_proceedings", legal_basis=LEGAL_BASIS)
    assert_decided(reply, "criminal_proceedings")
    seq, _, account, agency, purpose, legal_basis, *_ = rows[0]
    # the legal basis as sent: the e2e grant of the court named before the decision (tests/e2e/support.py)
    assert (account, agency, purpose, legal_basis) == (
        "officer-rec", "tandtc", "criminal_proceedings", f"{e2e_grant_id('tandtc', 'criminal_proceedings')} {LEGAL_BASIS}")
    named = _indexed(e2e, seq)
    assert {first, second} <= named, named


def test_record_names_every_subject_of_every_row_whatever_the_path(e2e: E2EStack) -> None:
    """Rows reached without their Person (a civil status record by id, a sentence by id, a foreigner) still name
    their subjects and parties in the audit record, so that each person's accessLog shows the read."""
    event, subject, wife = e2e.rows("SELECT id, subject_id, wife_id FROM civil_status_event WHERE kind = 'MARRIAGE' "
                                    "AND wife_id IS NOT NULL ORDER BY id LIMIT 1")[0]
    offender = ids.adult_offender(e2e)
    sentence = ids.offender_sentence(e2e, offender)
    foreigner = e2e.rows("SELECT identification_code FROM foreign_offender ORDER BY identification_code LIMIT 1")
    assert foreigner, "the seed has no foreign offender"
    query = """query($e: ID!, $s: ID!, $f: String!) { civilStatusEvent(id: $e) { id registrationDate }
      sentence(id: $s) { status } foreignOffender(identificationCode: $f) { nationality } }"""
    reply, rows = _tracked(e2e, query, {"e": str(event), "s": sentence, "f": foreigner[0][0]},
                           token=e2e.token("tandtc"), purpose="criminal_proceedings", legal_basis=LEGAL_BASIS)
    assert reply.status == 200, reply.body
    named = _indexed(e2e, rows[0][0])
    assert {subject, wife, offender, foreigner[0][0]} <= named, named


def test_data_subject_sees_accesses_without_the_officers_account(e2e: E2EStack) -> None:
    person = ids.adult_offender(e2e)
    officer = f"officer-{uuid.uuid4().hex[:8]}"
    e2e.post(PERSONS, {"ids": [person]}, token=e2e.token("vksndtc", sub=officer),
             purpose="enforcement_supervision", legal_basis=LEGAL_BASIS)
    reply, rows = _tracked(e2e, ACCESS_LOG, {"id": person}, token=e2e.token(None, sub=person, role="data_subject"))
    assert_decided(reply, None)
    entries = reply.data["accessLog"]["entries"]
    mine = [e for e in entries if e["agency"] and e["agency"]["id"] == "vksndtc"]
    assert mine, entries
    entry = mine[0]
    assert entry["purpose"] == "enforcement_supervision"
    assert entry["legalBasis"] == f"{e2e_grant_id('vksndtc', 'enforcement_supervision')} {LEGAL_BASIS}"
    assert {"CRIMINAL", "IDENTIFIER", "BASIC"} <= set(entry["categories"]) and entry["agency"]["name"]
    assert officer not in text_of(reply) and "officer-" not in text_of(reply)
    assert rows[0][2] == person  # the accessLog read is itself audited, under the subject's account


def test_another_persons_log_is_refused(e2e: E2EStack) -> None:
    person, other = ids.adult_offender(e2e), ids.visible_adult(e2e)
    reply = e2e.post(ACCESS_LOG, {"id": other}, token=e2e.token(None, sub=person, role="data_subject"))
    assert reply.data is None or reply.data.get("accessLog") is None, reply.body
    assert ("accessLog",) in forbidden(reply), reply.errors
    officer = e2e.post(ACCESS_LOG, {"id": person}, token=e2e.token("tandtc"), purpose="criminal_proceedings",
                       legal_basis=LEGAL_BASIS)
    assert officer.data is None or officer.data.get("accessLog") is None, officer.body
    assert "FORBIDDEN_FIELD" in officer.codes or officer.status == 403, officer.body


def test_dpo_reads_any_log(e2e: E2EStack) -> None:
    person = ids.adult_offender(e2e)
    e2e.post(PERSONS, {"ids": [person]}, token=e2e.token("tandtc"), purpose="criminal_proceedings",
             legal_basis=LEGAL_BASIS)
    reply = e2e.post(ACCESS_LOG, {"id": person}, token=e2e.token(None, sub="dpo-1", role="dpo"))
    assert_decided(reply, None)
    assert reply.data["accessLog"]["entries"], reply.body


def test_audit_verify_passes_and_detects_tampering(e2e: E2EStack, tmp_path: Path) -> None:
    e2e.post(PERSONS, {"ids": [ids.adult_offender(e2e)]}, token=e2e.token("tandtc"),
             purpose="criminal_proceedings", legal_basis=LEGAL_BASIS)
    ok = e2e.cli("audit", "verify")
    assert ok.returncode == 0 and "audit chain OK" in ok.stdout, ok.stdout + ok.stderr
    copy = tmp_path / "audit.db"  # tamper a copy: the session's store stays valid for the other tests
    with sqlite3.connect(e2e.audit_db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with sqlite3.connect(copy) as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET purpose = 'statistics' WHERE seq = (SELECT max(seq) FROM audit_log)")
    broken = e2e.cli("audit", "--database-url", f"sqlite+aiosqlite:///{copy}", "verify")
    assert broken.returncode == 1 and "BROKEN" in broken.stdout, broken.stdout + broken.stderr


def test_unauthenticated_access_log_is_refused_and_audited(e2e: E2EStack) -> None:
    reply, rows = _tracked(e2e, ACCESS_LOG, {"id": ids.adult_offender(e2e)})
    assert_refused(reply, 401, "UNAUTHENTICATED")
    assert rows[0][1] == "refused"


