"""Fail closed: a gateway whose audit store refuses writes, or whose policy engine is unreachable, returns 503
and no personal data. Each case starts one more gateway process over the session's subgraphs."""

from __future__ import annotations

import sqlite3
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.conformance.stack import free_port, start_gateway
from tests.e2e import ids
from tests.e2e.checks import assert_refused, text_of
from tests.e2e.support import E2E_GATEWAY_SETTINGS, LEGAL_BASIS, E2EStack

QUERY = "query($id: ID!) { person(personalId: $id) { fullName sentences { id } } }"


def _ask(e2e: E2EStack, url: str) -> tuple:
    offender = ids.adult_offender(e2e)
    reply = e2e.post(QUERY, {"id": offender}, token=e2e.token("tandtc"), purpose="criminal_proceedings",
                     legal_basis=LEGAL_BASIS, url=url)
    return reply, offender


def test_audit_store_refusing_writes_gives_audit_unavailable(e2e: E2EStack, tmp_path: Path) -> None:
    audit_db = tmp_path / "audit.db"
    settings = dict(E2E_GATEWAY_SETTINGS, GATEWAY_AUDIT_DATABASE_URL=f"sqlite+aiosqlite:///{audit_db}",
                    GATEWAY_AUDIT_TIMEOUT="2")
    with ExitStack() as services:
        url = start_gateway(e2e.stack, services, "gateway-audit-ro", settings)
        reply, _ = _ask(e2e, url)
        assert reply.status == 200 and reply.data["person"]["fullName"], reply.body  # writable: answers
        # The store becomes read-only (as root, file modes do not stop writes; a trigger does).
        with sqlite3.connect(audit_db) as conn:
            conn.execute("CREATE TRIGGER e2e_read_only BEFORE INSERT ON audit_log "
                         "BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END")
        reply, offender = _ask(e2e, url)
        assert_refused(reply, 503, "AUDIT_UNAVAILABLE")
        assert offender not in text_of(reply) and "sentences" not in (reply.body.get("data") or {})


def test_unwritable_audit_location_keeps_the_gateway_down(e2e: E2EStack, tmp_path: Path) -> None:
    """An audit database that cannot be created: the gateway refuses to start rather than serve unaudited."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the audit directory should be")
    settings = dict(E2E_GATEWAY_SETTINGS, GATEWAY_AUDIT_DATABASE_URL=f"sqlite+aiosqlite:///{blocker / 'audit.db'}")
    with ExitStack() as services, pytest.raises(RuntimeError, match=r"(?s)exited with.*audit"):
        start_gateway(e2e.stack, services, "gateway-audit-missing", settings)


def test_unreachable_policy_engine_gives_policy_unavailable(e2e: E2EStack, tmp_path: Path) -> None:
    settings = dict(E2E_GATEWAY_SETTINGS, GATEWAY_POLICY_ENGINE="opa",
                    GATEWAY_OPA_URL=f"http://127.0.0.1:{free_port()}",  # nothing listens there
                    GATEWAY_AUDIT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}")
    with ExitStack() as services:
        url = start_gateway(e2e.stack, services, "gateway-opa-down", settings)
        reply, offender = _ask(e2e, url)
        assert_refused(reply, 503, "POLICY_UNAVAILABLE")
        assert offender not in text_of(reply)


def _silent_listener() -> tuple[object, int]:
    """A port that accepts connections and never answers (a population subgraph that hangs)."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock, sock.getsockname()[1]


@pytest.mark.parametrize("failure", ["down", "slow"])
def test_population_down_or_slow_withholds_rows_needing_its_facts(e2e: E2EStack, tmp_path: Path,
                                                                  failure: str) -> None:
    """Protection facts come from population: without them, civil status and sentence rows are withheld
    (unknown means withheld), never released."""
    listener, port = _silent_listener() if failure == "slow" else (None, free_port())
    settings = dict(E2E_GATEWAY_SETTINGS, POPULATION_URL=f"http://127.0.0.1:{port}/graphql",
                    GATEWAY_SUBGRAPH_TIMEOUT_MS="400",
                    GATEWAY_AUDIT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}")
    event = e2e.rows("SELECT e.id FROM civil_status_event e JOIN person p ON p.personal_id = e.subject_id "
                     "WHERE e.kind = 'BIRTH' AND p.processing_restricted = 0 AND p.date_of_death IS NULL "
                     "AND e.registration_province_code = ? ORDER BY e.id LIMIT 1", (ids.HOME_PROVINCE,))[0][0]
    offender = ids.adult_offender(e2e)
    try:
        with ExitStack() as services:
            url = start_gateway(e2e.stack, services, f"gateway-population-{failure}", settings)
            reply = e2e.post("query($id: ID!) { civilStatusEvent(id: $id) { id ... on BirthRegistration "
                             "{ fullName dateOfBirth } } }", {"id": str(event)}, token=e2e.token("stp-ha-noi"),
                             purpose="administrative_procedure", url=url)
            assert reply.status == 200, reply.body
            row = reply.data["civilStatusEvent"]
            assert row is None or (row.get("fullName") is None and row.get("dateOfBirth") is None), reply.body
            assert "could not be established" in text_of(reply), reply.body
            reply = e2e.post("query($p: ID!) { sentencesOf(personalId: $p) { id status offenceSummary } }",
                             {"p": offender}, token=e2e.token("c10-bca"), purpose="sentence_enforcement",
                             legal_basis=LEGAL_BASIS, url=url)
            assert reply.status == 200, reply.body
            assert all(s is None or (s.get("status") is None and s.get("offenceSummary") is None)
                       for s in reply.data["sentencesOf"] or []), reply.body
            assert f"127.0.0.1:{port}" not in text_of(reply)
    finally:
        if listener is not None:
            listener.close()  # type: ignore[attr-defined]
