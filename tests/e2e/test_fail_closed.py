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
