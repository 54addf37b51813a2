"""Caches of per-operation work are bounded by operation size (gateway.cache_weight), not by entry count.

Before, a thousand large operations (or one large operation under many different decisions) kept gigabytes in
caches that each stayed within their count: the end-to-end gateway grew past 5 GB over the path-invariance tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cache_weight import FIELDS_PER_UNIT, put, units, weighted_lru
from gateway.planning.cache import PlanCache
from gateway.planning.planner import Planner
from gateway.policy import AllowAllEngine, Caller, DeclaredPurpose, PolicyService
from gateway.supergraph import load_supergraph
from gateway.supergraph.documents import DocumentCache

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def supergraph():
    return load_supergraph(ROOT / "schema.graphql")


def wide(fields: int, tag: int) -> str:
    """An operation of about ``fields`` fields (aliases of one leaf), distinct per ``tag``."""
    leaves = " ".join(f"f{i}: fullName" for i in range(fields - 1))
    return f'query Q{tag} {{ person(personalId: "001{tag:09d}") {{ {leaves} }} }}'


def test_units() -> None:
    assert [units(n) for n in (0, 1, FIELDS_PER_UNIT - 1)] == [1, 1, 1]
    assert units(FIELDS_PER_UNIT) == 2 and units(10 * FIELDS_PER_UNIT + 1) == 11
    assert units(-5) == 1


def test_an_entry_heavier_than_the_cache_is_served_not_kept() -> None:
    cache = weighted_lru(10, lambda v: v)
    assert put(cache, "a", 4) == 4 and put(cache, "b", 11) == 11  # returned either way
    assert dict(cache) == {"a": 4} and cache.currsize == 4
    put(cache, "c", 7)  # evicts the least recently used until it fits
    assert dict(cache) == {"c": 7}


def test_documents_are_weighed_by_their_fields(supergraph) -> None:
    docs = DocumentCache(supergraph.api_schema, size=40, max_fields=100_000)
    for tag in range(40):
        docs.get(wide(3, tag), None)
    assert len(docs.cache) == 40 and docs.cache.currsize == 40  # small operations: one unit each, as before
    big = wide(10 * FIELDS_PER_UNIT, 99)
    docs.get(big, None)
    assert docs.cache.currsize <= 40 and len(docs.cache) == 40 - units(10 * FIELDS_PER_UNIT) + 1
    for tag in range(100, 130):  # many large operations: memory stays bounded, fewer of them are kept
        docs.get(wide(10 * FIELDS_PER_UNIT, tag), None)
    assert docs.cache.currsize <= 40 and len(docs.cache) <= 40 // units(10 * FIELDS_PER_UNIT) + 1
    huge = wide(50 * FIELDS_PER_UNIT, 7)  # heavier than the whole cache: answered every time, never kept
    assert docs.get(huge, None).field_count == docs.get(huge, None).field_count
    assert docs.stats.misses == 40 + 1 + 30 + 2


def test_plans_are_weighed_by_their_operation(supergraph) -> None:
    docs = DocumentCache(supergraph.api_schema, size=10_000, max_fields=100_000)
    plans = PlanCache(Planner(supergraph), size=20)
    small = docs.get(wide(3, 1), None)
    assert plans.get(small, {}) is plans.get(small, {})
    assert plans.stats.hits == 1 and plans.cache.currsize == 1
    for tag in range(10):
        plans.get(docs.get(wide(8 * FIELDS_PER_UNIT, tag), None), {})
        assert plans.cache.currsize <= 20
    assert len(plans.cache) <= 20 // units(8 * FIELDS_PER_UNIT) + 1


async def test_decisions_are_weighed_by_the_fields_decided() -> None:
    service = PolicyService(AllowAllEngine("test"), pseudonym_key=b"k", cache_size=30)
    caller = Caller("t", "tand-ha-noi", "court", "001")
    fields = {f"Person.f{i}": "BASIC" for i in range(10 * FIELDS_PER_UNIT)}
    for purpose in ("criminal_proceedings", "civil_proceedings", "administrative_procedure"):
        first = await service.decide(caller, DeclaredPurpose(purpose), "query", fields)
        again = await service.decide(caller, DeclaredPurpose(purpose), "query", fields)
        assert not first.cached and again.cached  # still cached while it fits
        assert service._cache.currsize <= 30
    assert len(service._cache) == 30 // units(10 * FIELDS_PER_UNIT)


def test_generated_walks_code_is_bounded_by_source_length_and_owned_by_a_compiler() -> None:
    from gateway.policy.respond_plan import ResponseCompiler, code_cache

    cache = code_cache(100)
    code = compile("1", "<t>", "eval")
    put(cache, "x" * 60, (code, 60))
    put(cache, "y" * 60, (code, 60))
    assert list(cache) == ["y" * 60]  # 120 characters do not fit in 100: the older is evicted
    put(cache, "z" * 200, (code, 200))
    assert list(cache) == ["y" * 60]  # heavier than the cache: not kept
    supergraph = load_supergraph(ROOT / "schema.graphql")
    from gateway.policy.model import ProtectionModel

    model = ProtectionModel.from_sdl(supergraph.sdl)
    one, two = (ResponseCompiler(supergraph.api_schema, model) for _ in range(2))
    assert one._code is not two._code  # no module-level cache shared between gateways
