"""bench/capacity.py (the capacity model of docs/CAPACITY.md) and bench/sim_render.py (its generated sections)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench import capacity, sim_render

REPO = Path(__file__).resolve().parents[1]


def test_costs_come_from_the_bench_reports() -> None:
    costs = capacity.parse_results((REPO / "bench" / "RESULTS.md").read_text())
    assert set(costs) >= {"a", "b", "c", "d", "e"}
    for c in costs.values():
        assert c.gateway_ms > 0 and c.subgraphs_ms > 0 and c.sql >= 1 and c.measured_rps > 0
    assert set(costs["b"].per_subgraph_ms) == {"population", "civil_status", "sentences"}
    assert costs["c"].total_ms > costs["b"].total_ms > costs["a"].total_ms  # 200 persons cost more than one
    merged = capacity.load_costs()
    postgres = capacity.parse_results((REPO / "bench" / "RESULTS-postgres.md").read_text())
    for q, c in merged.items():
        assert c.gateway_ms == costs[q].gateway_ms  # the newest code's gateway
        assert c.subgraphs_ms == max(costs[q].subgraphs_ms, postgres.get(q, costs[q]).subgraphs_ms)


def test_the_national_load_and_its_mix() -> None:
    for agency in capacity.NATIONAL:
        assert math.isclose(sum(agency.mix.values()), 1.0), agency.kind
    rates = capacity.query_rates(capacity.NATIONAL)
    assert math.isclose(sum(rates.values()), sum(a.rps for a in capacity.NATIONAL))
    half = capacity.query_rates(capacity.NATIONAL, scale=0.5)
    assert all(math.isclose(half[q], rates[q] / 2) for q in rates)


def test_sizing_is_linear_in_the_load_and_keeps_two_pods() -> None:
    costs = capacity.load_costs()
    rates = capacity.query_rates(capacity.NATIONAL)
    one = capacity.size(costs, rates)
    two = capacity.size(costs, {q: 2 * r for q, r in rates.items()})
    assert math.isclose(two.gateway_cores, 2 * one.gateway_cores)
    for name in one.subgraph_cores:
        assert math.isclose(two.subgraph_cores[name], 2 * one.subgraph_cores[name])
    assert one.gateway_cores == pytest.approx(sum(rates[q] * costs[q].gateway_ms for q in rates) / 1000)
    assert one.gateway_pods >= math.ceil(one.gateway_cores / (2 * capacity.TARGET_UTILISATION))
    tiny = capacity.size(costs, {"a": 0.1})
    assert tiny.gateway_pods == 2 and all(p == 2 for p in tiny.subgraph_pods.values())
    with pytest.raises(KeyError):
        capacity.size(costs, {"z": 1.0})


def test_audit_lock_light_load_commits_one_record_at_a_time() -> None:
    audit = capacity.AuditCost(fixed_ms=1.0, per_record_ms=0.1)
    assert audit.batch_at(50, 4) == 1.0
    assert audit.lock_busy(50, 4) == pytest.approx(50 * 1.1 / 1000)
    assert audit.commit_wait_ms(50, 4) == pytest.approx(1.1)


def test_audit_lock_saturated_writers_take_turns_and_batches_grow() -> None:
    audit = capacity.AuditCost(fixed_ms=15.0, per_record_ms=0.3)
    rate, writers = 900.0, 12
    n = audit.batch_at(rate, writers)
    assert n > 1
    assert n == pytest.approx(rate * audit.hold_ms(n) / 1000)  # each batch is what arrived during a round
    assert audit.lock_busy(rate, writers) == 1.0
    assert audit.commit_wait_ms(rate, writers) == pytest.approx(writers * audit.hold_ms(n))
    assert audit.ceiling_rps == pytest.approx(512 / audit.hold_ms(512) * 1000)
    assert audit.batch_at(10 * audit.ceiling_rps, writers) == 512


def test_shards_follow_the_commit_cost() -> None:
    fast = capacity.AuditCost(fixed_ms=1.0, per_record_ms=0.13)
    slow = capacity.AuditCost(fixed_ms=15.0, per_record_ms=0.13)
    assert capacity.shards_needed(fast, 900, 12) == 1
    assert capacity.shards_needed(slow, 900, 12) > 1
    assert capacity.shards_needed(slow, 100_000, 12) == 12  # never more chains than writers


def _results() -> dict:
    """A small simulation run, as bench.simulate writes it."""
    costs = {q: {"gateway_ms": 2.0, "subgraphs_ms": 8.0, "measured_rps": 100.0} for q in ("a", "b")}
    cpu = {"gateways": 2.0, "subgraphs": 8.0, "postgres": 0.5, "loadgen": 0.5, "machine": 12.0}
    load = {"ok": 1000, "failed": 0, "dropped": 0, "offered": 1000, "window": 10.0, "seconds": 10.0,
            "per_query": {"a": {"ok": 500, "failed": 0, "dropped": 0, "p50_ms": 5.0, "p99_ms": 20.0},
                          "b": {"ok": 500, "failed": 0, "dropped": 0, "p50_ms": 9.0, "p99_ms": 30.0}}}
    phase = {"cpu_s": cpu, "pg": {"xact_commit": 900.0}, "audit_records": 1000, "seconds": 10.0}
    return {
        "command": "python -m bench.simulate", "started": "now", "gateways": 2, "people": 1000, "cores": 2,
        "mix": {"a": 0.5, "b": 0.5}, "costs": costs, "rate": 100.0,
        "audit_cost": {"one_ms": 1.1, "batch": 64, "batch_ms": 7.4, "fixed_ms": 1.0, "per_record_ms": 0.1},
        "chain_stress": [{"writers": 2, "clients": 8, "records_per_transaction": 4.0, "records_per_s": 2000.0,
                          "p50_ms": 3.0, "p99_ms": 9.0}],
        "calibration": {"a": {"load": {**load, "ok": 100}, "cpu_s": {**cpu, "gateways": 0.2, "subgraphs": 0.8}}},
        "phases": [{"name": "open", "load": load, **phase},
                   {"name": "closed", "load": {**load, "connections": 8}, **phase}],
        "chain": {"rows": 2000, "first": 1, "last": 2000, "bytes": 4_000_000, "contiguous": True},
        "rss_mib": {"gateway-0": 170.0},
    }


def test_rendered_sections_compare_prediction_and_measurement(tmp_path: Path) -> None:
    results = _results()
    text = sim_render.render(results)
    assert text.startswith("<!-- simulation:begin -->") and text.endswith("<!-- simulation:end -->")
    assert "| open |" in text and "| closed |" in text and "one contiguous sequence" in text
    assert "measured/predicted throughput 1.00" in text  # the open loop answered all it was offered
    assert sim_render.calibration_factors(results)[:2] == (1.0, 1.0)
    doc = tmp_path / "CAPACITY.md"
    doc.write_text("# prose before\n\n<!-- model:begin -->\n<!-- model:end -->\n\nmiddle\n\n"
                   "<!-- simulation:begin -->\nstale-section\n<!-- simulation:end -->\n\nprose after\n")
    sim_render.write_all(results, doc)
    once = doc.read_text()
    sim_render.write_all(results, doc)
    assert doc.read_text() == once, "rewriting replaces the sections, it does not add to them"
    assert once.startswith("# prose before") and "middle" in once and once.rstrip().endswith("prose after")
    assert "stale-section" not in once and "| gateway cores |" in once


def test_docs_capacity_has_both_generated_sections() -> None:
    text = (REPO / "docs" / "CAPACITY.md").read_text()
    for begin, end in sim_render.MARKERS.values():
        body = text.split(begin, 1)[1].split(end, 1)[0]
        assert "Generated" in body and "|" in body, begin
