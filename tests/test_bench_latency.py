"""bench.latency: the option, the median round, the headline figure and the section of RESULTS.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.latency import Row, added_ms, latest_section, median_rows, replace_section, section
from bench.options import parse_options


def rows() -> list[Row]:
    return [
        Row("a", "direct", 1, 2.0, 4.0, 400.0, 0),
        Row("a", "ours", 1, 3.2, 6.0, 300.0, 0),
        Row("a", "apollo", 1, 2.9, 5.5, 330.0, 0),
        Row("a", "direct", 16, 20.0, 40.0, 800.0, 0),
        Row("a", "ours", 16, 25.0, 60.0, 640.0, 0),
    ]


def test_option_parses_connection_counts() -> None:
    assert parse_options(["--latency", "1,16,64"]).latency == (1, 16, 64)
    assert parse_options([]).latency == ()
    with pytest.raises(SystemExit):
        parse_options(["--latency", "0"])


def test_added_latency_is_the_p50_difference_over_direct() -> None:
    assert added_ms(rows(), "ours") == pytest.approx(1.2)
    assert added_ms(rows(), "apollo") == pytest.approx(0.9)
    assert added_ms(rows(), "ours", connections=64) is None  # not measured: no figure rather than a guess
    assert added_ms(rows(), "ours", query="d") is None


def test_median_round_by_p50() -> None:
    runs = [Row("a", "ours", 1, p50, p50 * 2, 100.0, 0) for p50 in (5.0, 3.0, 4.0)]
    assert [r.p50_ms for r in median_rows(runs)] == [4.0]


def test_section_states_the_goal_and_the_table() -> None:
    text = section(rows(), "python -m bench --latency 1,16")
    assert "adds 1.20 ms p50 over the direct subgraph call for (a) at 1 connection" in text
    assert "goal ≤ 1.5 ms: met" in text and "Apollo Gateway adds 0.90 ms" in text
    assert "| (a) | our gateway | 3.20 / 6.00 | 25.00 / 60.00 |" in text
    assert "| (a) | Apollo Gateway | 2.90 / 5.50 | n/a |" in text
    slow = [Row("a", "ours", 1, 4.0, 8.0, 250.0, 0), rows()[0]]
    assert "goal ≤ 1.5 ms: not met" in section(slow, "cmd")
    assert "Not measured yet" in section([], "cmd")


def test_section_replaces_only_itself(tmp_path: Path) -> None:
    report = "# R\n\n## Results\n\nx\n\n## Latency\n\nold\n\n## Growth\n\ng\n"
    out = replace_section(report, "## Latency\n\nnew\n")
    assert "old" not in out and "new" in out and out.index("## Results") < out.index("new") < out.index("## Growth")
    assert replace_section("# R\n", "## Latency\n\nnew\n").endswith("## Latency\n\nnew\n")
    assert latest_section(tmp_path) == ""
