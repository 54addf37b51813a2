"""Smoke test of the bench harness's pure parts: wrk output parsing, Lua script, counters, report rendering.

No timing and no servers: the harness itself is exercised by ``make bench``.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from bench.counters import PerRequest, Snapshot, parse_prometheus, per_request
from bench.options import parse_options
from bench.proc import parse_stat_cpu_ticks
from bench.queries import QUERIES, Ids, bodies
from bench.report import Measurement, Report, Skipped, combine_rounds, ratios_table, render, results_table
from bench.stack import rewrite_graph_urls
from bench.wrk import WrkResult, WrkRun, lua_script, parse_json_line, parse_output, parse_text

WRK_TEXT = """\
Running 5s test @ http://127.0.0.1:14000/graphql
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    35.22ms   12.01ms 210.50ms   80.12%
    Req/Sec   455.21     40.12   520.00     70.00%
  Latency Distribution
     50%   33.10ms
     75%   40.00ms
     90%   48.50ms
     99%    1.21s
  2270 requests in 5.01s, 3.10MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:    453.09
Transfer/sec:    633.60KB
"""


def test_parse_text_reads_throughput_percentiles_and_errors() -> None:
    r = parse_text(WRK_TEXT)
    assert r.requests == 2270
    assert r.duration_s == pytest.approx(5.01)
    assert r.requests_per_s == pytest.approx(453.09)
    assert r.p50_ms == pytest.approx(33.10)
    assert r.p99_ms == pytest.approx(1210.0)  # seconds converted
    assert r.latency_ms[90.0] == pytest.approx(48.5)
    assert r.non_2xx == 3
    assert r.socket_errors == {"connect": 0, "read": 1, "write": 0, "timeout": 2}
    assert r.errors == 6


def test_parse_text_microseconds_and_no_errors() -> None:
    text = WRK_TEXT.replace("33.10ms", "812.00us").replace("  Socket errors: connect 0, read 1, write 0, timeout 2\n", "")
    text = text.replace("  Non-2xx or 3xx responses: 3\n", "")
    r = parse_text(text)
    assert r.p50_ms == pytest.approx(0.812)
    assert r.errors == 0


def test_parse_text_rejects_other_output() -> None:
    with pytest.raises(ValueError):
        parse_text("unable to connect to 127.0.0.1:14000 Connection refused\n")


def test_json_line_wins_over_text() -> None:
    line = ('BENCH_JSON {"requests": 2270, "duration_us": 5010000, "errors": {"connect": 0, "read": 0, '
            '"write": 0, "status": 4, "timeout": 1}, "latency_us": {"50": 33105, "75": 40000, "90": 48500, '
            '"99": 1210000, "99.9": 1500000, "100": 2000000}, "mean_us": 35220.0}')
    r = parse_output(WRK_TEXT + line + "\n")
    assert r.p50_ms == pytest.approx(33.105)
    assert r.requests_per_s == pytest.approx(2270 / 5.01)
    assert r.non_2xx == 4 and r.socket_errors["timeout"] == 1
    assert parse_json_line(WRK_TEXT) is None


def test_lua_script_escapes_headers_and_names_the_bodies(tmp_path: Path) -> None:
    script = lua_script(tmp_path / "q.bodies", {"Authorization": 'Bearer a"b\\c', "X-Purpose": "statistics"})
    assert '["Authorization"] = "Bearer a\\"b\\\\c"' in script
    assert f'local bodies_path = "{tmp_path / "q.bodies"}"' in script
    assert "function request()" in script and "BENCH_JSON " in script
    cmd = WrkRun("http://127.0.0.1:1/graphql", tmp_path / "s.lua", 5, 16, threads=4).command()
    assert cmd[1:6] == ["-t4", "-c16", "-d5s", "--timeout=60s", "--latency"]


def test_prometheus_sums_labels_and_per_request_deltas() -> None:
    text = (
        "# HELP lienthong_policy_evaluations_total x\n# TYPE lienthong_policy_evaluations_total counter\n"
        'lienthong_policy_evaluations_total{cache="miss"} 3.0\n'
        'lienthong_policy_evaluations_total{cache="hit"} 1\n'
        "other_metric 7\n"
    )
    metrics = parse_prometheus(text)
    assert metrics["lienthong_policy_evaluations_total"] == 4.0
    assert metrics['lienthong_policy_evaluations_total{cache="miss"}'] == 3.0
    assert metrics["other_metric"] == 7.0
    before = Snapshot({"population": 10, "sentences": 0}, {"population": 20, "sentences": 5}, 1.0,
                      {"population": 1.5, "sentences": 0.5}, metrics)
    after = Snapshot({"population": 30, "sentences": 10}, {"population": 60, "sentences": 15}, 3.0,
                     {"population": 2.5, "sentences": 1.5},
                     {**metrics, "lienthong_policy_evaluations_total": 14.0,
                      'lienthong_policy_evaluations_total{cache="miss"}': 4.0})
    cost = per_request(before, after, 10)
    assert cost.fetches == pytest.approx(3.0)
    assert cost.fetches_by_subgraph == {"population": 2.0, "sentences": 1.0}
    assert cost.statements == pytest.approx(5.0)
    assert cost.target_cpu_ms == pytest.approx(200.0)
    assert cost.subgraphs_cpu_ms == pytest.approx(200.0)
    assert cost.subgraphs_cpu_ms_by == {"population": pytest.approx(100.0), "sentences": pytest.approx(100.0)}
    assert cost.policy_decisions == pytest.approx(1.0)
    assert cost.policy_evaluations == pytest.approx(0.1)
    no_metrics = per_request(Snapshot({}, {}, None, {}), Snapshot({}, {}, None, {}), 5)
    assert no_metrics.fetches is None and no_metrics.policy_evaluations is None and no_metrics.target_cpu_ms is None


def test_proc_stat_with_spaces_in_the_command_name() -> None:
    line = "1234 (python -m x) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 3 0 100 1000 10"
    assert parse_stat_cpu_ticks(line) == 325


def test_bodies_use_real_ids_and_rotate() -> None:
    persons = [f"0010{i:08d}" for i in range(500)]
    ids = Ids(persons=persons, offenders=persons[:50], provinces=["001", "079"])
    a = [orjson.loads(b) for b in bodies(QUERIES["a"], ids)]
    assert len(a) == 500 and len({x["variables"]["id"] for x in a}) == 500
    c = [orjson.loads(b) for b in bodies(QUERIES["c"], ids)]
    assert all(len(x["variables"]["ids"]) == 200 for x in c) and len(c) > 1
    d = [orjson.loads(b) for b in bodies(QUERIES["d"], ids)]
    assert {x["variables"]["province"] for x in d} == {"001", "079"}
    assert all(b"\n" not in b for b in bodies(QUERIES["b"], ids))  # one body per line in the wrk file


def test_rewrite_graph_urls() -> None:
    sdl = ('enum join__Graph {\n  CIVIL_STATUS @join__graph(name: "civil_status", url: "http://127.0.0.1:4002/graphql")\n'
           '  POPULATION @join__graph(name: "population", url: "http://127.0.0.1:4001/graphql")\n}')
    out = rewrite_graph_urls(sdl, {"population": "http://127.0.0.1:14001/graphql",
                                   "civil_status": "http://127.0.0.1:14002/graphql"})
    assert 'url: "http://127.0.0.1:14001/graphql"' in out and 'url: "http://127.0.0.1:14002/graphql"' in out
    assert "4001/" not in out.replace("14001/", "")


def test_options() -> None:
    o = parse_options(["--people", "2000", "--duration", "5s", "--targets", "direct,ours", "--queries", "a,d"])
    assert (o.people, o.duration_s, o.targets, o.queries) == (2000, 5.0, ("direct", "ours"), ("a", "d"))
    assert parse_options(["--profile", "pyinstrument"]).targets == ("ours",)
    with pytest.raises(SystemExit):
        parse_options(["--targets", "nginx"])


def _measurement(target: str, rps: float, p50: float, cpu: float) -> Measurement:
    wrk = WrkResult(100, 1.0, rps, {50.0: p50, 99.0: p50 * 3})
    cost = PerRequest(cpu, 1.0, {"population": 0.5, "sentences": 0.5}, 2.0, {"population": 1.0, "sentences": 1.0},
                      3.0, 1.0, 0.0)
    return Measurement("a", target, wrk, cost, "200, data")


def test_report_rendering_and_ratios() -> None:
    ms = [_measurement("direct", 1000.0, 5.0, 1.0), _measurement("ours", 500.0, 10.0, 4.0),
          _measurement("apollo", 250.0, 20.0, 2.0)]
    table = results_table(ms)
    assert "| a | our gateway | 500.0 | 1 run | 10.00 | 30.00 | 0 | 4.00 |" in table
    ratios = ratios_table(ms)
    assert "| a | 2.00× | 0.50× | 0.50× | 2.00× | 0.50× | 2.00× |" in ratios
    text = render(Report(ms, [Skipped("b", "direct", "needs three subgraphs")], {"CPU": "x"}, "python -m bench",
                         {"load": "wrk"}, ["Measured on a shared busy machine."]))
    assert "> Measured on a shared busy machine." in text
    assert "- (b) direct subgraph: needs three subgraphs" in text
    assert "- (a) our gateway: population 1.00 (0.5 ms), sentences 1.00 (0.5 ms)" in text
    assert json.dumps("python -m bench")[1:-1] in text


def test_dataset_fingerprint_follows_the_seed_code(tmp_path: Path) -> None:
    from bench.dataset import code_fingerprint

    writer = tmp_path / "subgraphs" / "population" / "seed.py"
    writer.parent.mkdir(parents=True)
    writer.write_text("A = 1\n")
    (tmp_path / "subgraphs" / "population" / "schema.py").write_text("unrelated\n")
    first = code_fingerprint(tmp_path)
    assert code_fingerprint(tmp_path) == first
    (tmp_path / "subgraphs" / "population" / "schema.py").write_text("changed, still unrelated\n")
    assert code_fingerprint(tmp_path) == first
    writer.write_text("A = 2\n")
    assert code_fingerprint(tmp_path) != first


def test_rounds_keep_the_median_run_and_the_range() -> None:
    runs = [_measurement("ours", rps, 10.0, 1.0) for rps in (300.0, 100.0, 200.0, 400.0)]
    runs.append(_measurement("apollo", 50.0, 10.0, 1.0))
    combined = combine_rounds(runs)
    assert [(m.target, m.wrk.requests_per_s) for m in combined] == [("ours", 200.0), ("apollo", 50.0)]
    assert combined[0].rps_all == (300.0, 100.0, 200.0, 400.0)
    assert "| 200.0 | 100.0–400.0 (4 runs) |" in results_table(combined)


def test_proc_stat_busy_and_foreign_share() -> None:
    from bench.host_load import LoadSample, foreign_share, parse_proc_stat_busy
    from bench.proc import CLOCK_TICKS

    busy = parse_proc_stat_busy("cpu  100 10 50 1000 40 5 5 0 20 0")
    assert busy == pytest.approx(170 / CLOCK_TICKS)  # user+nice+system+irq+softirq+steal; guest not twice
    with pytest.raises(ValueError):
        parse_proc_stat_busy("cpu0 1 2 3 4")
    before, after = LoadSample(0.0, 100.0, 10.0), LoadSample(10.0, 115.0, 22.0)
    foreign, share = foreign_share(before, after, cores=2)
    assert foreign == pytest.approx(3.0) and share == pytest.approx(0.15)


def test_render_round_trips_a_saved_report(tmp_path: Path) -> None:
    from dataclasses import asdict

    from bench.render import main as render_main

    ms = [_measurement("ours", 500.0, 10.0, 4.0), _measurement("apollo", 250.0, 20.0, 2.0)]
    report = Report(ms, [Skipped("b", "direct", "needs three subgraphs")], {"CPU": "x"}, "python -m bench",
                    {"load": "wrk"}, ())
    (tmp_path / "results.json").write_text(json.dumps(asdict(report), default=str))
    assert render_main([str(tmp_path), "--note", "Shared machine."]) == 0
    again = (tmp_path / "RESULTS.md").read_text()
    assert again == render(Report(ms, report.skipped, report.machine, report.command, report.settings,
                                  ("Shared machine.",)))
