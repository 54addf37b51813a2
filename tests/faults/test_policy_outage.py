"""The OPA server goes away or becomes slow under load (the ``opa`` engine pointed at a fake OPA that evaluates the
shipped Rego with regopy): every decision asked while it is down is 503 ``POLICY_UNAVAILABLE`` with no data, and
decisions return as soon as it is back, without restarting the gateway. Every request selects a field set never
asked before, so that each one needs a fresh decision (no decision cache hit can hide the outage)."""

from __future__ import annotations

import asyncio
import itertools
import random
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.policy.bundle import DECISION_PATH, load_bundle
from gateway.policy.engines import RegoEvaluator
from tests.faults.support import DevStack, Load, Sample, extra_gateway, outage_under_load, report
from tests.fixtures.serve import free_port, serve

POLICY_TIMEOUT_S = 1.0
FIELDS = ("fullName", "otherNames", "dateOfBirth", "sex", "placeOfBirth", "placeOfBirthRegistration", "hometown",
          "ethnicity", "nationality", "maritalStatus", "permanentAddress", "temporaryAddress", "currentAddress",
          "oldIdCardNumber", "dateOfDeath")


class FakeOpa:
    """``POST /v1/data/lienthong/authz/decision`` answered by the shipped policy; can be stopped, restarted on
    the same port, or slowed down."""

    def __init__(self) -> None:
        self.port = free_port()
        self.delay = 0.0
        self.decisions = 0
        self._evaluator = RegoEvaluator(load_bundle(None))
        self._stack = ExitStack()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _app(self) -> Starlette:
        async def decide(request: Request) -> JSONResponse:
            payload = await request.json()
            if self.delay:
                await asyncio.sleep(self.delay)
            result = await asyncio.to_thread(self._evaluator.evaluate, payload["input"])
            self.decisions += 1
            return JSONResponse({"result": result})

        return Starlette(routes=[Route(f"/v1/data/{DECISION_PATH}", decide, methods=["POST"])])

    def start(self) -> None:
        with self._lock:
            self._stack.enter_context(serve(self._app(), self.port))

    def stop(self) -> None:
        with self._lock:
            self._stack.close()
            self._stack = ExitStack()


@pytest.fixture
def opa() -> Iterator[FakeOpa]:
    fake = FakeOpa()
    fake.start()
    yield fake
    fake.stop()


def _fresh_field_sets(seed: int) -> Iterator[tuple[str, ...]]:
    """Field subsets, each one new (a new decision cache key per request)."""
    rng = random.Random(seed)
    seen: set[frozenset[str]] = set()
    for _ in itertools.count():
        chosen = tuple(rng.sample(FIELDS, rng.randint(2, 7)))
        if frozenset(chosen) not in seen:
            seen.add(frozenset(chosen))
            yield chosen


def _served(sample: Sample) -> bool:
    person = (sample.data or {}).get("person")
    return sample.status == 200 and isinstance(person, dict) and person.get("personalId") == sample.tag


def _refused(sample: Sample) -> bool:
    text = str(sample.body)
    return (sample.status == 503 and sample.codes == ["POLICY_UNAVAILABLE"] and not sample.data
            and sample.tag not in text)


@pytest.mark.parametrize("failure", ["stopped", "slow"])
async def test_policy_engine_outage_under_load(dev: DevStack, opa: FakeOpa, tmp_path: Any, failure: str) -> None:
    person = dev.adult_offender()
    fields = _fresh_field_sets(7)
    headers = dev.headers()

    def make(i: int) -> tuple[dict[str, Any], dict[str, str], Any]:
        selection = " ".join(next(fields))
        query = f"query($id: ID!) {{ person(personalId: $id) {{ personalId {selection} }} }}"
        return {"query": query, "variables": {"id": person}}, headers, person

    settings = {"GATEWAY_POLICY_ENGINE": "opa", "GATEWAY_OPA_URL": opa.url,
                "GATEWAY_POLICY_TIMEOUT": str(POLICY_TIMEOUT_S),
                "GATEWAY_AUDIT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}",
                "GATEWAY_AUDIT_WITNESS": f"file:{tmp_path / 'witness.jsonl'}"}
    if failure == "stopped":
        down, up = opa.stop, opa.start
    else:
        def down() -> None:
            opa.delay = POLICY_TIMEOUT_S * 3

        def up() -> None:
            opa.delay = 0.0

    with ExitStack() as services:
        gateway = extra_gateway(dev, services, f"gateway-opa-{failure}", **settings)
        load = Load(gateway, make, concurrency=6)
        seen = await outage_under_load(load, down, up, _served, after_s=POLICY_TIMEOUT_S + 1.5)
    samples = load.samples
    assert not load.errors, load.errors[:3]
    assert {s.status for s in samples} <= {200, 503}, sorted({s.status for s in samples})
    assert all(_served(s) for s in samples if s.status == 200), [s.body for s in samples if s.status == 200
                                                                  and not _served(s)][:2]
    assert all(_refused(s) for s in samples if s.status == 503), \
        [s.body for s in samples if s.status == 503 and not _refused(s)][:2]
    for s in samples:  # where the engine listens is not the client's business
        assert f":{opa.port}" not in str(s.body) and "127.0.0.1" not in str(s.body), s.body
    before = seen.before
    assert before and all(_served(s) for s in before)
    inside = seen.inside
    assert inside and all(s.status == 503 for s in inside), [(s.status, s.body) for s in inside if s.status != 503][:2]
    recovered = seen.recovered(_served)
    assert recovered is not None, "no decision after the policy engine came back"
    late = [s for s in samples if s.start > seen.up_at + POLICY_TIMEOUT_S + 0.5]
    assert late and all(_served(s) for s in late), [s.body for s in late if not _served(s)][:2]
    report(f"policy-{failure}", requests=len(samples), five_xx=len(load.five_xx),
           policy_unavailable=sum(s.status == 503 for s in samples), inside_outage=len(inside),
           served=sum(s.status == 200 for s in samples), opa_decisions=opa.decisions,
           outage_s=seen.up_at - seen.down_at, recovery_s=recovered.end - seen.up_at)
