"""gateway/writes/idempotency.py on the gateway store, SQLite and PostgreSQL: one claim per key whatever the
concurrency, replay of the first response, a reused key refused, expiry, release."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from gateway.errors import GatewayError
from gateway.store import GatewayStore
from gateway.writes.idempotency import Claim, IdempotencyStore, Replay, read_key, request_hash


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgres"])
async def keys(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[tuple[IdempotencyStore, Clock]]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    else:
        url = request.getfixturevalue("pg_database")()  # skips, printing why, when unreachable
    store = GatewayStore(url)
    clock = Clock()
    idem = IdempotencyStore(store, ttl_seconds=60, clock=clock)
    await store.start()
    yield idem, clock
    await store.close()


DIGEST = request_hash("doc", "Register", {"x": 1}, "civil_status_registration", None)


async def test_first_claims_then_replays_the_first_response(keys) -> None:
    idem, _ = keys
    claim = await idem.claim("ubnd", "officer", "k-1", DIGEST)
    assert isinstance(claim, Claim)
    body = {"data": {"registerBirth": {"registrationNumber": "12/2026"}}}
    await idem.complete(claim, 200, body, [{"key": "registerBirth", "outcome": "written"}], True, "req-1")
    replay = await idem.claim("ubnd", "officer", "k-1", DIGEST)
    assert isinstance(replay, Replay)
    assert (replay.status, replay.body, replay.request_id, replay.audited) == (200, body, "req-1", True)
    assert replay.writes == [{"key": "registerBirth", "outcome": "written"}]


async def test_keys_are_per_agency_and_account(keys) -> None:
    idem, _ = keys
    assert isinstance(await idem.claim("ubnd", "officer", "k", DIGEST), Claim)
    assert isinstance(await idem.claim("ubnd", "other-officer", "k", DIGEST), Claim)
    assert isinstance(await idem.claim("other-agency", "officer", "k", DIGEST), Claim)


async def test_same_key_other_request_is_refused(keys) -> None:
    idem, _ = keys
    claim = await idem.claim("ubnd", "officer", "k", DIGEST)
    await idem.complete(claim, 200, {"data": {}}, [], True, "r")
    other = request_hash("doc", "Register", {"x": 2}, "civil_status_registration", None)
    with pytest.raises(GatewayError) as refused:
        await idem.claim("ubnd", "officer", "k", other)
    assert (refused.value.code, refused.value.status) == ("IDEMPOTENCY_KEY_REUSED", 422)


async def test_concurrent_retries_claim_once(keys) -> None:
    idem, _ = keys
    outcomes = await asyncio.gather(*(idem.claim("ubnd", "officer", "race", DIGEST) for _ in range(12)),
                                    return_exceptions=True)
    claims = [o for o in outcomes if isinstance(o, Claim)]
    refused = [o for o in outcomes if isinstance(o, GatewayError)]
    assert len(claims) == 1 and len(refused) == 11, outcomes
    assert {(e.code, e.status, e.headers["retry-after"]) for e in refused} == {("IDEMPOTENCY_KEY_IN_USE", 409, "1")}


async def test_expired_keys_can_be_used_again(keys) -> None:
    idem, clock = keys
    claim = await idem.claim("ubnd", "officer", "k", DIGEST)
    await idem.complete(claim, 200, {"data": {"a": 1}}, [], True, "r1")
    clock.now += 59
    assert isinstance(await idem.claim("ubnd", "officer", "k", DIGEST), Replay)
    clock.now += 2  # past the TTL: the key is free, for another request too
    other = request_hash("doc", "Register", {"x": 3}, None, None)
    assert isinstance(await idem.claim("ubnd", "officer", "k", other), Claim)


async def test_released_claim_frees_the_key(keys) -> None:
    idem, _ = keys
    claim = await idem.claim("ubnd", "officer", "k", DIGEST)
    assert isinstance(claim, Claim)
    await idem.release(claim)
    assert isinstance(await idem.claim("ubnd", "officer", "k", DIGEST), Claim)


def test_header_bounded_and_sanitised() -> None:
    assert read_key({}) is None
    assert read_key({"idempotency-key": "3f0c6f0e-1b7e-4a51-9a38-0d3c5b1e2a77"}) == "3f0c6f0e-1b7e-4a51-9a38-0d3c5b1e2a77"
    for bad in ("", "a" * 129, "key with spaces", "k1, k2", "ké", "k\n"):
        with pytest.raises(GatewayError) as refused:
            read_key({"idempotency-key": bad})
        assert refused.value.code == "BAD_USER_INPUT" and refused.value.status == 400
        assert bad not in refused.value.message or bad == ""


def test_request_hash_covers_the_request() -> None:
    base = ("doc", "Op", {"a": 1, "b": [1, 2]}, "p", "basis")
    assert request_hash(*base) == request_hash("doc", "Op", {"b": [1, 2], "a": 1}, "p", "basis")
    for changed in (("doc2", *base[1:]), (base[0], "Op2", *base[2:]), (*base[:2], {"a": 2}, *base[3:]),
                    (*base[:3], "q", base[4]), (*base[:4], None)):
        assert request_hash(*changed) != request_hash(*base)


async def test_an_abandoned_claim_is_closed_as_interrupted_never_run_again(keys) -> None:
    idem, clock = keys
    idem.ttl = 3600  # the key outlives the lease
    assert isinstance(await idem.claim("ubnd", "officer", "k", DIGEST), Claim)  # its gateway dies mid-request
    clock.now += 100
    with pytest.raises(GatewayError) as running:
        await idem.claim("ubnd", "officer", "k", DIGEST)
    assert running.value.code == "IDEMPOTENCY_KEY_IN_USE"
    clock.now += 21  # past the lease: not run again (it may have written), answered as interrupted from now on
    for _ in range(2):
        replay = await idem.claim("ubnd", "officer", "k", DIGEST)
        assert isinstance(replay, Replay) and replay.status == 409
        assert replay.body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_INTERRUPTED"
