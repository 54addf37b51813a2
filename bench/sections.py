"""What the bench's side runs (``--growth``, ``--workers``, ``--latency``) share: their section of RESULTS.md.

Each side run measures on its own stack and then writes the same things: its rows as ``<name>.json`` in its run
directory and, as the latest, in ``<out>/<name>/`` (which the mix's report reads back), its section as
``<NAME>.md`` and, when RESULTS.md exists, in place of the section of the same heading there.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .options import BenchOptions


def run_dir(options: BenchOptions, name: str) -> Path:
    """A fresh ``<out>/<name>/<timestamp>/`` for one side run."""
    directory = options.out_dir / name / time.strftime("%Y%m%d-%H%M%S")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def load_note() -> str:
    """The machine's load average now, as the sentence a section ends its preamble with."""
    one, five, fifteen = os.getloadavg()
    return f"Load average at the end (1/5/15 min): {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores."


def replace_section(report: str, heading: str, text: str) -> str:
    """``report`` with its ``heading`` section (up to the next ``## `` heading) replaced by ``text``, or appended."""
    start = report.find(f"\n{heading}\n")
    if start < 0:
        return report.rstrip("\n") + "\n\n" + text
    end = report.find("\n## ", start + len(heading) + 2)
    return report[: start + 1] + text + (report[end:] if end >= 0 else "")


def latest(out_dir: Path, name: str) -> dict | None:
    """The saved ``<name>.json`` of the latest side run under ``out_dir`` (None if there was none)."""
    saved = out_dir / name / f"{name}.json"
    return json.loads(saved.read_text()) if saved.exists() else None


def write(options: BenchOptions, name: str, directory: Path, saved: Mapping[str, object], heading: str, text: str,
          say: Callable[[str], None]) -> None:
    """Save ``saved`` and the section ``text`` of a side run (see the module's docstring), and print the section."""
    (directory / f"{name}.json").write_text(json.dumps(saved, indent=1))
    shutil.copy(directory / f"{name}.json", options.out_dir / name / f"{name}.json")
    (directory / f"{name.upper()}.md").write_text(text)
    if options.results is not None and options.results.exists():
        options.results.write_text(replace_section(options.results.read_text(), heading, text))
        say(f"{name}: section written into {options.results}")
    print(text)


@dataclass(frozen=True, slots=True)
class SideRun:
    """A side run whose rows are one dataclass and whose section is ``section(rows, command, load)``."""

    name: str  # its folder under <out>, its <name>.json and <NAME>.md
    heading: str  # its section's heading in RESULTS.md
    row: Callable[..., Any]  # the dataclass of a row, rebuilt from the saved JSON
    measure: Callable[[BenchOptions, Path, Callable[[str], None]], Sequence[Any]]
    section: Callable[[Sequence[Any], str, str], str]

    def replace_section(self, report: str, text: str) -> str:
        """``report`` with this run's section (up to the next ``## `` heading) replaced by ``text``, or appended."""
        return replace_section(report, self.heading, text)

    def latest_section(self, out_dir: Path) -> str:
        """The section from the latest run under ``out_dir`` ("" if none), for the mix's report."""
        data = latest(out_dir, self.name)
        if data is None:
            return ""
        return self.section([self.row(**r) for r in data["rows"]], data["command"], data.get("load", ""))

    def run(self, options: BenchOptions, command: str, say: Callable[[str], None]) -> int:
        """The whole run: measure, then save the rows and the section (see the module's docstring)."""
        directory = run_dir(options, self.name)
        rows = self.measure(options, directory, say)
        load = load_note()
        saved = {"command": command, "load": load, "rows": [asdict(r) for r in rows]}
        write(options, self.name, directory, saved, self.heading, self.section(rows, command, load), say)
        return 0 if rows else 1
