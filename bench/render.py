"""``python -m bench.render RUN_DIR [--note TEXT] [--output PATH]``: render a run's ``results.json`` again.

For a report template that changed after a run, or a note about the conditions of a run (e.g. other work on a
shared machine) learnt afterwards. The numbers come only from the run's ``results.json``: nothing is measured
or changed here.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .counters import PerRequest
from .report import Measurement, Report, Skipped, render
from .wrk import WrkResult


def _wrk(data: dict[str, Any]) -> WrkResult:
    return WrkResult(
        requests=data["requests"],
        duration_s=data["duration_s"],
        requests_per_s=data["requests_per_s"],
        latency_ms={float(p): v for p, v in data["latency_ms"].items()},
        non_2xx=data.get("non_2xx", 0),
        socket_errors=data.get("socket_errors", {}),
    )


def load_report(path: Path) -> Report:
    """The :class:`Report` a run saved as JSON (``asdict`` of it)."""
    data = json.loads(path.read_text())
    measurements = [
        Measurement(
            query=m["query"],
            target=m["target"],
            wrk=_wrk(m["wrk"]),
            cost=PerRequest(**m["cost"]),
            preflight=m.get("preflight", ""),
            rps_all=tuple(m.get("rps_all", ())),
        )
        for m in data["measurements"]
    ]
    skipped = [Skipped(**s) for s in data["skipped"]]
    return Report(measurements, skipped, data["machine"], data["command"], data["settings"], tuple(data["notes"]),
                  data.get("growth", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.render", description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path, help="bench/out/runs/<run>")
    parser.add_argument("--note", action="append", default=[], help="a note to add at the top (repeatable)")
    parser.add_argument("--output", type=Path, help="where to write (default: the run's RESULTS.md)")
    args = parser.parse_args(argv)
    report = load_report(args.run_dir / "results.json")
    notes = tuple(report.notes) + tuple(args.note)
    report = Report(report.measurements, report.skipped, report.machine, report.command, report.settings, notes,
                    report.growth)
    (args.output or args.run_dir / "RESULTS.md").write_text(render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
