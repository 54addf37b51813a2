"""Notifications of enforcement changes (000 Art. 8.5.d; docs/EVENTS.md): an enforcement event is read back through
the gateway as each subscribing agency, so the read policy decides what it gets: a court holding a registered grant
for the offender (000 Art. 13.3) is notified, the same court's subscription naming no grant and a statistics office
get nothing, every read is audited as that agency, and an unavailable gateway sends nothing (retried)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import nats
import orjson
import pytest
import pytest_asyncio
from sqlalchemy import create_engine, text

from gateway.auth import AuthSettings
from gateway.auth.dev import mint_dev_token
from subgraphs.common.db import Database, sync_url
from subgraphs.common.exchange.link import NatsLink
from subgraphs.common.exchange.metrics import ExchangeMetrics
from subgraphs.common.exchange.notify import GatewayUnavailable, Notifier, Subscription
from subgraphs.common.exchange.runner import ExchangeRunner, load_spec
from subgraphs.common.outbox import add_event, topics
from subgraphs.common.settings import ExchangeSettings
from subgraphs.sentences.models import OUTBOX
from tests.exchange_fixtures import NATS_URL, delete_stream, eventually, nats_unreachable
from tests.test_writes_e2e import Stack, audit_rows
from tests.test_writes_e2e import gateway as gateway  # the fixtures, re-exported
from tests.test_writes_e2e import stack as stack

# the gateway fixture lives on the module's event loop (its audit writer's futures too): so do these tests
pytestmark = pytest.mark.asyncio(loop_scope="module")

COURT = "tand-ha-noi"
STATISTICS = ("cuc-thong-ke", "statistics", None)
GRANT = """mutation($input: GrantInput!) { createGrant(input: $input) { id status } }"""


def _subscription(stack: Stack, agency: str, purpose: str, legal_basis: str | None) -> Subscription:
    settings = AuthSettings.from_env(stack.env)
    return Subscription(agency, purpose, lambda: mint_dev_token(agency, "notifier", settings=settings), legal_basis)


@pytest_asyncio.fixture(loop_scope="module")
async def settings() -> AsyncIterator[ExchangeSettings]:
    reason = nats_unreachable()
    if reason:
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    tag = secrets.token_hex(4)
    yield replace(ExchangeSettings(name="sentences"), nats_url=NATS_URL, stream=f"LT_TEST_{tag}",
                  subject_prefix=f"lt_test_{tag}", poll_interval_s=0.02, max_backoff_s=0.5, ack_wait_s=2)
    await delete_stream(f"LT_TEST_{tag}")


async def _notices(settings: ExchangeSettings, agency: str) -> list[dict[str, Any]]:
    nc = await nats.connect(NATS_URL)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(f"{settings.subject_prefix}.notify.{agency}", stream=settings.stream)
        try:
            return [orjson.loads(m.data) for m in await sub.fetch(10, timeout=0.5)]
        except (TimeoutError, nats.errors.TimeoutError):
            return []
    finally:
        await nc.close()


async def test_a_court_is_notified_with_what_the_read_policy_releases(
        stack: Stack, gateway, settings: ExchangeSettings) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(sync_url(stack.data_url))
    with engine.connect() as conn:
        sentence, province, offender, status = conn.execute(text(
            "SELECT id, province_code, offender_personal_id, status FROM sentence "
            "WHERE offender_personal_id IS NOT NULL ORDER BY id DESC LIMIT 1")).one()
    engine.dispose()
    db = Database(stack.data_url)
    spec = load_spec("sentences")
    assert spec is not None
    relay = ExchangeRunner("sentences", replace(spec, handlers={}), db, settings, ExchangeMetrics())

    async def fetch(query: str, variables: dict[str, Any], hdrs: dict[str, str]) -> dict[str, Any]:
        return (await gateway.execute(query, variables, "EnforcementNotice", hdrs)).body

    registrar = mint_dev_token(None, "registrar-1", role="grant_registrar", settings=AuthSettings.from_env(stack.env))
    made = (await gateway.execute(GRANT, {"input": {
        "decisionNumber": "31/2026/QĐ-VKS", "issuedBy": "Viện trưởng VKSND TP Hà Nội", "decisionDate": "2026-02-01",
        "agency": COURT, "purpose": "criminal_proceedings", "scope": "subjects", "subjects": [offender],
        "validUntil": "2099-12-31"}}, None, {"authorization": f"Bearer {registrar}"})).body
    assert made.get("errors") is None and made["data"]["createGrant"]["status"] == "valid", made
    grant = made["data"]["createGrant"]["id"]
    notifier = Notifier(settings, [_subscription(stack, COURT, "criminal_proceedings", grant),
                                   _subscription(stack, "vksnd-ha-noi", "enforcement_supervision", "QĐ 45/QĐ-VKS"),
                                   _subscription(stack, *STATISTICS)], fetch)
    stop, link = asyncio.Event(), NatsLink(settings)
    tasks = [asyncio.create_task(relay.run(stop)), asyncio.create_task(notifier.run(link, stop))]
    try:
        # the change event as Mutation.recordEnforcementEvent writes it (subgraphs/sentences/mutations.py), into the
        # sentences outbox; its relay publishes it (the mutation itself is tested in tests/test_writes_e2e.py)
        async with db.engine.begin() as conn:
            await add_event(conn, OUTBOX, topics.ENFORCEMENT_RECORDED, str(sentence), {
                "sentenceId": str(sentence), "personalId": offender, "eventId": "1", "kind": "REWARD",
                "effectiveDate": "2026-11-01", "previousStatus": status, "newStatus": status,
                "provinceCode": province})

        async def arrived() -> bool:
            return bool(await _notices(settings, COURT))

        assert await eventually(arrived, 60), "no notification for the court"
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 15)
        await link.close()
        await db.dispose()
    [notice] = await _notices(settings, COURT)
    assert notice["kind"] == "REWARD" and notice["sentence"]["id"] == str(sentence)
    assert notice["sentence"]["status"] == status and notice["sentence"]["person"] == {"personalId": offender}
    assert notice["withheld"] == [] and notice["sentence"]["enforcementEvents"], notice
    # no grant named (000 Art. 13.3), no CRIMINAL data for statistics: nothing sent, not even an empty shell
    assert await _notices(settings, "vksnd-ha-noi") == [] and await _notices(settings, "cuc-thong-ke") == []
    reads = [r for r in await audit_rows(stack) if "Query.sentence" in (r.get("coordinates") or [])]
    assert {r["agency"] for r in reads} >= {COURT, "vksnd-ha-noi", "cuc-thong-ke"}  # each read audited as itself


async def test_an_unavailable_gateway_sends_nothing(stack: Stack, settings: ExchangeSettings) -> None:
    async def down(query: str, variables: dict[str, Any], hdrs: dict[str, str]) -> dict[str, Any]:
        return {"data": None, "errors": [{"message": "audit", "extensions": {"code": "AUDIT_UNAVAILABLE"}}]}

    notifier = Notifier(settings, [_subscription(stack, COURT, "criminal_proceedings", "GR-1")], down)
    with pytest.raises(GatewayUnavailable):
        await notifier.notices("1")


def test_subscriptions_are_read_from_their_file_with_tokens_reread(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from subgraphs.common.exchange.notify import load_subscriptions

    token = tmp_path / "court.token"
    token.write_text("first\n")
    (tmp_path / "subs.json").write_text(orjson.dumps([{"agency": COURT, "purpose": "criminal_proceedings",
                                                       "legalBasis": "GR-7", "tokenFile": str(token)}]).decode())
    [sub] = load_subscriptions(tmp_path / "subs.json")
    assert sub.headers() == {"authorization": "Bearer first", "x-purpose": "criminal_proceedings",
                             "x-legal-basis": "GR-7"}
    token.write_text("rotated")
    assert sub.headers()["authorization"] == "Bearer rotated"
