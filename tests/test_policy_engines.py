"""Engines: embedded regopy vs an OPA server (REST Data API), the decision cache, failing closed.

The OPA binary cannot be installed here, so the OPA engine (opa-python-client) is tested against a fixture
HTTP server that speaks OPA's REST Data API as documented (``POST /v1/data/{path}`` with body
``{"input": ...}`` → ``200 {"result": ...}``, ``result`` omitted when undefined; ``400
{"code": "invalid_parameter", "message": ...}`` for a bad body; ``GET /health``), backed by regopy's plain
query interface (not the compiled bundle the embedded engine uses).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import regopy
from aiohttp import web

from gateway.policy import (
    AllowAllEngine,
    Caller,
    DeclaredPurpose,
    EmbeddedEngine,
    OpaServerEngine,
    PolicyRefusal,
    PolicyService,
    PolicyUnavailable,
    build_input,
    make_engine,
)
from gateway.policy.bundle import load_bundle

ROOT = Path(__file__).resolve().parents[1]

FIELDS = {
    "Query.person": "IDENTIFIER", "Person.personalId": "IDENTIFIER", "Person.fullName": "BASIC",
    "Person.dateOfBirth": "BASIC", "Person.permanentAddress": "BASIC", "Person.sex": "BASIC",
    "Person.father": "FAMILY", "Person.ethnicity": "ETHNIC_ORIGIN", "Person.religion": "RELIGION",
    "Sentence.healthCondition": "HEALTH", "Person.sentences": "CRIMINAL", "Sentence.charges": "CRIMINAL",
    "SentenceStatistic.count": "PUBLIC", "Person.secret": "UNCLASSIFIED",
}


def opa_fixture_app() -> web.Application:
    """OPA's REST Data API, evaluated by regopy over the same policy directory."""
    bundle = load_bundle()
    interpreter = regopy.Interpreter()
    for name, source in bundle.modules:
        interpreter.add_module(name, source)
    interpreter.add_data(bundle.data)

    async def data(request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except json.JSONDecodeError as exc:
            return web.json_response({"code": "invalid_parameter", "message": f"body: {exc}"}, status=400)
        ref = "data." + request.match_info["path"].strip("/").replace("/", ".")
        interpreter.set_input(body.get("input"))
        output = interpreter.query(ref)
        if not output.ok():
            return web.json_response({"code": "internal_error", "message": str(output)}, status=500)
        expressions = output.results[0].expressions if output.results else []
        return web.json_response({"result": expressions[0]} if expressions else {})

    async def health(_: web.Request) -> web.Response:
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/v1/data/{path:.*}", data)
    app.router.add_get("/health", health)
    return app


@pytest.fixture
async def opa_port() -> AsyncIterator[int]:
    runner = web.AppRunner(opa_fixture_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield port
    await runner.cleanup()


def all_inputs() -> list[dict[str, Any]]:
    """Every agency kind (its first agency, and a province-scoped one where the kind has both) x every purpose
    (and none) x legal basis present or not, over fields of every category."""
    bundle = load_bundle()
    purposes = [None, *(p["id"] for p in bundle.data["purposes"])]
    agencies: dict[tuple[str, bool], dict[str, Any]] = {}
    for agency in bundle.data["agencies"]:
        agencies.setdefault((agency["kind"], agency.get("province") is None), agency)
    out = []
    for agency, purpose, legal in itertools.product(agencies.values(), purposes, (False, True)):
        caller = Caller("t", agency["id"], agency["kind"], agency["province"], None)
        out.append(build_input(caller, DeclaredPurpose(purpose, "QĐ-1" if legal else None), "query", FIELDS))
    return out


async def test_embedded_and_opa_rest_engines_agree(opa_port: int) -> None:
    embedded = EmbeddedEngine(reload_interval=None)
    opa = OpaServerEngine("127.0.0.1", opa_port, timeout=10)
    inputs = all_inputs()
    assert len(inputs) > 300
    try:
        for policy_input in inputs:
            assert await embedded.evaluate(policy_input) == await opa.evaluate(policy_input), policy_input
    finally:
        await opa.close()
    assert opa.version == embedded.version


async def test_opa_engine_fails_closed_when_unreachable_or_undefined(opa_port: int) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    down = OpaServerEngine("127.0.0.1", free, timeout=1)
    with pytest.raises(PolicyUnavailable):
        await down.evaluate(all_inputs()[0])
    await down.close()
    service = PolicyService(down, pseudonym_key=b"k")
    with pytest.raises(PolicyUnavailable):
        await service.decide(Caller("t", "tand-ha-noi", "court", "001"), DeclaredPurpose("criminal_proceedings"),
                             "query", FIELDS)
    await down.close()


def _service(engine: Any) -> PolicyService:
    return PolicyService(engine, pseudonym_key=b"k")


COURT = Caller("judge", "tand-ha-noi", "court", "001", "judge")


async def test_one_evaluation_per_request_and_cache_hits() -> None:
    engine = EmbeddedEngine(reload_interval=None)
    service = _service(engine)
    purpose = DeclaredPurpose("criminal_proceedings", "VA-1")
    first = await service.decide(COURT, purpose, "query", FIELDS)
    assert engine.evaluations == 1 and not first.cached
    second = await service.decide(COURT, purpose, "query", dict(FIELDS))
    assert engine.evaluations == 1 and second.cached
    assert second.decision_id != first.decision_id and second.result is first.result
    await service.decide(COURT, DeclaredPurpose("criminal_proceedings", None), "query", FIELDS)
    assert engine.evaluations == 2  # legal basis presence is part of the key
    with pytest.raises(PolicyRefusal) as refused:
        await service.decide(COURT, DeclaredPurpose(None), "query", FIELDS)
    assert refused.value.code == "PURPOSE_REQUIRED" and refused.value.http_status == 403
    with pytest.raises(PolicyRefusal):
        await service.decide(COURT, DeclaredPurpose(None), "query", FIELDS)
    assert engine.evaluations == 3  # refusals are cached too
    with pytest.raises(PolicyRefusal) as refused:
        await service.decide(COURT, DeclaredPurpose("statistics"), "query", FIELDS)
    assert refused.value.code == "PURPOSE_NOT_PERMITTED"


async def test_evaluation_cost_is_reported() -> None:
    """Measure one decision for a typical 30-field request, uncached and cached (printed with -s)."""
    engine = EmbeddedEngine(reload_interval=None)
    service = _service(engine)
    fields = {f"Person.f{i}": c for i, c in enumerate(list(FIELDS.values())[:10] * 3)}
    caller = Caller("c", "c10-bca", "criminal_enforcement", None)
    timings = []
    for extra in range(5):  # a different field set each time: never cached
        start = time.perf_counter()
        await service.decide(caller, DeclaredPurpose("sentence_enforcement", "QĐ-1"), "query",
                             {**fields, f"Person.extra{extra}": "BASIC"})
        timings.append(time.perf_counter() - start)
    assert engine.evaluations == 5
    start = time.perf_counter()
    for _ in range(100):
        await service.decide(caller, DeclaredPurpose("sentence_enforcement", "QĐ-1"), "query",
                             {**fields, "Person.extra0": "BASIC"})
    cached = (time.perf_counter() - start) / 100
    timings.sort()
    print(f"\n31 fields: uncached median {timings[2] * 1000:.2f} ms, cached {cached * 1000:.3f} ms")
    assert engine.evaluations == 5
    assert cached < min(timings)


class _Raising:
    name = "raising"
    version = "v"
    bundle = load_bundle()

    async def evaluate(self, policy_input: Any) -> dict[str, Any]:
        raise RuntimeError("engine crashed")

    async def close(self) -> None: ...


class _Malformed(_Raising):
    async def evaluate(self, policy_input: Any) -> dict[str, Any]:
        return {"allow": True, "fields": {}}  # decides nothing for the requested fields


async def test_fail_closed_on_engine_error_or_malformed_decision() -> None:
    for engine in (_Raising(), _Malformed()):
        with pytest.raises(PolicyUnavailable):
            await _service(engine).decide(COURT, DeclaredPurpose("criminal_proceedings", "x"), "query", FIELDS)


async def test_fail_closed_on_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = EmbeddedEngine(timeout=0.05, reload_interval=None)
    evaluator = engine._evaluator
    real = evaluator.evaluate
    monkeypatch.setattr(evaluator, "evaluate", lambda i: (time.sleep(0.3), real(i))[1])
    with pytest.raises(PolicyUnavailable, match="timed out"):
        await _service(engine).decide(COURT, DeclaredPurpose("criminal_proceedings", "x"), "query", FIELDS)
    await asyncio.sleep(0.3)


def test_allow_all_only_in_test_env() -> None:
    with pytest.raises(RuntimeError, match="GATEWAY_ENV=test"):
        make_engine({"GATEWAY_POLICY_ENGINE": "allow-all", "GATEWAY_ENV": "production"})
    with pytest.raises(RuntimeError):
        make_engine({"GATEWAY_POLICY_ENGINE": "allow-all"})  # development by default
    assert isinstance(make_engine({"GATEWAY_POLICY_ENGINE": "allow-all", "GATEWAY_ENV": "test"}), AllowAllEngine)
    with pytest.raises(RuntimeError, match="GATEWAY_PSEUDONYM_KEY"):
        PolicyService.from_env({"GATEWAY_ENV": "production"})


async def test_reload_on_change_changes_version(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    engine = EmbeddedEngine(policies, reload_interval=0)
    service = _service(engine)
    before = engine.version
    registry = Caller("r", "ubnd-phuong-hoan-kiem", "civil_registry", "001")
    decision = await service.decide(registry, DeclaredPurpose("civil_status_registration"), "query",
                                    {"Person.religion": "RELIGION"})
    assert decision.result.fields["Person.religion"].effect == "withhold"
    catalogue = json.loads((policies / "data/purposes.json").read_text())
    for p in catalogue["purposes"]:
        if p["id"] == "civil_status_registration":
            p["sensitive_needs"] = ["RELIGION"]
    (policies / "data/purposes.json").write_text(json.dumps(catalogue))
    decision = await service.decide(registry, DeclaredPurpose("civil_status_registration"), "query",
                                    {"Person.religion": "RELIGION"})
    assert engine.version != before and decision.policy_version == engine.version
    assert decision.result.fields["Person.religion"].effect == "allow"


async def test_embedded_evaluations_run_on_one_thread_of_their_own() -> None:
    """rego-cpp keeps memory per thread: spread over the default executor's threads, the e2e gateway grew to
    2.6 GB resident over the path-invariance tests (350 MB on one thread)."""
    import threading

    engine = EmbeddedEngine(reload_interval=None)
    threads: list[str] = []
    evaluate = engine._evaluator.evaluate

    def recording(policy_input: Any) -> Any:
        threads.append(threading.current_thread().name)
        return evaluate(policy_input)

    engine._evaluator.evaluate = recording  # type: ignore[method-assign]
    inputs = all_inputs()[:6]
    results = await asyncio.gather(*(engine.evaluate(i) for i in inputs), asyncio.to_thread(lambda: None))
    assert len(set(threads)) == 1 and threads[0].startswith("rego"), threads
    await engine.close()
    assert await engine.evaluate(inputs[0]) == results[0]  # a closed engine still answers (a fresh thread)
